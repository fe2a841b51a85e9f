"""Equivariant recurrent cells of Iqbal et al. 2026 (eqs. 13-14, 58-67; appendices D.2, D.3).

Each cell works on the capsule layout of DESIGN §2 and can be used on its own inside `keras.layers.RNN`. The real
input `x^t` is embedded without bias, `u^t = E x^t` (eqs. 58, 59), so a zero input embeds to zero; the hidden state
then evolves by an equivariant map. Consequence: with zero inputs, rotating the initial state by a group element
rotates every output by the same element.
"""

import contextlib

import keras
from keras import ops

# Keras' own dropout machinery for RNN cells (not exported under `keras.layers`): `keras.layers.RNN` draws the masks
# of a `DropoutRNNCell` once per sequence, before its loop, so that the loop itself is stateless (JAX).
from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell

from keras_symmetry import capsules, initializers, performance

LEGACY_NAMES = {"gate_activation": "recurrent_activation"}
"""Argument names of earlier releases that `from_config` still reads (saved configs, the zoo's presets)."""


def renamed_legacy_arguments(config, where):
    """`config` with the legacy argument names of `LEGACY_NAMES` replaced by today's (for `from_config` only)."""
    config = dict(config)
    for old, new in LEGACY_NAMES.items():
        if old in config:
            if new in config:
                raise ValueError(f"{where}: the config holds both {old!r} (the legacy name) and {new!r}.")
            config[new] = config.pop(old)
    return config


def read_only(name):
    """A read-only property for the constructor argument `name`, stored as `_<name>`."""
    return property(lambda self: getattr(self, f"_{name}"), doc=f"The `{name}` argument (read-only).")


def initializer_argument(spec):
    """An initializer argument as kept: a name (a paper's, e.g. `"identity"`, or Keras') or an initializer.

    Names are resolved when the weights are built (the paper's `"standard"` needs the fan-in); a serialized
    initializer (a dict, from a config) is deserialized.
    """
    return keras.initializers.get(spec) if isinstance(spec, dict) else spec


def check_rate(value, name, where):
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{where}: {name} must be in [0, 1); got {value!r}.")
    return float(value)


