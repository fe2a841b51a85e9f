"""Run a recipe: resumable training with progress, logs and curves, then a zoo preset with measured metrics.

```python
import keras_symmetry as ks
result = ks.training.train("u1-rnn-copy", epochs=20, out="runs/u1-rnn-copy")
result.metrics        # measured by ks.evaluate on the task's test data
```
The command line is `keras-symmetry train NAME [options]` (`--help` lists them).
"""

import argparse
import dataclasses
import json
import os
import pathlib

import keras

from keras_symmetry import hub, performance, recipes, zoo
from keras_symmetry.training import curves, distribution, speed, transfer
from keras_symmetry.training.checkpoint import INIT_FROM, Checkpointer, RunState, write_atomic

CONTROL = {
    "smoke": False,
    "out": None,
    "restart": False,
    "data": None,
    "data_parallel": False,
    "coordinator_address": None,
    "num_processes": None,
    "process_id": None,
    "export": None,
    "to_zoo": False,
    "no_export": False,
    "preset_name": None,
    "verbose": "auto",
    "jit_compile": "fastest",
    "from_paper": False,
}
"""Options that steer a run without changing what it trains (not part of the recorded arguments)."""
CURVES_CAPTION = "Learning curves of the run that trained this checkpoint (training and validation loss and metric per epoch; test metrics in the title)."


@dataclasses.dataclass
class Result:
    """What a finished run hands back: the model, its test metrics, the run folder and the preset folder."""

    model: object
    metrics: dict
    folder: pathlib.Path
    preset: pathlib.Path = None


def options(recipe):
    """Every training option of `recipe`: the common ones, then the family's own."""
    return (*recipes.COMMON, *recipe.options)


def defaults(name, recorded=True):
    """The arguments `name` trains with when none are given.

    Common defaults < the recipe's < the zoo entry's (the papers' setting) <
    the arguments its exported preset was trained with (recorded in its
    declaration), if `recorded`.
    """
    recipe, entry = recipes.get(name)
    args = {opt.name: opt.default for opt in options(recipe)}
    args.update(recipe.defaults)
    if entry is not None:
        args.update(entry.args)
        if recorded:
            saved = (entry.preset or {}).get("args") or {}
            args.update({key: value for key, value in saved.items() if key in args})
    return args


def resolve(name, given, smoke=False, recorded=True):
    """`(args, command)`: the full training arguments and the command line that reproduces them.

    The command names every argument that differs from the recipe's setting
    for `name` (the papers'), so it reproduces the run on a fresh clone too.
    `recorded=False` starts from the papers' setting instead of the zoo's recorded arguments.
    """
    recipe, _ = recipes.get(name)
    args = defaults(name, recorded)
    unknown = sorted(set(given) - set(args))
    if unknown:
        raise ValueError(f"Unknown option(s) for {name!r}: {', '.join(unknown)}. Known: {', '.join(sorted(args))}.")
    explicit = {key: value for key, value in given.items() if value != args[key]}  # the CLI passes every option
    args.update(explicit)
    missing = [opt.flag for opt in options(recipe) if args[opt.name] is None and opt.name in ("arch", "group")]
    if missing:
        raise ValueError(f"Recipe {name!r} needs {', '.join(missing)}.")
    flags = {opt.name: opt for opt in options(recipe)}
    command = " ".join(
        ["keras-symmetry train", name, *(_flag(flags[key], args[key]) for key in _differences(name, args))]
    )
    if smoke:
        args.update(
            {
                key: value(args) if callable(value) else value
                for key, value in recipe.smoke.items()
                if key not in explicit
            }
        )
        command += " --smoke"
    return args, command


def _differences(name, args):
    """`{key: the recipe's value}` for every argument in `args` that differs from the recipe's setting for `name`."""
    paper = defaults(name, recorded=False)
    return {key: paper[key] for key in args if args[key] != paper[key]}


def _flag(option, value):
    if isinstance(option.default, bool) or isinstance(value, bool):
        return option.flag if value else "--no-" + option.flag[2:]
    return f"{option.flag} {value}"


def _optimizer(args):
    """Adam with per-variable or global-norm clipping (and `--adam-epsilon`); its learning rate is a variable that `_step_decay` sets."""
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
    """001 D.2.5's schedule as a callback: the learning rate, divided by 10 from epoch `lr_decay_epoch` on (0: never).

    A callback and not a `keras.optimizers.schedules` object, so that the optimizer's variables do not depend on
    the schedule and a run can be given a (later) decay epoch when it is resumed."""
    rate, decay = args["learning_rate"], args["lr_decay_epoch"]
    return keras.callbacks.LearningRateScheduler(lambda epoch, _: rate / 10 if decay and epoch >= decay else rate)


