"""The Z2-equivariant Kuramoto oscillator layer of paper 000."""

import keras
from keras import ops

from keras_symmetry import capsules


@keras.saving.register_keras_serializable(package="keras_symmetry")
class KuramotoConv2D(keras.layers.Layer):
    """Discrete Kuramoto dynamics of unit oscillators on a 2D lattice (000, eqs. 4-9, 12).

    The input `(batch, H, W, N)` is normalised site by site to `x_i(0) in S^{N-1}`
    and evolved for `steps` steps of eq. 12,

    ```
    x_i <- normalize(x_i + gamma * Proj_{x_i}(sum_j J_ij x_j [+ c] [+ eta_i(t)]))
    Proj_x(y) = y - (x . y) x                                        (eq. 5)
    ```

    `J` is a learnable `kernel_size x kernel_size` convolution over the `N`
    channels that is symmetric by construction, `J[d, a, b] == J[-d, b, a]`
    (the stored `kernel` is symmetrised on use), so the energy of eq. 6,
    `E = -1/2 sum_ij x_i^T J_ij x_j [- sum_i c . x_i]`, is a Lyapunov function of
    the continuous dynamics. Without `c` and noise the layer is Z2-equivariant:
    `f(-x) = -f(x)` (eq. 7). `symmetry_breaking=True` adds the trainable constant
    bias `c` of eq. 8, the symmetry-broken twin. `eta0 > 0` adds Gaussian noise
    of standard deviation `eta0` per site, component and step (eq. 9), in training
    and at inference alike, from the layer's seed generator, or from a
    `keras.random.SeedGenerator` passed to the call (a repeatable noise scan of
    a loaded model, whose own generator was seeded when it was built).

    The papers' model (000, A.1) is `Dense(N, use_bias=False)` applied to pixels
    `+-0.5`, this layer with `N=16, kernel_size=5, gamma=0.25, steps=30`, then
    `Dense(1)` on the final oscillators.

    Args:
        kernel_size: odd size of the coupling kernel; default 5.
        steps: number of time steps `T`; default 30.
        gamma: step size of eq. 12; default 0.25.
        symmetry_breaking: add the constant bias `c` (eq. 8); default `False`.
        eta0: noise standard deviation (eq. 9); default 0.
        padding_mode: `"zeros"` (default; open boundary) or `"circular"` (torus).
        return_trajectory: return `(batch, steps + 1, H, W, N)` with `x(0)` at
            index 0, instead of the final `x(T)`. Default `False`.
        kernel_initializer: initialiser of the stored kernel; default
            `"glorot_uniform"`.
        bias_initializer: initialiser of `c`; default `"random_normal"` (a zero
            `c` would not break the symmetry at initialisation).
        epsilon: floor of the norm in the normalisation; default `1e-8`.
        seed: integer seed of the noise.

    Call arguments:
        inputs: `(batch, H, W, N)` real, nonzero at every site.
        eta0: optional noise level overriding the layer's for this call.
        seed: optional `keras.random.SeedGenerator` to draw this call's noise
            from instead of the layer's own.
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
        epsilon=1e-8,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(kernel_size, int) or kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"KuramotoConv2D: kernel_size must be an odd positive integer; got {kernel_size!r}.")
        if not isinstance(steps, int) or steps < 0:
            raise ValueError(f"KuramotoConv2D: steps must be a non-negative integer; got {steps!r}.")
        if eta0 < 0:
            raise ValueError(f"KuramotoConv2D: eta0 must be >= 0; got {eta0}.")
        self.kernel_size = kernel_size
        self.steps = steps
        self.gamma = float(gamma)
        self.symmetry_breaking = symmetry_breaking
        self.eta0 = float(eta0)
        self.padding_mode = capsules.check_padding_mode(padding_mode, "KuramotoConv2D")
        self.return_trajectory = return_trajectory
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.epsilon = float(epsilon)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(f"KuramotoConv2D needs a known number of oscillator components; got {input_shape}.")
        self.kernel = self.add_weight(
            name="kernel",
            shape=(self.kernel_size, self.kernel_size, channels, channels),
            initializer=self.kernel_initializer,
        )
        self.bias = None
        if self.symmetry_breaking:
            self.bias = self.add_weight(name="bias", shape=(channels,), initializer=self.bias_initializer)

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
            "epsilon": self.epsilon,
            "seed": self.seed,
        }
