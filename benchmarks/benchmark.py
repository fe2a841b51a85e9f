"""Training-step speed and peak memory of the equivariant layers, against a plain floor and Keras' own layers.

    KERAS_BACKEND=jax python benchmarks/benchmark.py                  # every case, table to stdout
    KERAS_BACKEND=torch python benchmarks/benchmark.py --cases u1gru --repeats 3 --json out.json
    KERAS_BACKEND=tensorflow python benchmarks/benchmark.py --cases u1gru --jit-compile True --batch 512
    python benchmarks/benchmark.py --summary bench_*.json             # best setting of each side, ratio

For each case several models are timed: the package's layer, the same cell in a
plain `keras.layers.RNN` (the straightforward version), a Keras layer of equal
real width where one exists (`GRU(128)` for 64 complex capsules), and the
*floor*: the plain tanh RNN with the same recurrent matmul shape,
`h = tanh(h W + x U)` (width `2N` for U(1) capsules; width `N` over `batch*k`
rows for O(k), where `A (x) I_k` is that matmul), or the plain convolutional RNN
of the same grid, channels and kernel for the convolutional cores. The floor
runs as `keras.layers.SimpleRNN` (or a plain convolution cell in
`keras.layers.RNN`) on every backend, and also written natively where that is
faster: a `lax.scan` on jax, `torch.nn.RNN` on torch; on tensorflow it is
also compiled with the other `jit_compile` setting than the run's (XLA on a CPU
speeds some loops up and slows others down). The ratio `layer / floor` is
printed against the fastest floor of the run. On the torch backend the
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

Compile settings are one per run (`--jit-compile`), so the issue's comparison
"each side on its best backend and setting" takes several runs, e.g. jax,
tensorflow with and without XLA, torch; `--summary` reads their JSON files and
prints, per case, the fastest layer run beside the fastest floor run and their
ratio (ratios across runs carry the machine's drift; within a run they do not).
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
    "u1gru": "psMNIST shape: B=128, T=784, 1 feature; U1GRU(64) vs GRU(128); floor: tanh RNN width 128, B=128",
    "u1rnn": "psMNIST shape: B=128, T=784, 1 feature; U1SimpleRNN(64); floor: tanh RNN width 128, B=128",
    "okrnn": "psMNIST shape: B=128, T=784, 1 feature; OkSimpleRNN(128, k=8) (o8-rnn-psmnist); "
    "floor: tanh RNN width 128, B=1024",
    "u1rnncopy": "copy, T_max=25: B=128, T=46, 10 features, every step read out; U1SimpleRNN(32) (u1-rnn-copy); "
    "floor: width 64",
    "u1grucopy": "copy, T_max=100: B=128, T=121, 10 features, every step read out; U1GRU(32) (u1-gru-copy); "
    "floor: width 64",
    "u1convrnn": "copy, fixed delay 100: B=32, T=121, 10 features; U1ConvRNN2D(16, (20, 20)); "
    "floor: 3x3 conv RNN, 32 channels",
    "kuramoto": "shapes: B=32, 64x64, N=16, kernel 5, T=30; KuramotoConv2D; "
    "floor: 30 steps of a 5x5 conv, 16 channels, tanh",
}
Setting = collections.namedtuple("Setting", ["time_steps", "batch", "jit_compile"])
Setting.__doc__ = "Overrides of a case's sequence length and batch (None: the case's own), and Keras' `jit_compile`."

Shape = collections.namedtuple("Shape", ["batch", "time_steps", "features", "sequences", "width", "floor_batch"])
Shape.__doc__ = """A recurrent case: batch, time, input features, whether every step is read out, and the floor's
width and batch (the layer's recurrent matmul is `(floor_batch, width) x (width, width)`)."""

LABELS = {
    "fast": "keras_symmetry layer",
    "compiled": "layer, torch.compile step",
    "plain": "keras.layers.RNN(cell)",
    "keras": "Keras layer, same width",
    "torch": "torch.nn.GRU(128)",
    "floor": "floor, Keras",
    "floor_native": "floor, native",
    "floor_other": "floor, Keras, other jit",
}
FLOORS = ("floor", "floor_native", "floor_other")


def recurrent_shape(case, setting):
    """The `Shape` of a recurrent case (psMNIST or copy), with the overrides of `setting`."""
    b, t, features, sequences, width, k = {
        "u1gru": (128, 784, 1, False, 128, 1),
        "u1rnn": (128, 784, 1, False, 128, 1),
        "okrnn": (128, 784, 1, False, 128, 8),
        "u1rnncopy": (128, 46, 10, True, 64, 1),
        "u1grucopy": (128, 121, 10, True, 64, 1),
    }[case]
    b, t = setting.batch or b, setting.time_steps or t
    return Shape(b, t, features, sequences, width, b * k)


def _recurrent_data(shape, batch, rng):
    if shape.features == 1:
        x = rng.uniform(size=(batch, shape.time_steps, 1)).astype("float32")
    else:
        x = np.eye(shape.features, dtype="float32")[rng.integers(0, shape.features, size=(batch, shape.time_steps))]
    y = rng.integers(0, 10, size=(batch, shape.time_steps) if shape.sequences else batch)
    return x, y


def _conv_rnn_cell(channels, grid, kernel_size):
    """The plain convolutional RNN cell, `h = tanh(conv(h) + E x)` on a flat `(batch, H*W*channels)` state."""
    import keras
    from keras import ops

    class PlainConvRNNCell(keras.layers.Layer):
        state_size = output_size = grid[0] * grid[1] * channels

        def build(self, input_shape):
            self.embedding = self.add_weight(shape=(input_shape[-1], self.state_size), name="embedding")
            self.kernel = self.add_weight(shape=(kernel_size, kernel_size, channels, channels), name="kernel")

        def call(self, inputs, states):
            grid_h = ops.reshape(states[0], (-1, *grid, channels))
            h = ops.tanh(
                ops.reshape(ops.conv(grid_h, self.kernel, padding="same"), (-1, self.state_size))
                + ops.matmul(inputs, self.embedding)
            )
            return h, [h]

    return PlainConvRNNCell()


def _conv_iteration(steps, kernel_size, channels):
    """The Kuramoto floor: `steps` steps of `h = tanh(conv(h) + x)` on the grid, the same Python loop."""
    import keras
    from keras import ops

    class PlainConvIteration(keras.layers.Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(kernel_size, kernel_size, channels, channels), name="kernel")

        def call(self, x):
            h = x
            for _ in range(steps):
                h = ops.tanh(ops.conv(h, self.kernel, padding="same") + x)
            return h

    return PlainConvIteration()


def _model(case, variant, setting):
    """`(model, x, y, loss, forward_flops)` of one case and variant."""
    import keras

    import keras_symmetry as ks

    rng = np.random.default_rng(0)
    if case == "kuramoto":
        b, side, n, k, steps = setting.batch or 32, 64, 16, 5, 30
        layer = (
            ks.layers.KuramotoConv2D(kernel_size=k, steps=steps) if variant == "fast" else _conv_iteration(steps, k, n)
        )
        model = keras.Sequential(
            [keras.Input((side, side, 1)), keras.layers.Dense(n, use_bias=False), layer, keras.layers.Dense(1)]
        )
        x = rng.choice([-0.5, 0.5], size=(b, side, side, 1)).astype("float32")
        return model, x, -x, "mse", 2 * b * side * side * k * k * n * n * steps
    if case == "u1convrnn":
        b, t, c, grid = setting.batch or 32, setting.time_steps or 121, 16, (20, 20)
        cell = ks.layers.U1ConvRNN2DCell(c, grid)
        core = {
            "fast": lambda: ks.layers.U1ConvRNN2D(c, grid),
            "compiled": lambda: ks.layers.U1ConvRNN2D(c, grid),
            "plain": lambda: keras.layers.RNN(cell),
            "floor": lambda: keras.layers.RNN(_conv_rnn_cell(2 * c, grid, 3)),
            "floor_other": lambda: keras.layers.RNN(_conv_rnn_cell(2 * c, grid, 3)),
        }[variant]()
        model = keras.Sequential([keras.Input((t, 10)), core, keras.layers.Flatten(), keras.layers.Dense(10)])
        x = np.eye(10, dtype="float32")[rng.integers(0, 10, size=(b, t))]
        flops = 2 * b * grid[0] * grid[1] * 9 * (2 * c) ** 2 * t
        return model, x, rng.integers(0, 10, size=b), "sce", flops
    shape = recurrent_shape(case, setting)
    b, t, w = shape.batch, shape.time_steps, shape.width
    seq = {"return_sequences": shape.sequences}
    if variant in ("floor", "floor_other"):
        x, y = _recurrent_data(shape, shape.floor_batch, rng)
        model = keras.Sequential(
            [keras.Input((t, shape.features)), keras.layers.SimpleRNN(w, **seq), keras.layers.Dense(10)]
        )
        return model, x, y, "sce", 2 * shape.floor_batch * w * w * t
    x, y = _recurrent_data(shape, b, rng)
    if case in ("u1gru", "u1grucopy"):
        n = w // 2
        fast, cell, baseline = ks.layers.U1GRU(n, **seq), ks.layers.U1GRUCell(n), keras.layers.GRU(w, **seq)
        flops = (2 * b * w**2 + 2 * b * n * w) * t  # complex candidate + gates from |h|
        keras_flops = 2 * b * w * 3 * w * t
    elif case in ("u1rnn", "u1rnncopy"):
        n = w // 2
        fast, cell, baseline = ks.layers.U1SimpleRNN(n, **seq), ks.layers.U1SimpleRNNCell(n), None
        flops = keras_flops = 2 * b * w**2 * t
    elif case == "okrnn":
        k = shape.floor_batch // b
        fast, cell, baseline = ks.layers.OkSimpleRNN(w, k, **seq), ks.layers.OkSimpleRNNCell(w, k), None
        flops = keras_flops = 2 * b * k * w * w * t
    else:
        raise ValueError(f"unknown case {case!r}")
    core = {"fast": fast, "compiled": fast, "plain": keras.layers.RNN(cell, **seq), "keras": baseline}[variant]
    model = keras.Sequential([keras.Input((t, shape.features)), core, keras.layers.Dense(10)])
    return model, x, y, "sce", keras_flops if variant == "keras" else flops


def _jax_floor(shape):
    """The floor written directly in JAX: a jitted Adam step of `lax.scan` over `h = tanh(h W + x U)`, readout `V`."""
    import jax
    import jax.numpy as jnp

    b, t, w = shape.floor_batch, shape.time_steps, shape.width
    rng = np.random.default_rng(0)
    x, y = _recurrent_data(shape, b, rng)
    xs, ys = jnp.asarray(np.swapaxes(x, 0, 1)), jnp.asarray(y.T if shape.sequences else y)
    params = tuple(
        jnp.asarray(rng.normal(size=s, scale=0.1).astype("float32")) for s in ((w, w), (shape.features, w), (w, 10))
    )

    def loss(p):
        recurrent, read_in, head = p

        def body(h, x_t):
            h = jnp.tanh(h @ recurrent + x_t @ read_in)
            return h, (h if shape.sequences else None)

        last, hs = jax.lax.scan(body, jnp.zeros((b, w)), xs)
        logits = (hs if shape.sequences else last) @ head
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), ys[..., None], axis=-1))

    @jax.jit
    def update(p, m, v):
        g = jax.grad(loss)(p)
        m = jax.tree.map(lambda a, d: 0.9 * a + 0.1 * d, m, g)
        v = jax.tree.map(lambda a, d: 0.999 * a + 0.001 * d * d, v, g)
        return jax.tree.map(lambda a, mm, vv: a - 1e-3 * mm / (jnp.sqrt(vv) + 1e-7), p, m, v), m, v

    state = [params, *(jax.tree.map(jnp.zeros_like, params),) * 2]

    def step():
        state[:] = update(*state)
        jax.block_until_ready(state[0])

    return step, 2 * b * w * w * t


