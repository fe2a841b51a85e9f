"""Regenerate the papers' figures with `ks.analysis`: one command per figure.

```
python figures/figures.py --list
python figures/figures.py 001-fig2 [--small] [--out PATH] [--seed S]
python figures/figures.py all --small --out-dir /tmp/figs
python figures/figures.py 001-fig12 --to-zoo    # ... and show it on the card of the zoo entry it was drawn from
```

Every figure is drawn from freshly initialised networks, except where a trained
network is the point (Iqbal & Welling 2025, Figs. 7/10/11 and 9, Iqbal et al. 2026, Figs. 12/13): there the zoo
checkpoint is loaded with `keras_symmetry.load(name)` when it exists, and
otherwise a fresh network is used (briefly trained for the criticality figure),
with a printed note. `--small` shrinks every setting so that a figure takes a
few seconds (the CI test). `--to-zoo` adds the figure to the preset (and Hub
card) of every zoo checkpoint it was drawn from. See docs/FIGURES.md for what
each figure shows.
"""

import argparse
import pathlib
import sys
import time

import matplotlib

matplotlib.use("Agg")
import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

import keras_symmetry as ks
from keras_symmetry import evaluate
from keras_symmetry.analysis import bulk, criticality, defects, jacobian, meanfield, rank, vortices
from keras_symmetry.tasks import copy as copy_task
from keras_symmetry.tasks import shapes

FIGURES = {}
LOADED = []
"""The zoo entries the figure being drawn was drawn from (filled by `zoo_or_fresh`)."""
FINDINGS = []
"""Sentences of what the figure being drawn measured, for the caption `--to-zoo` puts on the cards."""


def figure(name, summary):
    """Register a figure function under `name`."""

    def register(fn):
        FIGURES[name] = (fn, summary)
        return fn

    return register


def zoo_or_fresh(name, build):
    """The zoo checkpoint `name` if it loads, else `build()` (with a note)."""
    try:
        model = ks.load(name)
        print(f"[figures] using zoo checkpoint {name!r}")
        LOADED.append(name)
        return model, True
    except Exception as err:
        print(f"[figures] zoo checkpoint {name!r} not available ({type(err).__name__}); using a fresh network")
        return build(), False


def progress(total, name):
    return keras.utils.Progbar(total, unit_name=name)


# --- Iqbal et al. 2026: mean-field theory and the order parameter ----------------------------------------------------


@figure(
    "001-fig2",
    "order parameter c^l through depth: random U(1) ensembles vs the recursion (Iqbal et al. 2026, eq. 35, Fig. 2)",
)
def fig_c_depth(small, seed):
    units, depth, ensemble = (16, 12, 2) if small else (64, 60, 16)
    sigmas = (0.8, 1.2, 1.5, 2.5)
    fig, ax = plt.subplots(figsize=(6, 4))
    bar = progress(len(sigmas), "sigma")
    for i, sigma in enumerate(sigmas):
        net = bulk.RandomBulk(units, depth, sigma_w=sigma, ensemble=ensemble, seed=seed + i)
        z = net(net.random_inputs(32, c0=1.0, seed=seed), return_all=True)
        c = bulk.order_parameter(net.activation_fn(z), keep=1)
        theory = meanfield.c_trajectory(1.0, sigma, depth + 1)[1:]
        (line,) = ax.plot(theory, label=f"theory, $\\sigma_w$={sigma}")
        ax.plot(c, "o", ms=3, color=line.get_color(), label=f"N={units}, {ensemble} nets")
        bar.add(1)
    ax.set(xlabel="layer l", ylabel="$c^l$", title="U(1) bulk at initialisation: $c^l$ through depth")
    ax.legend(fontsize=7, ncol=2)
    return fig


