"""Training: run a recipe resumably, log and plot it, and export the result as a zoo preset.

- `spec`: what a recipe is (`Recipe`, `Option`, `Setup`) and the options every recipe has (`COMMON`);
- `arguments`: a run's arguments resolved from the defaults, the command that reproduces them, the parser;
- `fit`: `train(recipe, entry, **options)`: resume, `model.fit` with its optimizer and callbacks, logs;
- `export`: the finished run as a preset with measured metrics and a card;
- `checkpoint` (the run folder), `curves` (learning curves), `speed` (compile settings), `distribution`
  (data parallelism), `transfer` (`--init-from`);
- `family`: the command line of the readable scripts in `recipes/`.

The papers' recipes live in `keras_symmetry.experiments`, which looks them up by name (`ks.train(NAME)`)
and imports this package; nothing here imports them.
"""

from keras_symmetry.training import family
from keras_symmetry.training.arguments import build_parser, defaults, resolve
from keras_symmetry.training.checkpoint import RunState
from keras_symmetry.training.family import train_family
from keras_symmetry.training.fit import Result, train
from keras_symmetry.training.spec import COMMON, Option, Recipe, Setup

__all__ = [
    "COMMON",
    "Option",
    "Recipe",
    "Result",
    "RunState",
    "Setup",
    "build_parser",
    "defaults",
    "family",
    "resolve",
    "train",
    "train_family",
]
