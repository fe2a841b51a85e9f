"""Training-step speed and peak memory of the equivariant layers against Keras' own and torch's.

    KERAS_BACKEND=jax python recipes/benchmark.py                  # every case, table to stdout
    KERAS_BACKEND=torch python recipes/benchmark.py --cases u1gru --repeats 3 --json out.json

For each case three models are timed, each in its own subprocess (so that peak
memory is that model's alone): the package's layer, the same cell in a plain
`keras.layers.RNN` (the straightforward version), and a Keras layer of equal
real width (`GRU(128)` for 64 complex capsules). On the torch backend the
layer is also timed with `KERAS_SYMMETRY_TORCH_COMPILE=1` (its step compiled
by `torch.compile`), and the U(1) GRU is compared with `torch.nn.GRU(128)`. A training step is one
`train_on_batch` (Adam); the time is the median of `--repeats` steps after
`--warmup` steps. GFLOP/s counts the matmul/convolution work of forward and
backward (3x the forward FLOPs) against the machine's measured float32 matmul peak.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

CASES = {
    # name: (shape description, batch, time, features)
    "u1gru": "psMNIST shape: B=128, T=784, 1 feature; U1GRU(64) vs GRU(128)",
    "u1rnn": "psMNIST shape: B=128, T=784, 1 feature; U1SimpleRNN(64) vs SimpleRNN(128)",
    "okrnn": "psMNIST shape: B=128, T=784, 1 feature; OkSimpleRNN(16, k=8) vs SimpleRNN(128)",
    "u1convrnn": "copy, fixed delay 100: B=32, T=121, 10 features; U1ConvRNN2D(16, (20, 20)) vs its straightforward version",
    "kuramoto": "shapes: B=32, 64x64, N=16, kernel 5, T=30; KuramotoConv2D",
}


def _model(case, variant, time_steps):
    """`(model, x, y, loss, forward_flops)` of one case and variant ('fast', 'plain', 'keras')."""
    import keras

    import keras_symmetry as ks

    rng = np.random.default_rng(0)
    if case == "kuramoto":
        b, side, n, k, steps = 32, 64, 16, 5, 30
        layer = ks.layers.KuramotoConv2D(kernel_size=k, steps=steps)
        model = keras.Sequential(
            [keras.Input((side, side, 1)), keras.layers.Dense(n, use_bias=False), layer, keras.layers.Dense(1)]
        )
        x = rng.choice([-0.5, 0.5], size=(b, side, side, 1)).astype("float32")
        return model, x, -x, "mse", 2 * b * side * side * k * k * n * n * steps
    if case == "u1convrnn":
        b, t, c, grid = 32, time_steps or 121, 16, (20, 20)
        cell = ks.layers.U1ConvRNN2DCell(c, grid)
        core = ks.layers.U1ConvRNN2D(c, grid) if variant in ("fast", "compiled") else keras.layers.RNN(cell)
        model = keras.Sequential([keras.Input((t, 10)), core, keras.layers.Flatten(), keras.layers.Dense(10)])
        x = np.eye(10, dtype="float32")[rng.integers(0, 10, size=(b, t))]
        flops = 2 * b * grid[0] * grid[1] * 9 * (2 * c) ** 2 * t
        return model, x, rng.integers(0, 10, size=b), "sce", flops
    b, t, n = 128, time_steps or 784, 64
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


def _torch_gru(time_steps):
    import torch

    b, t, n = 128, time_steps or 784, 128
    torch.manual_seed(0)
    gru, head = torch.nn.GRU(1, n, batch_first=True), torch.nn.Linear(n, 10)
    params = list(gru.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params)
    x, y = torch.rand(b, t, 1), torch.randint(0, 10, (b,))

    def step():
        opt.zero_grad()
        out, _ = gru(x)
        loss = torch.nn.functional.cross_entropy(head(out[:, -1]), y)
        loss.backward()
        opt.step()

    return step, 2 * b * n * 3 * n * t


def measure_one(case, variant, repeats, warmup, time_steps):
    """Run in a subprocess: time one model's training step; report peak RSS above the import baseline."""
    if variant == "torch":
        step, flops = _torch_gru(time_steps)
    else:
        import keras

        keras.utils.set_random_seed(0)
        model, x, y, loss, flops = _model(case, variant, time_steps)
        if loss == "sce":
            loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        model.compile(optimizer="adam", loss=loss)

        def step():
            model.train_on_batch(x, y)

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times = []
    for i in range(warmup + repeats):
        start = time.perf_counter()
        step()
        if i >= warmup:
            times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"step_s": statistics.median(times), "train_gflop": 3 * flops / 1e9, "peak_mb": max(peak - base, 0) / 1024}


