"""The two psMNIST transfers of docs/finetune.md in one figure: validation accuracy after each epoch and the
test accuracy, for the three starts (zoo core frozen, all parts trained from the zoo checkpoint, from scratch).

    python docs/finetune_psmnist/plot.py

It reads runs/ft-{five,perm1}-{frozen,pretrained,scratch} and writes docs/finetune-psmnist.png.
"""

import csv
import json
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

ROOT = pathlib.Path(__file__).resolve().parents[2]
TASKS = (("five", "5-class digit subset (digits 0-4)"), ("perm1", "psMNIST under another permutation (seed 1)"))
STARTS = (
    ("frozen", "u1-gru-psmnist, core frozen"),
    ("pretrained", "u1-gru-psmnist, all parts train"),
    ("scratch", "from scratch"),
)


def main():
    fig, axes = plt.subplots(1, len(TASKS), figsize=(11, 3.8), sharey=True)
    for ax, (task, title) in zip(axes, TASKS):
        for i, (start, label) in enumerate(STARTS):
            run = ROOT / "runs" / f"ft-{task}-{start}"
            rows = list(csv.DictReader(open(run / "log.csv")))
            test = json.loads((run / "preset" / "metadata.json").read_text())["metrics"]["test_accuracy"]
            epochs = [int(row["epoch"]) for row in rows]
            line = ax.plot(epochs, [float(row["val_accuracy"]) for row in rows], "o-", color=f"C{i}", label=label)
            ax.plot(epochs[-1] + 0.15, test, "*", ms=11, color=line[0].get_color())
        ax.set(title=title, xlabel="epoch (batch 128, Adam 1e-3)", xticks=epochs)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("validation accuracy (star: test)")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    out = ROOT / "docs" / "finetune-psmnist.png"
    fig.savefig(out, dpi=90)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
