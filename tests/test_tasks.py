"""Tasks and data (DESIGN §4): copy task, psMNIST, shapes, MNIST loaders. All offline."""

import math
import sys

import keras
import numpy as np
import pytest
from conftest import to_numpy

import keras_symmetry as ks
from keras_symmetry.tasks import copy, data, images, psmnist, shapes


# ---------------------------------------------------------------- copy task
def _go_positions(x):
    tokens = x.argmax(-1)
    assert np.all((tokens == copy.GO).sum(1) == 1)
    return (tokens == copy.GO).argmax(1)


def test_copy_batch_layout_matches_d24():
    x, y = copy.make_batch(256, 25, np.random.default_rng(0))
    assert x.shape == (256, 46, 10) and x.dtype == np.float32 and y.shape == (256, 46) and y.dtype == np.int32
    np.testing.assert_array_equal(x.sum(-1), 1.0)
    tokens = x.argmax(-1)
    data_tokens = tokens[:, :10]
    assert data_tokens.min() >= 1 and data_tokens.max() <= 8
    go = _go_positions(x)
    for b in range(256):
        recall = slice(go[b] + 1, go[b] + 11)
        np.testing.assert_array_equal(y[b, recall], data_tokens[b])
        assert np.count_nonzero(y[b]) == 10  # blank targets everywhere else, padding included
        assert np.all(tokens[b, 10 : go[b]] == copy.BLANK) and np.all(tokens[b, go[b] + 1 :] == copy.BLANK)


def test_copy_delay_is_uniform_on_0_to_t_max():
    x, _ = copy.make_batch(26_000, 25, np.random.default_rng(1))
    counts = np.bincount(_go_positions(x) - 10, minlength=26)
    assert len(counts) == 26 and counts.min() > 850 and counts.max() < 1150  # 1000 expected each


def test_fixed_delay_variant():
    x, y = copy.make_batch(8, 0, np.random.default_rng(0), fixed_delay=100)
    assert x.shape == (8, 121, 10)
    np.testing.assert_array_equal(_go_positions(x), 110)


def test_memoryless_baseline_cross_entropy():
    assert copy.baseline_cross_entropy(25) == pytest.approx(10 * math.log(8) / 46)
    # A predictor that knows the recall steps but not the data scores exactly that.
    x, y = copy.make_batch(64, 25, np.random.default_rng(2))
    go = _go_positions(x)
    probs = np.zeros((64, 46, 10))
    probs[..., copy.BLANK] = 1.0
    for b in range(64):
        probs[b, go[b] + 1 : go[b] + 11] = [0] + [1 / 8] * 8 + [0]
    ce = float(keras.losses.SparseCategoricalCrossentropy()(y, probs.astype("float32")))
    assert ce == pytest.approx(copy.baseline_cross_entropy(25), rel=1e-5)


def test_copy_test_cross_entropy_matches_a_hand_computed_example():
    """The test CE is the per-step CE averaged over every step (blanks and padding included) and example (001 D.2.5).

    A model whose logits are `m` on blank and 0 elsewhere, whatever the input, pays
    `log(1 + 9 e^-m)` on the 36 blank targets and `log(e^m + 9)` on the 10 data
    targets of every length-46 sequence.
    """
    m = 3.0
    model = keras.Sequential([keras.Input((None, copy.CHANNELS)), keras.layers.Dense(copy.CHANNELS)])
    bias = np.zeros(copy.CHANNELS, "float32")
    bias[copy.BLANK] = m
    model.layers[-1].set_weights([np.zeros((copy.CHANNELS, copy.CHANNELS), "float32"), bias])
    expected = (36 * math.log1p(9 * math.exp(-m)) + 10 * math.log(math.exp(m) + 9)) / 46
    measured = ks.evaluate.evaluate(model, {"name": "copy", "t_max": 25, "test_batches": 3})["test_cross_entropy"]
    assert measured == pytest.approx(expected, rel=1e-6)
    x, y = copy.test_set(t_max=25, batches=1)[0]
    keras_loss = float(keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, model(x)))  # the training loss
    assert keras_loss == pytest.approx(expected, rel=1e-5)


