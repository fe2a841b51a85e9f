"""Export a finished run as a preset: the model, the metrics the eval code measures and a card telling how it was
trained (the command, its budget, where it differs from the paper's setting, the zoo's generic baseline).

`--to-zoo` writes it into the local zoo folder under the entry's name (and `train` then records it in the entry's
declaration, `keras_symmetry.zoo.record`); else it goes to `--export` or `OUT/preset`.
"""

import json
import os
import pathlib

import keras

from keras_symmetry import hub, zoo
from keras_symmetry.training import arguments, speed
from keras_symmetry.training.checkpoint import INIT_FROM


def write_preset(model, recipe, entry, args, command, task, state, control):
    """Write the finished `model` of `recipe` (for `entry`, or `None`) as a preset; returns its folder.

    `args` and `command` are `arguments.resolve`'s, `task` the recipe's eval spec, `state` the run's `RunState`
    and `control` the run options (`keras_symmetry.training.arguments.CONTROL`).
    """
    name = (entry or recipe).name
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
        f"Trained by `{command}`: {state.epoch} epoch{'s' * (state.epoch != 1)}, {steps:,} steps, "
        f"{state.seconds / 3600:.2f} h on {speed.describe(state.history) or keras.backend.backend()} "
        f"({os.cpu_count()} CPU cores visible)."
    )
    limitations = [budget]
    if control["weights"] == "best":
        best = state.best
        limitations.append(
            f"The weights are those of epoch {best['epoch']}, the best {best['metric']} ({best['value']:.4g}) on the "
            f"validation split of epochs {best['since']}-{state.epoch} (`--weights best`), not the last epoch's."
        )
    if control["smoke"]:
        limitations.insert(0, "Smoke run: tiny sizes and a few steps to check the recipe, not a trained model.")
    else:
        changed = [
            f"{key} {args[key]!r} (recipe: {value!r})"
            for key, value in arguments.differences(recipe, entry, args).items()
        ]
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
        baseline=zoo.baseline(entry) if entry else None,
        limitations=limitations,
        data_path=control["data"],
        overwrite=True,
        init_from=json.loads((state.folder / INIT_FROM).read_text()) if args["init_from"] else None,
    )
    return target
