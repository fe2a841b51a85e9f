"""Training-step speed and peak memory of the equivariant layers against Keras' own and torch's.

    KERAS_BACKEND=jax python benchmarks/benchmark.py                  # every case, table to stdout
    KERAS_BACKEND=torch python benchmarks/benchmark.py --cases u1gru --repeats 3 --json out.json
    KERAS_BACKEND=tensorflow python benchmarks/benchmark.py --cases u1gru --jit-compile True --batch 512

For each case several models are timed: the package's layer, the same cell in a
plain `keras.layers.RNN` (the straightforward version), and a Keras layer of
equal real width (`GRU(128)` for 64 complex capsules). On the torch backend the
layer is also timed with `KERAS_SYMMETRY_TORCH_COMPILE=1` (its step compiled by
`torch.compile`), and the U(1) GRU is compared with `torch.nn.GRU(128)`.

A training step is one `train_on_batch` (Adam). All variants of a case live in
one process and are timed in interleaved rounds (median of `--repeats` rounds
after `--warmup`), so that the ratios survive the load of a shared machine; the
float32 matmul peak is measured in the same rounds. Peak memory is measured
apart, one subprocess per variant: the peak resident memory during the
first training step above the memory just before it (sampled every
millisecond; it includes compilation on JAX and TensorFlow). GFLOP/s counts the matmul/convolution work
of forward and backward (3x the forward FLOPs).
"""

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import threading
import time

import numpy as np

CASES = {
    "u1gru": "psMNIST shape: B=128, T=784, 1 feature; U1GRU(64) vs GRU(128)",
    "u1rnn": "psMNIST shape: B=128, T=784, 1 feature; U1SimpleRNN(64) vs SimpleRNN(128)",
    "okrnn": "psMNIST shape: B=128, T=784, 1 feature; OkSimpleRNN(16, k=8) vs SimpleRNN(128)",
    "u1convrnn": "copy, fixed delay 100: B=32, T=121, 10 features; U1ConvRNN2D(16, (20, 20)) vs its straightforward version",
    "kuramoto": "shapes: B=32, 64x64, N=16, kernel 5, T=30; KuramotoConv2D",
}
Setting = collections.namedtuple("Setting", ["time_steps", "batch", "jit_compile"])
Setting.__doc__ = "Overrides of a case's sequence length and batch (None: the case's own), and Keras' `jit_compile`."

LABELS = {
    "fast": "keras_symmetry layer",
    "compiled": "layer, torch.compile step",
    "plain": "keras.layers.RNN(cell)",
    "keras": "Keras layer, same width",
    "torch": "torch.nn.GRU(128)",
}