class _CopyOracle:
    """Reads the data tokens off the input and recalls them after 'go', except the first recall of every
    sequence whose first data token is 1, which it gets wrong: the recall metrics are then known exactly."""

    def predict_on_batch(self, x):
        tokens = np.asarray(x).argmax(-1)
        logits = np.zeros(x.shape, "float32")
        logits[..., copy.BLANK] = 5.0
        for b, row in enumerate(tokens):
            go = int(np.flatnonzero(row == copy.GO)[0])
            recall = logits[b, go + 1 : go + 11]
            recall[:, copy.BLANK] = 0.0
            recall[np.arange(10), row[:10]] = 5.0
            if row[0] == 1:
                recall[0, 1], recall[0, 2] = 0.0, 5.0
        return logits


def test_copy_recall_metrics_count_recalled_tokens_and_whole_sequences():
    task = {"name": "copy", "t_max": 25, "test_batches": 3}
    first_tokens = np.concatenate([x[:, 0].argmax(-1) for x, _ in ks.evaluate.test_batches(task)])
    wrong = np.sum(first_tokens == 1)
    assert 0 < wrong < len(first_tokens) == 150
    metrics = ks.evaluate.evaluate(_CopyOracle(), task)
    assert metrics["test_recall_accuracy"] == pytest.approx(1 - wrong / (10 * 150))
    assert metrics["test_sequences_recalled"] == pytest.approx(1 - wrong / 150)
    reference = ks.evaluate.reference(task)["metrics"]
    assert reference["test_recall_accuracy"] == 1 / 8 and reference[
        "test_cross_entropy"
    ] == copy.baseline_cross_entropy(25)


def test_copy_dataset_is_seeded_fresh_and_fits():
    a, b = copy.CopyTask(t_max=5, batch_size=4, seed=1), copy.CopyTask(t_max=5, batch_size=4, seed=1)
    np.testing.assert_array_equal(a[3][0], b[3][0])
    assert not np.array_equal(a[3][0], a[4][0])
    first = a[0][0]
    a.on_epoch_end()
    assert not np.array_equal(a[0][0], first)  # fresh batches in every epoch
    test = copy.test_set(t_max=5, batches=3, batch_size=2)
    before = test[1][0]
    test.on_epoch_end()
    np.testing.assert_array_equal(test[1][0], before)  # a test set stays put
    with pytest.raises(ValueError, match="t_max"):
        copy.CopyTask(t_max=-1)


def test_copy_task_trains_a_u1_rnn_through_fit():
    model = keras.Sequential(
        [
            keras.Input((None, 10)),
            ks.layers.U1SimpleRNN(8, blank_channel=0, return_sequences=True),
            keras.layers.Dense(10),
        ]
    )
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(copy.CopyTask(t_max=3, batch_size=8, steps_per_epoch=3), epochs=2, verbose=0)
    assert all(math.isfinite(v) for v in history.history["loss"])


# ---------------------------------------------------------------- psMNIST
def test_permutation_is_a_seeded_bijection():
    p = psmnist.permutation(seed=5)
    np.testing.assert_array_equal(np.sort(p), np.arange(784))
    np.testing.assert_array_equal(p, psmnist.permutation(seed=5))
    assert not np.array_equal(p, psmnist.permutation(seed=6))


@pytest.mark.parametrize("shape", [(3, 28, 28), (3, 784), (3, 28, 28, 1)])
def test_permute_pixels_applies_the_permutation(shape, rng):
    perm = psmnist.permutation(seed=1)
    images_ = rng.uniform(size=shape).astype("float32")
    out = to_numpy(psmnist.PermutePixels(perm)(images_))
    assert out.shape == (3, 784, 1)
    np.testing.assert_array_equal(out[..., 0], images_.reshape(3, 784)[:, perm])


def test_permutation_survives_save_and_load(tmp_path, rng):
    perm = psmnist.permutation(seed=3)
    model = keras.Sequential(
        [keras.Input((28, 28)), psmnist.PermutePixels(perm), ks.layers.U1GRU(4), keras.layers.Dense(10)]
    )
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.layers[0].permutation, perm)
    x = rng.uniform(size=(2, 28, 28)).astype("float32")
    np.testing.assert_allclose(to_numpy(loaded(x)), to_numpy(model(x)), atol=1e-6)


