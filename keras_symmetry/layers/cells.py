"""Equivariant recurrent cells of paper 001 (eqs. 13-14, 58-67; D.2, D.3).

Each cell works on the capsule layout of DESIGN §2 and can be used on its own
inside `keras.layers.RNN`. The real input `x^t` is embedded without bias,
`u^t = E x^t` (eqs. 58, 59), so a zero input embeds to zero; the hidden state
then evolves by an equivariant map. Consequence: with zero inputs, rotating the
initial state by a group element rotates every output by the same element.
"""

import contextlib

import keras
from keras import ops

from keras_symmetry import capsules, initializers, performance


class CapsuleCell(keras.layers.Layer):
    """Shared plumbing: embedding (with optional blank channel), radial activation, config.

    A step is split so that a layer can run it fast: `project(x, weights)` is
    the part that depends on the input alone (`u = E x`, and the GRU's gate
    inputs), with `projection_weights()`; `kernels()` are the weights of the
    recurrence in the form the loop uses (e.g. the real block form of a complex
    matrix, then the bias if any), built once per sequence by the layer;
    `step(projected, h, kernels)` is the recurrence itself. A step reads its
    weights from these arguments only, so that the layer can recompute it in
    the backward pass (`CapsuleRNN.inner_loop`). `call` chains the three for
    one time step, so the cell alone in `keras.layers.RNN` computes exactly
    what the layer computes.

    Subclasses implement `_build_core(input_dim)`, `recurrent_kernels()` and
    `recur(h, kernels)`; the step is `h^t = phi(u^t + recur(h^{t-1}) [+ b])`
    (001, eq. 13) unless they override `step`. `self.capsules` counts the
    capsules in the state (`units`, or `H * W * filters` on a grid).
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
        blank_channel=None,
        epsilon=1e-8,
        **kwargs,
    ):
        super().__init__(**kwargs)
        for arg, value in (("units", units), ("k", k)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{type(self).__name__}: {arg} must be a positive integer; got {value!r}.")
        if blank_channel is not None and (not isinstance(blank_channel, int) or blank_channel < 0):
            raise ValueError(
                f"{type(self).__name__}: blank_channel must be None or a channel index >= 0; got {blank_channel!r}."
            )
        self.units = units
        self.k = k
        self.capsules = units
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias
        self.embedding_initializer = embedding_initializer
        self.recurrent_initializer = recurrent_initializer
        self.bias_initializer = bias_initializer
        self.blank_channel = blank_channel
        self.epsilon = float(epsilon)

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
            )
        self._build_core(input_dim)

    def read_in(self):
        """`E` with the blank channel's read-in held at 0 (001 D.2.2)."""
        embedding = self.embedding
        if self._read_in_mask is not None:
            embedding = embedding * ops.convert_to_tensor(self._read_in_mask, embedding.dtype)
        return embedding

    def projection_weights(self):
        """The weights `project` reads: `(E,)`, the blank channel's read-in at 0."""
        return (self.read_in(),)

    def project(self, inputs, weights=None):
        """`u = E x` without bias (001, eqs. 58-59), on the last axis (one step or a whole sequence)."""
        (read_in,) = self.projection_weights() if weights is None else weights
        return ops.matmul(inputs, read_in)

    def kernels(self):
        """The weights `step` reads: `recurrent_kernels()`, then the bias when `use_bias=True`."""
        return (*self.recurrent_kernels(), *(() if self.bias is None else (self.bias,)))

    def radial(self, q, component_major=False):
        """The radial nonlinearity `f(|q|) / (|q| + eps) q` per capsule (001, eqs. 61, 65), on the capsule-major
        layout or, with `component_major`, on the one of `capsules.swap_capsule_layout` (a cell's loop layout)."""
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

    def step(self, projected, h, kernels):
        """One recurrence step from the projected input `u^t`."""
        return self.radial(self.add_bias(projected + self.recur(h, kernels), kernels))

    # The layer's loop (`CapsuleRNN.inner_loop`) runs `loop_step` on the state in
    # `to_loop_layout(h)`, with `loop_kernels()` built once per sequence, and maps
    # its results back with `from_loop_layout`; by default these are `step` on the
    # cell's own layout. A cell whose loop runs faster on another layout of the
    # same numbers (`OkSimpleRNNCell`) overrides the four and sets `loop_layout`.
    # `remat_under_xla`: the layer recomputes each step in the backward pass
    # instead of storing its intermediates, when the loop is compiled by XLA
    # (JAX; TensorFlow with `jit_compile=True`), where that measured faster.
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
        """One step from the raw input `x^t`, on the loop layout, reading its weights from `kernels` only."""
        projection, kernels = kernels
        return self.step(self.project(x_t, projection), h, kernels)

    def call(self, inputs, states, training=False):
        capsules.check_float(inputs, self._where)
        h = states[0] if isinstance(states, (list, tuple)) else states
        h_new = self.step(self.project(inputs), h, self.kernels())
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
            "blank_channel": self.blank_channel,
            "epsilon": self.epsilon,
        }


