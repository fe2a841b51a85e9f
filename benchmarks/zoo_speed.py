"""Seconds per training step and per epoch of every zoo entry, per backend, on both cores and on one; the table of
docs/PERFORMANCE.md with the projected core-hours to each entry's full training budget.

    python benchmarks/zoo_speed.py               # every entry, backend and core count; rewrites the table
    python benchmarks/zoo_speed.py --entries u1-gru-psmnist,o8-rnn-psmnist --backends tensorflow --cores 1
    python benchmarks/zoo_speed.py --table-only  # the table again from the saved measurements

Each measurement runs in its own subprocess (`KERAS_BACKEND=...`, and `taskset -c 0`
for one core): the entry's model, loss, metrics and optimizer exactly as
`keras-symmetry train ENTRY` builds them with the paper's arguments (and the
campaign's `CAMPAIGN` changes; not what a short zoo run recorded), the
`jit_compile` that `--jit-compile fastest` picks on that backend, one real
training batch, and `train_on_batch` timed `--repeats` times after `--warmup`
calls; the median is the step time. An epoch is the recipe's steps per epoch
times that (validation and data loading not included); the full budget is the
paper's epochs. Core-hours count the cores a run occupies: one
core's step time x steps, or two cores' x steps x 2.

Measurements are merged into `--json` (default docs/benchmarks/zoo_speed.json),
keyed by entry, backend and core count, so a partial run updates only what it
measured; the table between the markers in `--doc` is rewritten from all of
them. Figures are only comparable when taken on a quiet machine.
"""

import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BACKENDS = ("jax", "tensorflow", "torch")
BEGIN, END = "<!-- zoo-speed:begin -->", "<!-- zoo-speed:end -->"
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "mnist.npz"
CAMPAIGN = {"z2-kuramoto-shapes": {"train_size": 32}, "kuramoto-shapes": {"train_size": 32}}
"""Where the zoo's campaigns train otherwise than the paper (docs/campaigns): the Kuramoto nets on 32x32 pairs."""


def measure(name, repeats=3, warmup=1, smoke=False, data=None, jit_choice="fastest"):
    """Time one training step of zoo entry `name` on the current backend: a dict of the figures."""
    import keras

    from keras_symmetry import experiments, performance
    from keras_symmetry.training import arguments, fit, speed

    recipe, entry = experiments.get(name)
    args, _ = arguments.resolve(recipe, entry, CAMPAIGN.get(name, {}), smoke=smoke, recorded=False)
    keras.utils.set_random_seed(args["seed"])
    setup = recipe.setup(args, data)
    model = setup.model
    jit_compile = speed.jit_compile(jit_choice, recipe.name, name)
    model.compile(optimizer=fit.optimizer(args), loss=setup.loss, metrics=setup.metrics, jit_compile=jit_compile)
    x, y = setup.train[0][:2]
    times = []
    with performance.settings(torch_compile=speed.compiled_steps(jit_choice, name, smoke)):
        setting = speed.setting(model)
        for i in range(warmup + repeats):
            start = time.perf_counter()
            model.train_on_batch(x, y)
            if i >= warmup:
                times.append(time.perf_counter() - start)
    return {
        "backend": keras.backend.backend(),
        "jit_compile": str(model.jit_compile),
        "setting": setting,
        "step_s": statistics.median(times),
        "steps_per_epoch": len(setup.train),
        "epochs": args["epochs"],
        "batch_size": args["batch_size"],
    }


def _measure_in_subprocess(name, backend, cores, args):
    cmd = [
        sys.executable,
        __file__,
        "--child",
        name,
        "--repeats",
        str(args.repeats),
        "--warmup",
        str(args.warmup),
        "--jit-compile",
        args.jit_compile,
    ]
    if args.data:
        cmd += ["--data", str(args.data)]
    if args.smoke:
        cmd.append("--smoke")
    if cores == 1:
        if not shutil.which("taskset"):
            raise RuntimeError("one-core figures need `taskset` (util-linux)")
        cmd = ["taskset", "-c", str(args.core), *cmd]
    env = {**os.environ, "KERAS_BACKEND": backend}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _hours(seconds):
    hours = seconds / 3600
    return f"{hours:,.0f}" if hours >= 10 else f"{hours:.1f}" if hours >= 1 else f"{hours:.2g}"


def _setting(row):
    """`speed.setting`'s name for a measurement (older ones recorded only the backend and `jit_compile`)."""
    if "setting" in row:
        return row["setting"]
    return row["backend"] + ("+xla" if row["backend"] == "tensorflow" and row["jit_compile"] == "True" else "")


