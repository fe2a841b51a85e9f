"""The experiments' recipes and training: smoke runs of every zoo entry, exact resume after SIGKILL, data parallel."""

import ast
import dataclasses
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import h5py
import keras
import numpy as np
import pytest

import keras_symmetry as ks
from keras_symmetry import cli, experiments, training, zoo
from keras_symmetry.training.checkpoint import RunState

BACKEND = keras.backend.backend()
REPO = pathlib.Path(__file__).resolve().parents[1]
jax_only = pytest.mark.skipif(
    BACKEND != "jax", reason="backend-independent logic; runs once, on jax (u1-rnn-copy and resume run on all three)"
)


@pytest.fixture(autouse=True)
def empty_zoo(fresh_zoo):
    """Entries train with their recipe's arguments, not with those the shipped zoo recorded."""
    return fresh_zoo


def run_quietly(name, out, **kwargs):
    return ks.train(name, smoke=True, out=out, verbose=0, **kwargs)


def resolve(name, given, **kwargs):
    """`ks.training.resolve` for the zoo entry or recipe `name`."""
    return training.resolve(*experiments.get(name), given, **kwargs)


def weights(path):
    """Every array in a `.weights.h5` file (model and optimizer), by its path in the file."""
    arrays = {}
    with h5py.File(path, "r") as handle:
        handle.visititems(
            lambda key, item: arrays.__setitem__(key, item[()]) if isinstance(item, h5py.Dataset) else None
        )
    return arrays


def assert_same_weights(a, b, atol):
    a, b = weights(a), weights(b)
    assert a.keys() == b.keys() and len(a) > 4
    for key in a:
        np.testing.assert_allclose(a[key], b[key], atol=atol, rtol=0, err_msg=key)


def final_checkpoint(folder):
    state = json.loads((folder / "state.json").read_text())
    return folder / state["weights"], state


def check_preset_matches_eval(result, data=None):
    """The preset loads, and `keras-symmetry eval` recomputes exactly the recorded metrics."""
    model, metadata = ks.hub.load_preset(result.preset)
    assert metadata["metrics"] == result.metrics and result.metrics
    assert metadata["recipe"]["command"].startswith("keras-symmetry train ")
    argv = ["eval", str(result.preset), "--tolerance", "1e-6"] + (["--data", str(data)] if data else [])
    assert cli.main(argv) == 0
    return model, metadata