class CapsuleCell(DropoutRNNCell, keras.layers.Layer):
    """Shared plumbing of the cells: arguments, embedding (with optional blank channel), radial activation, dropout.

    Not a public class: each cell has its own signature and docstring. A step is split so that a layer can run it
    fast: `project(x, weights)` is the part that depends on the input alone (`u = E x`, and the GRU's gate
    inputs), with `projection_weights()`; `kernels()` are the weights of the recurrence in the form the loop uses
    (e.g. the real block form of a complex matrix, then the bias if any), built once per sequence by the layer;
    `step(projected, h, kernels[, recurrent_mask])` is the recurrence itself. A step reads its weights from these
    arguments only, so that the layer can recompute it in the backward pass (`CapsuleRNN.inner_loop`). `call`
    chains the three for one time step, so the cell alone in `keras.layers.RNN` computes exactly what the layer
    computes.

    Subclasses implement `_build_core(input_dim)`, `recurrent_kernels()` and `recur(h, kernels)`; the step is
    `h^t = phi(u^t + recur(h^{t-1}) [+ b])` (Iqbal et al. 2026, eq. 13) unless they override `step`.
    `self.capsules` counts the capsules in the state (`units`, or `H * W * filters` on a grid).

    Dropout: `dropout` drops input features, one mask per sequence (Keras' `DropoutRNNCell`); the input is not
    acted on by the group, so this keeps equivariance. `recurrent_dropout` drops whole capsules of `h^{t-1}` where
    it enters the recurrence, one mask per sequence that is the same for the `k` components of a capsule: a
    per-capsule scalar commutes with the group acting inside each capsule, so this keeps equivariance too.
    """

    def __init__(
        self,
        units,
        k,
        *,
        activation,
        use_bias,
        embedding_initializer,
        recurrent_initializer,
        bias_initializer,
        embedding_regularizer,
        recurrent_regularizer,
        bias_regularizer,
        embedding_constraint,
        recurrent_constraint,
        bias_constraint,
        dropout,
        recurrent_dropout,
        seed,
        blank_channel,
        epsilon,
        **kwargs,
    ):
        super().__init__(**kwargs)
        where = type(self).__name__
        for arg, value in (("units", units), ("k", k)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{where}: {arg} must be a positive integer; got {value!r}.")
        if blank_channel is not None and (not isinstance(blank_channel, int) or blank_channel < 0):
            raise ValueError(f"{where}: blank_channel must be None or a channel index >= 0; got {blank_channel!r}.")
        self._units = units
        self._k = k
        self.capsules = units
        self._activation = keras.activations.get(activation)
        self._use_bias = use_bias
        self._embedding_initializer = initializer_argument(embedding_initializer)
        self._recurrent_initializer = initializer_argument(recurrent_initializer)
        self._bias_initializer = initializer_argument(bias_initializer)
        self._embedding_regularizer = keras.regularizers.get(embedding_regularizer)
        self._recurrent_regularizer = keras.regularizers.get(recurrent_regularizer)
        self._bias_regularizer = keras.regularizers.get(bias_regularizer)
        self._embedding_constraint = keras.constraints.get(embedding_constraint)
        self._recurrent_constraint = keras.constraints.get(recurrent_constraint)
        self._bias_constraint = keras.constraints.get(bias_constraint)
        self._dropout = check_rate(dropout, "dropout", where)
        self._recurrent_dropout = check_rate(recurrent_dropout, "recurrent_dropout", where)
        self._seed = seed
        # Only a cell that drops anything draws random numbers: without dropout, building one consumes no seed,
        # so the weights a seeded run initialises are the same as without the dropout arguments.
        self.seed_generator = keras.random.SeedGenerator(seed) if self._dropout or self._recurrent_dropout else None
        self._blank_channel = blank_channel
        self._epsilon = float(epsilon)

    units = read_only("units")
    k = read_only("k")
    activation = read_only("activation")
    use_bias = read_only("use_bias")
    embedding_initializer = read_only("embedding_initializer")
    recurrent_initializer = read_only("recurrent_initializer")
    bias_initializer = read_only("bias_initializer")
    embedding_regularizer = read_only("embedding_regularizer")
    recurrent_regularizer = read_only("recurrent_regularizer")
    bias_regularizer = read_only("bias_regularizer")
    embedding_constraint = read_only("embedding_constraint")
    recurrent_constraint = read_only("recurrent_constraint")
    bias_constraint = read_only("bias_constraint")
    dropout = read_only("dropout")
    recurrent_dropout = read_only("recurrent_dropout")
    seed = read_only("seed")
    blank_channel = read_only("blank_channel")
    epsilon = read_only("epsilon")

    @property
    def state_size(self):
        return self.capsules * self.k

    @property
    def output_size(self):
        return self.state_size

    @property
    def _where(self):
        return f"{type(self).__name__} {self.name!r}"

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                f"{self._where} expects one time step of shape (batch, features) with known "
                f"features; got {tuple(input_shape)}."
            )
        input_dim = input_shape[-1]
        if self.blank_channel is not None and self.blank_channel >= input_dim:
            raise ValueError(
                f"{self._where}: blank_channel={self.blank_channel} is not one of the {input_dim} input channels."
            )
        self.embedding = self.add_weight(
            name="embedding",
            shape=(input_dim, self.state_size),
            initializer=initializers.resolve(self.embedding_initializer, self.capsules),
            regularizer=self.embedding_regularizer,
            constraint=self.embedding_constraint,
        )
        self._read_in_mask = None
        if self.blank_channel is not None:
            mask = [[0.0 if i == self.blank_channel else 1.0] for i in range(input_dim)]
            self._read_in_mask = mask
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.state_size,),
                initializer=initializers.resolve(self.bias_initializer, self.capsules),
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self._build_core(input_dim)

    def add_recurrent_weight(self, name, shape, fan_in):
        """A weight of the recurrence: `recurrent_initializer` (a paper's name resolved for `fan_in`), regularizer
        and constraint."""
        return self.add_weight(
            name=name,
            shape=shape,
            initializer=initializers.resolve(self.recurrent_initializer, fan_in),
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )

    def read_in(self):
        """`E` with the blank channel's read-in held at 0 (Iqbal et al. 2026, D.2.2)."""
        embedding = self.embedding
        if self._read_in_mask is not None:
            embedding = embedding * ops.convert_to_tensor(self._read_in_mask, embedding.dtype)
        return embedding

    def projection_weights(self):
        """The weights `project` reads: `(E,)`, the blank channel's read-in at 0."""
        return (self.read_in(),)

    def project(self, inputs, weights=None):
        """`u = E x` without bias (Iqbal et al. 2026, eqs. 58-59), on the last axis (one step or a sequence)."""
        (read_in,) = self.projection_weights() if weights is None else weights
        return ops.matmul(inputs, read_in)

    def kernels(self):
        """The weights `step` reads: `recurrent_kernels()`, then the bias when `use_bias=True`."""
        return (*self.recurrent_kernels(), *(() if self.bias is None else (self.bias,)))

    def radial(self, q, component_major=False):
        """The radial nonlinearity `f(|q|) / (|q| + eps) q` per capsule (Iqbal et al. 2026, eqs. 61, 65), on the
        capsule-major layout or, with `component_major`, on the one of `capsules.swap_capsule_layout` (a cell's
        loop layout)."""
        if self._custom_radial_gradient and self.activation is keras.activations.tanh:
            return capsules.radial_tanh_custom_gradient(q, self.k, self.epsilon, component_major=component_major)
        if component_major:
            return capsules.radial_component_major(q, self.k, self.activation, self.epsilon)
        return capsules.radial(q, self.k, self.activation, self.epsilon)

    _custom_radial_gradient = False

    @contextlib.contextmanager
    def custom_radial_gradient(self):
        """Within: `radial` (a tanh one) takes the written-out gradient of `capsules.radial_tanh_custom_gradient`
        (the layer's loop on TensorFlow without XLA, where that pays)."""
        self._custom_radial_gradient = True
        try:
            yield
        finally:
            self._custom_radial_gradient = False

    def add_bias(self, q, kernels):
        """Add the (symmetry-breaking) bias, the last of `kernels`, when `use_bias=True`."""
        return q if self.bias is None else q + kernels[-1]

    def step(self, projected, h, kernels, recurrent_mask=None):
        """One recurrence step from the projected input `u^t`; `recurrent_mask` (per capsule) drops capsules of
        `h^{t-1}` where it enters the recurrence."""
        dropped = h if recurrent_mask is None else h * recurrent_mask
        return self.radial(self.add_bias(projected + self.recur(dropped, kernels), kernels))

    def get_recurrent_dropout_mask(self, step_input):
        """The recurrent dropout mask of this sequence, `(batch, capsules * k)` capsule-major, drawn once per
        sequence (as Keras' masks are) and the same for the `k` components of each capsule."""
        if getattr(self, "_recurrent_dropout_mask", None) is None and self.recurrent_dropout > 0:
            ones = ops.ones_like(step_input[:, : self.capsules])
            kept = keras.random.dropout(ones, rate=self.recurrent_dropout, seed=self.seed_generator)
            self._recurrent_dropout_mask = capsules.per_capsule(kept, self.k)
        return getattr(self, "_recurrent_dropout_mask", None)

    # The layer's loop (`CapsuleRNN.inner_loop`) runs `loop_step` on the state in `to_loop_layout(h)`, with
    # `loop_kernels()` built once per sequence (and, under recurrent dropout, the mask in the loop layout), and
    # maps its results back with `from_loop_layout`; by default these are `step` on the cell's own layout. A cell
    # whose loop runs faster on another layout of the same numbers (`OkSimpleRNNCell`) overrides the four and sets
    # `loop_layout`. `remat_under_xla`: the layer recomputes each step in the backward pass instead of storing its
    # intermediates, when the loop is compiled by XLA (JAX; TensorFlow with `jit_compile=True`), where that
    # measured faster.
    loop_layout = False
    remat_under_xla = False

    def to_loop_layout(self, state):
        return state

    def from_loop_layout(self, state):
        return state

    def loop_kernels(self):
        """`(projection_weights(), kernels())`: every weight `loop_step` reads."""
        return (self.projection_weights(), self.kernels())

    def loop_step(self, x_t, h, kernels):
        """One step from the raw input `x^t`, on the loop layout, reading its weights from `kernels` only:
        `loop_kernels()`, then the recurrent dropout mask (loop layout) when there is one."""
        projection, kernels, *recurrent_mask = kernels
        return self.step(self.project(x_t, projection), h, kernels, *recurrent_mask)

    def call(self, inputs, states, training=False):
        capsules.check_float(inputs, self._where)
        h = states[0] if isinstance(states, (list, tuple)) else states
        if training and self.dropout > 0:
            inputs = inputs * self.get_dropout_mask(inputs)
        recurrent_mask = (self.get_recurrent_dropout_mask(h),) if training and self.recurrent_dropout > 0 else ()
        h_new = self.step(self.project(inputs), h, self.kernels(), *recurrent_mask)
        return h_new, [h_new]

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, self.state_size), dtype=self.compute_dtype)]

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "embedding_initializer": initializers.serialize(self.embedding_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "embedding_regularizer": keras.regularizers.serialize(self.embedding_regularizer),
            "recurrent_regularizer": keras.regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer),
            "embedding_constraint": keras.constraints.serialize(self.embedding_constraint),
            "recurrent_constraint": keras.constraints.serialize(self.recurrent_constraint),
            "bias_constraint": keras.constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
            "blank_channel": self.blank_channel,
            "epsilon": self.epsilon,
        }


