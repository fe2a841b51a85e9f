"""A training run's folder: atomic checkpoints that make a killed run resume exactly, and its logs.

```text
runs/u1-rnn-copy/
    state.json                 arguments, last finished epoch, metric history   (the commit point)
    epoch-00012.weights.h5     weights and optimizer state after that epoch
    best.weights.h5            the same for the epoch with the best validation metric so far (`--weights best`)
    log.csv, log.json          every metric of every epoch (log.json adds the test metrics)
    curves.png                 learning curves, written at the end
```

Every file is written to a hidden partial file and renamed into place, the
weights before `state.json`, so a run killed at any moment (SIGKILL included)
leaves the previous complete checkpoint. Training batches are a pure function
of (seed, epoch, index), so a resumed run replays exactly what the
uninterrupted run would have done.
"""

import csv
import io
import json
import math
import os
import pathlib
import time
import warnings

import h5py
import keras

STATE = "state.json"
INIT_FROM = "init_from.json"
"""What a run started from (`--init-from`): the pretrained model's name, revision and file hashes."""
PARTIAL = ".partial-"
BEST = "best.weights.h5"
FILES = ("state.json", "log.csv", "log.json", "curves.png", INIT_FROM)


def write_atomic(path, data):
    """Write `data` (str or bytes) to `path` through a renamed partial file."""
    path = pathlib.Path(path)
    tmp = path.with_name(PARTIAL + path.name)
    with open(tmp, "wb") as handle:
        handle.write(data.encode() if isinstance(data, str) else data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def monitored(row):
    """`(key, value)` an epoch's log `row` is judged by: its validation metric (`val_<metric>`, else `val_loss`);
    `None` for an epoch without validation (`--val-every`)."""
    keys = sorted(key for key in row if key.startswith("val_"))
    if not keys:
        return None
    key = next((k for k in keys if k != "val_loss"), "val_loss")
    return key, float(row[key])


def improves(key, value, best):
    """Whether `value` of the validation metric `key` beats `best`: higher for accuracies, lower for losses and
    errors (Keras' `mode="auto"` rule for callbacks that monitor a metric)."""
    return best is None or (value > best if "acc" in key else value < best)


def _plain(value):
    """JSON-normalised arguments (tuples become lists), so recorded and given arguments compare equal."""
    return json.loads(json.dumps(value))


class RunState:
    """The resumable state of a run in `folder`.

    Args:
        folder: the run folder (created if missing).
        args: the run's training arguments; a folder holding a run with other
            arguments is refused rather than mixed, apart from `epochs` (a run
            may train longer) and `lr_decay_epoch` while neither the recorded
            nor the new decay epoch has been reached (the finished epochs ran at
            the same learning rate under both), and an option the recorded run
            predates, given at its default.
        restart: discard whatever run the folder holds.
        defaults: every option's default (`Option.default`), for options newer than the recorded run.
    """

    def __init__(self, folder, args, restart=False, defaults=None):
        self.folder = pathlib.Path(folder)
        self.defaults = _plain(defaults or {})
        self.folder.mkdir(parents=True, exist_ok=True)
        for path in self.folder.iterdir():
            if path.name.startswith(PARTIAL) or (restart and (path.name in FILES or path.name.endswith(".weights.h5"))):
                path.unlink()
        self.args = _plain(args)
        state = json.loads((self.folder / STATE).read_text()) if (self.folder / STATE).is_file() else None
        if state is None:
            self.epoch, self.history, self.seconds, self.weights, self.best = 0, [], 0.0, None, None
            return
        changed = sorted(
            key
            for key in set(state["args"]) | set(self.args)
            if state["args"].get(key) != self.args.get(key) and not self._extends(key, state["args"], state["epoch"])
        )
        if changed:
            detail = ", ".join(f"{key}: {state['args'].get(key)!r} -> {self.args.get(key)!r}" for key in changed)
            raise ValueError(
                f"{self.folder} holds a run with other arguments ({detail}). Resume with the same arguments, "
                "choose another --out, or pass --restart to discard it."
            )
        self.epoch, self.history, self.seconds = state["epoch"], state["history"], state["seconds"]
        # A run written before best weights were kept has none: they are kept from its next epoch on.
        self.best = state.get("best")
        self.weights = self.folder / state["weights"]
        if not self.weights.is_file():
            raise FileNotFoundError(f"{self.folder / STATE} names {self.weights.name}, which is missing.")

    def _extends(self, key, recorded, epoch):
        """Whether changing `key` from the `recorded` run's value leaves its `epoch` finished epochs as they were."""
        if key == "epochs":
            return True
        if key not in recorded:  # an option added after the run started, at its default
            return key in self.defaults and self.args.get(key) == self.defaults[key]
        if key == "lr_decay_epoch":
            return all(not decay or decay >= epoch for decay in (recorded.get(key), self.args.get(key)))
        return False

    def restore(self, model):
        """Load the last checkpoint's weights and optimizer state into the compiled `model`."""
        if self.weights is None:
            return
        model.optimizer.build(model.trainable_variables)
        with h5py.File(self.weights, "r") as stored:
            saved = stored.get("optimizer/vars", {})
            saved = [saved[str(i)][()] for i in range(len(saved))]
        if saved and len(saved) == len(model.optimizer.variables) - 1:
            # Written before the learning rate became an optimizer variable (the step decay a callback): its
            # optimizer held every variable but that one, in the same order.
            with warnings.catch_warnings():  # Keras' "Skipping variable loading for optimizer": done below
                warnings.filterwarnings("ignore", "Skipping variable loading for optimizer")
                model.load_weights(self.weights, skip_mismatch=True)
            kept = [v for v in model.optimizer.variables if v.path.rsplit("/", 1)[-1] != "learning_rate"]
            for variable, value in zip(kept, saved):
                variable.assign(value)
        else:
            model.load_weights(self.weights)
        step = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
        if self.history and step != self.history[-1]["step"]:
            # Keras only warns when the optimizer's variables do not match and then leaves them fresh.
            raise ValueError(
                f"{self.weights} did not restore the optimizer state of this run (step {step} instead of "
                f"{self.history[-1]['step']}): the checkpoint was written with another optimizer setting. "
                "Resume with the same arguments, or pass --restart to discard it."
            )

    def restore_best(self, model):
        """Load the weights of the epoch with the best validation metric (`best.weights.h5`) into `model`; returns
        its record: `epoch`, `metric`, `value` and `since`, the first epoch it was chosen among."""
        if not self.best:
            raise ValueError(
                f"{self.folder} keeps no best weights: no epoch was validated yet, or the run predates them (they are "
                "kept from its next validated epoch on). Export the last epoch's weights (--weights last)."
            )
        model.load_weights(self.folder / BEST)
        return self.best

    def save(self, model, epoch, row, seconds):
        """Record a finished epoch: weights (and a copy as the best ones if its validation metric is the best so
        far), then the state naming them, then the logs."""
        name = f"epoch-{epoch:05d}.weights.h5"
        tmp = self.folder / f"{PARTIAL}{name}"
        model.save_weights(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, self.folder / name)
        judged = monitored(row)
        if judged and improves(*judged, self.best and self.best["value"]):
            write_atomic(self.folder / BEST, (self.folder / name).read_bytes())
            since = self.best["since"] if self.best else epoch
            self.best = {"epoch": epoch, "metric": judged[0], "value": judged[1], "since": since}
        self.epoch, self.seconds, self.weights = epoch, seconds, self.folder / name
        self.history.append(row)
        state = {"args": self.args, "epoch": epoch, "seconds": seconds, "weights": name, "history": self.history}
        state.update({"best": self.best} if self.best else {})
        write_atomic(self.folder / STATE, json.dumps(state, indent=1))
        for old in self.folder.glob("epoch-*.weights.h5"):
            if old.name != name:
                old.unlink()
        self.write_logs()

    def write_logs(self, test=None):
        """`log.csv` (one row per epoch) and `log.json` (arguments, history and, at the end, test metrics)."""
        columns = list(dict.fromkeys(key for row in self.history for key in row))
        text = io.StringIO()
        writer = csv.DictWriter(text, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.history)
        write_atomic(self.folder / "log.csv", text.getvalue())
        log = {"args": self.args, "history": self.history, **({"test": test} if test else {})}
        write_atomic(self.folder / "log.json", json.dumps(log, indent=1))


class Checkpointer(keras.callbacks.Callback):
    """Saves a `RunState` checkpoint and log row at the end of every epoch.

    `seconds` in the log is the training time summed over epochs (validation
    included), across every resumed process; `setting` (the backend and its
    compile setting, e.g. `tensorflow+xla`) is logged with every epoch, since
    a resumed run may continue on another backend. An epoch whose logs hold a
    NaN or infinite value is not saved (the run keeps its last finite
    checkpoint): training stops and `diverged` names the epoch.
    """

    def __init__(self, state, setting):
        super().__init__()
        self.state = state
        self.setting = setting
        self.started = None
        self.diverged = None

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if not all(math.isfinite(float(value)) for value in (logs or {}).values()):
            self.diverged = epoch + 1
            self.model.stop_training = True
            return
        optimizer = self.model.optimizer
        row = {
            "epoch": epoch + 1,
            "step": int(keras.ops.convert_to_numpy(optimizer.iterations)),
            "learning_rate": float(keras.ops.convert_to_numpy(optimizer.learning_rate)),
        }
        # training metrics, then validation ones, each led by the loss
        order = lambda key: (key.startswith("val_"), key.removeprefix("val_") != "loss", key)  # noqa: E731
        for key in sorted((logs or {}), key=order):
            if key != "learning_rate":
                row[key] = float(logs[key])
        seconds = self.state.seconds + time.perf_counter() - self.started
        row["seconds"] = round(seconds, 3)
        row["setting"] = self.setting
        self.state.save(self.model, epoch + 1, row, seconds)
