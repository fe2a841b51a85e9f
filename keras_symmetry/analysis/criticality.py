"""Noise-driven symmetry restoration and finite-size scaling
(Iqbal & Welling 2025, §3, eqs. 9-11, A.3; Figs. 7, 10, 11).

With noise `eta_i(t)` of strength `eta0` in the Kuramoto dynamics (Iqbal & Welling 2025, eq. 9)
a trained Z2 network loses its domain walls at a critical noise `eta_c`. Near
it a dimensionless observable obeys the finite-size-scaling form

    O(L, eta) = f(L^alpha (eta - eta_c))                       (Iqbal & Welling 2025, eqs. 10, 11)

so the curves for different lattice sizes `L` cross at `eta_c` and collapse
onto one function of `L^alpha (eta - eta_c)`. The 2d Ising class has
`alpha = 1` (`1/nu`), mean-field theory `alpha = 2` (Iqbal & Welling 2025, §3.1).

* `noise_response` / `noise_scan`: the observables for every `(L, eta)`, on a fixed `ensemble` of shapes
  images per `L` at one density of shapes (1, 4, 9 shapes at L = 32, 64, 96), with the foreground fraction
  of each ensemble; `with_boundary` gives the same network with an open or a circular boundary.
* `crossing_point`: `eta_c` from the pairwise crossings of the curves, with an
  uncertainty.
* `collapse_quality` / `fit_collapse`: the data-collapse measure and the fit of
  `alpha` (and `eta_c`); compare `collapse_quality(..., alpha=1)` for Ising (Fig. 10).
* `collapse_at_crossing`: Fig. 7's analysis in one call: the fit at the crossing's
  `eta_c` (free where the curves do not cross) and the Ising quality there.
* `spread`, `size_order`, `fan_out`: the paper's test of a transition (A.3 item 3): the order of the sizes
  reverses at `eta_c` and the curves fan out past it; `survives_until`: up to which noise the outputs stay
  right to the eye (`observable="f1"`).

**Observables (Iqbal & Welling 2025, A.3 item 1).** The paper finds scaling only for the RMSE of
an output `p(x)` with background 0 and foreground 1, not for `+-0.5` pixels and
not for the MSE. A shift alone leaves an RMSE unchanged, so here `p(x)` is the
network's `+-0.5` output shifted *and clipped* to `[0, 1]` (a foreground
probability): `observable="rmse01"` (default). `"rmse"` is the RMSE of the raw
`+-0.5` output, `"mse01"` the MSE of `p(x)`, `"f1"` the shape F1 of `evaluate.shape_f1`. Every
observable is computed per image and averaged over images.
"""

import keras
import numpy as np
from keras import ops

from keras_symmetry import evaluate
from keras_symmetry.layers import KuramotoConv2D
from keras_symmetry.tasks import shapes

OBSERVABLES = ("rmse01", "rmse", "mse01", "f1")


def _check_kind(kind):
    if kind not in OBSERVABLES:
        raise ValueError(f"observable kind must be one of {OBSERVABLES}; got {kind!r}.")


def observable(outputs, targets, kind="rmse01"):
    """Per-image error of `outputs` against `targets` (both `+-0.5`-encoded, `(batch, H, W[, 1])`), see module doc.

    `"f1"` is not an error but the per-image shape F1 of `keras_symmetry.evaluate.shape_f1` (1 is right; an image
    scoring at least `evaluate.F1_BAR = 0.9` is right to within a pixel, "right to the eye").
    """
    _check_kind(kind)
    if kind == "f1":
        return np.asarray(evaluate.shape_f1(ops.convert_to_numpy(outputs), targets), dtype="float64")
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


def ensemble(size, examples, seed=0, density=1.0):
    """The scan's fixed images at one lattice size: `(x, y)`, `(examples, L, L, 1)` each.

    Every image holds exactly `shapes.count_at_density(L, density)` shapes (1, 4, 9 at L = 32, 64, 96 for the
    default of one shape per 32 x 32 pixels, the density of the zoo's 32 x 32 training pairs), so the mean
    foreground fraction does not depend on `L` (Iqbal & Welling 2025, §3.2 compares sizes at one density).
    """
    rng = np.random.default_rng([seed, size])
    count = shapes.count_at_density(size, density)
    pairs = [shapes.make_pair(rng, size, count=count)[:2] for _ in range(examples)]
    return tuple(np.stack(images)[..., None] for images in zip(*pairs))