class ComplexRecurrence:
    """U(1) recurrence: a complex `W in C^{N x N}` stored as `(2, N, N)`, one real block matmul."""

    def _build_recurrent_kernel(self):
        self.recurrent_kernel = self.add_recurrent_weight("recurrent_kernel", (2, self.units, self.units), self.units)

    def recurrent_kernels(self):
        return (capsules.complex_block_kernel(self.recurrent_kernel),)

    def recur(self, h, kernels):
        """`W h` for complex `h` in (Re, Im) capsules (Iqbal et al. 2026, eqs. 13, 60): one real block matmul."""
        return ops.matmul(h, kernels[0])


@keras.saving.register_keras_serializable(package="keras_symmetry")
class U1SimpleRNNCell(ComplexRecurrence, CapsuleCell):
    """Cell of the U(1)-equivariant RNN, `h^t = phi(E x^t + W h^{t-1})`.

    This is eq. 60 of Iqbal et al. 2026 (eqs. 13, 58, 61): the real input is embedded by `E` without bias,
    `W` is a complex `N x N` matrix, and `phi(v) = f(|v|) / (|v| + eps) v` is the radial nonlinearity, applied
    capsule by capsule. The state has `2N` reals, (Re, Im) per complex capsule. The update commutes with every
    phase rotation `h -> e^{i theta} h` (with `E x` rotated alike); a bias (`use_bias=True`) breaks that symmetry.
    Use it inside `keras.layers.RNN`, or use `U1SimpleRNN`, which runs the same step faster.

    Args:
        units: Positive integer, number of complex capsules `N` in the hidden state (it holds `2 * units` reals).
        activation: The radial function `f` of `phi`, a Keras activation name or callable. Default: `"tanh"`.
        use_bias: Boolean, whether to add a bias inside the nonlinearity. This is the explicitly
            symmetry-broken variant; default `False`.
        embedding_initializer: Initializer of the read-in `E` (`(features, 2N)`): `"low_variance"`
            (`N(0, 0.001)`, default), `"low_stddev"` (standard deviation 0.001), `"standard"`
            (`U(+-1/sqrt(N))`), or any Keras initializer.
        recurrent_initializer: Initializer of `W`: `"identity"` (default), `"standard"` or any Keras
            initializer (Iqbal et al. 2026, D.2.2).
        bias_initializer: Initializer of the bias when `use_bias=True`. Default: `"zeros"`.
        embedding_regularizer: Regularizer applied to `E`. Default: `None`.
        recurrent_regularizer: Regularizer applied to `W`. Default: `None`.
        bias_regularizer: Regularizer applied to the bias. Default: `None`.
        embedding_constraint: Constraint applied to `E`. Default: `None`.
        recurrent_constraint: Constraint applied to `W`. Default: `None`.
        bias_constraint: Constraint applied to the bias. Default: `None`.
        dropout: Float in `[0, 1)`, fraction of the input features dropped, one mask per sequence. The input
            is not acted on by the group, so equivariance holds. Default: 0.
        recurrent_dropout: Float in `[0, 1)`, fraction of the capsules of `h^{t-1}` dropped where they enter
            the recurrence, one mask per sequence, the same for both components of a capsule (so equivariance
            holds). Default: 0.
        seed: Integer, seed of the dropout masks.
        blank_channel: Index of an input channel whose read-in `E[c]` is held at zero throughout training (the
            copy task's blank token, Iqbal et al. 2026, D.2.2); default `None`.
        epsilon: The `eps` of `phi` (eq. 61); default `1e-8`.
        **kwargs: Base layer arguments (`name`, `dtype`, `trainable`).

    Call arguments:
        inputs: A 2D tensor `(batch, features)`, the real input of one time step.
        states: The previous state `h^{t-1}`, a 2D tensor `(batch, 2 * units)` (or a list holding it).
        training: Python boolean, whether dropout is applied. Default: `False`.

    Input shape:
        `(batch, features)` per step; `(batch, time, features)` for `keras.layers.RNN(cell)`.

    Output shape:
        `(batch, 2 * units)`: the new state, capsule-major (Re, Im) pairs, and `[new_state]`.

    Example:

    ```python
    import keras
    import numpy as np
    import keras_symmetry as ks

    rnn = keras.layers.RNN(ks.layers.U1SimpleRNNCell(4), return_sequences=True)
    y = rnn(np.random.normal(size=(2, 5, 3)).astype("float32"))
    assert tuple(y.shape) == (2, 5, 8)  # 4 complex capsules: (Re, Im) each
    ```

    Reference:

    - [Iqbal et al., 2026](https://arxiv.org/abs/2605.14685): Spontaneous symmetry breaking and Goldstone modes
      for deep information propagation (N. Iqbal, T. A. Keller, Y. Song, T. Miyato, M. Welling).
    """

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=False,
        embedding_initializer="low_variance",
        recurrent_initializer="identity",
        bias_initializer="zeros",
        embedding_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        embedding_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        blank_channel=None,
        epsilon=1e-8,
        **kwargs,
    ):
        super().__init__(
            units,
            2,
            activation=activation,
            use_bias=use_bias,
            embedding_initializer=embedding_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            embedding_regularizer=embedding_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            embedding_constraint=embedding_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            blank_channel=blank_channel,
            epsilon=epsilon,
            **kwargs,
        )

    def _build_core(self, input_dim):
        self._build_recurrent_kernel()


