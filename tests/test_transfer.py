"""`train RECIPE --init-from SOURCE [--freeze-core]`: a run starts from a pretrained model's weights."""

import json

import keras
import numpy as np
import pytest
from conftest import to_numpy

import keras_symmetry as ks
from keras_symmetry import models, training
from keras_symmetry.hub import preset
from keras_symmetry.training import transfer
from keras_symmetry.training.checkpoint import RunState


@pytest.fixture(autouse=True)
def empty_zoo(fresh_zoo):
    return fresh_zoo


def save(model, folder, name="pretrained"):
    return ks.hub.save_preset(model, folder, preset.base_metadata(model, name, {"name": "custom"}))


def weights(layer):
    return [to_numpy(w) for w in layer.weights]


def test_parts_of_the_same_shapes_are_copied_and_the_task_stays_the_new_one(tmp_path):
    pretrained = models.psmnist_model("u1-gru", 2, permutation_seed=0)
    folder = save(pretrained, tmp_path / "pretrained")
    new = models.replace_head(models.psmnist_model("u1-gru", 2, permutation_seed=1), 5)  # other pixels, 5 classes
    record = transfer.initialize(new, folder)
    assert record["copied"] == ["core"] and record["fresh"] == ["head"] and record["revision"] is None
    assert record["files"] == ks.hub.verify(folder)["files"] and record["name"] == "pretrained"
    for mine, theirs in zip(weights(new.get_layer("core")), weights(pretrained.get_layer("core"))):
        np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_array_equal(new.get_layer("permute").permutation, ks.tasks.psmnist.permutation(1))


def test_a_core_of_another_shape_is_named_with_both_shapes(tmp_path):
    folder = save(models.copy_model("u1-rnn", 3), tmp_path / "pretrained")
    with pytest.raises(ValueError, match=r"its 'core' has weights of shapes \[.*\], this model's 'core' \[.*\]"):
        transfer.initialize(models.copy_model("u1-rnn", 4), folder)
    with pytest.raises(ValueError, match="part named 'core'"):
        transfer.initialize(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="head")]), folder)


def test_fine_tuning_a_trained_run_with_a_frozen_core_records_where_it_started(tmp_path):
    base = ks.train("u1-rnn-copy", smoke=True, out=tmp_path / "base", verbose=0)
    tuned = ks.train(
        "copy",
        arch="u1-rnn",
        smoke=True,
        out=tmp_path / "tuned",
        verbose=0,
        t_max=5,
        init_from=str(base.preset),
        freeze_core=True,
        seed=3,
    )
    for mine, theirs in zip(weights(tuned.model.get_layer("core")), weights(base.model.get_layer("core"))):
        np.testing.assert_array_equal(mine, theirs)  # frozen through training
    assert any(
        np.abs(a - b).max() > 0
        for a, b in zip(weights(tuned.model.get_layer("head")), weights(base.model.get_layer("head")))
    )
    metadata = ks.hub.verify(tuned.preset)
    assert metadata["init_from"]["files"] == ks.hub.verify(base.preset)["files"]
    assert metadata["recipe"]["args"]["init_from"] == str(base.preset) and metadata["recipe"]["args"]["freeze_core"]
    card = (tuned.preset / "README.md").read_text()
    assert f"Fine-tuned from `{base.preset}`" in card and metadata["files"]["model.weights.h5"] not in card
    assert ks.hub.verify(base.preset)["files"]["model.weights.h5"] in card
    assert "--init-from" in metadata["recipe"]["command"] and "--freeze-core" in metadata["recipe"]["command"]
    # Resuming needs no source: the checkpoint holds the weights, init_from.json what they started from.
    again = ks.train(
        "copy",
        arch="u1-rnn",
        smoke=True,
        out=tmp_path / "tuned",
        verbose=0,
        t_max=5,
        init_from=str(base.preset),
        freeze_core=True,
        seed=3,
        epochs=3,
    )
    assert json.loads((tmp_path / "tuned" / "init_from.json").read_text()) == metadata["init_from"]
    assert ks.hub.verify(again.preset)["init_from"] == metadata["init_from"]


def test_freezing_needs_a_model_to_start_from(tmp_path):
    with pytest.raises(ValueError, match="--init-from"):
        ks.train("u1-rnn-copy", smoke=True, out=tmp_path / "run", verbose=0, freeze_core=True)


def test_runs_started_before_the_option_existed_still_resume(tmp_path):
    args = training.resolve(*ks.experiments.get("u1-rnn-copy"), {})[0]
    older = {key: value for key, value in args.items() if key not in ("init_from", "freeze_core")}
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "state.json").write_text(
        json.dumps({"args": older, "epoch": 1, "history": [], "seconds": 1.0, "weights": "epoch-00001.weights.h5"})
    )
    (tmp_path / "run" / "epoch-00001.weights.h5").write_bytes(b"")
    recipe = ks.experiments.get("u1-rnn-copy")[0]
    defaults = {option.name: option.default for option in training.arguments.options(recipe)}
    assert RunState(tmp_path / "run", args, defaults=defaults).epoch == 1
    with pytest.raises(ValueError, match="init_from"):
        RunState(tmp_path / "run", {**args, "init_from": "u1-gru-copy"}, defaults=defaults)
    with pytest.raises(ValueError, match="freeze_core"):
        RunState(tmp_path / "run", args)  # without the defaults, a missing option counts as a change


def test_a_class_subset_trains_and_is_scored_on_that_subset(tmp_path, mnist_path):
    result = ks.train(
        "u1-gru-psmnist", smoke=True, out=tmp_path / "five", verbose=0, data=mnist_path, num_classes=5, test_limit=400
    )
    metadata = ks.hub.verify(result.preset)
    assert metadata["task"] == {"name": "psmnist", "test_limit": 400, "num_classes": 5}
    assert metadata["outputs"] == [[None, 5]]
    _, y = ks.tasks.images.splits("mnist", mnist_path, num_classes=5)["test"]
    assert set(np.unique(y)) == {0, 1, 2, 3, 4} and len(y) < 6000
    labels = y[:400]
    assert metadata["reference"]["value"] == pytest.approx(np.bincount(labels).max() / 400)
    with pytest.raises(ValueError, match="num_classes must be between 2 and 10"):
        ks.tasks.images.splits("mnist", mnist_path, num_classes=11)
