"""Ensembles of random bulk networks and the order parameters measured on them (Iqbal et al. 2026, §2.2-2.3, Fig. 2).

`RandomBulk` holds `ensemble` independent random networks
`z^{l+1} = W^l phi(z^l)` (Iqbal et al. 2026, eq. 4) of `units` capsules, `depth` layers, and
runs a batch through all of them at once with `keras.ops` (any backend). The
weights are drawn by `ks.initializers.SigmaW` itself, so theory, layers and
measurements share one normalisation (Iqbal et al. 2026, eq. 35, `E|W_ij|^2 = sigma_w^2 / N`
in total):

* `group="u1"`: complex `W` (the `U1Dense` kernel layout `(2, N, N)`), `k = 2`;
* `group="ok"`: `w (x) I_k` with real `w` (the `OkDense` kernel), any `k`;
* `group="generic"`: an unconstrained real `(N k, N k)` matrix (the baseline
  with the same widths and nonlinearity).

Capsule tensors follow DESIGN §2: `(..., N * k)`, capsule-major. Tensors here
carry a leading ensemble axis: `(ensemble, batch, N * k)`.

```python
bulk = RandomBulk(units=64, depth=50, sigma_w=1.5, ensemble=8, seed=0)
z = bulk(bulk.random_inputs(batch=16, seed=1), return_all=True)   # (51, 8, 16, 128)
c = order_parameter(bulk.activation_fn(z), k=2, keep=1)          # c^l, eq. 6
```
"""

import math

import keras
import numpy as np
from keras import ops

from keras_symmetry import capsules, initializers

GROUPS = ("u1", "ok", "generic")


def _check_capsules(x, k, where):
    x = ops.convert_to_tensor(x)
    capsules.check_float(x, where)
    capsules.check_capsule_shape(x.shape, k, where, min_rank=1)
    return x


def order_parameter(x, k=2, keep=0):
    """`c = (1/N) sum_j |x_j|^2`, averaged over capsules and examples
    (Iqbal et al. 2026, eq. 6; `d` of eq. 50 on pre-activations).

    Pass post-activations `phi(z)` for `c^l` (eq. 6) or pre-activations `z` for
    `d^l` (eq. 50).

    Args:
        x: capsule tensor (array or tensor), last axis `N * k`.
        k: capsule size (2 for U(1)).
        keep: number of leading axes to keep, e.g. `keep=1` for the depth axis of
            `RandomBulk(..., return_all=True)`; the mean runs over the rest.

    Returns:
        NumPy array with the `keep` leading axes of `x`.
    """
    x = _check_capsules(x, k, "order_parameter")
    squares = ops.convert_to_numpy(capsules.capsule_norm(x, k)) ** 2
    return np.mean(squares, axis=tuple(range(keep, squares.ndim)))


def two_input_covariance(phi_a, phi_b):
    """`C_ab = (1/N) sum_j phi(z_{j,a}) phi(z_{j,b})^*` for two inputs of a U(1) network
    (Iqbal et al. 2026, eqs. 10, 39).

    Args:
        phi_a, phi_b: post-activations of the two inputs, `(..., 2N)` (Re, Im)
            capsules, same shape; the mean runs over the capsule axis.

    Returns:
        dict of NumPy arrays over the leading axes: `c_a`, `c_b` (diagonal),
        `delta` (= |C_ab|) and `phase` (= arg C_ab, the Goldstone mode `varphi`
        of eqs. 11, 43, in `(-pi, pi]`).
    """
    a = ops.convert_to_numpy(_check_capsules(phi_a, 2, "two_input_covariance"))
    b = ops.convert_to_numpy(_check_capsules(phi_b, 2, "two_input_covariance"))
    if a.shape != b.shape:
        raise ValueError(f"two_input_covariance needs two tensors of one shape; got {a.shape} and {b.shape}.")
    za = a[..., 0::2] + 1j * a[..., 1::2]
    zb = b[..., 0::2] + 1j * b[..., 1::2]
    off = np.mean(za * np.conj(zb), axis=-1)
    return {
        "c_a": np.mean(np.abs(za) ** 2, axis=-1),
        "c_b": np.mean(np.abs(zb) ** 2, axis=-1),
        "delta": np.abs(off),
        "phase": np.angle(off),
    }