@figure(
    "001-fig3",
    "fixed point c*(sigma_w) for U(1) and O(4): theory, small-c law and Monte Carlo (Iqbal et al. 2026, eqs. 35-37)",
)
def fig_c_star(small, seed):
    units, depth, ensemble = (8, 10, 1) if small else (64, 100, 8)
    grid = np.linspace(0.5, 3.0, 200)
    points = np.linspace(0.6, 3.0, 3 if small else 13)
    fig, ax = plt.subplots(figsize=(6, 4))
    bar = progress(2 * len(points), "point")
    for k, group in ((2, "u1"), (4, "ok")):
        (line,) = ax.plot(grid, meanfield.c_star(grid, k), label=f"theory k={k}" + (" (U(1))" if k == 2 else " (O(4))"))
        ax.plot(
            grid,
            meanfield.c_star_small(grid, k),
            "--",
            color=line.get_color(),
            lw=0.8,
            label=f"$3k/(2(k+2))(\\sigma_w^2-1)$, k={k}",
        )
        measured = []
        for j, sigma in enumerate(points):
            net = bulk.RandomBulk(units, depth, k=k, sigma_w=sigma, group=group, ensemble=ensemble, seed=seed + j)
            z = net(net.random_inputs(16, seed=seed), return_all=True)
            measured.append(bulk.order_parameter(net.activation_fn(z), k=k, keep=1)[-depth * 3 // 10 :].mean())
            bar.add(1)
        ax.plot(points, measured, "o", color=line.get_color(), label=f"N={units}, L={depth}, last 30%")
    ax.axvline(1.0, color="gray", lw=0.5)
    ax.set(xlabel="$\\sigma_w$", ylabel="$c^*$", ylim=(-0.02, 1.05), title="Symmetry breaking at $\\sigma_w = 1$")
    ax.legend(fontsize=7)
    return fig


@figure(
    "001-fig9",
    "protected Jacobian d^L vs the full Jacobian norm through depth, U(1) vs generic (Iqbal et al. 2026, eqs. 7, 54)",
)
def fig_jacobian(small, seed):
    units, depths = (4, [1, 3]) if small else (32, [1, 2, 4, 8, 12, 16, 24, 32, 40])
    sigmas = (0.8, 1.5, 2.5)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    bar = progress(2 * len(sigmas), "network")
    for ax, group in zip(axes, ("u1", "generic")):
        for i, sigma in enumerate(sigmas):
            net = bulk.RandomBulk(units, max(depths), sigma_w=sigma, group=group, seed=seed + i)
            z0 = net.random_inputs(8, seed=seed)[None]
            protected, full, order = [], [], []
            for depth in depths:

                def fn(z, depth=depth, net=net):
                    for index in range(depth):
                        z = net.layer(index, z)
                    return z

                result = jacobian.protected_jacobian(fn, z0)
                protected.append(result["d"])
                order.append(result["output"])
                full.append(jacobian.jacobian_norm(fn, z0, probes=2, seed=seed))
            (line,) = ax.semilogy(depths, protected, "-", label=f"protected $d^L$, $\\sigma_w$={sigma}")
            ax.semilogy(depths, full, ":", color=line.get_color(), label="full Jacobian")
            ax.semilogy(depths, order, "o", mfc="none", color=line.get_color(), label="$d^L$ of outputs (eq. 54)")
            bar.add(1)
        ax.set(xlabel="depth L", title=f"{'U(1)' if group == 'u1' else 'generic'} network, N={units}")
    axes[0].set_ylabel("$(1/N)\\sum_i |J_i|^2$")
    axes[0].legend(fontsize=6)
    return fig


@figure(
    "001-fig5",
    "effective rank exp(H) through depth at init, and during a short training (Iqbal et al. 2026, eq. 55, Fig. 5)",
)
def fig_rank(small, seed):
    width, depth, batch = (16, 10, 32) if small else (128, 90, 256)
    steps = 2 if small else 40
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    cases = (("generic", 2), ("u1", 2), ("ok", 4), ("ok", 8))
    bar = progress(len(cases), "network")
    for group, k in cases:
        net = bulk.RandomBulk(width // k, depth, k=k, sigma_w=1.5, group=group, seed=seed)
        z = net(net.random_inputs(batch, seed=seed), return_all=True)
        label = {"generic": "generic", "u1": "U(1)"}.get(group, f"O({k})")
        axes[0].plot(rank.effective_rank(net.activation_fn(z)[:, 0]), label=label)
        bar.add(1)
    axes[0].set(
        xlabel="layer l", ylabel="exp(H)", yscale="log", title=f"at initialisation, width {width}, $\\sigma_w$=1.5"
    )
    axes[0].legend(fontsize=8)
    x, y = _mnist_or_noise(batch * (steps + 1), seed)
    for group in ("generic", "u1"):
        model = ks.models.mlp_model(group, 8 if small else 64, depth=6 if small else 32, sigma_w=1.5)
        model.compile(keras.optimizers.Adam(1e-3), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        callback = rank.EffectiveRankCallback("phi_out", x[:batch], every=max(1, steps // 20))
        model.fit(x, y, batch_size=batch, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[callback])
        axes[1].plot(callback.steps, callback.ranks, label="generic" if group == "generic" else "U(1)")
    axes[1].set(xlabel="training step", ylabel="exp(H) of the last hidden layer", title="during training (Adam 1e-3)")
    axes[1].legend(fontsize=8)
    return fig


def _mnist_or_noise(count, seed):
    """MNIST pixels in [0, 1] from ../shared/data/mnist.npz, or Gaussian noise with random labels if absent."""
    path = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist.npz"
    if path.is_file():
        with np.load(path) as data:
            return data["x_train"][:count].reshape(count, -1).astype("float32") / 255.0, data["y_train"][:count]
    print(f"[figures] no MNIST at {path}; training on noise")
    rng = np.random.default_rng(seed)
    return rng.normal(size=(count, 784)).astype("float32"), rng.integers(0, 10, count)


# --- Iqbal & Welling 2025: Z2 Kuramoto network, domain walls, criticality --------------------------------------------


BIAS_STD = 0.3  # fig. 1: the broken twin's c, |c| ~ 1.2, comparable to the coupling field |J x| ~ 1.2 at init


def _kuramoto(symmetry_breaking, steps, seed, trajectory=False, **core_kwargs):
    keras.utils.set_random_seed(seed)
    model = ks.models.kuramoto_model(
        symmetry_breaking=symmetry_breaking, steps=steps, return_trajectory=trajectory, **core_kwargs
    )
    model.build((None, None, None, 1))
    return model


def _filled_square(size):
    image = np.full((size, size), shapes.OFF, dtype="float32")
    lo, hi = size // 4, 3 * size // 4
    image[lo:hi, lo:hi] = shapes.ON
    return image


@figure(
    "000-fig1",
    "outputs vs T at initialisation, symmetry-broken (eq. 8) vs Z2-symmetric (eq. 4) (Iqbal & Welling 2025, Fig. 1)",
)
def fig_outputs_vs_t(small, seed):
    size, times = (16, (1, 3)) if small else (64, (5, 7, 15, 20))
    image, _, _ = shapes.make_pair(np.random.default_rng(seed), size)
    fig, axes = plt.subplots(2, len(times) + 1, figsize=(2.2 * (len(times) + 1), 4.6))
    for row, broken in enumerate((True, False)):
        extra = {"bias_initializer": keras.initializers.RandomNormal(stddev=BIAS_STD)} if broken else {}
        model = _kuramoto(broken, max(times), seed, trajectory=True, **extra)
        outputs = ops.convert_to_numpy(model(image[None, ..., None]))[0, ..., 0]  # (T+1, L, L)
        axes[row, 0].imshow(image, cmap="gray")
        axes[row, 0].set_title("input" if row == 0 else "")
        for col, t in enumerate(times, start=1):
            out = outputs[t]
            corr = np.corrcoef(out.ravel(), image.ravel())[0, 1]
            axes[row, col].imshow(out, cmap="gray")
            axes[row, col].set_title(f"T={t}, corr {corr:+.2f}", fontsize=8)
        axes[row, 0].set_ylabel("broken, eq. 8" if broken else "Z2, eq. 4")
    for ax in axes.ravel():
        ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle(f"At initialisation, same J (broken twin: c ~ N(0, {BIAS_STD}$^2$) per component)")
    return fig


@figure(
    "000-fig3",
    "shapes transmogrification: test inputs, targets and both Kuramoto networks' outputs "
    "(Iqbal & Welling 2025, Fig. 3)",
)
def fig_shapes_outputs(small, seed):
    size, count, steps = (16, 2, 3) if small else (64, 4, 30)
    data = shapes.ShapesDataset(count, batch_size=count, size=size, seed=10_000 + seed, shuffle=False)
    inputs, targets = data[0]
    rows = [("input", inputs), ("target", targets)]
    for broken in (False, True):
        name = "kuramoto-shapes" if broken else "z2-kuramoto-shapes"
        model, trained = zoo_or_fresh(name, lambda broken=broken: _kuramoto(broken, steps, seed))
        outputs = ops.convert_to_numpy(model.predict_on_batch(inputs))
        rmse = np.sqrt(np.mean((outputs - targets) ** 2))
        rows.append(
            (f"{'broken twin' if broken else 'Z2'}\n({'zoo' if trained else 'untrained'}, RMSE {rmse:.3f})", outputs)
        )
    fig, axes = plt.subplots(len(rows), count, figsize=(2.4 * count, 2.4 * len(rows)), squeeze=False)
    for row, (label, images) in enumerate(rows):
        for col in range(count):
            axes[row, col].imshow(images[col, ..., 0], cmap="gray", vmin=shapes.OFF, vmax=shapes.ON)
            axes[row, col].set_xticks([]), axes[row, col].set_yticks([])
        axes[row, 0].set_ylabel(label, fontsize=8)
    fig.suptitle(f"Shapes of the test seed: circles become squares, squares triangles, triangles circles (L={size})")
    return fig


@figure(
    "000-fig5",
    "domain walls: energy density, detected walls and an oscillator slice "
    "(Iqbal & Welling 2025, Fig. 5 at initialisation, Fig. 9 trained)",
)
def fig_walls(small, seed):
    size, steps = (16, 4) if small else (64, 20)
    model, trained = zoo_or_fresh("z2-kuramoto-shapes", lambda: _kuramoto(False, steps, seed))
    core = model.get_layer("core")
    image = _filled_square(size)
    x = model.get_layer("embed")(image[None, ..., None])
    state = core(x)
    field = ops.convert_to_numpy(state)[0]
    density = ops.convert_to_numpy(core.energy_density(state))[0]
    wall = defects.domain_walls(field)
    labels, overlap = defects.domains(field)
    contrast = defects.wall_energy_contrast(density, wall)
    row = size // 2
    component = int(np.argmax(np.abs(defects.order_axis(field))))
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    axes[0].imshow(image, cmap="gray")
    axes[0].axhline(row, color="red")
    axes[0].set_title("input")
    im = axes[1].imshow(density, cmap="magma")
    axes[1].contour(wall, levels=[0.5], colors="cyan", linewidths=0.8)
    fig.colorbar(im, ax=axes[1], fraction=0.046)
    axes[1].set_title(f"energy density at T={core.steps} (walls in cyan)\non-wall minus off-wall: {contrast:+.3f}")
    axes[2].plot(field[row, :, component], label=f"$x^{{{component}}}$ along the red line")
    axes[2].plot(overlap[row], "--", label="$x \\cdot m$ (domain label)")
    axes[2].axhline(0, color="gray", lw=0.5)
    axes[2].set(xlabel="column", title="one oscillator component across the walls")
    axes[2].legend(fontsize=8)
    for ax in axes[:2]:
        ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle(("trained network" if trained else "network at initialisation") + ", Z2-symmetric")
    return fig


TRANSITION_CACHE = pathlib.Path(__file__).resolve().parent.parent / "docs" / "criticality" / "transition.json"
NETWORKS = (("z2-kuramoto-shapes", False), ("kuramoto-shapes", True))
BOUNDARIES = {"zeros": "open boundary", "circular": "circular boundary"}


def _zoo_weights(name):
    """The pinned sha256 of a zoo entry's weights (what the cached scan was measured on)."""
    return ks.zoo.get(name).preset["files"]["model.weights.h5"]["sha256"]


def _transition_scan(small, seed):
    """Iqbal & Welling 2025, Figs. 7 and 11, measured on both networks with both boundaries at one density.

    For each network, boundary (open: zero padding; circular: a torus) and L = 32, 64, 96 (1, 4, 9 shapes:
    `criticality.ensemble`), the per-image RMSE of p(x) and shape F1 over a noise grid that is fine on [0, 0.2];
    then the crossing, the fan-out test (A.3 item 3) and how far the outputs stay right to the eye. The full scan
    takes ~30 min of a quiet core: it is kept in docs/criticality/transition.json, which Figs. 7 and 8 reuse while the
    settings and the zoo weights it was measured on are the same.
    """
    import json

    sizes = (32, 64) if small else (32, 64, 96)
    grid = (0.0, 0.1, 0.2) if small else (*np.arange(0.0, 0.2001, 0.01), 0.25, 0.3, 0.4)
    etas = [round(float(eta), 3) for eta in grid]
    examples, steps = (2, 3) if small else (48, 30)
    settings = {"sizes": list(sizes), "etas": etas, "examples": examples, "seed": seed, "density": 1.0}
    settings["ensemble"] = "exact counts, sizes independent of L"  # a cache from another sampler is stale
    if not small and TRANSITION_CACHE.is_file():
        cached = json.loads(TRANSITION_CACHE.read_text())
        if cached["settings"] == settings and cached["weights"] == {name: _zoo_weights(name) for name, _ in NETWORKS}:
            print(f"[figures] noise scan read from {TRANSITION_CACHE} (same settings and zoo weights)")
            LOADED.extend(name for name, _ in NETWORKS)
            return cached
    scans, trained_all = {}, True
    for name, broken in NETWORKS:
        model, trained = zoo_or_fresh(name, lambda broken=broken: _briefly_trained(broken, steps, 1, seed))
        trained_all &= trained
        for boundary in BOUNDARIES:
            print(f"[figures] noise scan: {name}, {BOUNDARIES[boundary]}")
            response = criticality.noise_response(
                criticality.noisy_predictor(criticality.with_boundary(model, boundary), seed=seed),
                sizes,
                etas,
                examples=examples,
                kinds=("rmse01", "f1"),
                seed=seed,
            )
            (rmse, rmse_err), (f1, f1_err) = response["rmse01"], response["f1"]
            cross = criticality.crossing_point(etas, rmse, rmse_err)
            scans[f"{name}/{boundary}"] = {
                "rmse01": rmse.tolist(),
                "rmse01_err": rmse_err.tolist(),
                "f1": f1.tolist(),
                "f1_err": f1_err.tolist(),
                "foreground": [values.tolist() for values in response["foreground"]],
                "eta_c": cross["eta_c"],
                "eta_c_err": cross["uncertainty"],
                "pairs": cross["pairs"].tolist(),
                "fan_out": criticality.fan_out(sizes, etas, rmse, rmse_err, cross["eta_c"]),
                "right_until": criticality.survives_until(etas, f1, evaluate.F1_BAR).tolist(),
            }
            found = scans[f"{name}/{boundary}"]
            print(f"[figures]   eta_c {cross['eta_c']:.4f} +- {cross['uncertainty']:.4f}; fan-out {found['fan_out']}")
    result = {"settings": settings, "scans": scans}
    if not small and trained_all:
        result["weights"] = {name: _zoo_weights(name) for name, _ in NETWORKS}
        TRANSITION_CACHE.write_text(json.dumps(result, indent=1))
    return result


@figure(
    "000-fig7",
    "RMSE of p(x) and shape F1 against noise per L, both boundaries, Z2 network and broken twin, with the crossing "
    "and fan-out tests (Iqbal & Welling 2025, Figs. 7, 11)",
)
def fig_criticality(small, seed):
    scan = _transition_scan(small, seed)
    sizes, etas = scan["settings"]["sizes"], np.array(scan["settings"]["etas"])
    keys = [(name, boundary) for name, _ in NETWORKS for boundary in BOUNDARIES]
    fig, axes = plt.subplots(3, len(keys), figsize=(5 * len(keys), 11), sharex=True)
    for column, (name, boundary) in enumerate(keys):
        data = scan["scans"][f"{name}/{boundary}"]
        fraction, fraction_err = data["foreground"]
        top, middle, bottom = axes[:, column]
        for i, size in enumerate(sizes):
            label = f"L={size} (foreground {100 * fraction[i]:.2f} ± {100 * fraction_err[i]:.2f}%)"
            top.errorbar(etas, data["rmse01"][i], data["rmse01_err"][i], marker="o", ms=3, label=label)
            middle.errorbar(etas, data["f1"][i], data["f1_err"][i], marker="o", ms=3, label=f"L={size}")
        middle.axhline(evaluate.F1_BAR, ls=":", color="gray", label=f"F1 {evaluate.F1_BAR}: right to the eye")
        gap, gap_err = criticality.spread(np.array(data["rmse01"]), np.array(data["rmse01_err"]))
        bottom.errorbar(etas, gap, gap_err, marker="o", ms=3, color="k", label="spread of RMSE over L")
        twin = bottom.twinx()
        twin.plot(etas, criticality.size_order(sizes, np.array(data["rmse01"])), "s--", ms=3, color="C3")
        twin.set(ylim=(-1.1, 1.1), ylabel="size order of RMSE (Kendall tau)")
        fan = data["fan_out"]
        if np.isfinite(data["eta_c"]):
            for ax in (top, middle, bottom):
                ax.axvline(data["eta_c"], ls="--", color="gray")
            found = f"$\\eta_c$ = {data['eta_c']:.3f} ± {data['eta_c_err']:.3f}, " + (
                "fans out" if fan["fans_out"] else "no fan-out"
            )
        else:
            found = "no crossing"
        title = f"{'broken twin' if 'kuramoto-shapes' == name else 'Z2'}, {BOUNDARIES[boundary]}"
        top.set(ylabel="RMSE of p(x) in [0, 1]", title=f"{title}\n{found}")
        right, plain = sorted(set(data["right_until"])), found.replace("$\\eta_c$", "eta_c")
        FINDINGS.append(
            f"{title}: {plain} (spread between sizes {fan['spread_below']:.3f} below, "
            f"{fan['spread_above']:.3f} above, {fan['growth']:.1f} sigma); right to the eye (shape F1 >= "
            f"{evaluate.F1_BAR}) up to eta_0 = {'-'.join(f'{r:.2f}' for r in right)}."
        )
        middle.set(ylabel="shape F1", ylim=(0, 1.02))
        bottom.set(xlabel="$\\eta_0$ (eq. 9: std per site, component and step)", ylabel="max - min over L")
        for ax in (top, middle, bottom):
            ax.legend(fontsize=6)
    fig.suptitle("Noise on the trained Kuramoto networks (Iqbal & Welling 2025, Figs. 7, 11), one density of shapes")
    fractions = "/".join(f"{100 * f:.2f}" for f in scan["scans"][f"{keys[0][0]}/{keys[0][1]}"]["foreground"][0])
    fans = [scan["scans"][f"{name}/{boundary}"]["fan_out"]["fans_out"] for name, boundary in keys]
    FINDINGS.insert(
        0,
        f"{scan['settings']['examples']} images per L = {', '.join(map(str, sizes))} at one density of shapes "
        f"(foreground {fractions}%); the network was trained on 32x32 pairs.",
    )
    FINDINGS.append(
        f"The curves fan out past the crossing for {sum(fans)} of {len(fans)} network-boundary pairs"
        + (": no transition by the paper's test (A.3 item 3)." if not any(fans) else ".")
        + " The account: docs/FIGURES.md."
    )
    return fig


@figure(
    "000-fig8",
    "the Z2 network's output on one 64x64 image at no noise, at the scan's eta_c and at twice it, both boundaries "
    "(Iqbal & Welling 2025, Fig. 8)",
)
def fig_noisy_outputs(small, seed):
    scan = _transition_scan(small, seed)
    size = 64
    LOADED.clear()  # the figure shows the Z2 network alone; the scan was read for its eta_c
    model, _ = zoo_or_fresh("z2-kuramoto-shapes", lambda: _briefly_trained(False, 3, 1, seed))
    x, y = criticality.ensemble(size, 1, seed=seed + 1)
    fig, axes = plt.subplots(len(BOUNDARIES), 4, figsize=(13, 3.4 * len(BOUNDARIES)))
    for row, boundary in enumerate(BOUNDARIES):
        data = scan["scans"][f"z2-kuramoto-shapes/{boundary}"]
        eta_c = data["eta_c"]
        reference = "eta_c" if np.isfinite(eta_c) else "last eta right to the eye (no crossing)"
        if not np.isfinite(eta_c):
            eta_c = data["right_until"][scan["settings"]["sizes"].index(size)]
        predict = criticality.noisy_predictor(criticality.with_boundary(model, boundary), seed=seed)
        axes[row, 0].imshow(y[0, ..., 0], cmap="gray", vmin=-0.5, vmax=0.5)
        axes[row, 0].set_title(f"target ({BOUNDARIES[boundary]})")
        for ax, eta in zip(axes[row, 1:], (0.0, eta_c, 2 * eta_c)):
            output = np.asarray(ops.convert_to_numpy(predict(x, eta)))
            f1 = evaluate.shape_f1(output, y)[0]
            ax.imshow(output[0, ..., 0], cmap="gray", vmin=-0.5, vmax=0.5)
            label = "0" if eta == 0 else (f"{reference}" if eta == eta_c else f"2 x {reference}")
            ax.set_title(f"$\\eta_0$ = {eta:.3f} ({label})\nshape F1 {f1:.2f}", fontsize=9)
        for ax in axes[row]:
            ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle("Z2 network's output under noise (Iqbal & Welling 2025, Fig. 8)")
    FINDINGS.append(
        f"A {size}x{size} image with {shapes.count_at_density(size, 1.0)} shapes; the network was trained on 32x32 "
        "pairs. Past eta_c the curves do not fan out (000-fig7), so eta_c marks where the sizes' curves cross, not "
        "a transition."
    )
    return fig


def _briefly_trained(broken, steps, train_steps, seed):
    """A Kuramoto network trained for `train_steps` batches of 16 L=32 shapes pairs (MSE, Adam 1e-3)."""
    model = _kuramoto(broken, steps, seed)
    if train_steps:
        data = shapes.ShapesDataset(16 * train_steps, batch_size=16, size=32, seed=seed)
        model.compile(keras.optimizers.Adam(1e-3), "mse")
        model.fit(data, epochs=1, verbose=1)
    return model


EARLY_SEEDS, EARLY_EPOCHS = 3, 5
EARLY_ARGS = {"train_size": 32, "train_examples": 28_000}
"""Fig. 6 at reduced scale: 3 seeds (Iqbal & Welling 2025: 5), the first 5 epochs of 28K 32x32 pairs (the paper:
64x64), validated at 64x64."""


def _early_history(name, seed, small, root):
    """The first epochs' history of `name` trained from `seed`: the zoo's campaign run for seed 0, `NAME-seedS` else.

    A run that has not reached `EARLY_EPOCHS` is trained (or resumed) there by
    the recipe, as `keras-symmetry train NAME --seed S --out runs/NAME-seedS`
    would; `small` trains smoke-sized runs instead.
    """
    import json

    from keras_symmetry import experiments

    epochs = 2 if small else EARLY_EPOCHS
    folder = root / (name if seed == 0 else f"{name}-seed{seed}")
    state = folder / "state.json"
    if not (state.is_file() and json.loads(state.read_text())["epoch"] >= epochs):
        print(f"[figures] training {folder} to epoch {epochs}")
        experiments.train(
            name,
            out=folder,
            seed=seed,
            epochs=epochs,
            smoke=small,
            no_export=True,
            verbose=2,
            **({} if small else EARLY_ARGS),
        )
    recorded = json.loads(state.read_text())
    wrong = {
        key: recorded["args"].get(key)
        for key, value in ({} if small else EARLY_ARGS).items()
        if recorded["args"].get(key) != value
    }
    if wrong:
        raise ValueError(
            f"{folder} was trained with {wrong}, not Fig. 6's {EARLY_ARGS}; train it again with --restart."
        )
    history = recorded["history"][:epochs]
    return [row["epoch"] for row in history], [row.get("val_rmse", np.nan) for row in history]


@figure(
    "000-fig6",
    "early training: validation RMSE of the Z2 network and its broken twin over seeds "
    "(Iqbal & Welling 2025, Fig. 6, reduced)",
)
def fig_early_training(small, seed):
    import tempfile

    seeds = range(seed, seed + (2 if small else EARLY_SEEDS))
    nets = (("kuramoto-shapes", "broken twin, eq. 8", "C0"), ("z2-kuramoto-shapes", "Z2, eq. 4", "C1"))
    with tempfile.TemporaryDirectory() as scratch:  # smoke runs only; the real ones are the campaign's, under runs/
        root = pathlib.Path(scratch if small else "runs")
        histories = {name: [_early_history(name, s, small, root) for s in seeds] for name, _, _ in nets}
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for name, label, color in nets:
        curves = histories[name]
        epochs = curves[0][0]
        values = np.array([rmse for _, rmse in curves])
        mean, std = values.mean(axis=0), values.std(axis=0)
        ax.plot(epochs, mean, "o-", color=color, label=f"{label} ({len(curves)} seeds)")
        ax.fill_between(epochs, mean - std, mean + std, color=color, alpha=0.25)
        for run in values:  # with a handful of seeds the spread hides which runs still sit on the plateau
            ax.plot(epochs, run, "-", color=color, lw=0.8, alpha=0.6)
        if not small and seed == 0:
            LOADED.append(name)  # seed 0 is the run that trained the zoo checkpoint
    size = 32 if small else 64  # the recipe's smoke size, and Iqbal & Welling 2025's
    data = shapes.ShapesDataset(256, batch_size=64, size=size, seed=10_000 + seed, shuffle=False)
    targets = np.concatenate([data[i][1] for i in range(len(data))])
    ax.axhline(
        np.sqrt(np.mean((shapes.OFF - targets) ** 2)), ls="--", color="gray", label="predicting background everywhere"
    )
    ax.set(xlabel="epoch", ylabel=f"validation RMSE at {size}x{size}", xticks=epochs)
    ax.legend(fontsize=8)
    scale = (
        "smoke runs"
        if small
        else (
            f"{len(seeds)} seeds (Iqbal & Welling 2025: 5), {EARLY_ARGS['train_examples']:,} 32x32 training pairs "
            "an epoch (Iqbal & Welling 2025: 64x64), batch 32, Adam 1e-3"
        )
    )
    ax.set_title(f"Early training, mean ± std over seeds (thin lines: each seed)\n{scale}", fontsize=9)
    return fig


# --- Iqbal et al. 2026, D.3: vortices of the convolutional U(1) RNN --------------------------------------------------


@figure(
    "001-fig12",
    "vortices of a 2D convolutional U(1) RNN: |z|, phase, winding and counts through time, "
    "the channels with the fewest and the most vortices (Iqbal et al. 2026, Figs. 12, 13)",
)
def fig_vortices(small, seed):
    grid, filters, delay = (6, 2, 3) if small else (20, 16, 100)
    keras.utils.set_random_seed(seed)
    model, trained = zoo_or_fresh("u1-convrnn-copy", lambda: ks.models.copy_model("u1-convrnn", filters, grid=grid))
    core = model.get_layer("core")
    grid = core.cell.grid_shape[0]
    tokens = np.zeros((1, 10 + delay + 11, copy_task.CHANNELS), dtype="float32")
    rng = np.random.default_rng(seed)
    tokens[0, np.arange(10), rng.integers(1, 9, 10)] = 1.0
    tokens[0, 10 : 10 + delay, 0] = 1.0
    tokens[0, 10 + delay, 9] = 1.0
    tokens[0, 11 + delay :, 0] = 1.0
    states = ops.convert_to_numpy(core(tokens))[0]  # (time, H, W, 2C)
    histories = [vortices.vortex_history(states, channel=c, wavevector="auto") for c in range(core.filters)]
    during_delay = [h["vortices"][10 : 10 + delay].mean() for h in histories]
    channels = (
        int(np.argmin(during_delay)),
        int(np.argmax(during_delay)),
    )  # like Iqbal et al. 2026, Fig. 12, like Fig. 13
    times = sorted({1, 10, 10 + delay // 3, 10 + 2 * delay // 3, 10 + delay, len(states) - 1})
    fig, axes = plt.subplots(6, len(times) + 1, figsize=(2.2 * (len(times) + 1), 13))
    for block, channel in enumerate(channels):
        history = histories[channel]
        rows = axes[3 * block : 3 * block + 3]
        for col, t in enumerate(times):
            rows[0, col].imshow(history["magnitude"][t], cmap="viridis")
            rows[1, col].imshow(history["theta"][t], cmap="twilight", vmin=-np.pi, vmax=np.pi)
            rows[2, col].imshow(history["winding"][t], cmap="bwr", vmin=-1, vmax=1)
            rows[0, col].set_title(f"ch {channel}, t={t}", fontsize=9)
        k = np.array(history["wavevector"]) / np.pi
        for row, label in zip(rows, ("|z|", f"phase - k.x\nk = ({k[0]:.1f}, {k[1]:.1f}) pi", "winding")):
            row[0].set_ylabel(label, fontsize=9)
    for ax in axes[:, :-1].ravel():
        ax.set_xticks([]), ax.set_yticks([])
    gs = axes[0, -1].get_gridspec()
    for ax in axes[:, -1]:
        ax.remove()
    counts = fig.add_subplot(gs[:, -1])
    others = [c for c in range(core.filters) if c not in channels]
    for i, channel in enumerate(others):
        counts.plot(
            histories[channel]["vortices"], color="lightgray", lw=0.7, label="other channels" if i == 0 else None
        )
    for channel in channels:
        (line,) = counts.plot(histories[channel]["vortices"], label=f"ch {channel} vortices")
        counts.plot(
            histories[channel]["antivortices"], "--", color=line.get_color(), label=f"ch {channel} antivortices"
        )
    counts.axvline(10, color="gray", lw=0.5)
    counts.axvline(10 + delay, color="gray", lw=0.5)
    counts.set(xlabel="time step", title="counts\n(data ends | go)")
    counts.legend(fontsize=7, loc="upper right")
    fig.suptitle(
        f"U(1) conv RNN {grid}x{grid}, {core.filters} channels "
        + ("(trained, zoo)" if trained else "(at initialisation)")
        + f": the channels with the fewest (ch {channels[0]}) and the most (ch {channels[1]}) vortices through"
        "\nthe delay; phase and windings relative to each channel's spiral order exp(i k.x)"
    )
    return fig


# --- command line ----------------------------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", nargs="?", help="figure name, or 'all'")
    parser.add_argument("--list", action="store_true", help="list the figures and exit")
    parser.add_argument("--small", action="store_true", help="tiny settings: a few seconds per figure")
    parser.add_argument("--out", help="output PNG (one figure); default figures/NAME.png")
    parser.add_argument("--out-dir", default="figures", help="folder for 'all' (and the default --out)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--to-zoo", action="store_true", help="add the figure to the card of each zoo checkpoint it was drawn from"
    )
    args = parser.parse_args(argv)
    if args.list or not args.name:
        for name, (_, summary) in FIGURES.items():
            print(f"{name:10s} {summary}")
        return 0
    names = list(FIGURES) if args.name == "all" else [args.name]
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        parser.error(f"unknown figure {unknown[0]!r}; choose from {', '.join(FIGURES)} or 'all'")
    if args.out and len(names) > 1:
        parser.error("--out names one file; use --out-dir with 'all'")
    for name in names:
        start = time.time()
        LOADED.clear(), FINDINGS.clear()
        fig = FIGURES[name][0](args.small, args.seed)
        out = pathlib.Path(args.out or pathlib.Path(args.out_dir) / f"{name}.png")
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.tight_layout()
        fig.savefig(out, dpi=72 if args.small else 90)
        plt.close(fig)
        print(f"[figures] {name}: wrote {out} in {time.time() - start:.1f} s")
        if args.to_zoo and not LOADED:
            print(f"[figures] --to-zoo: {name} was drawn from no zoo checkpoint; no card changed", file=sys.stderr)
            return 1
        for entry in LOADED if args.to_zoo else ():
            command = f"python figures/figures.py {name}" + (" --small" if args.small else "")
            caption = " ".join([f"{FIGURES[name][1]}.", *FINDINGS, f"Drawn by `{command}`."])
            ks.zoo.record(ks.hub.add_figure(ks.hub.locate(entry).folder, out, caption, name=f"{name}.png"))
            print(f"[figures] {name}: added to the card of {entry}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
