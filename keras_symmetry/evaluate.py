"""Measure a model's metrics on its task's test data: the numbers that go on model cards.

Task specs are plain dicts (stored in a preset's metadata):

* `{"name": "copy", "t_max": 25, "fixed_delay": None, "test_seed": 10000, "test_batches": 100, "test_batch_size": 50}`
  -> `test_cross_entropy` (per step, averaged over time and examples, 001 D.2.5);
* `{"name": "psmnist"}` -> `test_accuracy`, `test_cross_entropy` on the 10,000 MNIST test images
  (images given as `(28, 28)`; the model permutes them itself);
* `{"name": "mnist"}` or `{"name": "fashion_mnist"}` -> the same, images flattened to 784 (the deep MLPs);
* `{"name": "shapes", "size": 64, "test_examples": 1000, "test_seed": 10000}` -> `test_rmse`, the root
  mean squared pixel error over a fixed shapes set from a seed not used in training (000 §2.2).

Image tasks take `"test_limit": n` to score only the first `n` test images (smoke runs).
"""

import numpy as np

from keras_symmetry.tasks import copy, images, shapes

COPY_DEFAULTS = {"fixed_delay": None, "test_seed": 10_000, "test_batches": 100, "test_batch_size": 50}
SHAPES_DEFAULTS = {"size": 64, "max_shapes": None, "filled": False, "test_examples": 1000, "test_seed": 10_000}
IMAGE_SHAPES = {"psmnist": (28, 28), "mnist": (images.PIXELS,), "fashion_mnist": (images.PIXELS,)}
TASKS = ("copy", "shapes", *IMAGE_SHAPES)
PROBE_EXAMPLES, PROBE_VALUES = 2, 64


def _log_softmax(logits):
    logits = np.asarray(logits, dtype="float64")
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _scores(model, batches):
    """Summed negative log-likelihood, correct predictions and count over `(x, y)` batches."""
    nll = correct = count = 0.0
    for x, y in batches:
        logp = _log_softmax(model.predict_on_batch(x))
        y = np.asarray(y)
        nll -= np.take_along_axis(logp, y[..., None], axis=-1).sum()
        correct += (logp.argmax(-1) == y).sum()
        count += y.size
    return nll, correct, count


def _spec(task):
    name = task.get("name")
    if name == "copy":
        return {**COPY_DEFAULTS, **task}
    if name == "shapes":
        return {**SHAPES_DEFAULTS, **task}
    if name in IMAGE_SHAPES:
        return task
    raise ValueError(f"No evaluation for task {name!r}; known: {', '.join(TASKS)}.")


def test_batches(task, data_path=None):
    """The `(x, y)` batches of the test data of `task`, always in the same order."""
    spec = _spec(task)
    if spec["name"] == "copy":
        test = copy.test_set(
            t_max=spec["t_max"],
            batches=spec["test_batches"],
            batch_size=spec["test_batch_size"],
            seed=spec["test_seed"],
            fixed_delay=spec["fixed_delay"],
        )
    elif spec["name"] == "shapes":
        test = shapes.ShapesDataset(
            spec["test_examples"], batch_size=32, size=spec["size"], max_shapes=spec["max_shapes"],
            filled=spec["filled"], seed=spec["test_seed"], shuffle=False,
        )
    else:
        x, y = images.splits("fashion_mnist" if spec["name"] == "fashion_mnist" else "mnist", data_path)["test"]
        limit = spec.get("test_limit")
        x, y = x[:limit].reshape(-1, *IMAGE_SHAPES[spec["name"]]), y[:limit]
        return ((x[i : i + 500], y[i : i + 500]) for i in range(0, len(x), 500))
    return (test[i] for i in range(len(test)))


def _rmse(pairs):
    """Root mean squared error over `(prediction, target)` batches."""
    squared = count = 0.0
    for prediction, y in pairs:
        squared += np.sum((np.asarray(prediction, dtype="float64") - y) ** 2)
        count += y.size
    return float(np.sqrt(squared / count))


def evaluate(model, task, data_path=None):
    """`{metric: value}` of `model` on the test data of `task` (a task spec dict)."""
    batches = test_batches(task, data_path)
    if task["name"] == "shapes":
        return {"test_rmse": _rmse((model.predict_on_batch(x), y) for x, y in batches)}
    nll, correct, count = _scores(model, batches)
    if task["name"] == "copy":
        return {"test_cross_entropy": nll / count}
    return {"test_accuracy": correct / count, "test_cross_entropy": nll / count}


def reference(task, data_path=None):
    """What a model that ignores its input scores on the test data of `task`: the scale for every metric.

    copy: the memoryless baseline (`ks.tasks.copy.baseline_cross_entropy`);
    shapes: predicting background everywhere; image classification: always
    answering the most frequent test class.
    """
    spec = _spec(task)
    if spec["name"] == "copy":
        value = copy.baseline_cross_entropy(spec["fixed_delay"] or spec["t_max"])
        return {"metric": "test_cross_entropy", "value": value,
                "what": "the memoryless baseline (recalls at the right steps, guesses the 8 data tokens)"}
    if spec["name"] == "shapes":
        value = _rmse((np.full_like(y, shapes.OFF), y) for _, y in test_batches(task, data_path))
        return {"metric": "test_rmse", "value": value, "what": "predicting background everywhere"}
    labels = np.concatenate([y for _, y in test_batches(task, data_path)])
    return {"metric": "test_accuracy", "value": float(np.bincount(labels).max() / labels.size),
            "what": "always answering the most frequent test class"}


def probe(model, task, data_path=None, examples=PROBE_EXAMPLES, values=PROBE_VALUES):
    """A fingerprint of `model`'s outputs on the first `examples` test inputs of `task`.

    `values` evenly spaced entries of the flattened outputs and their mean |y|:
    recorded in a preset's metadata, it lets every backend check that it
    computes what the exporting backend computed, in a second instead of a full
    evaluation (`tests/test_zoo.py`, `keras-symmetry eval NAME --probe`).
    """
    x, _ = next(iter(test_batches(task, data_path)))
    y = np.asarray(model.predict_on_batch(x[:examples]), dtype="float64").ravel()
    index = np.linspace(0, y.size - 1, min(values, y.size)).round().astype(int)
    return {"examples": examples, "values": y[index].tolist(), "mean_abs": float(np.abs(y).mean())}


def same_probe(recorded, measured, atol=1e-4, rtol=1e-4):
    """Whether two `probe` fingerprints agree within tolerance."""
    a = np.array([*recorded["values"], recorded["mean_abs"]])
    b = np.array([*measured["values"], measured["mean_abs"]])
    return recorded["examples"] == measured["examples"] and a.shape == b.shape and np.allclose(a, b, atol=atol, rtol=rtol)
