"""Measure a model's metrics on its task's test data: the numbers that go on model cards.

Task specs are plain dicts (stored in a preset's metadata):

* `{"name": "copy", "t_max": 25, "fixed_delay": None, "test_seed": 10000, "test_batches": 100, "test_batch_size": 50}`
  -> `test_cross_entropy` (per step, averaged over time and examples, 001 D.2.5);
* `{"name": "psmnist"}` -> `test_accuracy`, `test_cross_entropy` on the 10,000 MNIST test images.
"""

import numpy as np

from keras_symmetry.tasks import copy, images

COPY_DEFAULTS = {"fixed_delay": None, "test_seed": 10_000, "test_batches": 100, "test_batch_size": 50}


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
    if name == "psmnist":
        x, y = images.splits("mnist", data_path)["test"]
        x = x.reshape(-1, 28, 28)
        nll, correct, count = _scores(model, ((x[i : i + 500], y[i : i + 500]) for i in range(0, len(x), 500)))
        return {"test_accuracy": correct / count, "test_cross_entropy": nll / count}
    raise ValueError(f"No evaluation for task {name!r}; known: 'copy', 'psmnist'.")