def _torch_rnn(shape):
    """The floor in torch: `torch.nn.RNN` (tanh) and a linear readout, Adam."""
    import torch

    b, t, w = shape.floor_batch, shape.time_steps, shape.width
    torch.manual_seed(0)
    x, y = (torch.as_tensor(a) for a in _recurrent_data(shape, b, np.random.default_rng(0)))
    rnn, head = torch.nn.RNN(shape.features, w, batch_first=True), torch.nn.Linear(w, 10)
    opt = torch.optim.Adam(list(rnn.parameters()) + list(head.parameters()))

    def step():
        opt.zero_grad()
        out, _ = rnn(x)
        logits = head(out) if shape.sequences else head(out[:, -1])
        torch.nn.functional.cross_entropy(logits.reshape(-1, 10), y.reshape(-1)).backward()
        opt.step()

    return step, 2 * b * w * w * t


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
    if variant == "floor_native":
        import keras

        native = {"jax": _jax_floor, "torch": _torch_rnn}[keras.backend.backend()]
        return native(recurrent_shape(case, setting))
    import keras

    keras.utils.set_random_seed(0)
    model, x, y, loss, flops = _model(case, variant, setting)
    if loss == "sce":
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    jit_compile = setting.jit_compile
    if variant == "floor_other":  # TensorFlow: the floor under the other compile setting, in the same process
        jit_compile = jit_compile is not True
    model.compile(optimizer="adam", loss=loss, jit_compile=jit_compile)

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
    return {
        name: {"step_s": statistics.median(t), "train_gflop": 3 * steps[name][1] / 1e9} for name, t in times.items()
    }, peak


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
    variants = ["fast"]
    if backend == "torch" and case != "kuramoto":
        variants.append("compiled")
    if not args.skip_plain and case != "kuramoto":
        variants.append("plain")
    if case in ("u1gru", "u1grucopy") and not args.skip_keras:
        variants.append("keras")
    if case == "u1gru" and backend == "torch":
        variants.append("torch")
    if args.skip_floor:
        return variants
    native = case in CASES_NATIVE_FLOOR and backend in ("jax", "torch")
    # On torch Keras' SimpleRNN is an eager Python loop, skipped with Keras' other layers; torch.nn.RNN is the floor.
    if not (native and backend == "torch" and args.skip_keras):
        variants.append("floor")
    if native:
        variants.append("floor_native")
    if backend == "tensorflow" and not args.skip_other_jit:
        variants.append("floor_other")
    return variants


