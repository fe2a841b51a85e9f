"""Recurrent layers with the calling conventions of `keras.layers.GRU`.

`U1SimpleRNN`, `U1GRU`, `OkSimpleRNN` and `U1ConvRNN2D` wrap the cells of `keras_symmetry.layers.cells` in
`keras.layers.RNN`: inputs `(batch, time, features)`, `return_sequences`, `return_state`, `initial_state`,
`go_backwards`, `stateful`, `unroll`, masking, dropout. The layer's arguments are its cell's plus these, each a
read-only property that forwards to the cell; `get_config` holds them all flat, as Keras' own RNN layers do.
"""

import contextlib

import keras
from keras import ops
from keras.src import backend as keras_backend  # backend.rnn: the loop keras.layers.RNN itself runs

from keras_symmetry import capsules, performance
from keras_symmetry.layers import cells


def _advance(cell, structure):
    """The step `(x_t, h, *kernels) -> h'` of a cell, `kernels` flattened from `structure` (what gets compiled)."""

    def advance(x_t, h, *kernels):
        return cell.loop_step(x_t, h, keras.tree.pack_sequence_as(structure, kernels))

    return advance


def under_xla():
    """Whether the code being traced is compiled by XLA: always on JAX; on TensorFlow inside `jit_compile=True`."""
    backend = keras.backend.backend()
    if backend == "jax":
        return True
    if backend != "tensorflow":
        return False
    try:
        import tensorflow as tf
        from tensorflow.python.ops import control_flow_util
    except ImportError:  # pragma: no cover - a TensorFlow without the internal module
        return False
    return bool(control_flow_util.GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph()))


def _cell_property(name):
    """A read-only property of an RNN layer that forwards to its cell's (as Keras' `GRU.units` does)."""
    return property(lambda self: getattr(self.cell, name), doc=f"The `{name}` argument (read-only; the cell's).")