class ComplexRecurrence:
    """U(1) recurrence: a complex `W in C^{N x N}` stored as `(2, N, N)`, one real block matmul."""

    def _build_recurrent_kernel(self):
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel",
            shape=(2, self.units, self.units),
            initializer=initializers.resolve(self.recurrent_initializer, self.units),
        )

    def recurrent_kernels(self):
        return (capsules.complex_block_kernel(self.recurrent_kernel),)

    def recur(self, h, kernels):
        """`W h` for complex `h` in (Re, Im) capsules (001, eqs. 13, 60): one real block matmul."""
        return ops.matmul(h, kernels[0])


_SIMPLE_ARGS = """
    Args:
        units: number of capsules `N` in the hidden state.
        activation: radial function `f` of `phi(v) = f(|v|)/(|v|+eps) v`; default `"tanh"`.
        use_bias: add a bias inside the nonlinearity. This is the explicitly
            symmetry-broken variant (the analogue of 000 eq. 8); default `False`.
        embedding_initializer: initialiser of `E`: `"low_variance"` (N(0, 0.001),
            default), `"low_stddev"` (standard deviation 0.001), `"standard"`
            (U(+-1/sqrt(N))) or any Keras initializer.
        recurrent_initializer: `"identity"` (default), `"standard"` or any Keras
            initializer (001 D.2.2).
        bias_initializer: initialiser of the bias when `use_bias=True`.
        blank_channel: index of an input channel whose read-in `E[:, c]` is held
            at zero throughout training (the copy task's blank token, 001 D.2.2);
            default `None`.
        epsilon: the `eps` of eq. 61; default `1e-8`.
"""


@keras.saving.register_keras_serializable(package="keras_symmetry")
class U1SimpleRNNCell(ComplexRecurrence, CapsuleCell):
    __doc__ = (
        """Cell of the U(1)-equivariant RNN `h^t = phi(u^t + W h^{t-1})` (001, eqs. 13, 58, 60, 61).

    `W` is complex `N x N`; the state has `2N` reals, (Re, Im) per capsule.
    Equivariant under `h -> e^{i theta} h` (with `u` rotated alike).
"""
        + _SIMPLE_ARGS
    )

    def __init__(self, units, **kwargs):
        super().__init__(units, 2, **kwargs)

    def _build_core(self, input_dim):
        self._build_recurrent_kernel()


@keras.saving.register_keras_serializable(package="keras_symmetry")
class OkSimpleRNNCell(CapsuleCell):
    __doc__ = """Cell of the O(k)-equivariant RNN `h^t = phi(u^t + (A (x) I_k) h^{t-1})` (001, eqs. 13, 59, 63-65).

    `A` is real `N x N`; the state has `N k` reals, `N` capsules of size `k`.
    Equivariant under `h_alpha -> O h_alpha` for any `O in O(k)`.
""" + _SIMPLE_ARGS.replace("        activation:", "        k: capsule size.\n        activation:")

    def __init__(self, units, k, **kwargs):
        super().__init__(units, k, **kwargs)

    def _build_core(self, input_dim):
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel",
            shape=(self.units, self.units),
            initializer=initializers.resolve(self.recurrent_initializer, self.units),
        )

    def recurrent_kernels(self):
        return (self.recurrent_kernel,)

    def recur(self, h, kernels):
        """`(A (x) I_k) h` (001, eq. 64)."""
        return capsules.isotropic_matmul(h, kernels[0], self.k)

    # The layer's loop keeps the state component-major, `(batch, k*N)` (the k
    # components of every capsule, component by component): there `(A (x) I_k) h`
    # is one plain `(batch*k, N) x (N, N)` matmul, with no transpose inside the
    # loop, and the radial norm a sum over k rows. Same numbers, reordered once
    # per sequence on the way in and out.
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
        projection, kernels = kernels
        mixed = ops.reshape(ops.matmul(ops.reshape(h, (-1, n)), kernels[0]), (-1, k * n))
        return self.radial(self.add_bias(self.project(x_t, projection) + mixed, kernels), component_major=True)

    def get_config(self):
        return {**super().get_config(), "k": self.k}


