"""The shapes task's shape-level metrics: tolerant per-pixel F1, images right, their references and cards."""

import keras
import numpy as np
import pytest

import keras_symmetry as ks
from keras_symmetry import evaluate
from keras_symmetry.evaluate import F1_BAR, shape_f1
from keras_symmetry.tasks import shapes

SIZE = 64
HALF_SIZES = range(4, 10)  # what `shapes.sample_layout` draws
TASK = {"name": "shapes", "test_examples": 64}
# Copying the input passes the bar only here: a circle this small lies within about a pixel of its square.
IDENTITY_ABOVE_BAR = {("circle", 4): 1.0, ("circle", 5): 0.957, ("circle", 6): 0.916}
STEPS = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0)]


def moved(layout, dy, dx):
    return [(kind, cy + dy, cx + dx, s) for kind, cy, cx, s in layout]


def shifted(images, dy, dx):
    """`(batch, H, W, 1)` images moved by `(dy, dx)` pixels, background coming in at the edges."""
    out = np.full_like(images, shapes.OFF)
    height, width = images.shape[1:3]
    out[:, max(dy, 0) : height + min(dy, 0), max(dx, 0) : width + min(dx, 0)] = images[
        :, max(-dy, 0) : height + min(-dy, 0), max(-dx, 0) : width + min(-dx, 0)
    ]
    return out


def pair(layout):
    """`(input, target)` images of `layout`."""
    return shapes.render(layout, SIZE), shapes.render(shapes.transform(layout), SIZE)


@pytest.mark.parametrize("kind", shapes.KINDS)
def test_each_shape_alone_perfect_background_identity_and_shifts(kind):
    for s in HALF_SIZES:
        layout = [(kind, 32.0, 32.0, s)]
        x, y = pair(layout)
        assert shape_f1(y, y) == 1.0
        assert shape_f1(np.full_like(y, shapes.OFF), y) == 0.0
        identity = shape_f1(x, y)
        if (kind, s) in IDENTITY_ABOVE_BAR:
            assert identity == pytest.approx(IDENTITY_ABOVE_BAR[kind, s], abs=5e-4)
        else:
            assert identity < F1_BAR, (kind, s, identity)
        target = shapes.transform(layout)
        for dy, dx in STEPS:
            assert shape_f1(shapes.render(moved(target, dy, dx), SIZE), y) == 1.0  # one pixel off: still right
            for pixels in (2, 3):
                shifted = shape_f1(shapes.render(moved(target, pixels * dy, pixels * dx), SIZE), y)
                assert shifted < F1_BAR, (kind, s, pixels, dy, dx, shifted)


def test_random_layouts_metrics_over_a_set():
    rng = np.random.default_rng(7)
    layouts = [shapes.sample_layout(rng, SIZE) for _ in range(64)]
    x, y = (np.stack(images)[..., None] for images in zip(*map(pair, layouts)))
    perfect = evaluate._shapes_metrics([(y, y)])
    assert perfect == {"test_rmse": 0.0, "test_f1": 1.0, "test_images_right": 1.0}
    background = evaluate._shapes_metrics([(np.full_like(y, shapes.OFF), y)])
    assert background["test_f1"] == 0.0 and background["test_images_right"] == 0.0
    identity = evaluate._shapes_metrics([(x, y)])
    assert 0.5 < identity["test_f1"] < 0.8 and identity["test_images_right"] < 0.15
    assert evaluate._shapes_metrics([(shifted(y, 1, -1), y)])["test_images_right"] == 1.0
    for dy, dx in ((0, 2), (2, 0), (2, 2), (0, -3), (-3, 0), (3, -3)):
        assert evaluate._shapes_metrics([(shifted(y, dy, dx), y)])["test_images_right"] == 0.0
    # Per-image scores of a batch are those of the images one by one; the channel axis is optional.
    per_image = shape_f1(x, y)
    assert per_image.shape == (64,)
    np.testing.assert_allclose(per_image, [shape_f1(a[..., 0], b[..., 0]) for a, b in zip(x, y)])
    np.testing.assert_array_equal(shape_f1(x[..., 0], y[..., 0]), per_image)
    # Split into batches, the pooled numbers are the same.
    assert evaluate._shapes_metrics([(x[:10], y[:10]), (x[10:], y[10:])]) == pytest.approx(identity)