def noise_response(
    predict, sizes, etas, examples=32, batch_size=32, kinds=("rmse01",), seed=0, density=1.0, progress=True
):
    """Every observable in `kinds` for every lattice size and noise level (Iqbal & Welling 2025, Figs. 7, 11).

    Each size `L` gets its own fixed `ensemble` of `examples` shapes pairs (seeded by `seed` and `L`, at
    `density` shapes per 32 x 32 pixels), shared by every `eta`.

    Args:
        predict: `predict(x, eta0)` -> outputs `(batch, L, L, 1)`, e.g.
            `noisy_predictor(model, seed=0)` (which seeds the noise; `seed` here seeds the data).
        sizes: lattice sizes `L`.
        etas: noise levels `eta0`.
        examples: images per size.
        batch_size: images per call of `predict`.
        kinds: observables, each one of `OBSERVABLES`.
        seed: data seed.
        density: shapes per 32 x 32 pixels (`shapes.count_at_density`).
        progress: show a `keras.utils.Progbar`.

    Returns:
        dict: per kind `(mean, stderr)`, NumPy arrays of shape `(len(sizes), len(etas))`, and `"foreground"`:
        `(mean, stderr)` of the ensembles' input foreground fraction per size, `(len(sizes),)` each.
    """
    sizes, etas = [int(s) for s in sizes], [float(e) for e in etas]
    if not sizes or not etas:
        raise ValueError("noise_response needs at least one size and one noise level.")
    for kind in kinds:
        _check_kind(kind)
    values = {kind: np.zeros((len(sizes), len(etas), examples)) for kind in kinds}
    foreground = np.zeros((len(sizes), examples))
    bar = (
        keras.utils.Progbar(len(sizes) * len(etas), unit_name="point", stateful_metrics=("L", "eta"))
        if progress
        else None
    )
    for i, size in enumerate(sizes):
        x, y = ensemble(size, examples, seed, density)
        foreground[i] = shapes.foreground_fraction(x)
        for j, eta in enumerate(etas):
            outputs = np.concatenate(
                [ops.convert_to_numpy(predict(x[s : s + batch_size], eta)) for s in range(0, examples, batch_size)]
            )
            for kind in kinds:
                values[kind][i, j] = observable(outputs, y, kind)
            if bar is not None:
                bar.add(1, values=[("L", size), ("eta", eta)])
    result = {kind: _mean_and_stderr(v) for kind, v in values.items()}
    return {**result, "foreground": _mean_and_stderr(foreground)}


def _mean_and_stderr(values):
    """Mean and standard error over the last axis."""
    n = values.shape[-1]
    stderr = values.std(axis=-1, ddof=1) / np.sqrt(n) if n > 1 else np.zeros(values.shape[:-1])
    return values.mean(axis=-1), stderr


def noise_scan(predict, sizes, etas, examples=32, batch_size=32, kind="rmse01", seed=0, density=1.0, progress=True):
    """`noise_response` for one observable: `(mean, stderr)`, each `(len(sizes), len(etas))`."""
    response = noise_response(predict, sizes, etas, examples, batch_size, (kind,), seed, density, progress)
    return response[kind]


def with_boundary(model, padding_mode):
    """A copy of `model` (same weights) whose every `KuramotoConv2D` uses `padding_mode`: `"zeros"` for an open
    boundary, `"circular"` for a torus."""
    config = keras.saving.serialize_keras_object(model)

    def visit(node):
        if isinstance(node, dict):
            if node.get("class_name") == "KuramotoConv2D":
                node["config"]["padding_mode"] = padding_mode
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(config)
    copy = keras.saving.deserialize_keras_object(config)
    copy.set_weights(model.get_weights())
    return copy


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


