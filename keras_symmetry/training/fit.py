"""Train a recipe: resumable `model.fit` with progress, logs and curves, then a preset with measured metrics.

```python
import keras_symmetry as ks
recipe, entry = ks.experiments.get("u1-rnn-copy")  # what ks.train("u1-rnn-copy", ...) looks up
result = ks.training.train(recipe, entry, epochs=20, out="runs/u1-rnn-copy")
result.metrics        # measured by ks.evaluate on the task's test data
```
The command line is `keras-symmetry train NAME [options]` (`--help` lists them).
"""

import dataclasses
import json
import pathlib

import keras

from keras_symmetry import hub, performance, zoo
from keras_symmetry.training import arguments, curves, distribution, export, speed, transfer
from keras_symmetry.training.checkpoint import INIT_FROM, Checkpointer, RunState, write_atomic

CURVES_CAPTION = (
    "Learning curves of the run that trained this checkpoint "
    "(training and validation loss and metric per epoch; test metrics in the title)."
)


@dataclasses.dataclass
class Result:
    """What a finished run hands back: the model, its test metrics, the run folder and the preset folder."""

    model: object
    metrics: dict
    folder: pathlib.Path
    preset: pathlib.Path = None


def optimizer(args):
    """Adam with per-variable or global-norm clipping (and `--adam-epsilon`); its learning rate is a variable that
    `_step_decay` sets."""
    if args["clipnorm"] and args["global_clipnorm"]:
        raise ValueError(
            f"--clipnorm {args['clipnorm']} and --global-clipnorm {args['global_clipnorm']} both clip; "
            "choose one (add --clipnorm 0 to clip the global norm only)."
        )
    epsilon = {"epsilon": args["adam_epsilon"]} if args["adam_epsilon"] else {}
    return keras.optimizers.Adam(
        args["learning_rate"],
        clipnorm=args["clipnorm"] or None,
        global_clipnorm=args["global_clipnorm"] or None,
        **epsilon,
    )


def _step_decay(args):
    """The schedule of Iqbal et al. 2026, D.2.5 as a callback: the learning rate, divided by 10 from epoch
    `lr_decay_epoch` on (0: never).

    A callback and not a `keras.optimizers.schedules` object, so that the optimizer's variables do not depend on
    the schedule and a run can be given a (later) decay epoch when it is resumed."""
    rate, decay = args["learning_rate"], args["lr_decay_epoch"]
    return keras.callbacks.LearningRateScheduler(lambda epoch, _: rate / 10 if decay and epoch >= decay else rate)


def train(recipe, entry=None, /, **given):
    """Train `recipe` (for the zoo `entry`, or alone when `None`), resuming its run folder if it holds one; returns
    a `Result`. `ks.train(NAME, ...)` looks up the recipe and entry by name.

    Keyword arguments are the recipe's options (see `keras-symmetry train NAME
    --help`) and the run options: `smoke`, `out` (default `runs/NAME`, NAME
    the entry's name, else the recipe's), `restart`, `data` (path of
    mnist.npz), `data_parallel` (+ `coordinator_address`, `num_processes`,
    `process_id`), `export` (preset folder, default `OUT/preset`), `to_zoo`
    (export into the zoo and register), `no_export`, `preset_name`, `weights`
    (`"last"`, or `"best"`: the epoch with the best validation metric), `verbose`,
    `jit_compile`, `from_paper` (start from the recipe's setting for the entry,
    the paper's, instead of the arguments its zoo preset recorded: a quick
    export's `--train-examples` or `--epochs 1` does not stick).
    """
    if isinstance(recipe, str):
        raise TypeError(f"ks.training.train takes a Recipe; train {recipe!r} by name with ks.train({recipe!r}, ...).")
    control = {**arguments.CONTROL, **{key: given.pop(key) for key in list(given) if key in arguments.CONTROL}}
    args, command = arguments.resolve(recipe, entry, given, smoke=control["smoke"], recorded=not control["from_paper"])
    command += " --weights best" * (control["weights"] == "best")  # which epoch's weights the preset holds
    if control["to_zoo"] and entry is None:
        raise ValueError(
            f"--to-zoo needs a zoo entry name; {recipe.name!r} is a recipe. Known entries: {', '.join(zoo.names())}."
        )
    # Recurrent layers on torch compile their step where that was measured faster (the entry's `speed`).
    compiled = speed.compiled_steps(control["jit_compile"], entry and entry.name, control["smoke"])
    with performance.settings(torch_compile=compiled):
        return _run(recipe, entry, args, command, control)