def test_permute_pixels_bad_input():
    with pytest.raises(ValueError, match="permutation of range"):
        psmnist.PermutePixels(np.arange(783))
    with pytest.raises(ValueError, match="permutation of range"):
        psmnist.PermutePixels(np.zeros(784, int))
    layer = psmnist.PermutePixels(np.arange(784))
    with pytest.raises(ValueError, match=r"\(batch, 28, 28\)"):
        layer(np.zeros((2, 30, 30), "float32"))
    with pytest.raises(ValueError, match="floating-point"):
        psmnist.PermutePixels(np.arange(784))(np.zeros((2, 784), "uint8"))


def test_validation_split_is_disjoint_from_training():
    train, val = images.split_indices(60_000, 3000, split_seed=0)
    assert len(val) == 3000 and len(train) == 57_000
    assert not set(train) & set(val) and set(train) | set(val) == set(range(60_000))
    np.testing.assert_array_equal(val, images.split_indices(60_000, 3000, split_seed=0)[1])


def test_psmnist_datasets_from_the_offline_file(mnist_path):
    sets = psmnist.datasets(batch_size=500, path=mnist_path)
    assert {k: len(v.x) for k, v in sets.items()} == {"train": 57_000, "val": 3000, "test": 10_000}
    x, y = sets["train"][0]
    assert x.shape == (500, 784) and x.dtype == np.float32 and 0.0 <= x.min() and x.max() <= 1.0
    (x_train, _), _ = data.load("mnist", mnist_path)
    _, val = images.split_indices(60_000, 3000)
    np.testing.assert_array_equal(sets["val"].x, x_train[val].reshape(3000, 784) / np.float32(255))


# ---------------------------------------------------------------- shapes
AREA = {"circle": math.pi, "square": 4.0, "triangle": 2.0}  # area / s^2


def _region(image, cy, cx, s):
    y0, x0 = int(cy - s - 1), int(cx - s - 1)
    return image[y0 : int(cy + s + 2), x0 : int(cx + s + 2)] > 0


def test_targets_are_the_transformed_shapes_in_place():
    rng = np.random.default_rng(0)
    for _ in range(30):
        x, y, layout = shapes.make_pair(rng, size=64, filled=True)
        assert set(np.unique(x)) <= {-0.5, 0.5} and set(np.unique(y)) <= {-0.5, 0.5}
        for kind, cy, cx, s in layout:
            target = shapes.TRANSFORM[kind]
            for image, expected in ((x, kind), (y, target)):
                region = _region(image, cy, cx, s)
                assert region.sum() == pytest.approx(AREA[expected] * s * s, rel=0.2)
                rows, cols = np.nonzero(region)
                # Same place: the shape's pixels are centred on (cy, cx) within a pixel.
                assert abs(rows.mean() + int(cy - s - 1) + 0.5 - cy) < (s if expected == "triangle" else 1.0)
                assert abs(cols.mean() + int(cx - s - 1) + 0.5 - cx) < 1.0
        # Nothing is drawn outside the shapes.
        mask = np.zeros_like(x, bool)
        for _, cy, cx, s in layout:
            mask[int(cy - s - 1) : int(cy + s + 2), int(cx - s - 1) : int(cx + s + 2)] = True
        assert not (x[~mask] > 0).any() and not (y[~mask] > 0).any()


