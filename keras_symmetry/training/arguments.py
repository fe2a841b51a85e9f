"""The arguments of a training run: resolved from the defaults, the command line that reproduces them, and the
`keras-symmetry train NAME` parser.

`recipe` is a `keras_symmetry.training.spec.Recipe` and `entry` the zoo entry it trains (a
`keras_symmetry.zoo.Entry`), or `None` to train the recipe with given arguments alone;
`keras_symmetry.experiments.get(NAME)` looks both up by name. The run is named after the entry, else the recipe.
"""

import argparse

from keras_symmetry.training.spec import COMMON

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
    "weights": "last",
    "verbose": "auto",
    "jit_compile": "fastest",
    "from_paper": False,
}
"""Options that steer a run without changing what it trains (not part of the recorded arguments)."""


def options(recipe):
    """Every training option of `recipe`: the common ones, then the family's own."""
    return (*COMMON, *recipe.options)


def defaults(recipe, entry=None, recorded=True):
    """The arguments `recipe` trains `entry` with when none are given.

    Common defaults < the recipe's < the zoo entry's (the papers' setting) <
    the arguments its exported preset was trained with (recorded in its
    declaration), if `recorded`.
    """
    args = {opt.name: opt.default for opt in options(recipe)}
    args.update(recipe.defaults)
    if entry is not None:
        args.update(entry.args)
        if recorded:
            saved = (entry.preset or {}).get("args") or {}
            args.update({key: value for key, value in saved.items() if key in args})
    return args


def resolve(recipe, entry, given, smoke=False, recorded=True):
    """`(args, command)`: the full training arguments and the command line that reproduces them.

    The command names every argument that differs from the recipe's setting
    for the entry (the papers'), so it reproduces the run on a fresh clone too.
    `recorded=False` starts from the papers' setting instead of the zoo's recorded arguments.
    """
    name = (entry or recipe).name
    args = defaults(recipe, entry, recorded)
    unknown = sorted(set(given) - set(args))
    if unknown:
        raise ValueError(f"Unknown option(s) for {name!r}: {', '.join(unknown)}. Known: {', '.join(sorted(args))}.")
    explicit = {key: value for key, value in given.items() if value != args[key]}  # the CLI passes every option
    args.update(explicit)
    missing = [opt.flag for opt in options(recipe) if args[opt.name] is None and opt.name in ("arch", "group")]
    if missing:
        raise ValueError(f"Recipe {name!r} needs {', '.join(missing)}.")
    flags = {opt.name: opt for opt in options(recipe)}
    changed = differences(recipe, entry, args)
    command = " ".join(["keras-symmetry train", name, *(_flag(flags[key], args[key]) for key in changed)])
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


def differences(recipe, entry, args):
    """`{key: the recipe's value}` for every argument in `args` that differs from the recipe's setting for `entry`."""
    paper = defaults(recipe, entry, recorded=False)
    return {key: paper[key] for key in args if args[key] != paper[key]}


def _flag(option, value):
    if isinstance(option.default, bool) or isinstance(value, bool):
        return option.flag if value else "--no-" + option.flag[2:]
    return f"{option.flag} {value}"


def build_parser(recipe, entry=None, recorded=True):
    """The `keras-symmetry train NAME` parser, its defaults those `entry` trains with (the paper's when not
    `recorded`)."""
    args = defaults(recipe, entry, recorded)
    parser = argparse.ArgumentParser(
        prog=f"keras-symmetry train {(entry or recipe).name}",
        description=(entry.description + " " if entry else "")
        + f"Recipe {recipe.name!r}: {recipe.summary} ({recipe.paper}).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    family = parser.add_argument_group(f"{recipe.name} options")
    for opt in recipe.options:
        _add(family, opt, args[opt.name])
    training = parser.add_argument_group("training options")
    for opt in COMMON:
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
        "--weights",
        default="last",
        choices=("last", "best"),
        help="the weights to export (or evaluate): the last epoch's, or those of the epoch with the best validation "
        "metric (kept as OUT/best.weights.h5; the card says which)",
    )
    run.add_argument(
        "--jit-compile",
        default="fastest",
        choices=("fastest", "auto", "true", "false"),
        help="Keras' jit_compile: fastest = the setting measured fastest for this zoo entry (else its recipe) "
        "on this backend, torch's compiled layer steps included (keras_symmetry.training.speed), "
        "auto = Keras' own choice (XLA on tensorflow only with a GPU)",
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


def parse(recipe, entry, argv):
    """The keyword arguments of `ks.training.train` that `keras-symmetry train NAME ARGV...` gives."""
    # The defaults depend on --from-paper, so it is read first, as argparse reads it (abbreviations included).
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("--from-paper", action="store_true")
    recorded = not first.parse_known_args(argv)[0].from_paper
    parsed = vars(build_parser(recipe, entry, recorded).parse_args(argv))
    if parsed["verbose"] != "auto":
        parsed["verbose"] = int(parsed["verbose"])
    return parsed