def _run(recipe, entry, args, command, control):
    """`train`'s work once the arguments are resolved: build, resume, fit, export or evaluate, log."""
    name = (entry or recipe).name
    keras.utils.set_random_seed(args["seed"])
    devices = None
    if control["data_parallel"]:
        devices = distribution.data_parallel(
            args["batch_size"], control["coordinator_address"], control["num_processes"], control["process_id"]
        )
    folder = pathlib.Path(control["out"] or pathlib.Path("runs") / name)
    state = RunState(
        folder,
        args,
        restart=control["restart"],
        defaults={opt.name: opt.default for opt in arguments.options(recipe)},
    )
    setup = recipe.setup(args, control["data"])
    model = setup.model
    if args["freeze_core"] and not args["init_from"]:
        raise ValueError("--freeze-core keeps a pretrained core fixed; give the model to start from with --init-from.")
    if args["init_from"] and not state.epoch:  # a resumed run has the weights in its checkpoint
        write_atomic(folder / INIT_FROM, json.dumps(transfer.initialize(model, args["init_from"]), indent=1))
        print(f"initialised from {args['init_from']}: {json.loads((folder / INIT_FROM).read_text())}")
    if args["freeze_core"]:
        transfer.freeze_core(model)
    jit_compile = speed.jit_compile(control["jit_compile"], recipe.name, entry and entry.name)
    model.compile(optimizer=optimizer(args), loss=setup.loss, metrics=setup.metrics, jit_compile=jit_compile)
    state.restore(model)
    setup.train.epoch = state.epoch
    where = f"{len(devices)} devices, DataParallel" if devices else "one device"
    print(
        f"{name}: recipe {recipe.name!r} ({recipe.paper}); backend {keras.backend.backend()} "
        f"(jit_compile={model.jit_compile}), {where}; "
        f"{model.count_params():,} parameters; run folder {folder}"
    )
    print(
        f"resuming after epoch {state.epoch} of {args['epochs']}"
        if state.epoch
        else f"starting, {args['epochs']} epoch(s)"
    )
    if state.epoch < args["epochs"]:
        checkpointer = Checkpointer(state, speed.setting(model))
        model.fit(
            setup.train,
            validation_data=setup.val,
            epochs=args["epochs"],
            initial_epoch=state.epoch,
            shuffle=False,  # the datasets shuffle themselves from (seed, epoch): Keras' own shuffle would not resume
            validation_freq=args["val_every"],
            callbacks=[_step_decay(args), keras.callbacks.TerminateOnNaN(), checkpointer],
            verbose=control["verbose"],
        )
        if checkpointer.diverged:
            raise FloatingPointError(
                f"{name}: the loss became NaN or infinite in epoch {checkpointer.diverged}, so training stopped; "
                f"{folder} keeps epoch {state.epoch}, the last finite one. Train with other arguments in a new folder "
                "(--out, or --restart to discard this one), e.g. another --activation or a lower --learning-rate."
            )
    if control["weights"] == "best":
        best = state.restore_best(model)
        print(f"weights of epoch {best['epoch']} of {state.epoch}: the best {best['metric']} ({best['value']:.4g})")
    preset = None
    if control["no_export"]:
        from keras_symmetry import evaluate

        metrics = evaluate.evaluate(model, setup.task, data_path=control["data"])
    else:
        preset = export.write_preset(model, recipe, entry, args, command, setup.task, state, control)
        metrics = hub.verify(preset)["metrics"]
    state.write_logs(test=metrics)
    if state.history:
        curves.plot(state.history, folder / "curves.png", f"{name} ({speed.describe(state.history)})", metrics)
        if preset:
            hub.add_figure(preset, folder / "curves.png", CURVES_CAPTION)
    if preset and control["to_zoo"]:
        zoo.record(preset)
    print(f"test metrics ({setup.task['name']}): " + json.dumps(metrics))
    print(f"logs: {folder / 'log.csv'}, {folder / 'curves.png'}" + (f"; preset: {preset}" if preset else ""))
    return Result(model, metrics, folder, preset)