def test_threshold_is_zero_and_f1_counts_the_misses():
    target = np.full((8, 8), shapes.OFF)
    target[2, 2:6] = shapes.ON  # four shape pixels in a row
    output = np.full((8, 8), -0.1)
    assert shape_f1(output, target) == 0.0  # below 0 is background however close to 0
    output[2, 2:4] = 0.1  # half the row: precision 1, recall 3/4 (the third pixel is one pixel from the second)
    assert shape_f1(output, target) == pytest.approx(2 * 0.75 / 1.75)
    output[6, 6] = 0.3  # a stray pixel far away: precision 2/3
    assert shape_f1(output, target) == pytest.approx(2 * (2 / 3) * 0.75 / (2 / 3 + 0.75))
    assert shape_f1(np.full((8, 8), shapes.OFF), np.full((8, 8), shapes.OFF)) == 1.0  # nothing to find, nothing found
    with pytest.raises(ValueError, match="differs from target shape"):
        shape_f1(np.zeros((2, 8, 8, 1)), np.zeros((2, 8, 8)))


def constant_model(value):
    """A `(batch, H, W, 1)` -> `(batch, H, W, 1)` model that outputs `value` everywhere."""
    return keras.Sequential(
        [
            keras.Input((None, None, 1)),
            keras.layers.Conv2D(1, 1, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(value)),
        ]
    )


def test_evaluate_and_reference_report_the_shape_metrics():
    reference = evaluate.reference(TASK)
    assert reference["metric"] == "test_rmse" and reference["metrics"]["test_rmse"] == reference["value"]
    assert reference["metrics"]["test_f1"] == 0.0 and reference["metrics"]["test_images_right"] == 0.0
    (copied,) = reference["also"]
    assert "copying the input" in copied["what"]
    background = evaluate.evaluate(constant_model(shapes.OFF), TASK)
    assert background == pytest.approx(reference["metrics"], abs=1e-6)
    identity = evaluate.evaluate(keras.Sequential([keras.Input((None, None, 1)), keras.layers.Identity()]), TASK)
    assert identity == pytest.approx(copied["metrics"], abs=1e-6)
    assert 0.0 < identity["test_f1"] < F1_BAR


def test_evaluate_a_tiny_kuramoto_network():
    model = ks.models.kuramoto_model(channels=2, steps=2)
    metrics = evaluate.evaluate(model, {**TASK, "test_examples": 8})
    assert set(metrics) == {"test_rmse", "test_f1", "test_images_right"}
    assert metrics["test_rmse"] > 0 and 0.0 <= metrics["test_f1"] <= 1.0 and 0.0 <= metrics["test_images_right"] <= 1.0


def test_a_metric_the_preset_predates_is_not_a_mismatch():
    recorded = {"test_rmse": 0.1709, "test_cross_entropy": 1.0}
    measured = {"test_rmse": 0.1709 + 1e-6, "test_f1": 0.5, "test_images_right": 0.25}
    assert evaluate.compare(recorded, measured) == [
        ("test_cross_entropy", 1.0, None, "DIFFERENT"),  # recorded but no longer computed
        ("test_f1", None, 0.5, "not recorded"),
        ("test_images_right", None, 0.25, "not recorded"),
        ("test_rmse", 0.1709, 0.1709 + 1e-6, "same"),
    ]
    assert evaluate.compare({"test_rmse": 0.1709}, {"test_rmse": 0.18})[0][3] == "DIFFERENT"


def test_shapes_card_explains_the_metrics_and_both_references():
    metadata = {
        "name": "z2-tiny",
        "task": {"name": "shapes"},
        "parameters": 1,
        "inputs": [],
        "outputs": [],
        "keras_version": keras.__version__,
        "keras_symmetry_version": ks.__version__,
        "backend": "jax",
        "metrics": {"test_rmse": 0.05, "test_f1": 0.97, "test_images_right": 0.934},
        "reference": evaluate.reference(TASK),
    }
    text = ks.hub.card.render(metadata)
    assert "| test_images_right | 93.40% | — |" in text and "| test_f1 | 0.97 | — |" in text
    assert "- `test_f1`: per-pixel F1 of the output thresholded at 0" in text
    assert f"- `test_images_right`: the fraction of test images whose own tolerant F1 is at least {F1_BAR}" in text
    assert "For scale: predicting background everywhere scores test_rmse " in text
    assert "test_f1 0, test_images_right 0.00%; copying the input (every shape left untransformed) scores" in text
    card = ks.hub.card.card_data(metadata)
    assert {r.metric_name: r.metric_type for r in card.eval_results} == {
        "test_f1": "f1",
        "test_images_right": "accuracy",
        "test_rmse": "rmse",
    }
    other = ks.hub.card.render({**metadata, "task": {"name": "copy"}, "metrics": {"test_cross_entropy": 0.1}})
    assert "tolerant F1" not in other