class CapsuleRNN(keras.layers.RNN):
    """Base class of the recurrent layers: a `keras.layers.RNN` around one capsule cell, with a faster loop.

    Not a public class: each layer has its own signature and docstring, and builds its cell.
    """

    def __init__(
        self,
        cell,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        zero_output_for_mask=False,
        activity_regularizer=None,
        **kwargs,
    ):
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            zero_output_for_mask=zero_output_for_mask,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.input_spec = keras.layers.InputSpec(ndim=3)

    units = _cell_property("units")
    k = _cell_property("k")
    activation = _cell_property("activation")
    use_bias = _cell_property("use_bias")
    embedding_initializer = _cell_property("embedding_initializer")
    recurrent_initializer = _cell_property("recurrent_initializer")
    bias_initializer = _cell_property("bias_initializer")
    embedding_regularizer = _cell_property("embedding_regularizer")
    recurrent_regularizer = _cell_property("recurrent_regularizer")
    bias_regularizer = _cell_property("bias_regularizer")
    embedding_constraint = _cell_property("embedding_constraint")
    recurrent_constraint = _cell_property("recurrent_constraint")
    bias_constraint = _cell_property("bias_constraint")
    dropout = _cell_property("dropout")
    recurrent_dropout = _cell_property("recurrent_dropout")
    seed = _cell_property("seed")
    blank_channel = _cell_property("blank_channel")
    epsilon = _cell_property("epsilon")

    @property
    def _where(self):
        return f"{type(self).__name__} {self.name!r}"

    def _check_initial_state(self, sequences, initial_state):
        """Accept `h0` or `[h0]` of shape `(batch, units*k)`; raise a clear error otherwise."""
        if isinstance(initial_state, (list, tuple)):
            if len(initial_state) != 1:
                raise ValueError(f"{self._where} has one state; initial_state holds {len(initial_state)} tensors.")
            initial_state = initial_state[0]
        initial_state = self._flat_state(ops.convert_to_tensor(initial_state))
        capsules.check_float(initial_state, f"{self._where} (initial_state)")
        expected = (sequences.shape[0], self.cell.state_size)
        shape = tuple(initial_state.shape)
        batch = shape[0] if shape else None
        batch_mismatch = None not in (batch, expected[0]) and batch != expected[0]
        if len(shape) != 2 or shape[-1] != expected[1] or batch_mismatch:
            raise ValueError(
                f"{self._where}: initial_state must have shape (batch, units*k) = {expected}, "
                f"matching the inputs {tuple(sequences.shape)}; got {shape}."
            )
        return initial_state

    def _flat_state(self, state):
        """The state as the cell holds it (the grid layer flattens a grid state)."""
        return state

    def inner_loop(self, sequences, initial_state, mask, training=False):
        """Keras' RNN loop, calling the cell's step as a plain function of the input, the state and
        the weights, built once per sequence (instead of a layer call that rebuilds them at every
        step), on the cell's loop layout (`CapsuleCell.loop_layout`: the O(k) RNN keeps its state
        component-major). Under XLA a cell with `remat_under_xla` has its step recomputed in the
        backward pass (`keras.remat`) rather than its intermediates stored; on torch the step can
        be compiled (`ks.performance`). On JAX the other cells keep Keras' own loop: XLA
        already hoists their kernels out of its scan, and the plain loop measured as fast or
        faster there.

        Dropout (with `training`): the input mask multiplies the whole sequence once, before the loop (as Keras'
        GRU does for cuDNN); the per-capsule recurrent mask travels with the weights into the step. Both are the
        masks `keras.layers.RNN.call` drew for this sequence, those the cell's own `call` uses. Without dropout
        the loop is exactly the one without these arguments."""
        cell = self.cell
        xla = under_xla()
        remat = cell.remat_under_xla and xla
        if keras.backend.backend() == "jax" and not (cell.loop_layout or remat):
            return super().inner_loop(sequences, initial_state, mask, training=training)
        states = initial_state if isinstance(initial_state, (list, tuple)) else [initial_state]
        loop_kernels = cell.loop_kernels()
        if training and cell.dropout > 0:
            sequences = sequences * ops.expand_dims(cell.get_dropout_mask(sequences[:, 0, :]), 1)
        recurrent_dropout = bool(training and cell.recurrent_dropout > 0)
        if recurrent_dropout:
            loop_kernels = (*loop_kernels, cell.to_loop_layout(cell.get_recurrent_dropout_mask(states[0])))
        structure = keras.tree.map_structure(ops.convert_to_tensor, loop_kernels)
        kernels = keras.tree.flatten(structure)
        if performance.torch_compile():
            advance = self._compiled_step(structure, recurrent_dropout)
        else:
            advance = keras.remat(_advance(cell, structure)) if remat else _advance(cell, structure)

        def step(x_t, states):
            h = advance(x_t, states[0], *kernels)
            return h, [h]

        custom_gradient = performance.custom_radial_gradient(xla)
        with cell.custom_radial_gradient() if custom_gradient else contextlib.nullcontext():
            last_output, outputs, states = keras_backend.rnn(
                step,
                sequences,
                [cell.to_loop_layout(state) for state in states],
                go_backwards=self.go_backwards,
                mask=mask,
                unroll=self.unroll,
                input_length=sequences.shape[1],
                zero_output_for_mask=self.zero_output_for_mask,
                return_all_outputs=self.return_sequences,
            )
        back = cell.from_loop_layout
        return back(last_output), back(outputs), [back(state) for state in states]

    def _compiled_step(self, structure, recurrent_dropout=False):
        """The step compiled by `torch.compile`, once per layer (and once more for the step with a dropout mask)."""
        attribute = "_torch_step_dropout" if recurrent_dropout else "_torch_step"
        if getattr(self, attribute, None) is None:
            import torch

            setattr(self, attribute, torch.compile(_advance(self.cell, structure), dynamic=False))
        return getattr(self, attribute)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        capsules.check_float(sequences, self._where)
        if initial_state is not None:
            initial_state = self._check_initial_state(sequences, initial_state)
        return super().call(sequences, initial_state=initial_state, mask=mask, training=training)

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        cell_config = {
            key: value for key, value in self.cell.get_config().items() if key not in ("name", "trainable", "dtype")
        }
        return {
            **config,
            "activity_regularizer": keras.regularizers.serialize(self.activity_regularizer),
            **cell_config,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _cell_options(kwargs):
    """The base layer arguments a layer shares with its cell (as Keras' own RNN layers pass them)."""
    return {"dtype": kwargs.get("dtype"), "trainable": kwargs.get("trainable", True)}


@keras.saving.register_keras_serializable(package="keras_symmetry")
class U1SimpleRNN(CapsuleRNN):
    """U(1)-equivariant fully-connected RNN, `h^t = phi(E x^t + W h^{t-1})`.

    This is eq. 60 of Iqbal et al. 2026 (eqs. 13, 58, 61): the real input is embedded by `E` without bias, `W` is
    a complex `N x N` matrix and `phi(v) = f(|v|) / (|v| + eps) v` the radial nonlinearity, capsule by capsule.
    The state holds `N` complex capsules as `2N` reals, (Re, Im) per capsule. Every output rotates with the
    initial state under `h -> e^{i theta} h` (with `E x` rotated alike); a bias (`use_bias=True`) breaks that
    symmetry. The layer runs `U1SimpleRNNCell`'s step in a faster loop than `keras.layers.RNN(cell)`, with the
    same numbers.

    Args:
        units: Positive integer, number of complex capsules `N` (the output has `2 * units` reals).
        activation: The radial function `f` of `phi`, a Keras activation name or callable. Default: `"tanh"`.
        use_bias: Boolean, whether to add a bias inside the nonlinearity (the symmetry-broken variant).
            Default: `False`.
        embedding_initializer: Initializer of the read-in `E`: `"low_variance"` (`N(0, 0.001)`, default),
            `"low_stddev"` (standard deviation 0.001), `"standard"` (`U(+-1/sqrt(N))`) or any Keras initializer.
        recurrent_initializer: Initializer of `W`: `"identity"` (default), `"standard"` or any Keras initializer
            (Iqbal et al. 2026, D.2.2).
        bias_initializer: Initializer of the bias when `use_bias=True`. Default: `"zeros"`.
        embedding_regularizer: Regularizer applied to `E`. Default: `None`.
        recurrent_regularizer: Regularizer applied to `W`. Default: `None`.
        bias_regularizer: Regularizer applied to the bias. Default: `None`.
        activity_regularizer: Regularizer applied to the output of the layer. Default: `None`.
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
            copy task's blank token, Iqbal et al. 2026, D.2.2). Default: `None`.
        epsilon: The `eps` of `phi` (eq. 61). Default: `1e-8`.
        return_sequences: Boolean, whether to return every state or only the last. Default: `False`.
        return_state: Boolean, whether to return the last state in addition to the output. Default: `False`.
        go_backwards: Boolean, whether to process the sequence backwards (and return the states reversed).
            Default: `False`.
        stateful: Boolean, whether the last state of each sample is the initial state of the sample at the
            same index in the next batch. Default: `False`.
        unroll: Boolean, whether to unroll the loop (faster for short sequences, more memory). Default: `False`.
        zero_output_for_mask: Boolean, whether masked steps output zeros (instead of the previous state) when
            `return_sequences=True`. Default: `False`.
        **kwargs: Base layer arguments (`name`, `dtype`, `trainable`).

    Call arguments:
        sequences: A 3D tensor `(batch, time, features)`, real.
        initial_state: The initial state `h^0`, `(batch, 2 * units)` or a list holding it (default zeros,
            `h^0 = 0` as in Iqbal et al. 2026, D.2.1).
        mask: Boolean tensor `(batch, time)`: which steps to use (e.g. from `keras.layers.Masking`).
        training: Python boolean, whether dropout is applied. Default: `False`.

    Input shape:
        3D tensor `(batch, time, features)`.

    Output shape:
        `(batch, 2 * units)`, or `(batch, time, 2 * units)` with `return_sequences`, capsule-major (Re, Im)
        pairs; with `return_state`, also the last state `(batch, 2 * units)`.

    Example:

    ```python
    import numpy as np
    import keras_symmetry as ks

    x = np.random.normal(size=(2, 7, 10)).astype("float32")
    rnn = ks.layers.U1SimpleRNN(4, blank_channel=0, return_sequences=True)
    h = rnn(x)
    assert tuple(h.shape) == (2, 7, 8)  # 4 complex capsules per step
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
        activity_regularizer=None,
        embedding_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        blank_channel=None,
        epsilon=1e-8,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        zero_output_for_mask=False,
        **kwargs,
    ):
        cell = cells.U1SimpleRNNCell(
            units,
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
            name="u1_simplernn_cell",
            **_cell_options(kwargs),
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            zero_output_for_mask=zero_output_for_mask,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )


@keras.saving.register_keras_serializable(package="keras_symmetry")
class OkSimpleRNN(CapsuleRNN):
    """O(k)-equivariant fully-connected RNN, `h^t = phi(E x^t + (A (x) I_k) h^{t-1})`.

    This is eq. 64 of Iqbal et al. 2026 (eqs. 13, 59, 63-65): the real input is embedded by `E` without bias,
    the real `N x N` matrix `A` mixes the `N` capsules of size `k` and acts as the identity inside each, and
    `phi` is the radial nonlinearity of eq. 65. Every output rotates with the initial state under
    `h_alpha -> O h_alpha` for any `O in O(k)`; a bias (`use_bias=True`) breaks that symmetry. The layer runs
    `OkSimpleRNNCell`'s step in a faster loop than `keras.layers.RNN(cell)` (on a component-major copy of the
    state), with the same numbers.

    Args:
        units: Positive integer, number of capsules `N` (the output has `k * units` reals).
        k: Positive integer, capsule size.
        activation: The radial function `f` of `phi`, a Keras activation name or callable. Default: `"tanh"`.
        use_bias: Boolean, whether to add a bias inside the nonlinearity (the symmetry-broken variant).
            Default: `False`.
        embedding_initializer: Initializer of the read-in `E`: `"low_variance"` (default), `"low_stddev"`,
            `"standard"` or any Keras initializer (see `U1SimpleRNN`).
        recurrent_initializer: Initializer of `A`: `"identity"` (default), `"standard"` or any Keras initializer.
        bias_initializer: Initializer of the bias when `use_bias=True`. Default: `"zeros"`.
        embedding_regularizer: Regularizer applied to `E`. Default: `None`.
        recurrent_regularizer: Regularizer applied to `A`. Default: `None`.
        bias_regularizer: Regularizer applied to the bias. Default: `None`.
        activity_regularizer: Regularizer applied to the output of the layer. Default: `None`.
        embedding_constraint: Constraint applied to `E`. Default: `None`.
        recurrent_constraint: Constraint applied to `A`. Default: `None`.
        bias_constraint: Constraint applied to the bias. Default: `None`.
        dropout: Float in `[0, 1)`, fraction of the input features dropped, one mask per sequence. Default: 0.
        recurrent_dropout: Float in `[0, 1)`, fraction of the capsules of `h^{t-1}` dropped where they enter
            the recurrence, one mask per sequence, the same for the `k` components of a capsule (so
            equivariance holds). Default: 0.
        seed: Integer, seed of the dropout masks.
        blank_channel: Index of an input channel whose read-in is held at zero (Iqbal et al. 2026, D.2.2).
            Default: `None`.
        epsilon: The `eps` of `phi` (eq. 65). Default: `1e-8`.
        return_sequences: Boolean, whether to return every state or only the last. Default: `False`.
        return_state: Boolean, whether to return the last state in addition to the output. Default: `False`.
        go_backwards: Boolean, whether to process the sequence backwards. Default: `False`.
        stateful: Boolean, whether the last state of each sample is the initial state of the sample at the
            same index in the next batch. Default: `False`.
        unroll: Boolean, whether to unroll the loop. Default: `False`.
        zero_output_for_mask: Boolean, whether masked steps output zeros when `return_sequences=True`.
            Default: `False`.
        **kwargs: Base layer arguments (`name`, `dtype`, `trainable`).

    Call arguments:
        sequences: A 3D tensor `(batch, time, features)`, real.
        initial_state: The initial state `h^0`, `(batch, k * units)` or a list holding it (default zeros).
        mask: Boolean tensor `(batch, time)`: which steps to use.
        training: Python boolean, whether dropout is applied. Default: `False`.

    Input shape:
        3D tensor `(batch, time, features)`.

    Output shape:
        `(batch, k * units)`, or `(batch, time, k * units)` with `return_sequences`, capsule-major; with
        `return_state`, also the last state `(batch, k * units)`.

    Example:

    ```python
    import numpy as np
    import keras_symmetry as ks

    pixels = np.random.uniform(size=(2, 12, 1)).astype("float32")  # psMNIST-like: one pixel per step
    rnn = ks.layers.OkSimpleRNN(6, k=8)
    h = rnn(pixels)
    assert tuple(h.shape) == (2, 48)  # 6 capsules of size 8
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
        activity_regularizer=None,
        embedding_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        blank_channel=None,
        epsilon=1e-8,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        zero_output_for_mask=False,
        **kwargs,
    ):
        cell = cells.OkSimpleRNNCell(
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
            name="ok_simplernn_cell",
            **_cell_options(kwargs),
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            zero_output_for_mask=zero_output_for_mask,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )


@keras.saving.register_keras_serializable(package="keras_symmetry")
class U1GRU(CapsuleRNN):
    """U(1)-equivariant gated recurrent unit: real gates on capsule lengths, a complex candidate.

    This is eq. 67 of Iqbal et al. 2026 (eq. 14):

    ```
    r^t = sigma(W_xr x^t + W_hr |h^{t-1}| + b_r)
    z^t = sigma(W_xz x^t + W_hz |h^{t-1}| + b_z)
    h~^t = phi(E x^t + W_h (r^t * h^{t-1}))
    h^t = z^t * h^{t-1} + (1 - z^t) * h~^t
    ```

    The gates are real and see the state only through the phase-invariant capsule lengths `|h|`; the candidate
    is complex-linear in `h` (`W_h` complex `N x N`, `E` embeds the input without bias) and `phi` is the radial
    nonlinearity. So every output rotates with the initial state under `h -> e^{i theta} h`; a candidate bias
    (`use_bias=True`) breaks that symmetry. The reset gate acts before the recurrent matmul (Keras'
    `reset_after=False`). The layer runs `U1GRUCell`'s step in a faster loop than `keras.layers.RNN(cell)`
    (recomputed in the backward pass under XLA), with the same numbers.

    Args:
        units: Positive integer, number of complex capsules `N` (the output has `2 * units` reals).
        activation: The radial function `f` of the candidate's `phi`. Default: `"tanh"`.
        recurrent_activation: Activation of the gates `r` and `z` (`sigma`). Default: `"sigmoid"`.
        use_bias: Boolean, whether to add a complex bias to the candidate; breaks U(1) equivariance (the
            symmetry-broken variant). The gate biases `b_r`, `b_z` are always there. Default: `False`.
        embedding_initializer: Initializer of the read-in `E`: `"low_variance"` (`N(0, 0.001)`, default),
            `"low_stddev"`, `"standard"` or any Keras initializer (see `U1SimpleRNN`).
        gate_initializer: Initializer of the gates' input kernels `[W_xr | W_xz]`: `"standard"` (default,
            `U(+-1/sqrt(N))`) or any Keras initializer.
        recurrent_initializer: Initializer of `W_h` and `[W_hr | W_hz]`: `"identity"` (default) or
            `"standard"` (Iqbal et al. 2026, D.2.2), or any Keras initializer.
        bias_initializer: Initializer of the candidate bias when `use_bias=True`. Default: `"zeros"`.
        reset_bias: Float, initial value of every entry of `b_r`. Default: 0.
        update_bias: Float, initial value of every entry of `b_z`; the default 2 biases the layer towards
            keeping its state.
        embedding_regularizer: Regularizer applied to `E`. Default: `None`.
        gate_regularizer: Regularizer applied to `[W_xr | W_xz]`. Default: `None`.
        recurrent_regularizer: Regularizer applied to `W_h` and `[W_hr | W_hz]`. Default: `None`.
        bias_regularizer: Regularizer applied to the gate biases and to the candidate bias. Default: `None`.
        activity_regularizer: Regularizer applied to the output of the layer. Default: `None`.
        embedding_constraint: Constraint applied to `E`. Default: `None`.
        gate_constraint: Constraint applied to `[W_xr | W_xz]`. Default: `None`.
        recurrent_constraint: Constraint applied to `W_h` and `[W_hr | W_hz]`. Default: `None`.
        bias_constraint: Constraint applied to the gate biases and to the candidate bias. Default: `None`.
        dropout: Float in `[0, 1)`, fraction of the input features dropped, one mask per sequence, the same for
            `E x` and the gates. Default: 0.
        recurrent_dropout: Float in `[0, 1)`, fraction of the capsules of `h^{t-1}` dropped where they enter
            the gates and the candidate, one mask per sequence, the same for both components of a capsule (so
            equivariance holds); the carry `z * h^{t-1}` keeps every capsule. Default: 0.
        seed: Integer, seed of the dropout masks.
        blank_channel: Index of an input channel whose read-in `E[c]` is held at zero (Iqbal et al. 2026,
            D.2.2); the gates still see it. Default: `None`.
        epsilon: The `eps` of `phi` (eq. 61). Default: `1e-8`.
        return_sequences: Boolean, whether to return every state or only the last. Default: `False`.
        return_state: Boolean, whether to return the last state in addition to the output. Default: `False`.
        go_backwards: Boolean, whether to process the sequence backwards. Default: `False`.
        stateful: Boolean, whether the last state of each sample is the initial state of the sample at the
            same index in the next batch. Default: `False`.
        unroll: Boolean, whether to unroll the loop. Default: `False`.
        zero_output_for_mask: Boolean, whether masked steps output zeros when `return_sequences=True`.
            Default: `False`.
        **kwargs: Base layer arguments (`name`, `dtype`, `trainable`).

    Call arguments:
        sequences: A 3D tensor `(batch, time, features)`, real.
        initial_state: The initial state `h^0`, `(batch, 2 * units)` or a list holding it (default zeros).
        mask: Boolean tensor `(batch, time)`: which steps to use.
        training: Python boolean, whether dropout is applied. Default: `False`.

    Input shape:
        3D tensor `(batch, time, features)`.

    Output shape:
        `(batch, 2 * units)`, or `(batch, time, 2 * units)` with `return_sequences`, capsule-major (Re, Im)
        pairs; with `return_state`, also the last state `(batch, 2 * units)`.

    Example:

    ```python
    import keras
    import numpy as np
    import keras_symmetry as ks

    gru = ks.layers.U1GRU(8, dropout=0.1)  # psMNIST: U1GRU(64) reads 784 pixels, one per step
    model = keras.Sequential([keras.Input((16, 1)), gru, keras.layers.Dense(10)])
    logits = model(np.random.uniform(size=(2, 16, 1)).astype("float32"))
    assert tuple(logits.shape) == (2, 10)
    print(gru.units, gru.recurrent_activation.__name__)  # 8 sigmoid
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
        activity_regularizer=None,
        embedding_constraint=None,
        gate_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        blank_channel=None,
        epsilon=1e-8,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        zero_output_for_mask=False,
        **kwargs,
    ):
        cell = cells.U1GRUCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            embedding_initializer=embedding_initializer,
            gate_initializer=gate_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            reset_bias=reset_bias,
            update_bias=update_bias,
            embedding_regularizer=embedding_regularizer,
            gate_regularizer=gate_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            embedding_constraint=embedding_constraint,
            gate_constraint=gate_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            blank_channel=blank_channel,
            epsilon=epsilon,
            name="u1gru_cell",
            **_cell_options(kwargs),
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            zero_output_for_mask=zero_output_for_mask,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )

    recurrent_activation = _cell_property("recurrent_activation")
    gate_initializer = _cell_property("gate_initializer")
    gate_regularizer = _cell_property("gate_regularizer")
    gate_constraint = _cell_property("gate_constraint")
    reset_bias = _cell_property("reset_bias")
    update_bias = _cell_property("update_bias")

    @classmethod
    def from_config(cls, config):
        """Also reads configs saved with the legacy names (`gate_activation`, now `recurrent_activation`)."""
        return cls(**cells.renamed_legacy_arguments(config, cls.__name__))