def _model(case, variant, setting):
    """`(model, x, y, loss, forward_flops)` of one case and variant."""
    import keras

    import keras_symmetry as ks

    rng = np.random.default_rng(0)
    if case == "kuramoto":
        b, side, n, k, steps = setting.batch or 32, 64, 16, 5, 30
        layer = ks.layers.KuramotoConv2D(kernel_size=k, steps=steps)
        model = keras.Sequential(
            [keras.Input((side, side, 1)), keras.layers.Dense(n, use_bias=False), layer, keras.layers.Dense(1)]
        )
        x = rng.choice([-0.5, 0.5], size=(b, side, side, 1)).astype("float32")
        return model, x, -x, "mse", 2 * b * side * side * k * k * n * n * steps
    if case == "u1convrnn":
        b, t, c, grid = setting.batch or 32, setting.time_steps or 121, 16, (20, 20)
        cell = ks.layers.U1ConvRNN2DCell(c, grid)
        core = ks.layers.U1ConvRNN2D(c, grid) if variant in ("fast", "compiled") else keras.layers.RNN(cell)
        model = keras.Sequential([keras.Input((t, 10)), core, keras.layers.Flatten(), keras.layers.Dense(10)])
        x = np.eye(10, dtype="float32")[rng.integers(0, 10, size=(b, t))]
        flops = 2 * b * grid[0] * grid[1] * 9 * (2 * c) ** 2 * t
        return model, x, rng.integers(0, 10, size=b), "sce", flops
    b, t, n = setting.batch or 128, setting.time_steps or 784, 64
    x = rng.uniform(size=(b, t, 1)).astype("float32")
    y = rng.integers(0, 10, size=b)
    if case == "u1gru":
        fast, cell, baseline = ks.layers.U1GRU(n), ks.layers.U1GRUCell(n), keras.layers.GRU(2 * n)
        flops = (2 * b * (2 * n) ** 2 + 2 * b * n * 2 * n) * t  # complex candidate + gates from |h|
        keras_flops = 2 * b * (2 * n) * 3 * (2 * n) * t
    elif case == "u1rnn":
        fast, cell, baseline = ks.layers.U1SimpleRNN(n), ks.layers.U1SimpleRNNCell(n), keras.layers.SimpleRNN(2 * n)
        flops = keras_flops = 2 * b * (2 * n) ** 2 * t
    elif case == "okrnn":
        fast, cell, baseline = ks.layers.OkSimpleRNN(16, 8), ks.layers.OkSimpleRNNCell(16, 8), keras.layers.SimpleRNN(128)
        flops = 2 * b * 16 * 16 * 8 * t
        keras_flops = 2 * b * 128 * 128 * t
    else:
        raise ValueError(f"unknown case {case!r}")
    core = {"fast": fast, "compiled": fast, "plain": keras.layers.RNN(cell), "keras": baseline}[variant]
    model = keras.Sequential([keras.Input((t, 1)), core, keras.layers.Dense(10)])
    return model, x, y, "sce", keras_flops if variant == "keras" else flops


def _torch_gru(setting):
    import torch

    b, t, n = setting.batch or 128, setting.time_steps or 784, 128
    torch.manual_seed(0)
    gru, head = torch.nn.GRU(1, n, batch_first=True), torch.nn.Linear(n, 10)
    opt = torch.optim.Adam(list(gru.parameters()) + list(head.parameters()))
    x, y = torch.rand(b, t, 1), torch.randint(0, 10, (b,))

    def step():
        opt.zero_grad()
        out, _ = gru(x)
        torch.nn.functional.cross_entropy(head(out[:, -1]), y).backward()
        opt.step()

    return step, 2 * b * n * 3 * n * t


def training_step(case, variant, setting):
    """`(step, forward_flops)`: a function running one training step of the variant."""
    if variant == "torch":
        return _torch_gru(setting)
    import keras

    keras.utils.set_random_seed(0)
    model, x, y, loss, flops = _model(case, variant, setting)
    if loss == "sce":
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer="adam", loss=loss, jit_compile=setting.jit_compile)

    def step():
        if variant == "compiled":
            os.environ["KERAS_SYMMETRY_TORCH_COMPILE"] = "1"
        try:
            model.train_on_batch(x, y)
        finally:
            os.environ.pop("KERAS_SYMMETRY_TORCH_COMPILE", None)

    return step, flops


def matmul_step(size=2048):
    """A float32 matmul through the active backend, and its FLOPs."""
    import keras

    a = keras.random.normal((size, size))
    return (lambda: keras.ops.convert_to_numpy(keras.ops.matmul(a, a))), 2 * size**3


def time_interleaved(case, variants, repeats, warmup, setting):
    """Median step time of every variant, timed in interleaved rounds, plus the matmul peak."""
    steps = {variant: training_step(case, variant, setting) for variant in variants}
    steps["matmul"] = matmul_step()
    times = {name: [] for name in steps}
    for round_ in range(warmup + repeats):
        for name, (step, _) in steps.items():
            start = time.perf_counter()
            step()
            if round_ >= warmup:
                times[name].append(time.perf_counter() - start)
    peak = steps["matmul"][1] / min(times.pop("matmul")) / 1e9
    return {name: {"step_s": statistics.median(t), "train_gflop": 3 * steps[name][1] / 1e9} for name, t in times.items()}, peak


