"""Forward-mode Jacobians: the protected component `d^L` of Iqbal et al. 2026, eqs. 7, 53-54 and the full Jacobian norm.

`jvp(fn, x, v)` is one function over each backend's own forward-mode autodiff
(`jax.jvp`, `tf.autodiff.ForwardAccumulator`, `torch.func.jvp`), chosen by
`keras.backend.backend()`. On it:

* `protected_jacobian(fn, z0, k)`: the Jacobian applied to the infinitesimal
  symmetry transformation of the input, `J = (d/d eps) fn(e^{eps T} z0)` with `T`
  a generator of U(1) / O(k) acting on every capsule. For U(1) and
  `T z = i z` this is `i J_i` of eq. 53,
  `J_i = sum_j (dz_i^L/dz_j^0 z_j^0 - dz_i^L/dz_j^{0*} z_j^{0*})`, and
  `d^L = (1/N) sum_i |J_i|^2` (eq. 7). For an equivariant `fn`, eq. 52 makes
  `J = T fn(z0)` exactly, so `d^L` equals the output order parameter (eq. 54):
  the component cannot vanish in the broken phase, however deep the network.
* `jacobian_norm(fn, z0, k)`: the same quantity along random input directions
  of the same length as `T z0`, i.e. `(|T z0|^2 / n_in) ||dfn/dz0||_F^2 / N`,
  estimated with Gaussian probes (Hutchinson): the size of the *full*
  Jacobian in units comparable with `d^L` (Iqbal et al. 2026, Figs. 5a, 9).
"""

import keras
import numpy as np
from keras import ops

from keras_symmetry import capsules


def jvp(fn, x, v):
    """`(fn(x), J_fn(x) v)` by forward-mode autodiff of the active Keras backend.

    Args:
        fn: a function of one tensor written with `keras.ops` (or the backend's ops).
        x: primal point, array or tensor.
        v: tangent, same shape as `x`.

    Returns:
        `(outputs, tangent_outputs)` as backend tensors.
    """
    x = ops.convert_to_tensor(x)
    v = ops.convert_to_tensor(v, dtype=x.dtype)
    if tuple(x.shape) != tuple(v.shape):
        raise ValueError(f"jvp needs a tangent of the primal's shape {tuple(x.shape)}; got {tuple(v.shape)}.")
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        return jax.jvp(fn, (x,), (v,))
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.autodiff.ForwardAccumulator(x, v) as accumulator:
            y = fn(x)
        return y, accumulator.jvp(y)
    if backend == "torch":
        import torch

        return torch.func.jvp(fn, (x,), (v,))
    raise ValueError(f"jvp supports the jax, tensorflow and torch backends; the active one is {backend!r}.")


def generator(k, plane=(0, 1)):
    """The rotation generator `T` (antisymmetric `k x k`) in the `plane` of capsule components.

    For `k = 2` this is multiplication by `i` on `(Re, Im)`: `T (x, y) = (-y, x)`.
    """
    if not isinstance(k, int) or k < 2:
        raise ValueError(f"A rotation generator needs capsules of size k >= 2; got k={k!r}.")
    a, b = plane
    if not (0 <= a < k and 0 <= b < k and a != b):
        raise ValueError(f"plane must name two distinct components of a size-{k} capsule; got {plane}.")
    t = np.zeros((k, k))
    t[b, a], t[a, b] = 1.0, -1.0
    return t


def _act(matrix, z, k):
    """`matrix` applied to every capsule of `z` `(..., N k)`."""
    caps = ops.reshape(z, (*ops.shape(z)[:-1], z.shape[-1] // k, k))
    return ops.reshape(ops.matmul(caps, ops.cast(matrix.T, z.dtype)), ops.shape(z))


def _check(z0, k, where):
    z0 = ops.convert_to_tensor(z0)
    capsules.check_float(z0, where)
    capsules.check_capsule_shape(z0.shape, k, where)
    return z0


def _per_capsule_mean_square(t, k):
    """`(1/N) sum_i |t_i|^2` averaged over the examples (all leading axes)."""
    return float(np.mean(ops.convert_to_numpy(capsules.capsule_norm(t, k)) ** 2))


def protected_jacobian(fn, z0, k=2, plane=(0, 1)):
    """`d^L = (1/N) sum_i |J_i|^2`, the Jacobian along the symmetry direction `T z0` (Iqbal et al. 2026, eqs. 7, 53).

    Args:
        fn: the input-output map `z^0 -> z^L` on capsule tensors `(..., N k)`.
        z0: inputs, `(..., N k)`.
        k: capsule size of `z0` and of the output.
        plane: the components `T` rotates (see `generator`); any plane for U(1).

    Returns:
        dict with `d` (the mean of `|J_i|^2` over output capsules and examples,
        eq. 7) and `output` (the same mean of `|T z^L|^2`, which eq. 54 says
        `d` equals when `fn` is equivariant).
    """
    z0 = _check(z0, k, "protected_jacobian")
    t = generator(k, plane)
    y, tangent = jvp(fn, z0, _act(t, z0, k))
    return {"d": _per_capsule_mean_square(tangent, k), "output": _per_capsule_mean_square(_act(t, y, k), k)}


def jacobian_norm(fn, z0, k=2, plane=(0, 1), probes=4, seed=None):
    """The full Jacobian's size in the units of `d^L`: `E_v (1/N) sum_i |(J v)_i|^2`, `|v| = |T z0|`
    (Iqbal et al. 2026, Figs. 5a, 9).

    `v` is Gaussian, rescaled per example to the length of the symmetry tangent
    `T z0`, so this equals `(|T z0|^2 / n_in) ||J||_F^2 / N`; estimated from
    `probes` random directions (Hutchinson).
    """
    z0 = _check(z0, k, "jacobian_norm")
    if not isinstance(probes, int) or probes < 1:
        raise ValueError(f"probes must be a positive integer; got {probes!r}.")
    length = ops.convert_to_numpy(ops.sqrt(ops.sum(_act(generator(k, plane), z0, k) ** 2, axis=-1, keepdims=True)))
    rng = np.random.default_rng(seed)
    total = 0.0
    for _ in range(probes):
        v = rng.normal(size=tuple(z0.shape))
        v *= length / np.linalg.norm(v, axis=-1, keepdims=True)
        total += _per_capsule_mean_square(jvp(fn, z0, v.astype(keras.backend.standardize_dtype(z0.dtype)))[1], k)
    return total / probes