@keras.saving.register_keras_serializable(package="keras_symmetry")
class OkSimpleRNNCell(CapsuleCell):
    """Cell of the O(k)-equivariant RNN, `h^t = phi(E x^t + (A (x) I_k) h^{t-1})`.

    This is eq. 64 of Iqbal et al. 2026 (eqs. 13, 59, 63-65): the real input is embedded by `E` without bias,
    `A` is a real `N x N` matrix mixing the `N` capsules of size `k` and acting as the identity inside each
    (the most general O(k)-equivariant linear map for `k > 2`, by Schur's lemma), and `phi` is the radial
    nonlinearity of eq. 65. The state has `N k` reals. The update commutes with `h_alpha -> O h_alpha` for every
    `O in O(k)` applied to all capsules; a bias (`use_bias=True`) breaks that symmetry. Use it inside
    `keras.layers.RNN`, or use `OkSimpleRNN`, which runs the same step faster.

    Args:
        units: Positive integer, number of capsules `N` in the hidden state (it holds `k * units` reals).
        k: Positive integer, capsule size.
        activation: The radial function `f` of `phi`, a Keras activation name or callable. Default: `"tanh"`.
        use_bias: Boolean, whether to add a bias inside the nonlinearity (the symmetry-broken variant).
            Default: `False`.
        embedding_initializer: Initializer of the read-in `E` (`(features, k N)`): `"low_variance"` (default),
            `"low_stddev"`, `"standard"` or any Keras initializer (see `U1SimpleRNNCell`).
        recurrent_initializer: Initializer of `A`: `"identity"` (default), `"standard"` or any Keras initializer.
        bias_initializer: Initializer of the bias when `use_bias=True`. Default: `"zeros"`.
        embedding_regularizer: Regularizer applied to `E`. Default: `None`.
        recurrent_regularizer: Regularizer applied to `A`. Default: `None`.
        bias_regularizer: Regularizer applied to the bias. Default: `None`.
        embedding_constraint: Constraint applied to `E`. Default: `None`.
        recurrent_constraint: Constraint applied to `A`. Default: `None`.
        bias_constraint: Constraint applied to the bias. Default: `None`.
        dropout: Float in `[0, 1)`, fraction of the input features dropped, one mask per sequence. Default: 0.
        recurrent_dropout: Float in `[0, 1)`, fraction of the capsules of `h^{t-1}` dropped where they enter
            the recurrence, one mask per sequence, the same for the `k` components of a capsule (so equivariance
            holds). Default: 0.
        seed: Integer, seed of the dropout masks.
        blank_channel: Index of an input channel whose read-in is held at zero (Iqbal et al. 2026, D.2.2);
            default `None`.
        epsilon: The `eps` of `phi` (eq. 65); default `1e-8`.
        **kwargs: Base layer arguments (`name`, `dtype`, `trainable`).

    Call arguments:
        inputs: A 2D tensor `(batch, features)`, the real input of one time step.
        states: The previous state `h^{t-1}`, a 2D tensor `(batch, k * units)` (or a list holding it).
        training: Python boolean, whether dropout is applied. Default: `False`.

    Input shape:
        `(batch, features)` per step; `(batch, time, features)` for `keras.layers.RNN(cell)`.

    Output shape:
        `(batch, k * units)`: the new state, capsule-major, and `[new_state]`.

    Example:

    ```python
    import keras
    import numpy as np
    import keras_symmetry as ks

    rnn = keras.layers.RNN(ks.layers.OkSimpleRNNCell(3, k=4))
    y = rnn(np.random.normal(size=(2, 5, 6)).astype("float32"))
    assert tuple(y.shape) == (2, 12)  # 3 capsules of size 4
    ```

    Reference:

    - [Iqbal et al., 2026](https://arxiv.org/abs/2605.14685): Spontaneous symmetry breaking and Goldstone modes
      for deep information propagation (N. Iqbal, T. A. Keller, Y. Song, T. Miyato, M. Welling).
    """

    def __init__(
        self,
        units,
        k,
        activation="tanh",
        use_bias=False,
        embedding_initializer="low_variance",
        recurrent_initializer="identity",
        bias_initializer="zeros",
        embedding_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        embedding_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        blank_channel=None,
        epsilon=1e-8,
        **kwargs,
    ):
        super().__init__(
            units,
            k,
            activation=activation,
            use_bias=use_bias,
            embedding_initializer=embedding_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            embedding_regularizer=embedding_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            embedding_constraint=embedding_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            blank_channel=blank_channel,
            epsilon=epsilon,
            **kwargs,
        )

    def _build_core(self, input_dim):
        self.recurrent_kernel = self.add_recurrent_weight("recurrent_kernel", (self.units, self.units), self.units)

    def recurrent_kernels(self):
        return (self.recurrent_kernel,)

    def recur(self, h, kernels):
        """`(A (x) I_k) h` (Iqbal et al. 2026, eq. 64)."""
        return capsules.isotropic_matmul(h, kernels[0], self.k)

    # The layer's loop keeps the state component-major, `(batch, k*N)` (the k components of every capsule,
    # component by component): there `(A (x) I_k) h` is one plain `(batch*k, N) x (N, N)` matmul, with no
    # transpose inside the loop, and the radial norm a sum over k rows. Same numbers, reordered once per sequence
    # on the way in and out.
    loop_layout = True

    def to_loop_layout(self, state):
        return capsules.swap_capsule_layout(state, self.units, self.k)

    def from_loop_layout(self, state):
        return capsules.swap_capsule_layout(state, self.k, self.units)

    def loop_kernels(self):
        """`((E,), (A, [b]))` with the columns of `E` and `b` in the component-major layout."""
        (read_in,) = self.projection_weights()
        kernels = self.kernels()
        return ((self.to_loop_layout(read_in),), (kernels[0], *(self.to_loop_layout(b) for b in kernels[1:])))

    def loop_step(self, x_t, h, kernels):
        n, k = self.units, self.k
        projection, kernels, *recurrent_mask = kernels
        dropped = h * recurrent_mask[0] if recurrent_mask else h
        mixed = ops.reshape(ops.matmul(ops.reshape(dropped, (-1, n)), kernels[0]), (-1, k * n))
        return self.radial(self.add_bias(self.project(x_t, projection) + mixed, kernels), component_major=True)

    def get_config(self):
        return {**super().get_config(), "k": self.k}