def matmul_peak(size=2048, repeats=5):
    """Float32 matmul GFLOP/s of this machine through the active backend."""
    import keras

    a = keras.random.normal((size, size))
    keras.ops.convert_to_numpy(keras.ops.matmul(a, a))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        keras.ops.convert_to_numpy(keras.ops.matmul(a, a))
        times.append(time.perf_counter() - start)
    return 2 * size**3 / min(times) / 1e9


def _spawn(case, variant, args):
    cmd = [sys.executable, __file__, "--one", case, variant, "--repeats", str(args.repeats), "--warmup", str(args.warmup)]
    if args.time_steps:
        cmd += ["--time-steps", str(args.time_steps)]
    env = os.environ.copy()
    if variant == "compiled":
        env["KERAS_SYMMETRY_TORCH_COMPILE"] = "1"
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode:
        raise RuntimeError(f"{case}/{variant} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated subset of {', '.join(CASES)}")
    parser.add_argument("--repeats", type=int, default=5, help="timed training steps per model (median reported)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps first (compilation)")
    parser.add_argument("--time-steps", type=int, default=None, help="override the sequence length (default: the paper's)")
    parser.add_argument("--skip-plain", action="store_true", help="do not time the straightforward keras.layers.RNN(cell)")
    parser.add_argument("--skip-keras", action="store_true", help="do not time Keras' own layers (slow on torch)")
    parser.add_argument("--json", default=None, help="also write the results to this file")
    parser.add_argument("--one", nargs=2, metavar=("CASE", "VARIANT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(*args.one, args.repeats, args.warmup, args.time_steps)))
        return
    import keras

    backend = keras.backend.backend()
    peak = matmul_peak()
    print(f"backend {backend}, keras {keras.__version__}, {os.cpu_count()} CPUs, float32 matmul peak {peak:.0f} GFLOP/s")
    print(f"{'case':10s} {'variant':24s} {'step s':>8s} {'GFLOP/s':>8s} {'% peak':>7s} {'peak MB':>8s}  ratio")
    results = {"backend": backend, "keras": keras.__version__, "matmul_peak_gflops": peak, "cases": {}}
    for case in args.cases.split(","):
        variants = ["fast"]
        if backend == "torch" and case != "kuramoto":
            variants.append("compiled")
        if not args.skip_plain:
            variants.append("plain")
        if case in ("u1gru", "u1rnn", "okrnn") and not args.skip_keras:
            variants.append("keras")
        if case == "u1gru" and backend == "torch":
            variants.append("torch")
        if case == "kuramoto":
            variants = ["fast"]
        rows = {variant: _spawn(case, variant, args) for variant in variants}
        results["cases"][case] = rows
        fast = rows["fast"]["step_s"]
        for variant, row in rows.items():
            label = {"fast": "keras_symmetry layer", "compiled": "layer, torch.compile step",
                     "plain": "keras.layers.RNN(cell)", "keras": "Keras layer, same width", "torch": "torch.nn.GRU(128)"}[variant]
            gflops = row["train_gflop"] / row["step_s"]
            ratio = "" if variant == "fast" else f"layer/this = {fast / row['step_s']:.2f}"
            print(f"{case:10s} {label:24s} {row['step_s']:8.3f} {gflops:8.1f} {100 * gflops / peak:6.1f}% {row['peak_mb']:8.0f}  {ratio}")
        if case == "kuramoto":
            print(f"{'':10s} {'':24s} {32 / fast:8.1f} images/s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
