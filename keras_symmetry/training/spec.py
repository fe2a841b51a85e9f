"""What a recipe is: its options, the training options every recipe has (`COMMON`), and what its setup returns.

Training takes a `Recipe` (and the zoo entry it trains) as an argument; the papers' recipes are defined
in `keras_symmetry.experiments`, which imports this module, never the other way round.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Option:
    """One command-line option of a recipe; `--name-with-dashes` on the command line.

    `default=None` with a `type` makes an optional value; a `bool` default makes
    an on/off switch (`--name` / `--no-name`); `nargs="+"` takes a list.
    """

    name: str
    default: object
    help: str
    type: object = None
    choices: tuple = None
    nargs: str = None

    @property
    def flag(self):
        return "--" + self.name.replace("_", "-")


@dataclasses.dataclass
class Setup:
    """Everything a run needs from its recipe.

    `train` is an `EpochSeeded` PyDataset (its batches are a pure function of
    seed, epoch and index, which is what makes resuming exact); `val` may be
    `None`; `task` is the eval spec of `keras_symmetry.evaluate`.
    """

    model: object
    train: object
    val: object
    task: dict
    loss: object
    metrics: list


@dataclasses.dataclass(frozen=True)
class Recipe:
    """A model family's training recipe.

    Attributes:
        name: recipe name (`copy`, `psmnist`, `mlp`, `shapes`).
        summary: one line for `--help`.
        paper: where the settings come from.
        options: the family's own options.
        defaults: the family's values of the common training options
            (`epochs`, `batch_size`, `learning_rate`, `clipnorm`, ...).
        smoke: overrides for `--smoke`: tiny sizes and a few steps, for CI; a
            callable value is computed from the arguments before the overrides.
        setup: `setup(args, data_path) -> Setup`, `args` a dict of every option.
    """

    name: str
    summary: str
    paper: str
    options: tuple
    defaults: dict
    smoke: dict
    setup: object


def positive_int(text):
    value = int(text)
    if value < 1:
        raise ValueError(f"expected a positive integer, got {text}")
    return value


COMMON = (
    Option(
        "epochs",
        None,
        "training epochs (an epoch is one pass, or steps_per_epoch steps for the copy task)",
        positive_int,
    ),
    Option("batch_size", None, "training batch size", positive_int),
    Option("learning_rate", None, "Adam learning rate", float),
    Option("clipnorm", None, "clip each gradient to this norm (0: no clipping)", float),
    Option("global_clipnorm", None, "clip all gradients together to this global norm (needs --clipnorm 0)", float),
    Option("lr_decay_epoch", None, "divide the learning rate by 10 after this many epochs (0: never)", int),
    Option(
        "adam_epsilon",
        None,
        "Adam's epsilon (None: Keras' 1e-7; PyTorch's, which Iqbal et al. 2026, D.2.5 names, is 1e-8)",
        float,
    ),
    Option("seed", 0, "seed of the initial weights and the training batches", int),
    Option("val_every", 1, "validate every this many epochs", positive_int),
    Option(
        "init_from",
        None,
        "start from this pretrained model's weights (zoo name, hf://owner/name or preset folder; "
        "a head of other classes starts fresh)",
        str,
    ),
    Option("freeze_core", False, "keep the pretrained core fixed: train only the other parts (with --init-from)"),
)
"""Training options every recipe has; each recipe sets its own defaults for the `None` ones."""