@keras.saving.register_keras_serializable(package="keras_symmetry")
class U1GRUCell(ComplexRecurrence, CapsuleCell):
    """Cell of the U(1)-equivariant GRU (001, eqs. 14, 67).

    ```
    r^t = sigmoid(W_xr x^t + W_hr |h^{t-1}| + b_r)
    z^t = sigmoid(W_xz x^t + W_hz |h^{t-1}| + b_z)
    h~^t = phi(u^t + W_h (r^t * h^{t-1}))
    h^t = z^t * h^{t-1} + (1 - z^t) * h~^t
    ```
    The gates are real and see the hidden state only through the phase-invariant
    capsule lengths `|h|`, so they are unchanged by `h -> e^{i theta} h`, while the
    candidate branch rotates with it. `W_h` is complex; `u = E x` without bias.

    Args:
        units: number of complex capsules `N` (the state has `2N` reals).
        activation: radial function of the candidate; default `"tanh"`.
        gate_activation: activation of `r` and `z`; default `"sigmoid"`.
        use_bias: add a complex bias to the candidate; breaks U(1)
            equivariance (the symmetry-broken variant). Default `False`.
        embedding_initializer: `"low_variance"` (default), `"low_stddev"`, `"standard"` or a Keras initializer.
        recurrent_initializer: initialiser of `W_h`, `W_hr` and `W_hz`:
            `"identity"` (default) or `"standard"` (001 D.2.2), or a Keras initializer.
        gate_initializer: initialiser of `W_xr`, `W_xz`; default `"standard"`.
        reset_bias: initial `b_r`; default `0`.
        update_bias: initial `b_z`; default `2` (biased towards keeping the state).
        bias_initializer: initialiser of the candidate bias when `use_bias=True`.
        blank_channel: input channel whose read-in `E[:, c]` is held at zero
            (001 D.2.2); the gates still see it. Default `None`.
        epsilon: the `eps` of eq. 61; default `1e-8`.
    """

    def __init__(
        self,
        units,
        gate_activation="sigmoid",
        gate_initializer="standard",
        reset_bias=0.0,
        update_bias=2.0,
        **kwargs,
    ):
        super().__init__(units, 2, **kwargs)
        self.gate_activation = keras.activations.get(gate_activation)
        self.gate_initializer = gate_initializer
        self.reset_bias = float(reset_bias)
        self.update_bias = float(update_bias)

    def _build_core(self, input_dim):
        self._build_recurrent_kernel()
        n = self.units
        self.gate_kernel = self.add_weight(
            name="gate_kernel",
            shape=(input_dim, 2 * n),
            initializer=initializers.resolve(self.gate_initializer, n),
        )
        self.gate_recurrent_kernel = self.add_weight(
            name="gate_recurrent_kernel",
            shape=(n, 2 * n),
            initializer=initializers.resolve(self.recurrent_initializer, n),
        )
        reset, update = self.reset_bias, self.update_bias
        self.gate_bias = self.add_weight(
            name="gate_bias",
            shape=(2 * n,),
            initializer=lambda shape, dtype=None: ops.convert_to_tensor([reset] * n + [update] * n, dtype=dtype),
        )

    # Recomputing the step in the backward pass beats storing its dozen intermediates
    # under XLA: psMNIST step 25% faster on JAX, 1.3-1.7x on TensorFlow with XLA (docs/PERFORMANCE.md).
    remat_under_xla = True

    def projection_weights(self):
        return (*super().projection_weights(), self.gate_kernel, self.gate_bias)

    def project(self, inputs, weights=None):
        """`(u, W_x x + b)`: the embedding and the gates' input part."""
        read_in, gate_kernel, gate_bias = self.projection_weights() if weights is None else weights
        return ops.matmul(inputs, read_in), ops.matmul(inputs, gate_kernel) + gate_bias

    def recurrent_kernels(self):
        return (*super().recurrent_kernels(), self.gate_recurrent_kernel)

    def step(self, projected, h, kernels):
        n = self.units
        u, gate_inputs = projected
        gates = self.gate_activation(gate_inputs + ops.matmul(capsules.capsule_norm(h, 2), kernels[1]))
        reset = capsules.per_capsule(gates[:, :n], 2)
        update = capsules.per_capsule(gates[:, n:], 2)
        candidate = self.radial(self.add_bias(u + self.recur(reset * h, kernels), kernels))
        return update * h + (1.0 - update) * candidate

    def get_config(self):
        return {
            **super().get_config(),
            "gate_activation": keras.activations.serialize(self.gate_activation),
            "gate_initializer": initializers.serialize(self.gate_initializer),
            "reset_bias": self.reset_bias,
            "update_bias": self.update_bias,
        }


