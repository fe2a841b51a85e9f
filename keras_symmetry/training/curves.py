"""The learning-curve figure of a run: loss and metric against epoch, training beside validation."""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from keras_symmetry.training.checkpoint import write_atomic  # noqa: E402


def plot(history, path, title, test=None):
    """Write the PNG of `history` (rows of `RunState`) to `path`; `test` metrics go in the caption."""
    metrics = sorted(
        (key for key in history[0] if key not in ("epoch", "step", "learning_rate", "seconds") and not key.startswith("val_")),
        key=lambda key: key != "loss",
    )
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.6), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for key, style, label in ((metric, "-", "training"), (f"val_{metric}", "o-", "validation")):
            points = [(row["epoch"], row[key]) for row in history if key in row]
            if points:
                ax.plot(*zip(*points), style, markersize=3, label=label)
        if all(row[metric] > 0 for row in history) and "loss" in metric:
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    caption = ", ".join(f"{key} {value:.4g}" for key, value in sorted((test or {}).items()))
    fig.suptitle(title + (f"\ntest: {caption}" if caption else ""), fontsize=10)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    write_atomic(path, buffer.getvalue())
    return path