def _resident_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_memory(case, variant, setting):
    """Run in a subprocess: peak resident memory (MB) during the first training step, above the memory before it.

    Sampled every millisecond from /proc/self/statm. The first step is the one that
    allocates (JAX and TensorFlow keep their buffers afterwards), so it includes
    the compilation of the step on those backends.
    """
    step, _ = training_step(case, variant, setting)
    base, peak, running = _resident_mb(), [0.0], [True]

    def sample():
        while running[0]:
            peak[0] = max(peak[0], _resident_mb())
            time.sleep(0.001)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        step()
    finally:
        running[0] = False
        sampler.join()
    return max(peak[0] - base, 0.0)


def _memory_in_subprocess(case, variant, setting):
    cmd = [sys.executable, __file__, "--memory", case, variant, "--jit-compile", str(setting.jit_compile)]
    if setting.time_steps:
        cmd += ["--time-steps", str(setting.time_steps)]
    if setting.batch:
        cmd += ["--batch", str(setting.batch)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    if proc.returncode:
        raise RuntimeError(f"{case}/{variant} failed:\n{proc.stderr[-3000:]}")
    return float(proc.stdout.strip().splitlines()[-1])


def variants_for(case, backend, args):
    if case == "kuramoto":
        return ["fast"]
    variants = ["fast"]
    if backend == "torch":
        variants.append("compiled")
    if not args.skip_plain:
        variants.append("plain")
    if case in ("u1gru", "u1rnn", "okrnn") and not args.skip_keras:
        variants.append("keras")
    if case == "u1gru" and backend == "torch":
        variants.append("torch")
    return variants


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated subset of {', '.join(CASES)}")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds (the median is reported)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (compilation)")
    parser.add_argument("--time-steps", type=int, default=None, help="override the sequence length (default: the paper's)")
    parser.add_argument("--batch", type=int, default=None, help="override the batch size (default: the case's)")
    parser.add_argument(
        "--jit-compile",
        default="auto",
        choices=["auto", "True", "False"],
        help="Keras' jit_compile for every Keras model (auto: XLA on jax, and on tensorflow only with a GPU)",
    )
    parser.add_argument("--skip-plain", action="store_true", help="do not time the straightforward keras.layers.RNN(cell)")
    parser.add_argument("--skip-keras", action="store_true", help="do not time Keras' own layers (slow on torch)")
    parser.add_argument("--skip-memory", action="store_true", help="do not measure peak memory")
    parser.add_argument("--json", default=None, help="also write the results to this file")
    parser.add_argument("--memory", nargs=2, metavar=("CASE", "VARIANT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    setting = Setting(args.time_steps, args.batch, {"True": True, "False": False}.get(args.jit_compile, "auto"))
    if args.memory:
        print(peak_memory(*args.memory, setting))
        return
    import keras

    backend = keras.backend.backend()
    print(f"backend {backend}, keras {keras.__version__}, {os.cpu_count()} CPUs; overrides: {setting}")
    print(f"{'case':10s} {'variant':26s} {'step s':>8s} {'GFLOP/s':>8s} {'% peak':>7s} {'peak MB':>8s}  ratio")
    results = {"backend": backend, "keras": keras.__version__, "setting": setting._asdict(), "cases": {}}
    for case in args.cases.split(","):
        variants = variants_for(case, backend, args)
        rows, peak = time_interleaved(case, variants, args.repeats, args.warmup, setting)
        for variant, row in rows.items():
            row["peak_mb"] = None if args.skip_memory else _memory_in_subprocess(case, variant, setting)
        results["cases"][case] = {"matmul_peak_gflops": peak, "variants": rows}
        fast = rows["fast"]["step_s"]
        print(f"{case:10s} {CASES[case]}; float32 matmul peak in these rounds {peak:.0f} GFLOP/s")
        for variant, row in rows.items():
            gflops = row["train_gflop"] / row["step_s"]
            ratio = "" if variant == "fast" else f"layer/this = {fast / row['step_s']:.2f}"
            memory = "—" if row["peak_mb"] is None else f"{row['peak_mb']:.0f}"
            print(f"{'':10s} {LABELS[variant]:26s} {row['step_s']:8.3f} {gflops:8.1f} {100 * gflops / peak:6.1f}% {memory:>8s}  {ratio}")
        if case == "kuramoto":
            print(f"{'':10s} {'throughput':26s} {(setting.batch or 32) / fast:8.2f} images/s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