def check_smoke_run(name, folder, mnist_path):
    """Train `name` in smoke settings and check the preset, the recorded arguments, the logs and the curves."""
    result = run_quietly(name, folder, data=mnist_path)
    model, metadata = check_preset_matches_eval(result, mnist_path)
    recipe, entry = experiments.get(name)
    assert metadata["recipe"]["name"] == recipe.name
    for key, value in entry.args.items():
        smoke = recipe.smoke.get(key)
        if smoke is None:
            assert metadata["recipe"]["args"][key] == value, key
    log = json.loads((folder / "log.json").read_text())
    assert [row["epoch"] for row in log["history"]] == [1, 2]
    assert {"loss", "val_loss", "learning_rate", "step"} <= set(log["history"][-1])
    assert log["test"] == result.metrics
    assert (folder / "log.csv").read_text().splitlines()[0].startswith("epoch,step,learning_rate,loss")
    assert (folder / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (result.preset / "curves.png").read_bytes() == (folder / "curves.png").read_bytes()  # shown on the card
    assert [f["file"] for f in metadata["figures"]] == ["curves.png"] and "curves.png" in metadata["files"]
    equivariant = name.split("-")[0] in ("u1", "o8", "o4", "z2")
    assert (metadata["equivariance"] is not None) == equivariant
    if equivariant:
        assert metadata["equivariance"]["error"] < 1e-4
    assert "Smoke run" in (result.preset / "README.md").read_text()
    with h5py.File(result.preset / "model.weights.h5", "r") as handle:
        assert "optimizer" not in handle  # a preset holds the model, not the training run's Adam state
    return result


@pytest.mark.parametrize("name", [name for name in zoo.names() if name != "u1-rnn-copy"])
@jax_only
def test_every_entry_trains_end_to_end_in_smoke_settings(name, tmp_path, mnist_path):
    check_smoke_run(name, tmp_path / "run", mnist_path)


def test_one_recipe_on_every_backend(tmp_path, mnist_path):
    result = check_smoke_run("u1-rnn-copy", tmp_path / "run", mnist_path)
    assert result.model.get_layer("core").cell.blank_channel == 0


@jax_only
def test_rerun_of_a_finished_run_resumes_without_training_and_longer_runs_continue(tmp_path, capsys):
    first = run_quietly("gru-copy", tmp_path / "run", no_export=True)
    again = run_quietly("gru-copy", tmp_path / "run", no_export=True)
    assert again.metrics == first.metrics
    assert "resuming after epoch 2 of 2" in capsys.readouterr().out
    longer = run_quietly("gru-copy", tmp_path / "run", no_export=True, epochs=3)
    assert [row["epoch"] for row in json.loads((longer.folder / "log.json").read_text())["history"]] == [1, 2, 3]


@jax_only
def test_logged_seconds_add_up_epoch_times_across_resumed_processes(tmp_path, monkeypatch):
    """`seconds` sums the epochs' own durations: a resumed run adds to it, nothing is counted twice."""
    clock = {"now": 0.0}
    monkeypatch.setattr(training.checkpoint.time, "perf_counter", lambda: clock["now"])

    class Tick(keras.callbacks.Callback):  # every epoch lasts 10 fake seconds; time between epochs is not counted
        def on_epoch_begin(self, epoch, logs=None):
            clock["now"] += 1000.0

        def on_train_batch_end(self, batch, logs=None):
            clock["now"] += 10.0 / 4

    def fit(epochs, initial_epoch):
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        state = RunState(tmp_path, {"epochs": epochs})
        state.restore(model)
        data = (np.ones((8, 3)), np.ones((8, 1)))
        model.fit(
            *data,
            batch_size=2,
            epochs=epochs,
            initial_epoch=initial_epoch,
            verbose=0,
            callbacks=[Tick(), training.checkpoint.Checkpointer(state, "test")],
        )

    fit(2, 0)
    fit(3, 2)  # a second process resuming the run
    history = json.loads((tmp_path / "state.json").read_text())["history"]
    assert [row["seconds"] for row in history] == [10.0, 20.0, 30.0]


@jax_only
@pytest.mark.parametrize(
    "metric, values, best_epoch", [("val_accuracy", [0.5, 0.7, 0.6], 2), ("val_rmse", [0.5, 0.3, 0.4], 2)]
)
def test_the_epoch_with_the_best_validation_metric_is_kept_and_restored(tmp_path, metric, values, best_epoch):
    """Accuracies higher, errors lower: `best.weights.h5` is that epoch's checkpoint, recorded in state.json."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    state = RunState(tmp_path, {"epochs": 3})
    with pytest.raises(ValueError, match="keeps no best weights"):
        state.restore_best(model)
    for epoch, value in enumerate(values, 1):
        model.layers[0].kernel.assign(np.full((3, 1), float(epoch)))
        state.save(model, epoch, {"epoch": epoch, "loss": 1.0, f"{metric}": value}, float(epoch))
    resumed = RunState(tmp_path, {"epochs": 3})  # the record survives a new process
    expected = {"epoch": best_epoch, "metric": metric, "value": values[best_epoch - 1], "since": 1}
    assert resumed.best == expected == json.loads((tmp_path / "state.json").read_text())["best"]
    assert resumed.restore_best(model) == expected
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model.layers[0].kernel), np.full((3, 1), best_epoch))


@jax_only
def test_a_run_from_before_best_weights_keeps_them_from_its_next_validated_epoch(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    RunState(tmp_path, {"epochs": 2}).save(model, 1, {"epoch": 1, "val_accuracy": 0.9}, 1.0)
    state = json.loads((tmp_path / "state.json").read_text())
    state.pop("best")
    (tmp_path / "state.json").write_text(json.dumps(state))
    (tmp_path / "best.weights.h5").unlink()
    resumed = RunState(tmp_path, {"epochs": 2})
    assert resumed.best is None
    resumed.save(model, 2, {"epoch": 2, "val_accuracy": 0.1}, 2.0)  # worse than epoch 1, whose weights are gone
    assert resumed.best == {"epoch": 2, "metric": "val_accuracy", "value": 0.1, "since": 2}


@jax_only
def test_weights_best_exports_the_best_validated_epoch_and_the_card_says_so(tmp_path):
    result = run_quietly("gru-copy", tmp_path / "run", epochs=3, weights="best")
    best = json.loads((result.folder / "state.json").read_text())["best"]
    exported, kept = weights(result.preset / "model.weights.h5"), weights(result.folder / "best.weights.h5")
    assert exported and all(np.array_equal(array, kept[key]) for key, array in exported.items())
    card = " ".join((result.preset / "README.md").read_text().split())
    assert f"The weights are those of epoch {best['epoch']}, the best {best['metric']}" in card
    _, metadata = check_preset_matches_eval(result)
    assert metadata["recipe"]["command"].endswith(" --weights best")  # the command that gives these weights


# --from-paper: the subprocesses read the package's declarations, which record the zoo run's arguments.
KILL_ARGS = [
    "u1-rnn-copy",
    "--from-paper",
    "--smoke",
    "--epochs",
    "8",
    "--steps-per-epoch",
    "10",
    "--no-export",
    "--verbose",
    "0",
]


def test_a_run_killed_with_sigkill_resumes_to_the_same_weights(tmp_path):
    """SIGKILL mid-run, rerun the same command: the weights equal an uninterrupted run's."""
    killed = tmp_path / "killed"
    env = {**os.environ, "KERAS_BACKEND": BACKEND}
    command = [sys.executable, "-m", "keras_symmetry.cli", "train", *KILL_ARGS, "--out", str(killed)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    state_file, deadline = killed / "state.json", time.time() + 300
    while time.time() < deadline and process.poll() is None:
        if state_file.is_file() and json.loads(state_file.read_text())["epoch"] >= 2:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    process.wait()
    assert process.returncode == -signal.SIGKILL, process.stdout.read().decode()[-2000:]
    epoch_at_kill = json.loads(state_file.read_text())["epoch"]
    assert 2 <= epoch_at_kill < 8

    resumed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"resuming after epoch {epoch_at_kill} of 8" in resumed.stdout
    assert not list(killed.glob(".partial-*"))

    straight = tmp_path / "straight"
    assert cli.main(["train", *KILL_ARGS, "--out", str(straight)]) == 0
    (a, state_a), (b, state_b) = final_checkpoint(killed), final_checkpoint(straight)
    assert state_a["epoch"] == state_b["epoch"] == 8
    assert_same_weights(a, b, atol=1e-6)
    losses = lambda state: [row["loss"] for row in state["history"]]  # noqa: E731
    np.testing.assert_allclose(losses(state_a), losses(state_b), rtol=1e-5)


def _rewrite_optimizer(folder, optimizer, step):
    """Replace the run's checkpoint by its weights with `optimizer`'s state (built, then set to `step`)."""
    path, state = final_checkpoint(folder)
    setup = experiments.get("u1-rnn-copy")[0].setup(state["args"])
    setup.model.compile(optimizer=optimizer, loss=setup.loss)
    optimizer.build(setup.model.trainable_variables)
    setup.model.load_weights(path, skip_mismatch=True)
    for i, variable in enumerate(optimizer.variables[1:]):
        variable.assign(keras.ops.full(variable.shape, 0.01 * (i + 1), variable.dtype))
    optimizer.iterations.assign(step)
    setup.model.save_weights(path)
    return [keras.ops.convert_to_numpy(v) for v in optimizer.variables]


@jax_only
def test_a_checkpoint_whose_optimizer_state_does_not_load_is_refused(tmp_path):
    """Keras only warns when a checkpoint's optimizer variables do not match, then trains on with a fresh Adam."""
    folder = tmp_path / "run"
    run_quietly("u1-rnn-copy", folder, no_export=True, epochs=1)
    _rewrite_optimizer(folder, keras.optimizers.SGD(0.1, momentum=0.9), step=4)  # one moment per variable, not two
    with pytest.raises(ValueError, match=r"did not restore the optimizer state.*step 0 instead of 4"):
        run_quietly("u1-rnn-copy", folder, no_export=True, epochs=2)


@jax_only
def test_a_checkpoint_written_with_a_schedule_object_resumes_with_its_optimizer_state(tmp_path):
    """Runs begun when the step decay was a `PiecewiseConstantDecay` (an Adam without a learning-rate variable)."""
    folder = tmp_path / "run"
    run_quietly("u1-rnn-copy", folder, no_export=True, epochs=1)
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay([100], [1e-3, 1e-4])
    saved = _rewrite_optimizer(folder, keras.optimizers.Adam(schedule), step=4)
    state = RunState(folder, final_checkpoint(folder)[1]["args"])
    setup = experiments.get("u1-rnn-copy")[0].setup(state.args)
    setup.model.compile(optimizer=training.fit.optimizer(state.args), loss=setup.loss)
    state.restore(setup.model)
    restored = [
        keras.ops.convert_to_numpy(v) for v in setup.model.optimizer.variables if not v.path.endswith("learning_rate")
    ]
    assert len(restored) == len(saved) > 4
    for a, b in zip(restored, saved):
        np.testing.assert_array_equal(a, b)
    assert run_quietly("u1-rnn-copy", folder, no_export=True, epochs=2).metrics


@jax_only
def test_a_resumed_run_may_get_a_later_learning_rate_decay_but_not_rewrite_its_past(tmp_path):
    folder = tmp_path / "run"
    run_quietly("u1-rnn-copy", folder, no_export=True, epochs=2)
    with pytest.raises(ValueError, match=r"other arguments \(lr_decay_epoch: 0 -> 1\)"):
        run_quietly("u1-rnn-copy", folder, no_export=True, epochs=4, lr_decay_epoch=1)
    run_quietly("u1-rnn-copy", folder, no_export=True, epochs=4, lr_decay_epoch=3)
    state = final_checkpoint(folder)[1]
    assert [row["learning_rate"] for row in state["history"]] == pytest.approx([1e-3, 1e-3, 1e-3, 1e-4])
    assert state["args"]["lr_decay_epoch"] == 3
    with pytest.raises(ValueError, match=r"other arguments \(lr_decay_epoch: 3 -> 0\)"):
        run_quietly("u1-rnn-copy", folder, no_export=True, epochs=5, lr_decay_epoch=0)


def test_a_run_whose_loss_turns_nan_stops_and_keeps_its_last_finite_epoch(tmp_path, monkeypatch, capsys):
    from keras_symmetry.tasks import copy as copy_task

    folder = tmp_path / "run"
    run_quietly("u1-rnn-copy", folder, no_export=True, epochs=1)
    before = weights(final_checkpoint(folder)[0])
    clean = copy_task.make_batch
    monkeypatch.setattr(copy_task, "make_batch", lambda *a, **k: (lambda x, y: (x * np.nan, y))(*clean(*a, **k)))
    with pytest.raises(FloatingPointError, match=r"NaN or infinite in epoch 2.*keeps epoch 1, the last finite one"):
        run_quietly("u1-rnn-copy", folder, no_export=True, epochs=3)
    path, state = final_checkpoint(folder)
    assert state["epoch"] == 1 and len(state["history"]) == 1 and path.name == "epoch-00001.weights.h5"
    after = weights(path)
    assert after.keys() == before.keys() and all(np.array_equal(after[k], before[k]) for k in before)
    argv = ["train", "u1-rnn-copy", "--smoke", "--epochs", "3", "--no-export", "--verbose", "0", "--out", str(folder)]
    assert cli.main(argv) == 1
    assert "keras-symmetry train: u1-rnn-copy: the loss became NaN or infinite in epoch 2" in capsys.readouterr().err


OTHER_BACKEND = {"jax": "tensorflow", "tensorflow": "torch", "torch": "jax"}[BACKEND]


def test_a_run_resumes_on_another_backend(tmp_path):
    """Epochs 1-2 here, 3-4 on another backend: the optimizer state carries over and every epoch's setting is logged."""
    args = [
        "u1-rnn-copy",
        "--from-paper",
        "--smoke",
        "--steps-per-epoch",
        "5",
        "--no-export",
        "--verbose",
        "0",
        "--out",
        str(tmp_path / "run"),
    ]
    assert cli.main(["train", *args, "--epochs", "2"]) == 0
    env = {**os.environ, "KERAS_BACKEND": OTHER_BACKEND}
    command = [sys.executable, "-m", "keras_symmetry.cli", "train", *args, "--epochs", "4"]
    resumed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "resuming after epoch 2 of 4" in resumed.stdout
    history = json.loads((tmp_path / "run" / "state.json").read_text())["history"]
    assert [row["step"] for row in history] == [5, 10, 15, 20]
    assert history[0]["setting"].split("+")[0] == BACKEND and history[-1]["setting"].split("+")[0] == OTHER_BACKEND
    assert training.speed.describe(history).count("epochs") == 2


@pytest.mark.skipif(BACKEND != "tensorflow", reason="XLA on TensorFlow is chosen explicitly; jax always compiles")
def test_psmnist_trains_under_xla_on_tensorflow_through_fit(tmp_path, mnist_path):
    """fit() traces with an unknown batch size; XLA needs every shape in the gradient static (capsules.per_capsule)."""
    result = run_quietly("u1-gru-psmnist", tmp_path / "run", data=mnist_path, no_export=True)
    history = json.loads((result.folder / "state.json").read_text())["history"]
    assert {row["setting"] for row in history} == {"tensorflow+xla"}
    assert np.isfinite(history[-1]["loss"])


@jax_only
def test_data_parallel_over_two_devices_matches_one_device(tmp_path):
    args = ["u1-rnn-copy", "--from-paper", "--smoke", "--epochs", "3", "--no-export", "--verbose", "0"]
    env = {**os.environ, "KERAS_BACKEND": "jax", "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    command = [
        sys.executable,
        "-m",
        "keras_symmetry.cli",
        "train",
        *args,
        "--data-parallel",
        "--out",
        str(tmp_path / "dp"),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "2 devices, DataParallel" in result.stdout
    assert cli.main(["train", *args, "--out", str(tmp_path / "single")]) == 0
    assert_same_weights(final_checkpoint(tmp_path / "dp")[0], final_checkpoint(tmp_path / "single")[0], atol=1e-5)


@pytest.mark.skipif(BACKEND == "jax", reason="keras.distribution supports JAX")
def test_data_parallel_on_other_backends_says_why_not(tmp_path):
    with pytest.raises(ValueError, match="JAX backend only"):
        run_quietly("u1-rnn-copy", tmp_path / "run", data_parallel=True)


@jax_only
def test_a_run_folder_with_other_arguments_is_refused(tmp_path):
    folder = tmp_path / "run"
    run_quietly("rnn-copy", folder, no_export=True)
    with pytest.raises(ValueError, match=r"other arguments \(learning_rate: 0.0001 -> 0.01\).*--restart"):
        run_quietly("rnn-copy", folder, no_export=True, learning_rate=0.01)
    restarted = run_quietly("rnn-copy", folder, no_export=True, learning_rate=0.01, restart=True)
    assert json.loads((restarted.folder / "state.json").read_text())["args"]["learning_rate"] == 0.01


def test_leftover_partial_files_are_removed_and_a_missing_checkpoint_is_named(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / ".partial-epoch-00003.weights.h5").write_bytes(b"half")
    state = RunState(folder, {"seed": 0})
    assert state.epoch == 0 and not list(folder.glob(".partial-*"))
    (folder / "state.json").write_text(
        json.dumps(
            {"args": {"seed": 0}, "epoch": 3, "seconds": 1.0, "weights": "epoch-00003.weights.h5", "history": []}
        )
    )
    with pytest.raises(FileNotFoundError, match="epoch-00003.weights.h5"):
        RunState(folder, {"seed": 0})


def test_unknown_names_options_and_bad_combinations_are_named():
    with pytest.raises(ValueError, match="Closest: u1-gru-psmnist"):
        experiments.get("u1-gru-psmnst")
    with pytest.raises(ValueError, match="Unknown option.*unitz"):
        resolve("u1-rnn-copy", {"unitz": 3})
    with pytest.raises(ValueError, match="needs --arch"):
        resolve("copy", {})
    with pytest.raises(ValueError, match="pin-blank applies to the equivariant cores"):
        experiments.get("copy")[0].setup(resolve("copy", {"arch": "gru", "pin_blank": True})[0])
    with pytest.raises(ValueError, match="--to-zoo needs a zoo entry"):
        ks.train("copy", arch="rnn", to_zoo=True)
    with pytest.raises(TypeError, match=r"by name with ks.train\('copy', ...\)"):
        training.train("copy", arch="rnn")


def test_clipping_is_per_variable_or_global_never_both():
    args = resolve("u1-rnn-copy", {"clipnorm": 0.0, "global_clipnorm": 1.0})[0]
    optimizer = training.fit.optimizer(args)
    assert (optimizer.clipnorm, optimizer.global_clipnorm) == (None, 1.0)
    assert training.fit.optimizer(resolve("u1-rnn-copy", {})[0]).clipnorm == 1.0
    with pytest.raises(ValueError, match="--clipnorm 1.0 and --global-clipnorm 1.0 both clip"):
        training.fit.optimizer(resolve("u1-rnn-copy", {"global_clipnorm": 1.0})[0])


def test_adam_epsilon_is_keras_unless_given():
    assert training.fit.optimizer(resolve("u1-rnn-copy", {})[0]).epsilon == 1e-7
    assert training.fit.optimizer(resolve("u1-rnn-copy", {"adam_epsilon": 1e-8})[0]).epsilon == 1e-8


def test_fastest_setting_is_looked_up_per_entry_before_its_recipe(monkeypatch):
    monkeypatch.setattr(keras.backend, "backend", lambda: "tensorflow")
    assert training.speed.jit_compile("fastest", "psmnist", "u1-gru-psmnist") is True
    assert training.speed.jit_compile("fastest", "psmnist", "o8-rnn-psmnist") is False
    assert training.speed.jit_compile("fastest", "psmnist") is True
    assert training.speed.jit_compile("fastest", "copy", "rnn-copy") == "auto"
    assert training.speed.jit_compile("false", "psmnist", "u1-gru-psmnist") is False
    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    assert training.speed.jit_compile("fastest", "psmnist", "u1-gru-psmnist") == "auto"
    assert not training.speed.compiled_steps("fastest", "u1-gru-psmnist")
    monkeypatch.setattr(keras.backend, "backend", lambda: "torch")
    assert training.speed.compiled_steps("fastest", "u1-gru-psmnist")
    assert not training.speed.compiled_steps("false", "u1-gru-psmnist")
    assert not training.speed.compiled_steps("fastest", "gru-psmnist")
    assert not training.speed.compiled_steps("fastest", "u1-gru-psmnist", smoke=True)


def test_recorded_command_reproduces_the_arguments():
    args, command = resolve("u1-gru-copy", {"units": 8, "pin_blank": False, "t_max": 100})
    assert command == "keras-symmetry train u1-gru-copy --units 8 --no-pin-blank"
    parsed = vars(training.build_parser(*experiments.get("u1-gru-copy")).parse_args(command.split()[3:]))
    assert resolve("u1-gru-copy", {k: v for k, v in parsed.items() if k in args})[0] == args


@jax_only
def test_train_name_uses_the_arguments_recorded_in_the_zoo(tmp_path):
    run_quietly("u1-rnn-copy", tmp_path / "run", to_zoo=True, units=3)
    assert [name for name, entry in zoo.entries().items() if entry.files] == ["u1-rnn-copy"]
    assert ks.model_info("u1-rnn-copy")["recipe"]["args"]["units"] == 3
    assert training.defaults(*experiments.get("u1-rnn-copy"))["units"] == 3
    args, command = resolve("u1-rnn-copy", {})  # the zoo's arguments, named for a fresh clone
    assert args["units"] == 3 and "--units 3 " in command  # (with the smoke run's sizes the zoo recorded)
    zoo.write(dataclasses.replace(zoo.get("u1-rnn-copy"), preset=None))  # a clone that has not trained it
    parsed = vars(training.build_parser(*experiments.get("u1-rnn-copy")).parse_args(command.split()[3:]))
    assert resolve("u1-rnn-copy", {k: v for k, v in parsed.items() if k in args})[0] == args


@jax_only
def test_from_paper_trains_with_the_recipes_arguments_not_those_the_zoo_recorded(tmp_path):
    """A quick export's arguments (here a learning rate) stick to `train NAME` unless `--from-paper` is given."""
    run_quietly("u1-rnn-copy", tmp_path / "quick", to_zoo=True, learning_rate=0.01)
    quiet = ["--smoke", "--no-export", "--verbose", "0", "--out"]
    assert cli.main(["train", "u1-rnn-copy", *quiet, str(tmp_path / "recorded")]) == 0
    assert (
        cli.main(["train", "u1-rnn-copy", "--from-pap", *quiet, str(tmp_path / "paper")]) == 0
    )  # as argparse reads it
    recorded = json.loads((tmp_path / "recorded" / "state.json").read_text())["args"]
    paper = json.loads((tmp_path / "paper" / "state.json").read_text())["args"]
    assert recorded["learning_rate"] == 0.01 and paper["learning_rate"] == 1e-3
    assert resolve("u1-rnn-copy", {}, recorded=False)[1] == "keras-symmetry train u1-rnn-copy"
    assert "--from-paper" in training.build_parser(*experiments.get("u1-rnn-copy")).format_help()


@jax_only
def test_card_shows_the_zoos_generic_baseline_beside_the_equivariant_model(tmp_path):
    alone = run_quietly("u1-rnn-copy", tmp_path / "alone", to_zoo=True)
    assert "generic baseline" not in (alone.preset / "README.md").read_text()  # no rnn-copy in the zoo yet
    baseline = run_quietly("rnn-copy", tmp_path / "rnn", to_zoo=True, epochs=3)
    text = (run_quietly("u1-rnn-copy", tmp_path / "u1", to_zoo=True).preset / "README.md").read_text()
    loss, recalled = baseline.metrics["test_cross_entropy"], baseline.metrics["test_recall_accuracy"]
    assert f"The generic baseline in the zoo, `rnn-copy`, scores test_cross_entropy {loss:.4g}, " in text
    assert f"test_recall_accuracy {100 * recalled:.2f}%" in text and "(its export of " in text
    assert "--epochs 3 --smoke`: 3 epochs against this model's 2)." in text
    assert ks.model_info("u1-rnn-copy")["name"] == "u1-rnn-copy" and zoo.get("rnn-copy").baseline is None


@jax_only
def test_card_of_a_real_run_lists_its_differences_from_the_paper_and_the_entry_notes(tmp_path):
    zoo.write(dataclasses.replace(zoo.get("u1-rnn-copy"), notes=("Seed 0 diverged.",)))
    result = ks.train(
        "u1-rnn-copy",
        out=tmp_path / "run",
        verbose=0,
        units=2,
        t_max=3,
        epochs=1,
        steps_per_epoch=2,
        val_batches=1,
        test_batches=1,
    )
    limitations = ks.hub.load_preset(result.preset)[1]["limitations"]
    assert limitations[0].startswith("Trained by `keras-symmetry train u1-rnn-copy --epochs 1 --units 2 --t-max 3 ")
    assert "units 2 (recipe: 32)" in limitations[1] and "epochs 1 (recipe: 1000)" in limitations[1]
    assert limitations[2] == "Seed 0 diverged." and "Seed 0 diverged." in (result.preset / "README.md").read_text()


def test_train_help_lists_entries_and_every_option(capsys):
    assert cli.main(["train"]) == 0
    listing = capsys.readouterr().out
    assert all(name in listing for name in [*zoo.names(), *experiments.RECIPES])
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", "u1-gru-psmnist", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    recipe = experiments.get("u1-gru-psmnist")[0]
    for opt in training.arguments.options(recipe):
        assert opt.flag in text
    assert "--data-parallel" in text and "--smoke" in text and "(default: 100)" in text  # the decay epoch


@jax_only
def test_sigma_w_sweep_trains_every_point_and_plots(tmp_path, mnist_path):
    """`keras-symmetry sweep mlp` (Iqbal et al. 2026, Figs. 3, 11); tests/test_sweep.py tests the sweeps on Ray."""
    out = tmp_path / "sweep"
    argv = ["sweep", "mlp", "--grid", "sigma_w=0.5,2", "--group", "u1", "--smoke", "--sequential", "--verbose", "0"]
    assert cli.main([*argv, "--out", str(out), "--data", str(mnist_path)]) == 0
    results = json.loads((out / "summary.json").read_text())
    assert [point["grid"] for point in results["points"]] == [{"sigma_w": 0.5}, {"sigma_w": 2.0}]
    accuracies = [point["metrics"]["test_accuracy"]["mean"] for point in results["points"]]
    assert len(accuracies) == 2 and all(0.0 <= acc <= 1.0 for acc in accuracies)
    assert (out / "summary.png").read_bytes()[:4] == b"\x89PNG"
    assert sorted(path.name for path in out.iterdir()) == [
        "sigma_w=0.5-seed0",
        "sigma_w=2-seed0",
        "summary.json",
        "summary.md",
        "summary.png",
        "sweep.json",
    ]


def test_training_never_imports_the_experiments_nor_the_command_line():
    """The call graph goes one way: the experiments and the CLI call training, which takes a `Recipe`."""
    package = REPO / "keras_symmetry"
    for path in sorted((package / "training").rglob("*.py")):
        module = ".".join(path.relative_to(REPO).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                parent = ".".join(module.split(".")[: -node.level]) if node.level else ""
                base = ".".join(part for part in (parent, node.module) if part)
                imported = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            else:
                continue
            for name in imported:
                assert not name.startswith(("keras_symmetry.experiments", "keras_symmetry.cli")), (
                    f"{path.relative_to(REPO)}:{node.lineno} imports {name}"
                )