CASES_NATIVE_FLOOR = ("u1gru", "u1rnn", "okrnn", "u1rnncopy", "u1grucopy")


def summarize(paths):
    """Per case: the fastest layer run and the fastest floor run among the JSON files, and their ratio."""
    best = collections.defaultdict(dict)
    for path in paths:
        with open(path) as f:
            run = json.load(f)
        for case, result in run["cases"].items():
            for variant, row in result["variants"].items():
                jit = run["setting"]["jit_compile"]
                jit = (jit is not True) if variant == "floor_other" else jit
                side = "floor" if variant in FLOORS else "layer" if variant in ("fast", "compiled") else None
                if side and row["step_s"] < best[case].get(side, (float("inf"),))[0]:
                    best[case][side] = (row["step_s"], f"{run['backend']}, jit_compile={jit}, {LABELS[variant]}")
    print(f"{'case':10s} {'layer s':>8s} {'floor s':>8s} {'ratio':>6s}  layer run | floor run")
    rows = {}
    for case, sides in best.items():
        if "layer" not in sides or "floor" not in sides:
            continue
        (layer, layer_where), (floor, floor_where) = sides["layer"], sides["floor"]
        rows[case] = {
            "layer_s": layer,
            "layer_run": layer_where,
            "floor_s": floor,
            "floor_run": floor_where,
            "ratio": layer / floor,
        }
        print(f"{case:10s} {layer:8.3f} {floor:8.3f} {layer / floor:6.2f}  {layer_where} | {floor_where}")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated subset of {', '.join(CASES)}")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds (the median is reported)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (compilation)")
    parser.add_argument(
        "--time-steps", type=int, default=None, help="override the sequence length (default: the paper's)"
    )
    parser.add_argument("--batch", type=int, default=None, help="override the batch size (default: the case's)")
    parser.add_argument(
        "--jit-compile",
        default="auto",
        choices=["auto", "True", "False"],
        help="Keras' jit_compile for every Keras model (auto: XLA on jax, and on tensorflow only with a GPU)",
    )
    parser.add_argument(
        "--skip-plain", action="store_true", help="do not time the straightforward keras.layers.RNN(cell)"
    )
    parser.add_argument("--skip-keras", action="store_true", help="do not time Keras' own layers (slow on torch)")
    parser.add_argument("--skip-floor", action="store_true", help="do not time the plain-RNN / plain-convolution floor")
    parser.add_argument(
        "--skip-other-jit",
        action="store_true",
        help="tensorflow: do not time the floor under the other jit_compile too "
        "(XLA's convolution loops take ~50 s a step)",
    )
    parser.add_argument("--skip-memory", action="store_true", help="do not measure peak memory")
    parser.add_argument("--summary", nargs="+", metavar="JSON", help="only compare the runs in these --json files")
    parser.add_argument("--json", default=None, help="also write the results to this file")
    parser.add_argument("--memory", nargs=2, metavar=("CASE", "VARIANT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    setting = Setting(args.time_steps, args.batch, {"True": True, "False": False}.get(args.jit_compile, "auto"))
    if args.summary:
        summarize(args.summary)
        return
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
        floors = [rows[v]["step_s"] for v in FLOORS if v in rows]
        if floors:
            results["cases"][case]["layer_over_floor"] = fast / min(floors)
        print(f"{case:10s} {CASES[case]}; float32 matmul peak in these rounds {peak:.0f} GFLOP/s")
        for variant, row in rows.items():
            gflops = row["train_gflop"] / row["step_s"]
            ratio = "" if variant == "fast" else f"layer/this = {fast / row['step_s']:.2f}"
            memory = "—" if row["peak_mb"] is None else f"{row['peak_mb']:.0f}"
            print(
                f"{'':10s} {LABELS[variant]:26s} {row['step_s']:8.3f} {gflops:8.1f} "
                f"{100 * gflops / peak:6.1f}% {memory:>8s}  {ratio}"
            )
        if floors:
            print(f"{'':10s} {'layer / fastest floor':26s} {fast / min(floors):8.2f}")
        if case == "kuramoto":
            print(f"{'':10s} {'throughput':26s} {(setting.batch or 32) / fast:8.2f} images/s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
