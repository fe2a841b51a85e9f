"""The sigma_w sweep of the deep MLP experiment (Iqbal et al. 2026, Figs. 3, 11): test accuracy against the weight
scale, per group.

```text
keras-symmetry sweep --dataset fashion_mnist --sigma-w 0.5 0.75 1 1.25 1.5 2 --seeds 5
```
Each point is an `mlp` recipe run in its own resumable folder under `--out`,
so an interrupted sweep continues where it stopped; the results go to
`sweep.json` and the figure to `sweep.png`.
"""

import json
import pathlib

import numpy as np

from keras_symmetry import training
from keras_symmetry.experiments import mlp
from keras_symmetry.training import curves
from keras_symmetry.training.checkpoint import write_atomic

GROUP_K = {"u1": 2, "ok": 4, "generic": 2}
"""Capsule size per group: U(1) pairs, O(4) 4-vectors, and the generic baseline with U(1)'s radial tanh."""


def sweep(
    sigma_ws, groups=("u1", "ok", "generic"), seeds=1, out="runs/sigma-w-sweep", data=None, smoke=False, **options
):
    """Train the `mlp` recipe for every (group, sigma_w, seed); return `{group: [[accuracy per seed] per sigma_w]}`."""
    out = pathlib.Path(out)
    runs = [(g, s, seed) for g in groups for s in sigma_ws for seed in range(seeds)]
    accuracy = {g: [[None] * seeds for _ in sigma_ws] for g in groups}
    for i, (group, sigma_w, seed) in enumerate(runs, 1):
        print(f"[{i}/{len(runs)}] {group} sigma_w={sigma_w} seed={seed}", flush=True)
        result = training.train(
            mlp.RECIPE,
            None,
            group=group,
            k=GROUP_K[group],
            sigma_w=float(sigma_w),
            seed=seed,
            out=out / f"{group}-sw{sigma_w}-s{seed}",
            data=data,
            smoke=smoke,
            no_export=True,
            **options,
        )
        accuracy[group][list(sigma_ws).index(sigma_w)][seed] = result.metrics["test_accuracy"]
    results = {"sigma_w": list(map(float, sigma_ws)), "seeds": seeds, "options": options, "test_accuracy": accuracy}
    write_atomic(out / "sweep.json", json.dumps(results, indent=1))
    plot(results, out / "sweep.png", options.get("dataset", "mnist"))
    print(f"results: {out / 'sweep.json'}, figure: {out / 'sweep.png'}")
    return accuracy


def plot(results, path, dataset):
    """Test accuracy (mean and spread over seeds) against sigma_w, the transition at 1 marked
    (Iqbal et al. 2026, Figs. 3, 11)."""
    plt = curves.pyplot()
    labels = {"u1": "U(1)", "ok": "O(4)", "generic": "generic"}
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for group, per_sigma in results["test_accuracy"].items():
        values = np.array(per_sigma, dtype=float)
        ax.errorbar(results["sigma_w"], values.mean(1), yerr=values.std(1), marker="o", capsize=3, label=labels[group])
    ax.axvline(1.0, color="gray", linestyle="--", linewidth=1)
    ax.set_xlabel(r"$\sigma_w$")
    ax.set_ylabel("test accuracy")
    ax.set_title(f"100-layer MLPs on {dataset}, {results['seeds']} seed(s) per point")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    curves.save(fig, path)
