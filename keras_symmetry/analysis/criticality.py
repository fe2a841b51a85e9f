"""Noise-driven symmetry restoration and finite-size scaling
(Iqbal & Welling 2025, §3, eqs. 9-11, A.3; Figs. 7, 10, 11).

With noise `eta_i(t)` of strength `eta0` in the Kuramoto dynamics (Iqbal & Welling 2025, eq. 9)
a trained Z2 network loses its domain walls at a critical noise `eta_c`. Near
it a dimensionless observable obeys the finite-size-scaling form

    O(L, eta) = f(L^alpha (eta - eta_c))                       (Iqbal & Welling 2025, eqs. 10, 11)

so the curves for different lattice sizes `L` cross at `eta_c` and collapse
onto one function of `L^alpha (eta - eta_c)`. The 2d Ising class has
`alpha = 1` (`1/nu`), mean-field theory `alpha = 2` (Iqbal & Welling 2025, §3.1).

* `noise_scan`: the observable for every `(L, eta)`, on shapes images scaled
  with `L` (`max_shapes` grows as `L^2`, `ks.tasks.shapes`).
* `crossing_point`: `eta_c` from the pairwise crossings of the curves, with an
  uncertainty.
* `collapse_quality` / `fit_collapse`: the data-collapse measure and the fit of
  `alpha` (and `eta_c`); compare `collapse_quality(..., alpha=1)` for Ising (Fig. 10).
* `collapse_at_crossing`: Fig. 7's analysis in one call: the fit at the crossing's
  `eta_c` (free where the curves do not cross) and the Ising quality there.

**Observables (Iqbal & Welling 2025, A.3 item 1).** The paper finds scaling only for the RMSE of
an output `p(x)` with background 0 and foreground 1, not for `+-0.5` pixels and
not for the MSE. A shift alone leaves an RMSE unchanged, so here `p(x)` is the
network's `+-0.5` output shifted *and clipped* to `[0, 1]` (a foreground
probability): `observable="rmse01"` (default). `"rmse"` is the RMSE of the raw
`+-0.5` output, `"mse01"` the MSE of `p(x)`. Every observable is computed per
image and averaged over images.
"""

import keras
import numpy as np
from keras import ops

from keras_symmetry.layers import KuramotoConv2D
from keras_symmetry.tasks import shapes

OBSERVABLES = ("rmse01", "rmse", "mse01")


def observable(outputs, targets, kind="rmse01"):
    """Per-image error of `outputs` against `targets` (both `+-0.5`-encoded, `(batch, H, W[, 1])`), see module doc."""
    if kind not in OBSERVABLES:
        raise ValueError(f"observable kind must be one of {OBSERVABLES}; got {kind!r}.")
    outputs = np.asarray(ops.convert_to_numpy(outputs), dtype="float64")
    targets = np.asarray(targets, dtype="float64")
    if outputs.shape != targets.shape:
        raise ValueError(f"outputs {outputs.shape} and targets {targets.shape} must have one shape.")
    if kind != "rmse":
        outputs, targets = np.clip(outputs + 0.5, 0.0, 1.0), targets + 0.5
    mse = np.mean((outputs - targets) ** 2, axis=tuple(range(1, outputs.ndim)))
    return mse if kind == "mse01" else np.sqrt(mse)


def noisy_predictor(model, seed=None):
    """`predict(x, eta0)` for a chain model (e.g. `Sequential`) containing a `KuramotoConv2D`
    (Iqbal & Welling 2025, eq. 9).

    Runs `model.layers` in order and calls every `KuramotoConv2D` with the given
    noise level. With an integer `seed` the noise comes from one
    `keras.random.SeedGenerator(seed)` owned by the predictor, so a new
    predictor with the same seed draws the same noise for the same sequence of
    calls, whatever the model's layers were seeded with. With `seed=None` it
    comes from each layer's own generator (a zoo model's is seeded from
    Python's `random` when it is loaded: unrepeatable).
    """
    if not any(isinstance(layer, KuramotoConv2D) for layer in model.layers):
        raise ValueError(f"Model {model.name!r} has no KuramotoConv2D layer to add noise to.")
    generator = None if seed is None else keras.random.SeedGenerator(seed)

    def predict(x, eta0):
        h = ops.convert_to_tensor(x)
        for layer in model.layers:
            if isinstance(layer, keras.layers.InputLayer):
                continue
            h = layer(h, eta0=eta0, seed=generator) if isinstance(layer, KuramotoConv2D) else layer(h)
        return h

    return predict


