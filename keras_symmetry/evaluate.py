"""Measure a model's metrics on its task's test data: the numbers that go on model cards.

Task specs are plain dicts (stored in a preset's metadata):

* `{"name": "copy", "t_max": 25, "fixed_delay": None, "test_seed": 10000, "test_batches": 100, "test_batch_size": 50}`
  -> `test_cross_entropy` (per step, averaged over time and examples, Iqbal et al. 2026, D.2.5), `test_recall_accuracy`
  (the fraction of the 10 recalled data tokens whose most likely output is right) and `test_sequences_recalled`
  (the fraction of test sequences with all 10 right);
* `{"name": "psmnist"}` -> `test_accuracy`, `test_cross_entropy` on the 10,000 MNIST test images
  (images given as `(28, 28)`; the model permutes them itself);
* `{"name": "mnist"}` or `{"name": "fashion_mnist"}` -> the same, images flattened to 784 (the deep MLPs);
* `{"name": "shapes", "size": 64, "test_examples": 1000, "test_seed": 10000}` -> on a fixed shapes set
  from a seed not used in training (Iqbal & Welling 2025, §2.2): `test_rmse`, the root mean squared pixel error;
  `test_f1`, the shape-level figure (`shape_f1`: per-pixel F1 of the output thresholded at 0 against
  the target's shape pixels, with a one-pixel tolerance, pooled over the test set); and
  `test_images_right`, the fraction of test images whose own tolerant F1 is at least `F1_BAR`.

Image tasks take `"test_limit": n` to score only the first `n` test images (smoke runs), and
`"num_classes": n` to score only the test images of classes `0..n-1` (a class subset to fine-tune on).
"""

import numpy as np

from keras_symmetry.tasks import copy, images, shapes

COPY_DEFAULTS = {"fixed_delay": None, "test_seed": 10_000, "test_batches": 100, "test_batch_size": 50}
SHAPES_DEFAULTS = {"size": 64, "max_shapes": None, "filled": False, "test_examples": 1000, "test_seed": 10_000}
IMAGE_SHAPES = {"psmnist": (28, 28), "mnist": (images.PIXELS,), "fashion_mnist": (images.PIXELS,)}
TASKS = ("copy", "shapes", *IMAGE_SHAPES)
PROBE_EXAMPLES, PROBE_VALUES = 2, 64
F1_BAR = 0.9  # `test_images_right`: why 0.9, see `shape_f1`
METRIC_NOTES = {  # shown on the cards under the results (`keras_symmetry.hub.card`)
    "test_f1": "`test_f1`: per-pixel F1 of the output thresholded at 0 (midway between background −0.5 and "
    "shape +0.5) against the target's shape pixels, with a one-pixel tolerance (a pixel is matched when the other "
    "image has a shape pixel within one pixel of it, diagonals included), pooled over every test image; "
    "1 is perfect, predicting background everywhere scores 0.",
    "test_recall_accuracy": "`test_recall_accuracy`: the fraction of recalled data tokens (the 10 steps after "
    "'go') whose most likely output is the right token; guessing among the 8 data tokens scores 12.5%. "
    "`test_sequences_recalled`: the fraction of test sequences with all 10 recalled right.",
    "test_images_right": f"`test_images_right`: the fraction of test images whose own tolerant F1 is at least "
    f"{F1_BAR}, i.e. every shape transformed in place to within a pixel (the right shapes shifted by one pixel "
    "score 1.0, shifted by two or three pixels at most 0.88). Copying the input passes it on the few images that hold "
    "only small shapes, mostly circles of half-size 4-6, which lie within about a pixel of their squares.",
}


def _log_softmax(logits):
    logits = np.asarray(logits, dtype="float64")
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _scores(model, batches):
    """Summed negative log-likelihood, correct predictions and count over `(x, y)` batches, and for
    sequences (copy task) the right recalls, recall steps, and sequences with every recall right."""
    nll = correct = count = recalled = recalls = whole = sequences = 0.0
    for x, y in batches:
        logp = _log_softmax(model.predict_on_batch(x))
        y = np.asarray(y)
        nll -= np.take_along_axis(logp, y[..., None], axis=-1).sum()
        right = logp.argmax(-1) == y
        correct += right.sum()
        count += y.size
        if y.ndim == 2:
            recall = y != copy.BLANK
            recalled += (right & recall).sum()
            recalls += recall.sum()
            whole += np.all(right | ~recall, axis=-1).sum()
            sequences += len(y)
    return {
        "nll": nll,
        "correct": correct,
        "count": count,
        "recalled": recalled,
        "recalls": recalls,
        "whole": whole,
        "sequences": sequences,
    }


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
            spec["test_examples"],
            batch_size=32,
            size=spec["size"],
            max_shapes=spec["max_shapes"],
            filled=spec["filled"],
            seed=spec["test_seed"],
            shuffle=False,
        )
    else:
        dataset = "fashion_mnist" if spec["name"] == "fashion_mnist" else "mnist"
        x, y = images.splits(dataset, data_path, num_classes=spec.get("num_classes"))["test"]
        limit = spec.get("test_limit")
        x, y = x[:limit].reshape(-1, *IMAGE_SHAPES[spec["name"]]), y[:limit]
        return ((x[i : i + 500], y[i : i + 500]) for i in range(0, len(x), 500))
    return (test[i] for i in range(len(test)))


