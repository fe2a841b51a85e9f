"""Backend-agnostic operations on capsule tensors, and the input checks layers share.

Capsule layout (DESIGN §2): `(..., units * k)`, capsule-major; U(1) is `k = 2`
with `(Re, Im)` order. Everything here is written with `keras.ops` so it runs
unchanged on JAX, TensorFlow and PyTorch.
"""

import keras
from keras import ops


def check_float(x, where):
    """Raise a `ValueError` unless `x` has a real floating-point dtype."""
    dtype = keras.backend.standardize_dtype(x.dtype)
    if not keras.backend.is_float_dtype(dtype):
        hint = (
            " Complex inputs are not accepted: split them into (Re, Im) pairs, capsule-major (DESIGN §2)."
            if "complex" in dtype
            else " Cast them first, e.g. `keras.ops.cast(x, 'float32')`."
        )
        raise ValueError(f"{where} expects real floating-point inputs; got dtype {dtype}.{hint}")


def check_capsule_shape(shape, k, where, min_rank=2, what="inputs"):
    """Raise a `ValueError` unless `shape` has rank >= `min_rank` and a last dim divisible by `k`."""
    shape = tuple(shape)
    if len(shape) < min_rank:
        raise ValueError(
            f"{where} expects {what} of rank >= {min_rank} with capsules on the last axis; got shape {shape}."
        )
    last = shape[-1]
    if last is None:
        raise ValueError(f"{where} needs a known last dimension; got shape {shape}.")
    if last % k:
        raise ValueError(
            f"{where} works on capsules of size k={k}: the last dimension of its {what} "
            f"must be a multiple of {k}; got shape {shape} ({last} = {last // k}*{k} + {last % k})."
        )
    return last // k


def capsule_norm(x, k):
    """`|x_alpha|` for every capsule: `(..., n*k) -> (..., n)`.

    The square root is taken with the double-`where` trick, so the value is exact
    and the gradient is 0 (not NaN) at a zero capsule, e.g. the initial state h^0 = 0.
    """
    n = x.shape[-1] // k
    return _safe_sqrt(ops.sum(ops.reshape(x * x, (*ops.shape(x)[:-1], n, k)), axis=-1))


def _safe_sqrt(squares):
    """`sqrt` with the double-`where` trick: exact value, gradient 0 (not NaN) where `squares` is 0."""
    positive = squares > 0
    return ops.where(positive, ops.sqrt(ops.where(positive, squares, 1.0)), 0.0)


def per_capsule(scale, k):
    """Broadcast a per-capsule quantity `(..., n)` over its `k` components `(..., n*k)`.

    A broadcasting product and a reshape rather than `ops.repeat` or
    `ops.broadcast_to`: TensorFlow's gradients of both take a shape computed at
    run time, which XLA (`jit_compile=True`) rejects when the batch size is
    unknown while tracing, as in `fit` on a dataset.
    """
    components = ops.expand_dims(scale, -1) * ops.ones((k,), dtype=scale.dtype)
    return ops.reshape(components, (*ops.shape(scale)[:-1], scale.shape[-1] * k))


def radial(x, k, fn, epsilon):
    """The radial nonlinearity `f(|v|) / (|v| + eps) * v` per capsule (Iqbal et al. 2026, eqs. 5, 20, 61, 65)."""
    r = capsule_norm(x, k)
    return x * per_capsule(fn(r) / (r + epsilon), k)


def swap_capsule_layout(x, outer, inner):
    """`(..., outer*inner) -> (..., inner*outer)`: the transpose of the last axis read as `(outer, inner)`.

    With `(n, k)` it turns the capsule-major layout (DESIGN §2) into the
    component-major one, `(k, n)`, where `(w (x) I_k)` is one plain matmul over
    `k` times the rows; `(k, n)` turns it back.
    """
    lead = ops.shape(x)[:-1]
    return ops.reshape(ops.swapaxes(ops.reshape(x, (*lead, outer, inner)), -1, -2), (*lead, outer * inner))


def radial_component_major(x, k, fn, epsilon):
    """`radial` on the component-major layout `(..., k*n)` (see `swap_capsule_layout`); same values."""
    n = x.shape[-1] // k
    components = ops.reshape(x, (*ops.shape(x)[:-1], k, n))
    r = _safe_sqrt(ops.sum(components * components, axis=-2))
    scaled = components * ops.expand_dims(fn(r) / (r + epsilon), -2)
    return ops.reshape(scaled, (*ops.shape(x)[:-1], k * n))