@keras.saving.register_keras_serializable(package="keras_symmetry")
class U1GRUCell(ComplexRecurrence, CapsuleCell):
    """Cell of the U(1)-equivariant GRU: real gates on capsule lengths, a complex candidate.

    This is eq. 67 of Iqbal et al. 2026 (eq. 14):

    ```
    r^t = sigma(W_xr x^t + W_hr |h^{t-1}| + b_r)
    z^t = sigma(W_xz x^t + W_hz |h^{t-1}| + b_z)
    h~^t = phi(E x^t + W_h (r^t * h^{t-1}))
    h^t = z^t * h^{t-1} + (1 - z^t) * h~^t
    ```

    The gates are real and see the hidden state only through the phase-invariant capsule lengths `|h|`, so they
    are unchanged by `h -> e^{i theta} h`, while the candidate branch rotates with it: the update commutes with
    every phase rotation. `W_h` is complex `N x N`, `E` embeds the input without bias, `phi` is the radial
    nonlinearity. The reset gate acts before the recurrent matmul (Keras' `reset_after=False`). Use it inside
    `keras.layers.RNN`, or use `U1GRU`, which runs the same step faster.

    Args:
        units: Positive integer, number of complex capsules `N` (the state holds `2 * units` reals).
        activation: The radial function `f` of the candidate's `phi`. Default: `"tanh"`.
        recurrent_activation: Activation of the gates `r` and `z` (`sigma`). Default: `"sigmoid"`.
        use_bias: Boolean, whether to add a complex bias to the candidate; breaks U(1) equivariance (the
            symmetry-broken variant). The gate biases `b_r`, `b_z` are always there. Default: `False`.
        embedding_initializer: Initializer of the read-in `E` (`(features, 2N)`): `"low_variance"` (default),
            `"low_stddev"`, `"standard"` or any Keras initializer (see `U1SimpleRNNCell`).
        gate_initializer: Initializer of the gates' input kernels `[W_xr | W_xz]` (`(features, 2N)`):
            `"standard"` (default, `U(+-1/sqrt(N))`) or any Keras initializer.
        recurrent_initializer: Initializer of `W_h` and of `[W_hr | W_hz]`: `"identity"` (default) or
            `"standard"` (Iqbal et al. 2026, D.2.2), or any Keras initializer.
        bias_initializer: Initializer of the candidate bias when `use_bias=True`. Default: `"zeros"`.
        reset_bias: Float, initial value of every entry of `b_r`. Default: 0.
        update_bias: Float, initial value of every entry of `b_z`; the default 2 biases the cell towards
            keeping its state.
        embedding_regularizer: Regularizer applied to `E`. Default: `None`.
        gate_regularizer: Regularizer applied to `[W_xr | W_xz]`. Default: `None`.
        recurrent_regularizer: Regularizer applied to `W_h` and `[W_hr | W_hz]`. Default: `None`.
        bias_regularizer: Regularizer applied to the gate biases `[b_r | b_z]` and to the candidate bias (as
            Keras' GRU applies its to its one bias vector). Default: `None`.
        embedding_constraint: Constraint applied to `E`. Default: `None`.
        gate_constraint: Constraint applied to `[W_xr | W_xz]`. Default: `None`.
        recurrent_constraint: Constraint applied to `W_h` and `[W_hr | W_hz]`. Default: `None`.
        bias_constraint: Constraint applied to the gate biases and to the candidate bias. Default: `None`.
        dropout: Float in `[0, 1)`, fraction of the input features dropped, one mask per sequence, the same for
            `E x` and the gates. Default: 0.
        recurrent_dropout: Float in `[0, 1)`, fraction of the capsules of `h^{t-1}` dropped where they enter the
            gates (`|h|`) and the candidate (`W_h (r * h)`), one mask per sequence, the same for both components
            of a capsule (so equivariance holds); the carry `z * h^{t-1}` keeps every capsule, as in Keras' GRU.
            Default: 0.
        seed: Integer, seed of the dropout masks.
        blank_channel: Index of an input channel whose read-in `E[c]` is held at zero (Iqbal et al. 2026,
            D.2.2); the gates still see it. Default: `None`.
        epsilon: The `eps` of `phi` (eq. 61); default `1e-8`.
        **kwargs: Base layer arguments (`name`, `dtype`, `trainable`).

    Call arguments:
        inputs: A 2D tensor `(batch, features)`, the real input of one time step.
        states: The previous state `h^{t-1}`, a 2D tensor `(batch, 2 * units)` (or a list holding it).
        training: Python boolean, whether dropout is applied. Default: `False`.

    Input shape:
        `(batch, features)` per step; `(batch, time, features)` for `keras.layers.RNN(cell)`.

    Output shape:
        `(batch, 2 * units)`: the new state, capsule-major (Re, Im) pairs, and `[new_state]`.

    Example:

    ```python
    import keras
    import numpy as np
    import keras_symmetry as ks

    cell = ks.layers.U1GRUCell(4, recurrent_activation="hard_sigmoid")
    y = keras.layers.RNN(cell)(np.random.normal(size=(2, 5, 3)).astype("float32"))
    assert tuple(y.shape) == (2, 8)
    ```

    Reference:

    - [Iqbal et al., 2026](https://arxiv.org/abs/2605.14685): Spontaneous symmetry breaking and Goldstone modes
      for deep information propagation (N. Iqbal, T. A. Keller, Y. Song, T. Miyato, M. Welling).
    """

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=False,
        embedding_initializer="low_variance",
        gate_initializer="standard",
        recurrent_initializer="identity",
        bias_initializer="zeros",
        reset_bias=0.0,
        update_bias=2.0,
        embedding_regularizer=None,
        gate_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        embedding_constraint=None,
        gate_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        blank_channel=None,
        epsilon=1e-8,
        **kwargs,
    ):
        super().__init__(
            units,
            2,
            activation=activation,
            use_bias=use_bias,
            embedding_initializer=embedding_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            embedding_regularizer=embedding_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            embedding_constraint=embedding_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            blank_channel=blank_channel,
            epsilon=epsilon,
            **kwargs,
        )
        self._recurrent_activation = keras.activations.get(recurrent_activation)
        self._gate_initializer = initializer_argument(gate_initializer)
        self._gate_regularizer = keras.regularizers.get(gate_regularizer)
        self._gate_constraint = keras.constraints.get(gate_constraint)
        self._reset_bias = float(reset_bias)
        self._update_bias = float(update_bias)

    recurrent_activation = read_only("recurrent_activation")
    gate_initializer = read_only("gate_initializer")
    gate_regularizer = read_only("gate_regularizer")
    gate_constraint = read_only("gate_constraint")
    reset_bias = read_only("reset_bias")
    update_bias = read_only("update_bias")

    def _build_core(self, input_dim):
        self._build_recurrent_kernel()
        n = self.units
        self.gate_kernel = self.add_weight(
            name="gate_kernel",
            shape=(input_dim, 2 * n),
            initializer=initializers.resolve(self.gate_initializer, n),
            regularizer=self.gate_regularizer,
            constraint=self.gate_constraint,
        )
        self.gate_recurrent_kernel = self.add_recurrent_weight("gate_recurrent_kernel", (n, 2 * n), n)
        reset, update = self.reset_bias, self.update_bias
        self.gate_bias = self.add_weight(
            name="gate_bias",
            shape=(2 * n,),
            initializer=lambda shape, dtype=None: ops.convert_to_tensor([reset] * n + [update] * n, dtype=dtype),
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint,
        )

    # Recomputing the step in the backward pass beats storing its dozen intermediates under XLA: psMNIST step 25%
    # faster on JAX, 1.3-1.7x on TensorFlow with XLA (docs/PERFORMANCE.md).
    remat_under_xla = True

    def projection_weights(self):
        return (*super().projection_weights(), self.gate_kernel, self.gate_bias)

    def project(self, inputs, weights=None):
        """`(u, W_x x + b)`: the embedding and the gates' input part."""
        read_in, gate_kernel, gate_bias = self.projection_weights() if weights is None else weights
        return ops.matmul(inputs, read_in), ops.matmul(inputs, gate_kernel) + gate_bias

    def recurrent_kernels(self):
        return (*super().recurrent_kernels(), self.gate_recurrent_kernel)

    def step(self, projected, h, kernels, recurrent_mask=None):
        n = self.units
        u, gate_inputs = projected
        dropped = h if recurrent_mask is None else h * recurrent_mask
        gates = self.recurrent_activation(gate_inputs + ops.matmul(capsules.capsule_norm(dropped, 2), kernels[1]))
        reset = capsules.per_capsule(gates[:, :n], 2)
        update = capsules.per_capsule(gates[:, n:], 2)
        candidate = self.radial(self.add_bias(u + self.recur(reset * dropped, kernels), kernels))
        return update * h + (1.0 - update) * candidate

    def get_config(self):
        return {
            **super().get_config(),
            "recurrent_activation": keras.activations.serialize(self.recurrent_activation),
            "gate_initializer": initializers.serialize(self.gate_initializer),
            "gate_regularizer": keras.regularizers.serialize(self.gate_regularizer),
            "gate_constraint": keras.constraints.serialize(self.gate_constraint),
            "reset_bias": self.reset_bias,
            "update_bias": self.update_bias,
        }

    @classmethod
    def from_config(cls, config):
        """Also reads configs saved with the legacy names (`gate_activation`, now `recurrent_activation`)."""
        return cls(**renamed_legacy_arguments(config, cls.__name__))


