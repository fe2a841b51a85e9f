"""Copy-task recipe (Iqbal et al. 2026, D.2, Tables 1-2; D.3 for the convolutional U(1) RNN).

Fresh seeded batches of 128 every step; an epoch is `steps_per_epoch` steps,
so the papers' 1 million iterations are 1,000 epochs of 1,000. Validation on
fresh batches from another seed; the test metric is the per-step cross-entropy
on 100 batches of 50 from seed 10,000, which training never sees.
"""

from keras_symmetry import models
from keras_symmetry.experiments import rnn
from keras_symmetry.experiments.classification import classification
from keras_symmetry.tasks import copy
from keras_symmetry.training.spec import Option, Recipe, Setup, positive_int

VAL_SEED_OFFSET = 5_000


def setup(args, data_path=None):
    grid = args["grid"]
    if args["arch"] == "u1-convrnn" and grid is None:
        raise ValueError("--arch u1-convrnn needs --grid, the side of the hidden lattice (Iqbal et al. 2026, D.3: 20).")
    model = models.copy_model(args["arch"], args["units"], k=args["k"], grid=grid, **rnn.core_kwargs(args))
    task_args = {"t_max": args["t_max"], "fixed_delay": args["fixed_delay"], "batch_size": args["batch_size"]}
    train = copy.CopyTask(steps_per_epoch=args["steps_per_epoch"], seed=args["seed"], **task_args)
    val = copy.CopyTask(
        steps_per_epoch=args["val_batches"], seed=args["seed"] + VAL_SEED_OFFSET, reshuffle=False, **task_args
    )
    task = {
        "name": "copy",
        "t_max": args["t_max"],
        "fixed_delay": args["fixed_delay"],
        "test_batches": args["test_batches"],
    }
    return Setup(model, train, val, task, *classification())


RECIPE = Recipe(
    name="copy",
    summary="variable- or fixed-delay copy task with a U(1) RNN/GRU, a convolutional U(1) RNN or a Keras baseline",
    paper="Iqbal et al. 2026, D.2.4-D.2.5, Table 1; D.3",
    options=(
        *rnn.core_options(32),
        Option("grid", None, "hidden lattice side of a u1-convrnn core (Iqbal et al. 2026, D.3: 20)", positive_int),
        Option("t_max", 25, "largest delay T_max (Iqbal et al. 2026: 25 for RNNs, 100 for GRUs)", int),
        Option("fixed_delay", None, "use this delay for every example (Iqbal et al. 2026, D.3: 100)", int),
        Option("steps_per_epoch", 1000, "training steps per epoch", positive_int),
        Option("val_batches", 20, "validation batches (fresh, from seed + 5000)", positive_int),
        Option("test_batches", 100, "test batches of 50 for the final metric (seed 10000)", positive_int),
    ),
    defaults={"epochs": 1000, "batch_size": 128, "learning_rate": 1e-3, "clipnorm": 1.0, "lr_decay_epoch": 0},
    smoke={
        "units": 4,
        "grid": lambda a: a["grid"] and 3,
        "t_max": 5,
        "fixed_delay": lambda a: a["fixed_delay"] and 5,
        "steps_per_epoch": 4,
        "val_batches": 1,
        "test_batches": 2,
        "epochs": 2,
        "batch_size": 8,
    },
    setup=setup,
)