def _near(mask):
    """`mask` (`(..., H, W)` booleans) dilated by one pixel: on where any of the 3 x 3 neighbours is on."""
    height, width = mask.shape[-2:]
    padded = np.pad(mask, [(0, 0)] * (mask.ndim - 2) + [(1, 1), (1, 1)])
    near = np.zeros_like(mask)
    for dy in range(3):
        for dx in range(3):
            near |= padded[..., dy : dy + height, dx : dx + width]
    return near


def _f1_counts(prediction, target):
    """Per-image pixel counts `(matched predicted, predicted, matched target, target)` of `shape_f1`."""
    predicted, wanted = (np.asarray(a) > 0 for a in (prediction, target))
    if predicted.shape != wanted.shape:
        raise ValueError(f"Prediction shape {predicted.shape} differs from target shape {wanted.shape}.")
    if predicted.ndim == 4:  # (batch, H, W, 1) images
        predicted, wanted = predicted[..., 0], wanted[..., 0]
    axes = (-2, -1)
    return (
        (predicted & _near(wanted)).sum(axes),
        predicted.sum(axes),
        (wanted & _near(predicted)).sum(axes),
        wanted.sum(axes),
    )


def _f1(matched_predicted, predicted, matched_target, target):
    """F1 from tolerant counts; an empty prediction has precision 1, an empty target recall 1."""
    precision = np.divide(matched_predicted, predicted, out=np.ones(np.shape(predicted)), where=predicted > 0)
    recall = np.divide(matched_target, target, out=np.ones(np.shape(target)), where=target > 0)
    total = precision + recall
    return np.divide(2 * precision * recall, total, out=np.zeros(np.shape(total)), where=total > 0)


def shape_f1(prediction, target):
    """Per-image F1 of shape pixels, one pixel of tolerance: `(H, W)` -> a number; `(batch, H, W[, 1])` -> `(batch,)`.

    Pixels are on where the image is above 0, the midpoint of background
    (-0.5) and shape (+0.5). Precision: the fraction of predicted-on pixels
    within one pixel (Chebyshev distance 1, diagonals included) of a
    target-on pixel; recall: the fraction of target-on pixels within one pixel
    of a predicted-on pixel. All background scores 0 (recall 0) on any image
    with a shape.

    The bar `F1_BAR = 0.9` of `test_images_right`, measured on outline shapes
    of half-size 4-9 alone (`tests/test_shapes_metrics.py`) and on the 1,000
    test images: the right shapes shifted by one pixel (along an axis or
    diagonally) score 1.0; shifted by two pixels at most 0.853 (diagonally
    0.63), by three at most 0.884 (a triangle moved along its own axis). So
    0.9 passes an output right to within a pixel and no output off by two or
    three. (RMSE cannot tell: the right shapes shifted by one pixel score RMSE
    0.16-0.20, no better than predicting background, 0.173.) Copying the input
    (every shape left untransformed) scores below the bar except for small
    circles: a circle of half-size 4 lies within one pixel of its square
    (F1 1.0), of half-size 5 and 6 it scores 0.957 and 0.916, and no bar on
    this figure tells those apart; on the test set, copying the input gets
    5.6% of the images "right" (those that hold only circles of half-size
    4-6, some with a triangle of half-size 4-5). `reference` reports what
    copying the input scores: the floor a model must clear.
    """
    scores = _f1(*_f1_counts(prediction, target))
    return float(scores) if np.ndim(scores) == 0 else scores