def table(results):
    """The markdown table: per entry, the fastest backend's step and epoch on 2 cores and 1, and the core-hours."""
    from keras_symmetry import zoo

    lines = [
        "| zoo entry | batch, steps/epoch x epochs | best backend and setting | s/step 2 cores | s/epoch 2 cores "
        "| s/step 1 core | s/epoch 1 core | core-hours, full budget | other backends, s/step 1 core |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name in zoo.names():
        runs = {key: row for key, row in results.get(name, {}).items() if "step_s" in row}
        if not runs:
            continue

        def best(cores, runs=runs):
            rows = [(row["step_s"], key.split("/")[0]) for key, row in runs.items() if key.endswith(f"/{cores}")]
            return min(rows) if rows else (None, None)

        (one, backend1), (two, backend2) = best(1), best(2)
        backend = backend1 or backend2
        row = runs.get(f"{backend}/1") or runs.get(f"{backend}/2")
        steps = row["steps_per_epoch"]
        budget = steps * row["epochs"]
        # Core-hours: the cheaper of one core's time, or both cores' time counted twice.
        core_seconds = min(s * budget * c for s, c in ((one, 1), (two, 2)) if s is not None)
        others = ", ".join(
            f"{key.split('/')[0]} {r['step_s']:.3g}"
            for key, r in sorted(runs.items())
            if key.endswith("/1") and not key.startswith(backend)
        )

        def fmt(seconds, scale=1):
            return (
                "—"
                if seconds is None
                else f"{seconds * scale:,.3g}"
                if seconds * scale < 1000
                else f"{seconds * scale:,.0f}"
            )

        lines.append(
            f"| `{name}` | {row['batch_size']}, {steps:,} x {row['epochs']} | {_setting(row)} "
            f"| {fmt(two)} | {fmt(two, steps)} | {fmt(one)} | {fmt(one, steps)} | {_hours(core_seconds)} "
            f"| {others or '—'} |"
        )
    return "\n".join(lines)


def write_table(doc, text):
    """Replace the table between the markers in `doc` (appending a section with the markers if it has none)."""
    doc = pathlib.Path(doc)
    content = doc.read_text() if doc.is_file() else ""
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in content and END in content:
        head, rest = content.split(BEGIN, 1)
        content = head + block + rest.split(END, 1)[1]
    else:
        content += (
            "\n## Every zoo entry: training speed and budget\n\n"
            f"Regenerate: `python benchmarks/zoo_speed.py`.\n\n{block}\n"
        )
    doc.write_text(content)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", default=None, help="comma-separated zoo entries (default: all)")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated backends")
    parser.add_argument("--cores", default="2,1", help="core counts to measure: 2 (unpinned), 1 (taskset -c CORE)")
    parser.add_argument("--core", type=int, default=0, help="the core of the one-core runs")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--jit-compile", default="fastest", help="as `keras-symmetry train --jit-compile`")
    parser.add_argument("--data", default=DEFAULT_DATA if DEFAULT_DATA.is_file() else None, help="mnist.npz")
    parser.add_argument("--smoke", action="store_true", help="the recipes' tiny smoke sizes (tests)")
    parser.add_argument("--json", default=ROOT / "docs" / "benchmarks" / "zoo_speed.json")
    parser.add_argument(
        "--doc", default=ROOT / "docs" / "PERFORMANCE.md", help="markdown file whose table is rewritten"
    )
    parser.add_argument("--table-only", action="store_true", help="only rewrite the table from --json")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.repeats, args.warmup, args.smoke, args.data, args.jit_compile)))
        return
    from keras_symmetry import experiments, zoo

    path = pathlib.Path(args.json)
    results = json.loads(path.read_text()) if path.is_file() else {}
    if not args.table_only:
        entries = args.entries.split(",") if args.entries else zoo.names()
        for name in entries:
            experiments.get(name)
            for backend in args.backends.split(","):
                for cores in (int(c) for c in args.cores.split(",")):
                    row = _measure_in_subprocess(name, backend, cores, args)
                    results.setdefault(name, {})[f"{backend}/{cores}"] = row
                    shown = f"{row['step_s']:.3f} s/step" if "step_s" in row else row["error"]
                    print(f"{name:22s} {backend:10s} {cores} core(s): {shown}", flush=True)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(json.dumps(results, indent=2) + "\n")
    text = table(results)
    print(text)
    if args.doc:
        write_table(args.doc, text)


if __name__ == "__main__":
    main()
