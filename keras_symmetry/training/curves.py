"""Figures of runs: learning curves (loss and metric against epoch, training beside validation), atomic PNG writing."""

import io

from keras_symmetry.training.checkpoint import write_atomic


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend (imported on first use: `import keras_symmetry` stays light)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot(history, path, title, test=None):
    """Write the PNG of `history` (rows of `RunState`) to `path`; `test` metrics go in the caption."""
    metrics = sorted(
        (
            key
            for key in history[0]
            if key not in ("epoch", "step", "learning_rate", "seconds", "setting") and not key.startswith("val_")
        ),
        key=lambda key: key != "loss",
    )
    fig, axes = pyplot().subplots(1, len(metrics), figsize=(5 * len(metrics), 3.6), squeeze=False)
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
    return save(fig, path)


def save(fig, path):
    """Write a matplotlib figure as PNG atomically (a killed run never leaves half a picture) and close it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    pyplot().close(fig)
    write_atomic(path, buffer.getvalue())
    return path