def _shapes_metrics(pairs):
    """`test_rmse`, `test_f1` (pooled tolerant counts) and `test_images_right` over `(prediction, target)` batches."""
    squared = pixels = 0.0
    counts, per_image = np.zeros(4), []
    for prediction, y in pairs:
        prediction = np.asarray(prediction, dtype="float64")
        squared += np.sum((prediction - y) ** 2)
        pixels += y.size
        image_counts = _f1_counts(prediction, y)
        counts += [c.sum() for c in image_counts]
        per_image.append(_f1(*image_counts))
    per_image = np.concatenate(per_image)
    return {
        "test_rmse": float(np.sqrt(squared / pixels)),
        "test_f1": float(_f1(*counts)),
        "test_images_right": float(np.mean(per_image >= F1_BAR)),
    }


def evaluate(model, task, data_path=None):
    """`{metric: value}` of `model` on the test data of `task` (a task spec dict)."""
    batches = test_batches(task, data_path)
    if task["name"] == "shapes":
        return _shapes_metrics((model.predict_on_batch(x), y) for x, y in batches)
    scores = _scores(model, batches)
    cross_entropy = scores["nll"] / scores["count"]
    if task["name"] == "copy":
        return {
            "test_cross_entropy": cross_entropy,
            "test_recall_accuracy": scores["recalled"] / scores["recalls"],
            "test_sequences_recalled": scores["whole"] / scores["sequences"],
        }
    return {"test_accuracy": scores["correct"] / scores["count"], "test_cross_entropy": cross_entropy}


def reference(task, data_path=None):
    """What a model that ignores its input scores on the test data of `task`: the scale for every metric.

    copy: the memoryless baseline (`ks.tasks.copy.baseline_cross_entropy`);
    shapes: predicting background everywhere (`metric`/`value` its RMSE,
    `metrics` all three of its metrics), and under `also` what copying the
    input (the shapes untransformed) scores; image classification: always
    answering the most frequent test class.
    """
    spec = _spec(task)
    if spec["name"] == "copy":
        value = copy.baseline_cross_entropy(spec["fixed_delay"] or spec["t_max"])
        return {
            "metric": "test_cross_entropy",
            "value": value,
            "what": "the memoryless baseline (recalls at the right steps, guesses the 8 data tokens)",
            "metrics": {
                "test_cross_entropy": value,
                "test_recall_accuracy": 1 / copy.DATA_TOKENS,
                "test_sequences_recalled": copy.DATA_TOKENS**-copy.MEMORY,
            },
        }
    if spec["name"] == "shapes":
        background = _shapes_metrics((np.full_like(y, shapes.OFF), y) for _, y in test_batches(task, data_path))
        copied = _shapes_metrics(test_batches(task, data_path))
        return {
            "metric": "test_rmse",
            "value": background["test_rmse"],
            "what": "predicting background everywhere",
            "metrics": background,
            "also": [{"what": "copying the input (every shape left untransformed)", "metrics": copied}],
        }
    labels = np.concatenate([y for _, y in test_batches(task, data_path)])
    return {
        "metric": "test_accuracy",
        "value": float(np.bincount(labels).max() / labels.size),
        "what": "always answering the most frequent test class",
    }


def compare(recorded, measured, tolerance=1e-4):
    """Rows `(metric, recorded, recomputed, verdict)` of recorded against recomputed metrics, by metric name.

    `verdict` is `"same"` (within `tolerance`, relative above 1), `"DIFFERENT"`
    (another value, or a recorded metric the eval code no longer computes) or
    `"not recorded"`: a metric the eval code computes that the preset predates
    (e.g. `test_f1` on a shapes preset exported before it existed), which is no
    mismatch.
    """
    rows = []
    for name in sorted(set(measured) | set(recorded)):
        old, new = recorded.get(name), measured.get(name)
        if old is None and new is not None:
            verdict = "not recorded"
        elif old is not None and new is not None and abs(old - new) <= tolerance * max(1.0, abs(old)):
            verdict = "same"
        else:
            verdict = "DIFFERENT"
        rows.append((name, old, new, verdict))
    return rows


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
    """Whether two `probe` fingerprints agree within tolerance.

    `atol` counts in units of the outputs' mean magnitude (when above 1): float32 rounding in an output
    grows with the terms summed into it, so a logit near 0 beside logits near 100 (a long-trained copy
    model) differs across backends by ~1e-4 while every output agrees to ~1e-6 of the scale.
    """
    a = np.array([*recorded["values"], recorded["mean_abs"]])
    b = np.array([*measured["values"], measured["mean_abs"]])
    scale = max(1.0, recorded["mean_abs"])
    return (
        recorded["examples"] == measured["examples"]
        and a.shape == b.shape
        and np.allclose(a, b, atol=atol * scale, rtol=rtol)
    )
