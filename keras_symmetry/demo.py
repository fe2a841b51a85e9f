"""`keras-symmetry demo`: zoo checkpoints doing their tasks, offline, in about a minute on a CPU.

Each part loads a zoo model by name (every file checked against its sha256),
runs it on fresh task data the package generates (copy task, shapes), or on
MNIST test digits where a copy is at hand, and prints the model's name, its
recorded test metric beside what an input-ignoring answer scores and the
paper's number, the equivariance error of its core measured now, and what it
answers. The zoo's checkpoints were trained on a 2-core CPU, some to their
paper's number and some not yet: the numbers say how each compares with the
paper, nothing here claims more.

```python
from keras_symmetry import demo
demo.copy_task()                      # u1-rnn-copy: a fresh sequence, target beside the model's answer
demo.shapes_task("/tmp/demo")         # z2-kuramoto-shapes: input | target | output written as PNG
demo.psmnist_task("mnist.npz")        # u1-gru-psmnist on MNIST test digits
```
"""

import os
import pathlib
import tempfile

import numpy as np

from keras_symmetry import checks, hub
from keras_symmetry.backend_choice import keras_json_path
from keras_symmetry.tasks import copy, data, images, shapes

COPY_MODEL, SHAPES_MODEL, PSMNIST_MODEL = "u1-rnn-copy", "z2-kuramoto-shapes", "u1-gru-psmnist"
COPY_SEQUENCES, DIGITS = 50, 12
DEMO_STREAM = 31_415
"""Fresh data: the demo draws from `np.random.default_rng([DEMO_STREAM, seed])`, a stream no training,
validation or test set of the recipes uses (theirs start with the run's seed, 5,000 above it, or 10,000)."""
DEFAULT_OUT = pathlib.Path(tempfile.gettempdir()) / "keras-symmetry-demo"


def _load(name):
    return hub.load_with_metadata(name)


def _rng(seed):
    return np.random.default_rng([DEMO_STREAM, seed])


def _value(value):
    return f"{value:.3g}" if abs(value) < 1e-2 else f"{value:.4f}"


def _recorded(metadata):
    """The preset's recorded test metrics, `name value, ...`."""
    return ", ".join(f"{key} {_value(value)}" for key, value in sorted(metadata.get("metrics", {}).items()))


def _describe(model, metadata):
    """The lines every part starts with: name, description, recorded metric and scale, live core equivariance."""
    lines = [
        f"  model     {metadata['name']}: {metadata.get('description', '')} ({metadata['parameters']:,} parameters)"
    ]
    recorded = _recorded(metadata) or "none"
    scale = []
    paper = metadata.get("paper")
    if paper:
        scale.append(f"paper {_value(paper['value'])}, {paper['source']}")
    reference = metadata.get("reference")
    if reference:
        scale.append(f"{reference['what']}: {_value(reference['value'])}")
    lines.append(f"  recorded  {recorded}" + (f"  ({'; '.join(scale)})" if scale else ""))
    recipe = (metadata.get("recipe") or {}).get("command")
    if recipe:
        lines.append(f"  trained   by `{recipe}` (`keras-symmetry info {metadata['name']}` has the budget)")
    eq = checks.core_equivariance(model)
    if eq:
        group = eq["group"] if eq["group"].startswith("Z") else f"{eq['group'][0]}({eq['group'][1:]})"  # U1 -> U(1)
        lines.append(
            f"  core      {group}-equivariant to {eq['error']:.1e} (max error over random group elements, measured now)"
        )
    return lines


def copy_task(seed=1, sequences=COPY_SEQUENCES, name=COPY_MODEL):
    """Lines showing `name` on one fresh copy-task sequence (target beside answer) and its recall on
    `sequences` more."""
    model, metadata = _load(name)
    t_max = metadata["task"]["t_max"]
    lines = [
        f"copy task (Iqbal et al. 2026, D.2.4): read 10 tokens, wait T <= {t_max} blanks, repeat them after 'go'",
        *_describe(model, metadata),
    ]
    x, y = copy.make_batch(sequences, t_max, _rng(seed), fixed_delay=metadata["task"].get("fixed_delay"))
    answer = np.asarray(model.predict_on_batch(x)).argmax(-1)
    recall = y != copy.BLANK
    right = (answer == y)[recall].reshape(sequences, copy.MEMORY)
    go = int(x[0].argmax(-1).tolist().index(copy.GO))
    show = lambda tokens: " ".join(str(int(t)) for t in tokens)  # noqa: E731
    lines += [
        f"  a fresh sequence (seed {seed}), delay {go - copy.MEMORY}:",
        f"    target  {show(y[0][recall[0]])}",
        f"    answer  {show(answer[0][recall[0]])}   ({int(right[0].sum())} of {copy.MEMORY} right; "
        "the model's answers at the recall steps, argmax of its logits)",
        f"  {sequences} fresh sequences: {right.mean():.0%} of the recalled tokens right, "
        f"{right.all(axis=1).mean():.0%} of the sequences entirely (guessing: 12.5%)",
    ]
    return lines