def train(name, /, **given):
    """Train the zoo entry or recipe `name`, resuming its run folder if it holds one; returns a `Result`.

    Keyword arguments are the recipe's options (see `keras-symmetry train NAME
    --help`) and the run options: `smoke`, `out` (default `runs/NAME`),
    `restart`, `data` (path of mnist.npz), `data_parallel` (+
    `coordinator_address`, `num_processes`, `process_id`), `export` (preset
    folder, default `OUT/preset`), `to_zoo` (export into the zoo and register),
    `no_export`, `preset_name`, `verbose`, `from_paper` (start from the recipe's
    setting, the paper's, instead of the arguments the zoo preset `name` recorded:
    a quick export's `--train-examples` or `--epochs 1` does not stick).
    """
    control = {**CONTROL, **{key: given.pop(key) for key in list(given) if key in CONTROL}}
    recipe, entry = recipes.get(name)
    args, command = resolve(name, given, smoke=control["smoke"], recorded=not control["from_paper"])
    if control["to_zoo"] and entry is None:
        raise ValueError(
            f"--to-zoo needs a zoo entry name; {name!r} is a recipe. Known entries: {', '.join(zoo.names())}."
        )
    # Recurrent layers on torch compile their step where that was measured faster (the entry's `speed`).
    compiled = speed.compiled_steps(control["jit_compile"], entry and name, control["smoke"])
    with performance.settings(torch_compile=compiled):
        return _run(name, recipe, entry, args, command, control)