@keras.saving.register_keras_serializable(package="keras_symmetry")
class U1ConvRNN2DCell(CapsuleCell):
    """Cell of the 2D convolutional U(1) RNN (001, D.3).

    The U(1) RNN of eq. 60 with the complex-linear recurrence replaced by a
    complex `kernel_size x kernel_size` convolution over `filters` complex
    channels on an `H x W` grid: `h^t = phi(u^t + W * h^{t-1})`. The real input
    vector is embedded onto the whole grid by `u = E x` without bias.

    The state is kept flat, `(batch, H * W * 2 * filters)`, so the cell fits
    `keras.layers.RNN`; it is the row-major flattening of the grid
    `(batch, H, W, 2 * filters)`, whose last axis holds `filters` (Re, Im)
    capsules. `U1ConvRNN2D` reshapes it back to the grid.

    Args:
        filters: complex channels `C` per site (001 D.3: 16).
        grid_shape: `(H, W)` of the hidden grid (001 D.3: (20, 20)).
        kernel_size: odd size of the square complex kernel; default 3.
        padding_mode: `"zeros"` (default) or `"circular"` (periodic grid).
        activation, use_bias, embedding_initializer, bias_initializer,
        blank_channel, epsilon: as in `U1SimpleRNNCell`.
        recurrent_initializer: `"standard"` (default, U(+-1/sqrt(fan_in)) with
            fan_in = kernel_size^2 * filters, PyTorch's convolution default),
            `"identity"` (a delta kernel) or a Keras initializer.
    """

    def __init__(
        self,
        filters,
        grid_shape,
        kernel_size=3,
        padding_mode="zeros",
        recurrent_initializer="standard",
        **kwargs,
    ):
        super().__init__(filters, 2, recurrent_initializer=recurrent_initializer, **kwargs)
        grid_shape = tuple(grid_shape)
        if len(grid_shape) != 2 or not all(isinstance(s, int) and s > 0 for s in grid_shape):
            raise ValueError(f"U1ConvRNN2DCell: grid_shape must be (H, W) positive integers; got {grid_shape!r}.")
        if not isinstance(kernel_size, int) or kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"U1ConvRNN2DCell: kernel_size must be an odd positive integer; got {kernel_size!r}.")
        self.filters = filters
        self.grid_shape = grid_shape
        self.kernel_size = kernel_size
        self.padding_mode = capsules.check_padding_mode(padding_mode, "U1ConvRNN2DCell")
        self.capsules = grid_shape[0] * grid_shape[1] * filters

    @property
    def grid_state_shape(self):
        return (*self.grid_shape, 2 * self.filters)

    def _build_core(self, input_dim):
        c, size = self.filters, self.kernel_size
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel",
            shape=(2, size, size, c, c),
            initializer=initializers.resolve(self.recurrent_initializer, size * size * c),
        )

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