def test_triangle_has_three_corners_square_four():
    """Corners by the convex hull of the filled pixels' centres (a geometric, not pixel-count, check)."""

    def corner_count(kind, s=12, reach=4.0):
        image = shapes.render([(kind, 32.0, 32.0, s)], 64, filled=True)
        hull = _convex_hull(np.argwhere(image > 0).astype(float))
        n = len(hull)

        def away(i, step):  # the first hull vertex at least `reach` pixels from vertex i
            j = (i + step) % n
            while np.linalg.norm(hull[j] - hull[i]) < reach:
                j = (j + step) % n
            return hull[j]

        sharp = []
        for i in range(n):
            u, v = hull[i] - away(i, -1), away(i, 1) - hull[i]
            turn = math.degrees(math.acos(np.clip(u @ v / np.linalg.norm(u) / np.linalg.norm(v), -1, 1)))
            if turn > 40:
                sharp.append(hull[i])
        # Digitised corners show up as a few neighbouring hull vertices: count clusters.
        corners = []
        for p in sharp:
            if all(np.linalg.norm(p - q) > reach for q in corners):
                corners.append(p)
        return len(corners)

    assert corner_count("triangle") == 3
    assert corner_count("square") == 4
    assert corner_count("circle") == 0


def _convex_hull(points):
    pts = sorted(map(tuple, points))
    cross = lambda o, a, b: (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])  # noqa: E731
    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return [np.array(p) for p in lower[:-1] + upper[:-1]]


def test_sizes_and_shape_counts_scale_together():
    assert shapes.max_shapes_for(64) == 4 and shapes.max_shapes_for(128) == 16 and shapes.max_shapes_for(32) == 1
    rng = np.random.default_rng(0)
    counts = {size: np.mean([len(shapes.sample_layout(rng, size)) for _ in range(200)]) for size in (64, 128)}
    # Uniform on 1..16 vs 1..4 shapes: mean 8.5 vs 2.5 (when every shape finds a place).
    assert counts[128] / counts[64] == pytest.approx(8.5 / 2.5, rel=0.1)
    x, y, _ = shapes.make_pair(rng, size=96)
    assert x.shape == y.shape == (96, 96)


def test_shapes_dataset_is_a_fixed_seeded_set():
    ds = shapes.ShapesDataset(num_examples=10, batch_size=4, size=32, seed=3)
    assert len(ds) == 3
    x, y = ds[0]
    assert x.shape == y.shape == (4, 32, 32, 1) and x.dtype == np.float32
    assert ds[2][0].shape == (2, 32, 32, 1)
    epoch0 = sorted(ds[i][0].tobytes() for i in range(3))
    ds.on_epoch_end()
    assert sorted(ds[i][0].tobytes() for i in range(3)) == epoch0  # same pairs, maybe another order
    other = shapes.ShapesDataset(num_examples=10, batch_size=4, size=32, seed=4)
    assert sorted(other[i][0].tobytes() for i in range(3)) != epoch0


# ---------------------------------------------------------------- MNIST loaders
def test_offline_mnist_loads_with_the_documented_contents(mnist_path):
    (x_train, y_train), (x_test, y_test) = data.load("mnist", path=mnist_path)
    assert x_train.shape == (60_000, 28, 28) and x_test.shape == (10_000, 28, 28) and x_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert x_train.mean() == pytest.approx(33.318, abs=1e-3)


def test_environment_variable_names_the_data_directory(mnist_path, monkeypatch, tmp_path):
    monkeypatch.setenv(data.ENV_VAR, str(mnist_path.parent))
    (x_train, _), _ = data.load("mnist")
    assert x_train.shape == (60_000, 28, 28)
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path))
    with pytest.raises(FileNotFoundError, match=f"fashion_mnist.npz.*{data.ENV_VAR}"):
        data.load("fashion_mnist")


def test_missing_file_says_where_to_put_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=f"No mnist file at .*set {data.ENV_VAR}"):
        data.load("mnist", path=tmp_path / "nope.npz")


def test_corrupted_and_malformed_files_are_errors(tmp_path):
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError, match="not a readable .npz"):
        data.load("mnist", path=garbage)
    truncated = tmp_path / "truncated.npz"
    np.savez(truncated, x_train=np.zeros((60_000, 28, 28), np.uint8))
    truncated.write_bytes(truncated.read_bytes()[:5000])
    with pytest.raises(ValueError, match="truncated.npz"):
        data.load("mnist", path=truncated)
    shaped = tmp_path / "shaped.npz"
    np.savez(
        shaped,
        x_train=np.zeros((60_000, 32, 32), np.uint8),
        y_train=np.zeros(60_000, np.uint8),
        x_test=np.zeros((10_000, 28, 28), np.uint8),
        y_test=np.zeros(10_000, np.uint8),
    )
    with pytest.raises(ValueError, match=r"x_train must be \(60000, 28, 28\) uint8; got \(60000, 32, 32\)"):
        data.load("mnist", path=shaped)
    keys = tmp_path / "keys.npz"
    np.savez(keys, images=np.zeros(3))
    with pytest.raises(ValueError, match="missing"):
        data.load("mnist", path=keys)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, x_train=np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="pickled.npz"):
        data.load("mnist", path=pickled)