def _run(name, recipe, entry, args, command, control):
    """`train`'s work once the arguments are resolved: build, resume, fit, export or evaluate, log."""
    keras.utils.set_random_seed(args["seed"])
    devices = None
    if control["data_parallel"]:
        devices = distribution.data_parallel(
            args["batch_size"], control["coordinator_address"], control["num_processes"], control["process_id"]
        )
    folder = pathlib.Path(control["out"] or pathlib.Path("runs") / name)
    state = RunState(
        folder, args, restart=control["restart"], defaults={opt.name: opt.default for opt in options(recipe)}
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
    jit_compile = speed.jit_compile(control["jit_compile"], recipe.name, entry and name)
    model.compile(optimizer=_optimizer(args), loss=setup.loss, metrics=setup.metrics, jit_compile=jit_compile)
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
    preset = None
    if control["no_export"]:
        from keras_symmetry import evaluate

        metrics = evaluate.evaluate(model, setup.task, data_path=control["data"])
    else:
        preset = _export(model, name, entry, recipe, args, command, setup.task, state, control)
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


def _export(model, name, entry, recipe, args, command, task, state, control):
    """Write the finished model as a preset (metrics measured by the eval code), in the zoo folder with `to_zoo`."""
    preset_name = control["preset_name"] or name
    if control["to_zoo"]:
        if zoo.local_dir() is None:
            raise FileNotFoundError(
                f"--to-zoo writes into a local zoo folder: set ${zoo.ENV_VAR}, or run from a clone."
            )
        target = zoo.local_dir() / preset_name
    else:
        target = pathlib.Path(control["export"] or state.folder / "preset")
    steps = state.history[-1]["step"] if state.history else 0
    budget = (
        f"Trained by `{command}`: {state.epoch} epoch{'s' * (state.epoch != 1)}, {steps:,} steps, {state.seconds / 3600:.2f} h "
        f"on {speed.describe(state.history) or keras.backend.backend()} ({os.cpu_count()} CPU cores visible)."
    )
    limitations = [budget]
    if control["smoke"]:
        limitations.insert(0, "Smoke run: tiny sizes and a few steps to check the recipe, not a trained model.")
    else:
        changed = [f"{key} {args[key]!r} (recipe: {value!r})" for key, value in _differences(name, args).items()]
        if changed:
            limitations.append("Differs from the recipe's (the paper's) setting in: " + "; ".join(changed) + ".")
        limitations.extend(entry.notes if entry else ())
    seeds = {key: args[key] for key in ("seed", "permutation_seed") if key in args}
    hub.export(
        model,
        target,
        preset_name,
        task,
        description=entry.description if entry else f"Trained by the {recipe.name!r} recipe ({recipe.paper}).",
        recipe={"name": recipe.name, "command": command, "args": args},
        seeds=seeds,
        paper=entry.paper if entry else None,
        baseline=_baseline(entry),
        limitations=limitations,
        data_path=control["data"],
        overwrite=True,
        init_from=json.loads((state.folder / INIT_FROM).read_text()) if args["init_from"] else None,
    )
    return target


def _baseline(entry):
    """What the zoo holds of `entry`'s generic baseline, for the card: its metrics and how it was trained."""
    recorded = zoo.get(entry.baseline).preset if entry and entry.baseline else None
    if not recorded:
        return None
    return {
        "name": entry.baseline,
        "metrics": recorded["metrics"],
        "command": recorded["command"],
        "epochs": recorded["epochs"],
        "created": recorded["created"][:10],
    }


def build_parser(name, recorded=True):
    """The `keras-symmetry train NAME` parser, its defaults those `NAME` trains with (the paper's when not `recorded`)."""
    recipe, entry = recipes.get(name)
    args = defaults(name, recorded)
    parser = argparse.ArgumentParser(
        prog=f"keras-symmetry train {name}",
        description=(entry.description + " " if entry else "")
        + f"Recipe {recipe.name!r}: {recipe.summary} ({recipe.paper}).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    family = parser.add_argument_group(f"{recipe.name} options")
    for opt in recipe.options:
        _add(family, opt, args[opt.name])
    training = parser.add_argument_group("training options")
    for opt in recipes.COMMON:
        _add(training, opt, args[opt.name])
    run = parser.add_argument_group("run options")
    run.add_argument(
        "--smoke", action="store_true", help="tiny sizes and a few steps: checks the whole path in seconds"
    )
    run.add_argument(
        "--out",
        default=None,
        help="run folder with checkpoints and logs, None meaning runs/NAME; "
        "rerunning the same command there resumes from the last finished epoch",
    )
    run.add_argument("--restart", action="store_true", help="discard the run folder's checkpoint and start over")
    run.add_argument(
        "--from-paper",
        action="store_true",
        help="start from the recipe's (the paper's) arguments for NAME, not those its zoo preset recorded",
    )
    run.add_argument("--data", default=None, help="path of mnist.npz (else $KERAS_SYMMETRY_DATA, else download)")
    run.add_argument(
        "--data-parallel",
        action="store_true",
        help="shard each batch over all local devices with keras.distribution.DataParallel (JAX backend)",
    )
    run.add_argument("--coordinator-address", default=None, help="host:port of process 0 of a multi-host run")
    run.add_argument("--num-processes", type=int, default=None, help="processes of a multi-host run")
    run.add_argument("--process-id", type=int, default=None, help="this process's index in a multi-host run")
    run.add_argument("--export", default=None, help="preset folder to write at the end, None meaning OUT/preset")
    run.add_argument("--to-zoo", action="store_true", help="write the preset into the zoo as NAME and register it")
    run.add_argument("--no-export", action="store_true", help="only evaluate at the end; write no preset")
    run.add_argument("--preset-name", default=None, help="name of the preset, None meaning NAME")
    run.add_argument(
        "--jit-compile",
        default="fastest",
        choices=("fastest", "auto", "true", "false"),
        help="Keras' jit_compile: fastest = the setting measured fastest for this zoo entry (else its recipe) "
        "on this backend, torch's compiled layer steps included (keras_symmetry.training.speed), auto = Keras' own choice (XLA on tensorflow only with a GPU)",
    )
    run.add_argument(
        "--verbose",
        default="auto",
        choices=("auto", "0", "1", "2"),
        help="Keras fit verbosity: 1 progress bar, 2 one line per epoch",
    )
    return parser


def _add(group, opt, default):
    if isinstance(opt.default, bool):
        group.add_argument(opt.flag, default=default, action=argparse.BooleanOptionalAction, help=opt.help)
        return
    group.add_argument(opt.flag, default=default, type=opt.type, choices=opt.choices, nargs=opt.nargs, help=opt.help)


def main(name, argv):
    """`keras-symmetry train NAME ARGV...`."""
    # The defaults depend on --from-paper, so it is read first, as argparse reads it (abbreviations included).
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("--from-paper", action="store_true")
    recorded = not first.parse_known_args(argv)[0].from_paper
    parsed = vars(build_parser(name, recorded).parse_args(argv))
    if parsed["verbose"] != "auto":
        parsed["verbose"] = int(parsed["verbose"])
    return train(name, **parsed)