def noise_scan(predict, sizes, etas, examples=32, batch_size=32, kind="rmse01", seed=0, progress=True):
    """The observable `O(L, eta)` for every lattice size and noise level (Iqbal & Welling 2025, Figs. 7, 11).

    Each size `L` gets its own fixed set of `examples` shapes pairs (seeded by
    `seed` and `L`), with the number of shapes scaled to `L`, shared by every `eta`.

    Args:
        predict: `predict(x, eta0)` -> outputs `(batch, L, L, 1)`, e.g.
            `noisy_predictor(model, seed=0)` (which seeds the noise; `seed` here seeds the data).
        sizes: lattice sizes `L`.
        etas: noise levels `eta0`.
        examples: images per size.
        batch_size: images per call of `predict`.
        kind: observable, one of `OBSERVABLES`.
        seed: data seed.
        progress: show a `keras.utils.Progbar`.

    Returns:
        `(mean, stderr)`, NumPy arrays of shape `(len(sizes), len(etas))`.
    """
    sizes, etas = [int(s) for s in sizes], [float(e) for e in etas]
    if not sizes or not etas:
        raise ValueError("noise_scan needs at least one size and one noise level.")
    mean = np.zeros((len(sizes), len(etas)))
    stderr = np.zeros_like(mean)
    bar = (
        keras.utils.Progbar(len(sizes) * len(etas), unit_name="point", stateful_metrics=("L", "eta"))
        if progress
        else None
    )
    for i, size in enumerate(sizes):
        rng = np.random.default_rng([seed, size])
        pairs = [shapes.make_pair(rng, size)[:2] for _ in range(examples)]
        x, y = (np.stack(images)[..., None] for images in zip(*pairs))
        for j, eta in enumerate(etas):
            values = np.concatenate(
                [
                    observable(predict(x[s : s + batch_size], eta), y[s : s + batch_size], kind)
                    for s in range(0, examples, batch_size)
                ]
            )
            mean[i, j] = values.mean()
            stderr[i, j] = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
            if bar is not None:
                bar.add(1, values=[("L", size), ("eta", eta)])
    return mean, stderr


def _crossings(etas, curves):
    """The crossing of every pair of curves `i < j`, linearly interpolated between grid points.

    Where noise makes the difference change sign more than once (e.g. in flat
    tails where the curves coincide), the crossing taken is the one that best
    separates a lobe of one sign from a lobe of the other: the sign change
    maximising the smaller of the largest `|difference|` before and after it.
    """
    found = []
    for i in range(len(curves)):
        for j in range(i + 1, len(curves)):
            diff = curves[i] - curves[j]
            change = np.nonzero(np.sign(diff[:-1]) * np.sign(diff[1:]) < 0)[0]
            if not len(change):
                continue
            side = np.sign(diff[change])
            score = [min(np.max(s * diff[: a + 1]), np.max(-s * diff[a + 1 :])) for a, s in zip(change, side)]
            a = change[int(np.argmax(score))]
            found.append(etas[a] - diff[a] * (etas[a + 1] - etas[a]) / (diff[a + 1] - diff[a]))
    return np.array(found)


def crossing_point(etas, curves, errors=None, resamples=200, seed=0):
    """Critical noise `eta_c` where the curves of different `L` intersect (Iqbal & Welling 2025, eq. 11, Fig. 7 left).

    `eta_c` is the mean of the crossings of every pair of curves (linear
    interpolation between grid points). Its uncertainty is the spread (standard
    deviation) of the pairwise crossings, added in quadrature to the standard
    deviation of `eta_c` over `resamples` redraws of the curves from their
    `errors` when those are given.

    Args:
        etas: noise grid, increasing, `(E,)`.
        curves: observable per size, `(S, E)`, `S >= 2`.
        errors: optional standard errors of `curves`, `(S, E)`.

    Returns:
        dict with `eta_c`, `uncertainty` and `pairs` (the pairwise crossings);
        `eta_c` is `nan` when no pair crosses.
    """
    etas = np.asarray(etas, dtype="float64")
    curves = np.asarray(curves, dtype="float64")
    if curves.ndim != 2 or curves.shape[0] < 2 or curves.shape[1] != etas.shape[0]:
        raise ValueError(f"curves must be (sizes >= 2, {etas.shape[0]} etas); got {curves.shape}.")
    pairs = _crossings(etas, curves)
    if not len(pairs):
        return {"eta_c": float("nan"), "uncertainty": float("nan"), "pairs": pairs}
    spread = pairs.std(ddof=1) if len(pairs) > 1 else 0.0
    noise = 0.0
    if errors is not None:
        rng = np.random.default_rng(seed)
        draws = [_crossings(etas, curves + rng.normal(size=curves.shape) * errors) for _ in range(resamples)]
        means = [d.mean() for d in draws if len(d)]
        noise = np.std(means) if len(means) > 1 else 0.0
    return {"eta_c": float(pairs.mean()), "uncertainty": float(np.hypot(spread, noise)), "pairs": pairs}