def test_offline_download_failure_says_what_to_do(monkeypatch):
    monkeypatch.delenv(data.ENV_VAR, raising=False)
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)

    def offline():
        raise Exception("URL fetch failure on https://storage.googleapis.com/...: None -- [Errno -3]")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(FileNotFoundError, match=f"Could not download mnist.*{data.ENV_VAR}"):
        data.load("mnist")
    with pytest.raises(ValueError, match="Unknown image dataset"):
        data.load("kmnist")


def test_array_dataset_shuffles_per_epoch_and_covers_everything():
    x = np.arange(10)[:, None].astype("float32")
    ds = ks.tasks.pipeline.ArrayDataset(x, np.arange(10), batch_size=4, seed=0)
    epoch0 = np.concatenate([ds[i][1] for i in range(len(ds))])
    ds.on_epoch_end()
    epoch1 = np.concatenate([ds[i][1] for i in range(len(ds))])
    assert sorted(epoch0) == sorted(epoch1) == list(range(10)) and list(epoch0) != list(epoch1)
    ordered = ks.tasks.pipeline.ArrayDataset(x, np.arange(10), batch_size=4, shuffle=False)
    assert ordered[0][1].tolist() == [0, 1, 2, 3]


def test_shapes_reference_is_the_rmse_of_an_all_background_prediction():
    from keras_symmetry import evaluate

    class Background:  # a "model" that predicts background everywhere
        def predict_on_batch(self, x):
            return np.full_like(x, shapes.OFF)

    task = {"name": "shapes", "size": 32, "test_examples": 40}
    reference = evaluate.reference(task)
    assert reference["metric"] == "test_rmse" and 0.05 < reference["value"] < 0.5
    assert reference["value"] == pytest.approx(evaluate.evaluate(Background(), task)["test_rmse"], rel=1e-6)


def test_scan_ensemble_has_one_density_of_shapes_at_every_size():
    """The noise scan's images hold 1, 4, 9 shapes at L = 32, 64, 96 of sizes drawn independently of L, so the mean
    foreground fraction does not depend on L within its sampling error (the uniform 1..max count of the training
    sets gives 0.051, 0.030, 0.028; exact counts with sizes redrawn on overlap gave 5.5%, 4.7%, 4.8%)."""
    from keras_symmetry.analysis import criticality

    assert [shapes.count_at_density(size) for size in (32, 64, 96)] == [1, 4, 9]
    with pytest.raises(ValueError, match="whole number of shapes"):
        shapes.count_at_density(48)
    fractions = {}
    for size in (32, 64, 96):
        x, y = criticality.ensemble(size, 300, seed=3)
        assert x.shape == y.shape == (300, size, size, 1)
        fraction = shapes.foreground_fraction(x)
        fractions[size] = (fraction.mean(), fraction.std(ddof=1) / np.sqrt(len(fraction)))
    for size in (64, 96):
        (a, da), (b, db) = fractions[32], fractions[size]
        assert abs(a - b) < 3 * np.hypot(da, db), fractions
    # the uniform count the training set uses is not at one density: the check above can fail
    rng = np.random.default_rng(0)
    uniform = {
        size: shapes.foreground_fraction(np.stack([shapes.make_pair(rng, size)[0] for _ in range(200)])).mean()
        for size in (32, 96)
    }
    assert uniform[32] > 1.4 * uniform[96]
    with pytest.raises(ValueError, match="Could place only"):
        shapes.sample_layout(np.random.default_rng(0), 32, count=30)
