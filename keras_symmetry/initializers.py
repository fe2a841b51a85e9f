"""Initializers of the papers, as Keras initializers.

* `SigmaW(sigma_w)`: i.i.d. Gaussian weights with `E|W_ij|^2 = sigma_w^2 / N` in
  total per entry, `N` the number of input capsules (Iqbal et al. 2026, eq. 35). This puts the
  order-parameter transition at `sigma_w = 1` for U(1), O(k) and generic layers
  alike. For a complex kernel stored as `(2, N, M)` (Re, Im) each part gets
  `sigma_w^2 / (2N)`; the text after Iqbal et al. 2026, eq. 5 (each part `sigma_w^2 / N`) would
  move the transition to `1/sqrt(2)`, and this package does not use it.
* `CapsuleIdentity()`: the identity recurrent initialisation of Iqbal et al. 2026, D.2.2, for
  real, complex `(2, N, N)`, gate `(N, m*N)` and convolutional kernels.
* `standard(units)`: PyTorch's default `U(-1/sqrt(N), 1/sqrt(N))`, the papers'
  "standard" / "random" initialisation (Iqbal et al. 2026, D.2.2).
* `low_variance()`: the low-variance encoder initialisation `N(0, 0.001)` of
  Iqbal et al. 2026, D.2.2, read as variance 0.001 (standard deviation ~0.0316).
* `low_stddev()`: the same `N(0, 0.001)` read as PyTorch's
  `torch.nn.init.normal_(w, 0, 0.001)` reads it: standard deviation 0.001.
"""

import math

import keras
import numpy as np
from keras import ops

LOW_VARIANCE = 1e-3


@keras.saving.register_keras_serializable(package="keras_symmetry")
class SigmaW(keras.initializers.VarianceScaling):
    """Gaussian weights with total variance `sigma_w**2 / fan_in` per entry (Iqbal et al. 2026, eq. 35).

    For a kernel of shape `(fan_in, fan_out)` this is `N(0, sigma_w^2 / fan_in)`.
    For a complex kernel of shape `(2, fan_in, fan_out)` Keras' fan rule counts
    `2 * fan_in` inputs, so each of Re and Im gets `sigma_w^2 / (2 fan_in)`: the
    complex entry has `E|W|^2 = sigma_w^2 / fan_in`, as eq. 35 requires.

    Args:
        sigma_w: weight scale; the symmetry-breaking transition is at 1.
        seed: optional integer seed.
    """

    def __init__(self, sigma_w=1.0, seed=None):
        if not sigma_w > 0:
            raise ValueError(f"sigma_w must be > 0; got {sigma_w}.")
        super().__init__(
            scale=float(sigma_w) ** 2,
            mode="fan_in",
            distribution="untruncated_normal",
            seed=seed,
        )
        self.sigma_w = float(sigma_w)

    def get_config(self):
        return {"sigma_w": self.sigma_w, "seed": self.seed}


@keras.saving.register_keras_serializable(package="keras_symmetry")
class CapsuleIdentity(keras.initializers.Initializer):
    """Identity initialisation of a recurrent kernel (Iqbal et al. 2026, D.2.2).

    * `(N, N)`: the identity; `(N, m*N)`: `m` identity blocks side by side
      (e.g. the GRU's `[W_hr | W_hz]`);
    * `(2, N, N)`: the complex identity (Re = I, Im = 0);
    * `(2, kh, kw, C, C)`: a complex convolution that is the identity
      (a delta at the kernel centre).
    """

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        value = np.zeros(shape)
        if len(shape) == 2 and shape[1] % shape[0] == 0:
            value = np.tile(np.eye(shape[0]), (1, shape[1] // shape[0]))
        elif len(shape) == 3 and shape[0] == 2 and shape[1] == shape[2]:
            value[0] = np.eye(shape[1])
        elif len(shape) == 5 and shape[0] == 2 and shape[3] == shape[4]:
            value[0, shape[1] // 2, shape[2] // 2] = np.eye(shape[3])
        else:
            raise ValueError(f"CapsuleIdentity cannot initialise a kernel of shape {shape}.")
        return ops.convert_to_tensor(value, dtype=dtype or "float32")


def standard(units, seed=None):
    """The papers' "standard" initialisation, `U(-1/sqrt(N), 1/sqrt(N))` with `N = units`."""
    bound = 1.0 / math.sqrt(units)
    return keras.initializers.RandomUniform(-bound, bound, seed=seed)


def low_variance(seed=None):
    """The papers' low-variance encoder initialisation, `N(0, 0.001)` (variance 0.001)."""
    return keras.initializers.RandomNormal(stddev=math.sqrt(LOW_VARIANCE), seed=seed)


def low_stddev(seed=None):
    """Iqbal et al. 2026, D.2.2's `N(0, 0.001)` read as `torch.nn.init.normal_(w, 0, 0.001)` does:
    standard deviation 0.001."""
    return keras.initializers.RandomNormal(stddev=LOW_VARIANCE, seed=seed)


NAMED = ("identity", "standard", "low_variance", "low_stddev")


def resolve(spec, units):
    """Turn a named paper initialisation or any Keras initializer spec into an initializer.

    Names: `"identity"`, `"standard"` (U(+-1/sqrt(units))), `"low_variance"`
    (N(0, 0.001) as a variance), `"low_stddev"` (as a standard deviation);
    anything else goes to `keras.initializers.get`.
    """
    if spec == "identity":
        return CapsuleIdentity()
    if spec == "standard":
        return standard(units)
    if spec == "low_variance":
        return low_variance()
    if spec == "low_stddev":
        return low_stddev()
    return keras.initializers.get(spec)


def serialize(spec):
    """Config form of an initializer argument: names stay names."""
    if isinstance(spec, str):
        return spec
    return keras.initializers.serialize(spec)