def radial_tanh_custom_gradient(x, k, epsilon, component_major=False):
    """`radial(x, k, tanh, epsilon)` on `(batch, n*k)` (or `radial_component_major`), the same values, with
    its gradient written out: `g s + x s'(|x|)/|x| <g, x>` per capsule, `s(r) = tanh(r)/(r + eps)`.

    Autodiff of the radial takes a dozen small ops per step and stores their inputs; this takes a
    handful. The recurrent layers use it in their loop on TensorFlow without XLA, where it made
    training steps up to 1.3x faster (docs/PERFORMANCE.md); elsewhere it does not pay. It defines
    no forward-mode derivative (`jvp`), which is why `radial` stays the autodiff one.
    """
    n = x.shape[-1] // k
    shape = (-1, k, n) if component_major else (-1, n, k)
    axis = 1 if component_major else 2

    @ops.custom_gradient
    def radial_tanh(x):
        components = ops.reshape(x, shape)
        r = ops.sqrt(ops.sum(components * components, axis=axis, keepdims=True))
        t = ops.tanh(r)
        scale = t / (r + epsilon)

        def grad(*args, upstream=None):
            upstream = args[0] if upstream is None else upstream
            g = ops.reshape(upstream, shape)
            positive = r > 0
            slope = ((1.0 - t * t) - scale) / ((r + epsilon) * ops.where(positive, r, 1.0))  # s'(r) / r
            radial_part = ops.where(positive, slope, 0.0) * ops.sum(g * components, axis=axis, keepdims=True)
            return ops.reshape(g * scale + components * radial_part, (-1, n * k))

        return ops.reshape(components * scale, (-1, n * k)), grad

    return radial_tanh(x)


def complex_block_kernel(kernel):
    """Real block form of a complex kernel, for one real matmul per complex product.

    `kernel` has shape `(2, ..., n_in, n_out)` holding `(Re W, Im W)` in Keras'
    `(fan_in, fan_out)` orientation. The result has shape `(..., 2*n_in, 2*n_out)`
    and maps interleaved `(Re, Im)` capsules to interleaved capsules:
    `x @ K` computes `z W` for complex `z` (Iqbal et al. 2026, eq. 21: `w delta_ab + u epsilon_ab`).
    """
    real, imag = kernel[0], kernel[1]
    *lead, n_in, n_out = real.shape
    from_real = ops.stack([real, imag], axis=-1)  # Re z contributes (Re W, Im W)
    from_imag = ops.stack([-imag, real], axis=-1)  # Im z contributes (-Im W, Re W)
    block = ops.stack([from_real, from_imag], axis=-3)  # (..., n_in, 2, n_out, 2)
    return ops.reshape(block, (*lead, 2 * n_in, 2 * n_out))


def isotropic_matmul(x, w, k):
    """`(w (x) I_k)` applied to capsules (Iqbal et al. 2026, eqs. 19, 64): mixes capsules, not components.

    `x`: `(..., n_in*k)`; `w`: `(n_in, n_out)`; returns `(..., n_out*k)`.
    """
    n_in, n_out = w.shape
    lead = ops.shape(x)[:-1]
    capsules = ops.reshape(x, (*lead, n_in, k))
    mixed = ops.einsum("...nk,nm->...mk", capsules, w)
    return ops.reshape(mixed, (*lead, n_out * k))


def pad_2d(x, size, mode):
    """Pad axes 1 and 2 of `(batch, H, W, C)` by `size` on each side: `"zeros"` or `"circular"`."""
    if size == 0:
        return x
    if mode == "circular":
        x = ops.concatenate([x[:, -size:], x, x[:, :size]], axis=1)
        return ops.concatenate([x[:, :, -size:], x, x[:, :, :size]], axis=2)
    return ops.pad(x, ((0, 0), (size, size), (size, size), (0, 0)))


PADDING_MODES = ("zeros", "circular")


def check_padding_mode(mode, where):
    if mode not in PADDING_MODES:
        raise ValueError(f"{where}: padding_mode must be one of {PADDING_MODES}; got {mode!r}.")
    return mode