@keras.saving.register_keras_serializable(package="keras_symmetry")
class U1ConvRNN2D(CapsuleRNN):
    """2D convolutional U(1)-equivariant RNN: complex channels on a grid, `h^t = phi(E x^t + W * h^{t-1})`.

    This is the convolutional RNN of Iqbal et al. 2026, appendix D.3: the U(1) RNN of eq. 60 with the
    complex-linear recurrence replaced by a complex `kernel_size x kernel_size` convolution `W *` over `filters`
    complex channels on an `H x W` grid. The real input vector is embedded onto the whole grid by `E` without
    bias; `phi` is the radial nonlinearity. Every output rotates with the initial state under
    `h -> e^{i theta} h`; a bias (`use_bias=True`) breaks that symmetry. The states are returned on the grid,
    `(batch, H, W, 2 * filters)`, the last axis holding `filters` (Re, Im) capsules.

    Args:
        filters: Positive integer, complex channels `C` per site (Iqbal et al. 2026, D.3: 16).
        grid_shape: `(H, W)` of the hidden grid (D.3: `(20, 20)`).
        kernel_size: Odd positive integer, size of the square complex kernel. Default: 3.
        padding_mode: `"zeros"` (default, an open boundary) or `"circular"` (a periodic grid).
        activation: The radial function `f` of `phi`. Default: `"tanh"`.
        use_bias: Boolean, whether to add a bias inside the nonlinearity (the symmetry-broken variant).
            Default: `False`.
        embedding_initializer: Initializer of the read-in `E` onto the grid: `"low_variance"` (default),
            `"low_stddev"`, `"standard"` or any Keras initializer (see `U1SimpleRNN`).
        recurrent_initializer: Initializer of the complex kernel: `"standard"` (default:
            `U(+-1/sqrt(fan_in))`, `fan_in = kernel_size^2 C`, PyTorch's convolution default), `"identity"` (a
            delta kernel) or any Keras initializer.
        bias_initializer: Initializer of the bias when `use_bias=True`. Default: `"zeros"`.
        embedding_regularizer: Regularizer applied to `E`. Default: `None`.
        recurrent_regularizer: Regularizer applied to the complex kernel. Default: `None`.
        bias_regularizer: Regularizer applied to the bias. Default: `None`.
        activity_regularizer: Regularizer applied to the output of the layer. Default: `None`.
        embedding_constraint: Constraint applied to `E`. Default: `None`.
        recurrent_constraint: Constraint applied to the complex kernel. Default: `None`.
        bias_constraint: Constraint applied to the bias. Default: `None`.
        dropout: Float in `[0, 1)`, fraction of the input features dropped, one mask per sequence. Default: 0.
        recurrent_dropout: Float in `[0, 1)`, fraction of the capsules (site and channel) of `h^{t-1}` dropped
            where they enter the convolution, one mask per sequence, the same for both components of a capsule
            (so equivariance holds). Default: 0.
        seed: Integer, seed of the dropout masks.
        blank_channel: Index of an input channel whose read-in is held at zero (Iqbal et al. 2026, D.2.2).
            Default: `None`.
        epsilon: The `eps` of `phi` (eq. 61). Default: `1e-8`.
        return_sequences: Boolean, whether to return every state or only the last. Default: `False`.
        return_state: Boolean, whether to return the last state in addition to the output. Default: `False`.
        go_backwards: Boolean, whether to process the sequence backwards. Default: `False`.
        stateful: Boolean, whether the last state of each sample is the initial state of the sample at the
            same index in the next batch. Default: `False`.
        unroll: Boolean, whether to unroll the loop. Default: `False`.
        zero_output_for_mask: Boolean, whether masked steps output zeros when `return_sequences=True`.
            Default: `False`.
        **kwargs: Base layer arguments (`name`, `dtype`, `trainable`).

    Call arguments:
        sequences: A 3D tensor `(batch, time, features)`, real.
        initial_state: The initial state `h^0`, on the grid `(batch, H, W, 2 * filters)` or flat
            `(batch, H * W * 2 * filters)`, or a list holding it (default zeros).
        mask: Boolean tensor `(batch, time)`: which steps to use.
        training: Python boolean, whether dropout is applied. Default: `False`.

    Input shape:
        3D tensor `(batch, time, features)`.

    Output shape:
        `(batch, H, W, 2 * filters)`, or `(batch, time, H, W, 2 * filters)` with `return_sequences`; with
        `return_state`, also the last state `(batch, H, W, 2 * filters)`.

    Example:

    ```python
    import numpy as np
    import keras_symmetry as ks

    tokens = np.random.normal(size=(2, 6, 10)).astype("float32")
    rnn = ks.layers.U1ConvRNN2D(2, grid_shape=(4, 4), padding_mode="circular", return_sequences=True)
    waves = rnn(tokens)
    assert tuple(waves.shape) == (2, 6, 4, 4, 4)  # 2 complex channels on a 4 x 4 grid, every step
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
        activity_regularizer=None,
        embedding_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        blank_channel=None,
        epsilon=1e-8,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        zero_output_for_mask=False,
        **kwargs,
    ):
        cell = cells.U1ConvRNN2DCell(
            filters,
            grid_shape,
            kernel_size=kernel_size,
            padding_mode=padding_mode,
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
            name="u1_convrnn2d_cell",
            **_cell_options(kwargs),
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            zero_output_for_mask=zero_output_for_mask,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )

    filters = _cell_property("filters")
    grid_shape = _cell_property("grid_shape")
    kernel_size = _cell_property("kernel_size")
    padding_mode = _cell_property("padding_mode")

    def _flat_state(self, state):
        if tuple(state.shape[1:]) == self.cell.grid_state_shape:
            return ops.reshape(state, (-1, self.cell.state_size))
        return state

    def call(self, sequences, initial_state=None, mask=None, training=False):
        result = super().call(sequences, initial_state=initial_state, mask=mask, training=training)
        grid = self.cell.grid_state_shape

        def to_grid(x):
            return ops.reshape(x, (*ops.shape(x)[:-1], *grid))

        if self.return_state:
            return tuple(to_grid(x) for x in result)
        return to_grid(result)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        flat = super().compute_output_shape(sequences_shape, initial_state_shape)
        grid = self.cell.grid_state_shape
        if self.return_state:
            return tuple((*shape[:-1], *grid) for shape in flat)
        return (*flat[:-1], *grid)
