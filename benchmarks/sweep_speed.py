"""Wall time of one sweep run both ways: sequentially in one process, and on an embedded Ray with N workers.

    KERAS_BACKEND=jax python benchmarks/sweep_speed.py [--workers 2] [--smoke] [--data PATH]

The same points (by default the MLP sigma_w sweep of Iqbal et al. 2026, Figs. 3, 11 at one epoch: sigma_w 0.5, 1,
1.5, 2 x U(1), O(4), generic, one seed) are trained twice into fresh folders, first one after another in this
process (`keras-symmetry sweep --sequential`, what the sweep does without Ray), then as Ray tasks on an embedded Ray
with `--workers` CPUs. Prints both wall times, their ratio, and whether both ways measured the same test metrics.
"""

import argparse
import json
import os
import pathlib
import tempfile
import time

import keras

from keras_symmetry.experiments import sweep as sweeps


def timed(**kwargs):
    start = time.perf_counter()
    summary = sweeps.sweep(**kwargs)
    return time.perf_counter() - start, summary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", default="mlp", help="zoo entry or recipe")
    parser.add_argument(
        "--grid",
        action="append",
        default=None,
        help="as keras-symmetry sweep --grid (default: sigma_w=0.5,1,1.5,2 and group=u1,ok,generic)",
    )
    parser.add_argument("--seeds", type=int, default=1, help="seeds per grid point")
    parser.add_argument("--epochs", type=int, default=1, help="epochs per point")
    parser.add_argument("--workers", type=int, default=2, help="CPUs of the embedded Ray (points at once)")
    parser.add_argument("--smoke", action="store_true", help="smoke sizes: checks the benchmark in a minute or two")
    parser.add_argument("--data", default="../shared/data/mnist.npz", help="path of mnist.npz")
    parser.add_argument("--out", default=None, help="folder for both sweeps' runs (default: a temporary one)")
    args = parser.parse_args()
    grid = args.grid or ["sigma_w=0.5,1,1.5,2", "group=u1,ok,generic"]
    data = args.data if pathlib.Path(args.data).is_file() else None
    with tempfile.TemporaryDirectory(prefix="sweep-speed-") as temporary:
        base = pathlib.Path(args.out or temporary)
        common = {"name": args.name, "grid": grid, "seeds": args.seeds, "smoke": args.smoke, "data": data}
        common.update({"options": {"epochs": args.epochs}, "verbose": 0})
        sequential, one = timed(out=base / "sequential", sequential=True, **common)
        parallel, other = timed(out=base / "ray", num_cpus=args.workers, **common)
    points = sum(point["n"] for point in one["points"])
    same = json.dumps(one["points"]) == json.dumps(other["points"])
    flags = " ".join(f"--grid {g}" for g in grid) + f" --seeds {args.seeds} --epochs {args.epochs}"
    print(
        f"\nsweep_speed: {points} points of {args.name} ({flags}{' --smoke' * args.smoke}), backend "
        f"{keras.backend.backend()}, {len(os.sched_getaffinity(0))} core(s) available to this process"
    )
    print(f"  sequential, one process:     {sequential:8.1f} s")
    print(f"  embedded Ray, {args.workers} workers:    {parallel:8.1f} s   ({sequential / parallel:.2f}x)")
    print(f"  same test metrics both ways: {'yes' if same else 'no'}")


if __name__ == "__main__":
    main()