@keras.saving.register_keras_serializable(package="keras_symmetry")
class U1ConvRNN2DCell(CapsuleCell):
    """Cell of the 2D convolutional U(1)-equivariant RNN, `h^t = phi(E x^t + W * h^{t-1})` on a grid.

    This is the convolutional RNN of Iqbal et al. 2026, appendix D.3: the U(1) RNN of eq. 60 with the
    complex-linear recurrence replaced by a complex `kernel_size x kernel_size` convolution `W *` over `filters`
    complex channels on an `H x W` grid. The real input vector is embedded onto the whole grid by `E` without
    bias; `phi` is the radial nonlinearity, capsule by capsule. The update commutes with every phase rotation
    `h -> e^{i theta} h`; a bias (`use_bias=True`) breaks that symmetry.

    The state is kept flat, `(batch, H * W * 2 * filters)`, so that the cell fits `keras.layers.RNN`: it is the
    row-major flattening of the grid `(batch, H, W, 2 * filters)`, whose last axis holds `filters` (Re, Im)
    capsules. `U1ConvRNN2D` reshapes it back to the grid.

    Args:
        filters: Positive integer, complex channels `C` per site (Iqbal et al. 2026, D.3: 16).
        grid_shape: `(H, W)` of the hidden grid (D.3: `(20, 20)`).
        kernel_size: Odd positive integer, size of the square complex kernel. Default: 3.
        padding_mode: `"zeros"` (default, an open boundary) or `"circular"` (a periodic grid).
        activation: The radial function `f` of `phi`. Default: `"tanh"`.
        use_bias: Boolean, whether to add a bias inside the nonlinearity (the symmetry-broken variant).
            Default: `False`.
        embedding_initializer: Initializer of the read-in `E` (`(features, H W 2C)`): `"low_variance"`
            (default), `"low_stddev"`, `"standard"` or any Keras initializer (see `U1SimpleRNNCell`).
        recurrent_initializer: Initializer of the complex kernel `(2, kernel_size, kernel_size, C, C)`:
            `"standard"` (default: `U(+-1/sqrt(fan_in))` with `fan_in = kernel_size^2 C`, PyTorch's convolution
            default), `"identity"` (a delta kernel) or any Keras initializer.
        bias_initializer: Initializer of the bias when `use_bias=True`. Default: `"zeros"`.
        embedding_regularizer: Regularizer applied to `E`. Default: `None`.
        recurrent_regularizer: Regularizer applied to the complex kernel. Default: `None`.
        bias_regularizer: Regularizer applied to the bias. Default: `None`.
        embedding_constraint: Constraint applied to `E`. Default: `None`.
        recurrent_constraint: Constraint applied to the complex kernel. Default: `None`.
        bias_constraint: Constraint applied to the bias. Default: `None`.
        dropout: Float in `[0, 1)`, fraction of the input features dropped, one mask per sequence. Default: 0.
        recurrent_dropout: Float in `[0, 1)`, fraction of the capsules (site and channel) of `h^{t-1}` dropped
            where they enter the convolution, one mask per sequence, the same for both components of a capsule
            (so equivariance holds). Default: 0.
        seed: Integer, seed of the dropout masks.
        blank_channel: Index of an input channel whose read-in is held at zero (Iqbal et al. 2026, D.2.2);
            default `None`.
        epsilon: The `eps` of `phi` (eq. 61); default `1e-8`.
        **kwargs: Base layer arguments (`name`, `dtype`, `trainable`).

    Call arguments:
        inputs: A 2D tensor `(batch, features)`, the real input of one time step.
        states: The previous state, flat: a 2D tensor `(batch, H * W * 2 * filters)` (or a list holding it).
        training: Python boolean, whether dropout is applied. Default: `False`.

    Input shape:
        `(batch, features)` per step; `(batch, time, features)` for `keras.layers.RNN(cell)`.

    Output shape:
        `(batch, H * W * 2 * filters)`: the new state, flat, and `[new_state]`.

    Example:

    ```python
    import keras
    import numpy as np
    import keras_symmetry as ks

    cell = ks.layers.U1ConvRNN2DCell(2, grid_shape=(3, 3), padding_mode="circular")
    y = keras.layers.RNN(cell)(np.random.normal(size=(2, 4, 5)).astype("float32"))
    assert tuple(y.shape) == (2, 3 * 3 * 2 * 2)
    ```

    Reference:

    - [Iqbal et al., 2026](https://arxiv.org/abs/2605.14685): Spontaneous symmetry breaking and Goldstone modes
      for deep information propagation (N. Iqbal, T. A. Keller, Y. Song, T. Miyato, M. Welling).
    """

    def __init__(
        self,
        filters,
        grid_shape,
        kernel_size=3,
        padding_mode="zeros",
        activation="tanh",
        use_bias=False,
        embedding_initializer="low_variance",
        recurrent_initializer="standard",
        bias_initializer="zeros",
        embedding_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        embedding_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        blank_channel=None,
        epsilon=1e-8,
        **kwargs,
    ):
        super().__init__(
            filters,
            2,
            activation=activation,
            use_bias=use_bias,
            embedding_initializer=embedding_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            embedding_regularizer=embedding_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            embedding_constraint=embedding_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            blank_channel=blank_channel,
            epsilon=epsilon,
            **kwargs,
        )
        grid_shape = tuple(grid_shape)
        if len(grid_shape) != 2 or not all(isinstance(s, int) and s > 0 for s in grid_shape):
            raise ValueError(f"U1ConvRNN2DCell: grid_shape must be (H, W) positive integers; got {grid_shape!r}.")
        if not isinstance(kernel_size, int) or kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"U1ConvRNN2DCell: kernel_size must be an odd positive integer; got {kernel_size!r}.")
        self._grid_shape = grid_shape
        self._kernel_size = kernel_size
        self._padding_mode = capsules.check_padding_mode(padding_mode, "U1ConvRNN2DCell")
        self.capsules = grid_shape[0] * grid_shape[1] * filters

    @property
    def filters(self):
        """The `filters` argument (read-only)."""
        return self.units

    grid_shape = read_only("grid_shape")
    kernel_size = read_only("kernel_size")
    padding_mode = read_only("padding_mode")

    @property
    def grid_state_shape(self):
        return (*self.grid_shape, 2 * self.filters)

    def _build_core(self, input_dim):
        c, size = self.filters, self.kernel_size
        self.recurrent_kernel = self.add_recurrent_weight("recurrent_kernel", (2, size, size, c, c), size * size * c)

    def recurrent_kernels(self):
        """The complex kernel as one real `(k, k, 2C, 2C)` convolution kernel, or under `im2col` the
        `(k*k*2C, 2C)` matrix of its rows ordered (dy, dx, channel)."""
        block = capsules.complex_block_kernel(self.recurrent_kernel)  # (k, k, 2C, 2C)
        return (ops.reshape(block, (-1, 2 * self.filters)) if performance.im2col() else block,)

    def recur(self, h, kernels):
        """Complex convolution `W * h` on the grid: one real convolution with the block kernel, or under
        `ks.performance.im2col()` one matmul over the k*k shifted grids (the same sums)."""
        size, (rows, cols) = self.kernel_size, self.grid_shape
        grid = ops.reshape(h, (-1, *self.grid_state_shape))
        if not performance.im2col():
            if self.padding_mode == "zeros":
                return ops.reshape(ops.conv(grid, kernels[0], padding="same"), (-1, self.state_size))
            grid = capsules.pad_2d(grid, size // 2, self.padding_mode)
            return ops.reshape(ops.conv(grid, kernels[0], padding="valid"), (-1, self.state_size))
        grid = capsules.pad_2d(grid, size // 2, self.padding_mode)
        patches = ops.concatenate(
            [grid[:, dy : dy + rows, dx : dx + cols] for dy in range(size) for dx in range(size)], axis=-1
        )
        return ops.reshape(ops.matmul(patches, kernels[0]), (-1, self.state_size))

    def get_config(self):
        config = super().get_config()
        config.pop("units")
        return {
            **config,
            "filters": self.filters,
            "grid_shape": list(self.grid_shape),
            "kernel_size": self.kernel_size,
            "padding_mode": self.padding_mode,
        }