def scaled_variable(sizes, etas, alpha, eta_c):
    """`x = L^alpha (eta - eta_c)` for every size and noise level, `(S, E)` (Iqbal & Welling 2025, eq. 10)."""
    sizes = np.asarray(sizes, dtype="float64")[:, None]
    return sizes**alpha * (np.asarray(etas, dtype="float64")[None, :] - eta_c)


def collapse_quality(sizes, etas, curves, alpha, eta_c, min_overlap=0.25):
    """How well the curves collapse onto one function of `L^alpha (eta - eta_c)`: 0 is perfect
    (Iqbal & Welling 2025, Figs. 7 right, 10).

    For every point of every curve, the other curves are linearly interpolated
    at its scaled abscissa where they cover it; the measure is the root mean
    square of those differences divided by the range of the observable
    (dimensionless). Returns `inf` when fewer than `min_overlap` of the
    possible comparisons overlap (so a fit cannot win by pulling the curves apart).
    """
    curves = np.asarray(curves, dtype="float64")
    x = scaled_variable(sizes, etas, alpha, eta_c)
    if curves.shape != x.shape:
        raise ValueError(f"curves must be (len(sizes), len(etas)) = {x.shape}; got {curves.shape}.")
    squares, possible = [], 0
    for i in range(len(curves)):
        for m in range(len(curves)):
            if m == i:
                continue
            possible += x.shape[1]
            inside = (x[i] >= x[m, 0]) & (x[i] <= x[m, -1])
            squares.extend((curves[i, inside] - np.interp(x[i, inside], x[m], curves[m])) ** 2)
    if len(squares) < min_overlap * possible:
        return float("inf")
    scale = np.ptp(curves) or 1.0
    return float(np.sqrt(np.mean(squares)) / scale)


def fit_collapse(sizes, etas, curves, eta_c=None, alphas=None, eta_window=None, refine=3):
    """Best data collapse: `alpha` (and `eta_c` unless given) minimising `collapse_quality`
    (Iqbal & Welling 2025, §3.2, Fig. 7 right).

    A grid search over `alphas` (default 0.05..3) and, when `eta_c` is `None`,
    over `eta_window` (default: the whole noise grid), then `refine` rounds of
    a finer grid around the best point.

    Returns:
        dict with `alpha`, `eta_c`, `quality` and `alpha_range` (the `alpha`
        values, at the best `eta_c`, whose quality is within 10% of the best: a
        rough width of the minimum).
    """
    etas = np.asarray(etas, dtype="float64")
    alphas = np.linspace(0.05, 3.0, 60) if alphas is None else np.asarray(alphas, dtype="float64")
    fixed = eta_c is not None
    window = (etas[0], etas[-1]) if eta_window is None else eta_window
    centres = np.array([eta_c]) if fixed else np.linspace(window[0], window[1], 41)

    def search(alpha_grid, centre_grid):
        table = np.array([[collapse_quality(sizes, etas, curves, a, c) for c in centre_grid] for a in alpha_grid])
        i, j = np.unravel_index(np.argmin(table), table.shape)
        return alpha_grid[i], centre_grid[j], table[i, j]

    alpha, centre, quality = search(alphas, centres)
    da = alphas[1] - alphas[0] if len(alphas) > 1 else 0.1
    dc = centres[1] - centres[0] if len(centres) > 1 else 0.0
    for _ in range(refine):
        alpha_grid = np.linspace(max(alpha - da, 1e-3), alpha + da, 21)
        centre_grid = centres if fixed else np.linspace(centre - dc, centre + dc, 21)
        alpha, centre, quality = search(alpha_grid, centre_grid)
        da, dc = da / 10, dc / 10
    scan = np.linspace(alphas[0], alphas[-1], 300)
    values = np.array([collapse_quality(sizes, etas, curves, a, centre) for a in scan])
    near = scan[values <= 1.1 * quality]
    return {
        "alpha": float(alpha),
        "eta_c": float(centre),
        "quality": float(quality),
        "alpha_range": (float(near.min()), float(near.max())) if len(near) else (float(alpha), float(alpha)),
    }


def collapse_at_crossing(sizes, etas, curves, crossing):
    """`fit_collapse` at `crossing_point`'s `eta_c`, with the Ising `alpha = 1` quality there
    (Iqbal & Welling 2025, Figs. 7, 10).

    Where the curves do not cross (`crossing["eta_c"]` is NaN) `eta_c` is
    fitted with `alpha`.

    Returns:
        `fit_collapse`'s dict plus `ising_quality`, `collapse_quality` at
        `alpha = 1` and the fit's `eta_c`.
    """
    eta_c = crossing["eta_c"] if np.isfinite(crossing["eta_c"]) else None
    fit = fit_collapse(sizes, etas, curves, eta_c=eta_c)
    return {**fit, "ising_quality": collapse_quality(sizes, etas, curves, 1.0, fit["eta_c"])}