class RandomBulk:
    """`ensemble` random bulk networks `z^{l+1} = W^l phi(z^l)`, `l = 0..depth-1`
    (Iqbal et al. 2026, eqs. 4, 5, 19, 21).

    Args:
        units: capsules per layer `N`.
        depth: number of layers `L`.
        k: capsule size; must be 2 for `group="u1"`.
        sigma_w: weight scale (`SigmaW`, Iqbal et al. 2026, eq. 35): transition at 1.
        group: `"u1"`, `"ok"` or `"generic"` (see the module docstring).
        ensemble: number of independent networks run side by side.
        activation: radial function `f` (a Keras activation); default tanh.
        seed: integer seed of the weights.
    """

    def __init__(self, units, depth, k=2, sigma_w=1.0, group="u1", ensemble=1, activation="tanh", seed=None):
        for arg, value in (("units", units), ("depth", depth), ("k", k), ("ensemble", ensemble)):
            if not isinstance(value, (int, np.integer)) or value < (0 if arg == "depth" else 1):
                raise ValueError(f"RandomBulk: {arg} must be a positive integer; got {value!r}.")
        if group not in GROUPS:
            raise ValueError(f"RandomBulk: group must be one of {GROUPS}; got {group!r}.")
        if group == "u1" and k != 2:
            raise ValueError(f"RandomBulk: group 'u1' has capsules of size k=2; got k={k}.")
        self.units, self.depth, self.k = int(units), int(depth), int(k)
        self.sigma_w, self.group, self.ensemble = float(sigma_w), group, int(ensemble)
        self.activation = keras.activations.get(activation)
        rng = np.random.default_rng(seed)
        self.kernels = [self._draw(int(rng.integers(2**31))) for _ in range(self.depth)]

    def _draw(self, seed):
        """One layer's weights for the whole ensemble, from `SigmaW` (fan-in `N`, or `N k` for generic)."""
        n, e = self.units, self.ensemble
        init = initializers.SigmaW(self.sigma_w, seed=seed)
        if self.group == "u1":
            kernel = ops.reshape(init((2, n, e * n)), (2, n, e, n))  # fan_in counts 2N: Re, Im each sigma^2/2N
            return capsules.complex_block_kernel(ops.transpose(kernel, (0, 2, 1, 3)))  # (e, 2N, 2N)
        width = n if self.group == "ok" else n * self.k
        return ops.transpose(ops.reshape(init((width, e * width)), (width, e, width)), (1, 0, 2))

    @property
    def width(self):
        """Real width of every layer, `N * k`."""
        return self.units * self.k

    def activation_fn(self, z):
        """`phi(z)`: the radial nonlinearity on every capsule (Iqbal et al. 2026, eqs. 5, 20)."""
        return capsules.radial(z, self.k, self.activation, 1e-8)

    def layer(self, index, z):
        """`z^{l+1} = W^l phi(z^l)` for `l = index`; `z` is `(ensemble, batch, N k)`."""
        phi = self.activation_fn(z)
        kernel = self.kernels[index]
        if self.group == "ok":
            e, n, k = self.ensemble, self.units, self.k
            caps = ops.reshape(phi, (e, -1, n, k))
            return ops.reshape(ops.einsum("ebnk,enm->ebmk", caps, kernel), (e, -1, n * k))
        return ops.matmul(phi, kernel)

    def __call__(self, z0, return_all=False):
        """Pre-activations of the last layer `z^L`, or all `[z^0, ..., z^L]` stacked on a new axis 0.

        `z0` is `(batch, N k)` (the same inputs for every network) or
        `(ensemble, batch, N k)`.
        """
        z = _check_capsules(z0, self.k, "RandomBulk")
        if z.shape[-1] != self.width:
            raise ValueError(f"RandomBulk expects inputs with last dimension N k = {self.width}; got {tuple(z.shape)}.")
        if len(z.shape) == 2:
            z = ops.broadcast_to(z[None], (self.ensemble, *z.shape))
        elif len(z.shape) != 3 or z.shape[0] != self.ensemble:
            raise ValueError(
                f"RandomBulk expects inputs (batch, {self.width}) or ({self.ensemble}, batch, {self.width}); "
                f"got {tuple(z.shape)}."
            )
        history = [z]
        for index in range(self.depth):
            history.append(self.layer(index, history[-1]))
        return ops.stack(history) if return_all else history[-1]

    def random_inputs(self, batch, c0=1.0, seed=None):
        """`(batch, N k)` isotropic Gaussian capsules with `E|z_j|^2 = sigma_w^2 c0` (the ensemble of eq. 34).

        These are the pre-activations a layer with `c^{-1} = c0` would produce,
        so the theory for `c^0, c^1, ...` is `meanfield.c_trajectory(c0, ...)[1:]`.
        """
        rng = np.random.default_rng(seed)
        scale = self.sigma_w * math.sqrt(c0 / self.k)
        return rng.normal(scale=scale, size=(batch, self.width)).astype(keras.config.floatx())
