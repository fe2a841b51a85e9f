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


def evaluate(model, task, data_path=None):
    """`{metric: value}` of `model` on the test data of `task` (a task spec dict)."""
    name = task.get("name")
    if name == "copy":
        spec = {**COPY_DEFAULTS, **task}
        test = copy.test_set(
            t_max=spec["t_max"],
            batches=spec["test_batches"],
            batch_size=spec["test_batch_size"],
            seed=spec["test_seed"],
            fixed_delay=spec["fixed_delay"],
        )
        nll, _, count = _scores(model, (test[i] for i in range(len(test))))
        return {"test_cross_entropy": nll / count}
    if name in IMAGE_SHAPES:
        x, y = images.splits("fashion_mnist" if name == "fashion_mnist" else "mnist", data_path)["test"]
        limit = task.get("test_limit")
        x, y = x[:limit].reshape(-1, *IMAGE_SHAPES[name]), y[:limit]
        nll, correct, count = _scores(model, ((x[i : i + 500], y[i : i + 500]) for i in range(0, len(x), 500)))
        return {"test_accuracy": correct / count, "test_cross_entropy": nll / count}
    if name == "shapes":
        spec = {**SHAPES_DEFAULTS, **task}
        test = shapes.ShapesDataset(
            spec["test_examples"], batch_size=32, size=spec["size"], max_shapes=spec["max_shapes"],
            filled=spec["filled"], seed=spec["test_seed"], shuffle=False,
        )
        squared = count = 0.0
        for i in range(len(test)):
            x, y = test[i]
            squared += np.sum((np.asarray(model.predict_on_batch(x), dtype="float64") - y) ** 2)
            count += y.size
        return {"test_rmse": float(np.sqrt(squared / count))}
    raise ValueError(f"No evaluation for task {name!r}; known: {', '.join(TASKS)}.")