def shapes_task(out=DEFAULT_OUT, seed=1, name=SHAPES_MODEL):
    """Lines showing `name` on a fresh shapes pair (the first from `seed` on holding all three kinds);
    writes `out/shapes.png` (input | target | output)."""
    from keras_symmetry.training import curves

    model, metadata = _load(name)
    size = metadata["task"].get("size", 64)
    lines = [
        "shapes (Iqbal & Welling 2025, §2.2): turn every circle into a square, square into triangle, "
        "triangle into circle",
        *_describe(model, metadata),
    ]
    for pair_seed in range(seed, seed + 100):  # the first pair from `seed` on that shows all three kinds
        x, y, layout = shapes.make_pair(_rng(pair_seed), size=size, filled=metadata["task"].get("filled", False))
        if len({kind for kind, *_ in layout}) == len(shapes.KINDS):
            break
    output = np.asarray(model.predict_on_batch(x[None, ..., None]))[0, ..., 0]
    rmse = float(np.sqrt(np.mean((output - y) ** 2)))
    background = float(np.sqrt(np.mean((shapes.OFF - y) ** 2)))
    plt = curves.pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.4))
    for ax, image, title in zip(axes, (x, y, output), ("input", "target", "model output")):
        ax.imshow(image, cmap="gray", vmin=shapes.OFF, vmax=shapes.ON)
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    fig.suptitle(
        f"{metadata['name']} (recorded {_recorded(metadata)}); this pair: RMSE {rmse:.4f}, "
        f"background everywhere {background:.4f}",
        fontsize=9,
    )
    fig.tight_layout()
    pathlib.Path(out).mkdir(parents=True, exist_ok=True)
    path = curves.save(fig, pathlib.Path(out) / "shapes.png")
    kinds = ", ".join(kind for kind, *_ in layout)
    lines += [
        f"  a fresh {size}x{size} pair (seed {pair_seed}: {kinds}): RMSE {rmse:.4f} "
        f"(background everywhere: {background:.4f})",
        f"  picture   {path}  (input | target | model output)",
    ]
    return lines


def mnist_file(path=None):
    """An offline MNIST copy: `path`, else `$KERAS_SYMMETRY_DATA/mnist.npz`, else Keras' download cache;
    `None` if none is there."""
    candidates = (
        [path]
        if path
        else [
            os.environ.get(data.ENV_VAR) and pathlib.Path(os.environ[data.ENV_VAR]) / "mnist.npz",
            keras_json_path().parent / "datasets" / "mnist.npz",
        ]
    )
    return next((pathlib.Path(c) for c in candidates if c and pathlib.Path(c).is_file()), None)


def psmnist_task(path=None, digits=DIGITS, name=PSMNIST_MODEL):
    """Lines showing `name` on the first `digits` MNIST test digits, or saying how to enable it."""
    found = mnist_file(path)
    header = (
        "permuted sequential MNIST (Iqbal et al. 2026, D.2.4): read 784 pixels one at a time in a fixed random order, "
        "name the digit"
    )
    if found is None:
        return [
            header,
            f"  skipped: no MNIST copy offline. Give --data PATH/mnist.npz, set {data.ENV_VAR} to its folder, or "
            'download it once (python -c "import keras; keras.datasets.mnist.load_data()").',
        ]
    try:
        x, y = images.splits("mnist", found)["test"]
    except (OSError, ValueError) as err:  # a broken copy: say so, and go on with the rest of the demo
        return [header, f"  skipped: {err}"]
    model, metadata = _load(name)
    answer = np.asarray(model.predict_on_batch(x[:digits].reshape(-1, 28, 28))).argmax(-1)
    right = int((answer == y[:digits]).sum())
    return [
        header,
        *_describe(model, metadata),
        f"  the first {digits} test digits of {found}:",
        f"    digit   {' '.join(str(int(v)) for v in y[:digits])}",
        f"    answer  {' '.join(str(int(v)) for v in answer)}   ({right} of {digits} right)",
    ]