def spread(curves, errors=None):
    """How far apart the curves of the different sizes are at each noise level: `(spread, error)`, `(E,)` each.

    `spread` is the largest minus the smallest observable over sizes; `error` combines the standard errors of the
    two curves that set it (zero without `errors`).
    """
    curves = np.asarray(curves, dtype="float64")
    errors = np.zeros_like(curves) if errors is None else np.asarray(errors, dtype="float64")
    top, bottom = np.argmax(curves, axis=0), np.argmin(curves, axis=0)
    columns = np.arange(curves.shape[1])
    return curves[top, columns] - curves[bottom, columns], np.hypot(errors[top, columns], errors[bottom, columns])


def size_order(sizes, curves):
    """Kendall's tau between `L` and the observable at each noise level, `(E,)`, in [-1, 1].

    For an error observable, -1 means the larger the lattice the smaller the error (the ordered side of a
    transition: domain walls pin the answer more firmly on a larger lattice), +1 the reverse (the disordered side).
    A finite-size crossing takes the order from -1 below `eta_c` to +1 above it.
    """
    sizes = np.asarray(sizes, dtype="float64")
    curves = np.asarray(curves, dtype="float64")
    pairs = [(i, j) for i in range(len(sizes)) for j in range(i + 1, len(sizes))]
    signs = [np.sign(sizes[j] - sizes[i]) * np.sign(curves[j] - curves[i]) for i, j in pairs]
    return np.mean(signs, axis=0)


def fan_out(sizes, etas, curves, errors, eta_c, significance=3.0):
    """Iqbal & Welling 2025's test of a transition (A.3, item 3): past `eta_c` the curves of the sizes fan out.

    Near a transition the observable is `f(L^alpha (eta - eta_c))`, so the sizes' order reverses at `eta_c` and
    their spread opens again above it about as wide as below it. Measured on the noise grid:
    `order_below` / `order_above`, the means of `size_order` on either side (-1 / +1 for an error observable);
    `spread_at`, the spread at the grid point nearest `eta_c`; `spread_above` / `spread_below`, the largest
    spread on either side; `growth`, `spread_above - spread_at` in units of its standard error. The curves fan
    out when the order reverses (`order_above > 0.5`), the spread grows significantly (`growth >= significance`)
    and opens at least half as wide as below (`spread_above >= spread_below / 2`). Curves that instead converge
    past the crossing, e.g. on a common saturation value, do not.

    Returns:
        dict of the quantities above and `fans_out`; NaNs and `False` when `eta_c` is NaN or no grid point
        lies above it.
    """
    etas = np.asarray(etas, dtype="float64")
    keys = ("order_below", "order_above", "spread_at", "spread_below", "spread_above", "growth")
    above, below = etas > eta_c, etas < eta_c
    if not np.isfinite(eta_c) or not above.any():
        return {**dict.fromkeys(keys, float("nan")), "fans_out": False}
    order = size_order(sizes, curves)
    gap, gap_error = spread(curves, errors)
    at = int(np.argmin(np.abs(etas - eta_c)))
    peak = int(np.flatnonzero(above)[np.argmax(gap[above])])
    result = {
        "order_below": float(order[below].mean()) if below.any() else float("nan"),
        "order_above": float(order[above].mean()),
        "spread_at": float(gap[at]),
        "spread_below": float(gap[below].max()) if below.any() else float("nan"),
        "spread_above": float(gap[peak]),
        "growth": float((gap[peak] - gap[at]) / max(float(np.hypot(gap_error[peak], gap_error[at])), 1e-12)),
    }
    wide = not below.any() or result["spread_above"] >= result["spread_below"] / 2
    result["fans_out"] = bool(result["order_above"] > 0.5 and result["growth"] >= significance and wide)
    return result


def survives_until(etas, curves, level):
    """The largest noise level up to which every size's curve stays at or above `level` (e.g. the share of images
    right to the eye, or the mean shape F1, against `evaluate.F1_BAR`), per size: `(S,)`; NaN where even the
    first noise level is below it."""
    etas = np.asarray(etas, dtype="float64")
    result = []
    for curve in np.asarray(curves, dtype="float64"):
        failed = np.flatnonzero(curve < level)
        last = (failed[0] if len(failed) else len(etas)) - 1
        result.append(etas[last] if last >= 0 else float("nan"))
    return np.array(result)


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
