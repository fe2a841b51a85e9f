"""The Z2-equivariant Kuramoto oscillator layer of Iqbal & Welling 2025."""

import keras
from keras import ops

from keras_symmetry import capsules
from keras_symmetry.layers.cells import read_only


@keras.saving.register_keras_serializable(package="keras_symmetry")
class KuramotoConv2D(keras.layers.Layer):
    """Z2-equivariant Kuramoto layer: discrete dynamics of unit oscillators coupled by a convolution on a 2D grid.

    This is the network of Iqbal & Welling 2025, eqs. 4-9 and 12. The input `(batch, H, W, N)` is normalised site
    by site to `x_i(0) in S^{N-1}` and evolved for `steps` steps of eq. 12,

    ```
    x_i <- normalize(x_i + gamma * Proj_{x_i}(sum_j J_ij x_j [+ c] [+ eta_i(t)]))
    Proj_x(y) = y - (x . y) x                                        (eq. 5)
    ```

    `J` is a learnable `kernel_size x kernel_size` convolution over the `N` channels that is symmetric by
    construction, `J[d, a, b] == J[-d, b, a]` (the stored `kernel` is symmetrised on use), so the energy of eq. 6,
    `E = -1/2 sum_ij x_i^T J_ij x_j [- sum_i c . x_i]`, is a Lyapunov function of the continuous dynamics.
    Without `c` and noise the layer is Z2-equivariant: `f(-x) = -f(x)` (eq. 7). `symmetry_breaking=True` adds
    the trainable constant bias `c` of eq. 8, the symmetry-broken twin. `eta0 > 0` adds Gaussian noise of
    standard deviation `eta0` per site, component and step (eq. 9), in training and at inference alike, from the
    layer's seed generator, or from a `keras.random.SeedGenerator` passed to the call (a repeatable noise scan of
    a loaded model, whose own generator was seeded when it was built).

    The papers' model (Iqbal & Welling 2025, A.1) is `Dense(N, use_bias=False)` applied to pixels `+-0.5`, this
    layer with `N=16, kernel_size=5, gamma=0.25, steps=30`, then `Dense(1)` on the final oscillators.

    Args:
        kernel_size: Odd positive integer, size of the coupling kernel. Default: 5.
        steps: Non-negative integer, number of time steps `T`. Default: 30.
        gamma: Float, step size of eq. 12. Default: 0.25.
        symmetry_breaking: Boolean, whether to add the constant bias `c` (eq. 8). Default: `False`.
        eta0: Float >= 0, noise standard deviation (eq. 9). Default: 0.
        padding_mode: `"zeros"` (default; an open boundary) or `"circular"` (a torus).
        return_trajectory: Boolean, whether to return `(batch, steps + 1, H, W, N)` with `x(0)` at index 0,
            instead of the final `x(T)`. Default: `False`.
        kernel_initializer: Initializer of the stored kernel. Default: `"glorot_uniform"`.
        bias_initializer: Initializer of `c`. Default: `"random_normal"` (a zero `c` would not break the
            symmetry at initialisation).
        kernel_regularizer: Regularizer applied to the stored kernel. Default: `None`.
        bias_regularizer: Regularizer applied to `c`. Default: `None`.
        activity_regularizer: Regularizer applied to the output of the layer. Default: `None`.
        kernel_constraint: Constraint applied to the stored kernel. Default: `None`.
        bias_constraint: Constraint applied to `c`. Default: `None`.
        epsilon: Float, floor of the norm in the normalisation. Default: `1e-8`.
        seed: Integer, seed of the noise.
        **kwargs: Base layer arguments (`name`, `dtype`, `trainable`).

    Call arguments:
        inputs: A 4D tensor `(batch, H, W, N)`, real, nonzero at every site.
        eta0: Optional noise level overriding the layer's for this call.
        seed: Optional `keras.random.SeedGenerator` to draw this call's noise from instead of the layer's own.

    Input shape:
        4D tensor `(batch, H, W, N)`.

    Output shape:
        `(batch, H, W, N)` unit vectors, or `(batch, steps + 1, H, W, N)` with `return_trajectory=True`.

    Example:

    ```python
    import keras
    import numpy as np
    import keras_symmetry as ks

    x = np.random.normal(size=(2, 8, 8, 4)).astype("float32")
    layer = ks.layers.KuramotoConv2D(kernel_size=3, steps=5)
    y = keras.ops.convert_to_numpy(layer(x))
    assert y.shape == (2, 8, 8, 4)
    np.testing.assert_allclose(np.linalg.norm(y, axis=-1), 1.0, rtol=1e-5)  # unit oscillators
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(-x)), -y, atol=1e-5)  # Z2: f(-x) = -f(x)
    ```

    Reference:

    - [Iqbal & Welling, 2025](https://openreview.net/forum?id=fM5s2Tqe0t): Topological defects propagate
      information in deep neural networks (N. Iqbal, M. Welling; NeurIPS 2025 AI for Science Workshop).
    """

    def __init__(
        self,
        kernel_size=5,
        steps=30,
        gamma=0.25,
        symmetry_breaking=False,
        eta0=0.0,
        padding_mode="zeros",
        return_trajectory=False,
        kernel_initializer="glorot_uniform",
        bias_initializer="random_normal",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        epsilon=1e-8,
        seed=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(kernel_size, int) or kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"KuramotoConv2D: kernel_size must be an odd positive integer; got {kernel_size!r}.")
        if not isinstance(steps, int) or steps < 0:
            raise ValueError(f"KuramotoConv2D: steps must be a non-negative integer; got {steps!r}.")
        if eta0 < 0:
            raise ValueError(f"KuramotoConv2D: eta0 must be >= 0; got {eta0}.")
        self._kernel_size = kernel_size
        self._steps = steps
        self._gamma = float(gamma)
        self._symmetry_breaking = symmetry_breaking
        self._eta0 = float(eta0)
        self._padding_mode = capsules.check_padding_mode(padding_mode, "KuramotoConv2D")
        self._return_trajectory = return_trajectory
        self._kernel_initializer = keras.initializers.get(kernel_initializer)
        self._bias_initializer = keras.initializers.get(bias_initializer)
        self._kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self._bias_regularizer = keras.regularizers.get(bias_regularizer)
        self._kernel_constraint = keras.constraints.get(kernel_constraint)
        self._bias_constraint = keras.constraints.get(bias_constraint)
        self._epsilon = float(epsilon)
        self._seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.input_spec = keras.layers.InputSpec(ndim=4)

    kernel_size = read_only("kernel_size")
    steps = read_only("steps")
    gamma = read_only("gamma")
    symmetry_breaking = read_only("symmetry_breaking")
    eta0 = read_only("eta0")
    padding_mode = read_only("padding_mode")
    return_trajectory = read_only("return_trajectory")
    kernel_initializer = read_only("kernel_initializer")
    bias_initializer = read_only("bias_initializer")
    kernel_regularizer = read_only("kernel_regularizer")
    bias_regularizer = read_only("bias_regularizer")
    kernel_constraint = read_only("kernel_constraint")
    bias_constraint = read_only("bias_constraint")
    epsilon = read_only("epsilon")
    seed = read_only("seed")

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(f"KuramotoConv2D needs a known number of oscillator components; got {input_shape}.")
        self.kernel = self.add_weight(
            name="kernel",
            shape=(self.kernel_size, self.kernel_size, channels, channels),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.bias = None
        if self.symmetry_breaking:
            self.bias = self.add_weight(
                name="bias",
                shape=(channels,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    @property
    def coupling_kernel(self):
        """The symmetric coupling `J` used by the dynamics: `(W + W[-d]^T) / 2`."""
        mirrored = ops.transpose(ops.flip(ops.flip(self.kernel, 0), 1), (0, 1, 3, 2))
        return 0.5 * (self.kernel + mirrored)

    def coupling(self, x):
        """`sum_j J_ij x_j` at every site: one convolution with the symmetric kernel."""
        padded = capsules.pad_2d(x, self.kernel_size // 2, self.padding_mode)
        return ops.conv(padded, self.coupling_kernel, padding="valid")

    def field(self, x):
        """The local field `sum_j J_ij x_j [+ c]` that drives eq. 12."""
        out = self.coupling(x)
        return out if self.bias is None else out + self.bias

    def normalize(self, x):
        """`x / |x|` at every site (the norm floored at `epsilon`)."""
        x = ops.convert_to_tensor(x, dtype=self.compute_dtype)
        norm = ops.sqrt(ops.sum(x * x, axis=-1, keepdims=True))
        return x / ops.maximum(norm, self.epsilon)

    def step(self, x, eta0=0.0, seed=None):
        """One step of eq. 12 (with the noise of eq. 9, drawn from `seed` or the layer's generator, when `eta0 > 0`)."""
        force = self.field(x)
        if eta0 > 0:
            force = force + keras.random.normal(
                ops.shape(x), stddev=eta0, dtype=x.dtype, seed=self.seed_generator if seed is None else seed
            )
        tangent = force - ops.sum(x * force, axis=-1, keepdims=True) * x
        return self.normalize(x + self.gamma * tangent)

    def call(self, inputs, eta0=None, seed=None):
        capsules.check_float(inputs, f"KuramotoConv2D {self.name!r}")
        if seed is not None and not isinstance(seed, keras.random.SeedGenerator):
            raise TypeError(
                f"KuramotoConv2D {self.name!r}: the call's seed must be a keras.random.SeedGenerator "
                f"(an integer would draw the same noise at every step); got {type(seed).__name__}."
            )
        eta0 = self.eta0 if eta0 is None else float(eta0)
        x = self.normalize(inputs)
        trajectory = [x]
        for _ in range(self.steps):
            x = self.step(x, eta0, seed)
            trajectory.append(x)
        return ops.stack(trajectory, axis=1) if self.return_trajectory else x

    def energy_density(self, x):
        """Per-site energy `e_i = -1/2 x_i . (J x)_i [- c . x_i]`, shape `(batch, H, W)` (eq. 6).

        `x` is a state of unit oscillators `(batch, H, W, N)` (an array or tensor).
        """
        x = ops.convert_to_tensor(x, dtype=self.compute_dtype)
        density = -0.5 * ops.sum(x * self.coupling(x), axis=-1)
        if self.bias is not None:
            density = density - ops.sum(x * self.bias, axis=-1)
        return density

    def energy(self, x):
        """Total energy `E` of eq. 6 for each example, shape `(batch,)`."""
        return ops.sum(self.energy_density(x), axis=(1, 2))

    def compute_output_shape(self, input_shape):
        if self.return_trajectory:
            return (input_shape[0], self.steps + 1, *input_shape[1:])
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "kernel_size": self.kernel_size,
            "steps": self.steps,
            "gamma": self.gamma,
            "symmetry_breaking": self.symmetry_breaking,
            "eta0": self.eta0,
            "padding_mode": self.padding_mode,
            "return_trajectory": self.return_trajectory,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": keras.regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": keras.constraints.serialize(self.kernel_constraint),
            "bias_constraint": keras.constraints.serialize(self.bias_constraint),
            "epsilon": self.epsilon,
            "seed": self.seed,
        }
