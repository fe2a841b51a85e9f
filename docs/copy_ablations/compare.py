"""Copy-task runs side by side: validation CE against training step, one curve per run folder.

Each run is a `keras-symmetry train ... --out runs/...` folder; its `log.csv` holds the validation CE
every 1,000 steps and, once finished, `log.json` the test CE on the recipe's 5,000 held-out sequences
(printed with the step it was measured at). The ablations, against the zoo run's first 100k steps:

    python docs/copy_ablations/compare.py runs/u1-rnn-copy runs/ablation-u1-rnn-copy-* \
        --steps 100000 --out docs/copy_ablations/copy-ablations.png --to-zoo

and the seeds of the U(1) RNN and its baseline over 001's 1M steps:

    python docs/copy_ablations/compare.py runs/u1-rnn-copy-to-1m runs/ablation-u1-rnn-copy-seed1 \
        runs/rnn-copy runs/rnn-copy-seed1 --steps 1000000 --title "u1-rnn-copy and rnn-copy, two seeds each" \
        --out docs/copy_ablations/copy-seeds.png --to-zoo

`--to-zoo` shows the figure on the card of the zoo's u1-rnn-copy, under the PNG's file name.
"""

import argparse
import csv
import json
from pathlib import Path

import keras_symmetry as ks
from keras_symmetry.training import curves

ABLATIONS_TITLE = "u1-rnn-copy (001 Table 1 recipe) and one change each, T_max = 25"


def read_run(folder, max_step):
    rows = [row for row in csv.DictReader(open(Path(folder) / "log.csv")) if int(row["step"]) <= max_step]
    log = Path(folder) / "log.json"
    record = json.load(open(log)) if log.exists() else {}
    test = record.get("test", {})
    if test:
        test["step"] = record["history"][-1]["step"]
    return [(int(row["step"]), float(row["val_loss"])) for row in rows], test


def label(folder):
    return Path(folder).name.removeprefix("ablation-")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="run folders, the reference first")
    parser.add_argument("--steps", type=int, default=100_000, help="compare up to this training step")
    parser.add_argument("--title", default=ABLATIONS_TITLE, help="the figure's title")
    parser.add_argument("--out", required=True, help="PNG to write")
    parser.add_argument("--to-zoo", action="store_true", help="add the figure to the card of the zoo's u1-rnn-copy")
    args = parser.parse_args()

    checkpoints = [args.steps * quarter // 4 // 1000 * 1000 for quarter in (1, 2, 3, 4)]
    fig, ax = curves.pyplot().subplots(figsize=(7, 4.2))
    print("| run | " + " | ".join(f"val CE {s // 1000}k" for s in checkpoints) + " | min val CE | test CE |")
    print("| --- |" + " ---: |" * (len(checkpoints) + 2))
    for folder in args.runs:
        if not (Path(folder) / "log.csv").is_file():
            print(f"({folder}: no finished epoch yet, left out)")
            continue
        points, test = read_run(folder, args.steps)
        at = dict(points)
        cells = [f"{at[s]:.4f}" if s in at else "—" for s in checkpoints]
        test_ce = test.get("test_cross_entropy")
        best = min(value for _, value in points)
        print(
            f"| {label(folder)} | "
            + " | ".join(cells)
            + f" | {best:.4f} | "
            + (f"{test_ce:.4f} ({test['step'] // 1000}k)" if test_ce else "—")
            + " |"
        )
        ax.plot(*zip(*points), label=label(folder), linewidth=1)
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("validation cross-entropy (nats per step)")
    ax.set_title(args.title, fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    curves.save(fig, args.out)
    if args.to_zoo:
        caption = f"{args.title} (docs/campaigns/copy.md): validation CE over the first {args.steps:,} steps."
        ks.zoo.record(ks.hub.add_figure(ks.hub.locate("u1-rnn-copy").folder, args.out, caption))


if __name__ == "__main__":
    main()
