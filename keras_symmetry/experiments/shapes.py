"""Shapes recipe (Iqbal & Welling 2025, §2.2, A.1): the Z2 Kuramoto network, or its symmetry-broken twin.

28K pairs of 64x64 images (pixels +-0.5), N=16 oscillator channels, a 5x5
coupling kernel, gamma=0.25, T=30 steps, 20 epochs; mean squared error
training loss, RMSE reported on 1,000 pairs from a seed training never sees.
Iqbal & Welling 2025 does not state the optimiser: Adam at 1e-3, batch 32, no clipping here.
`--train-size` trains on smaller images (cheaper steps) while validation and
test stay at `--size`.
"""

import keras

from keras_symmetry import models
from keras_symmetry.tasks import shapes
from keras_symmetry.training.spec import Option, Recipe, Setup, positive_int

VAL_SEED_OFFSET = 5_000


def setup(args, data_path=None):
    model = models.kuramoto_model(
        channels=args["channels"],
        symmetry_breaking=args["symmetry_breaking"],
        kernel_size=args["kernel_size"],
        steps=args["steps"],
        gamma=args["gamma"],
    )
    data = {"size": args["size"], "filled": args["filled"]}
    train = shapes.ShapesDataset(
        args["train_examples"],
        batch_size=args["batch_size"],
        seed=args["seed"],
        size=args["train_size"] or args["size"],
        filled=args["filled"],
    )
    val = shapes.ShapesDataset(
        args["val_examples"], batch_size=args["batch_size"], seed=args["seed"] + VAL_SEED_OFFSET, shuffle=False, **data
    )
    task = {"name": "shapes", "test_examples": args["test_examples"], **data}
    return Setup(model, train, val, task, "mse", [keras.metrics.RootMeanSquaredError(name="rmse")])


RECIPE = Recipe(
    name="shapes",
    summary="shapes transmogrification with the Z2 Kuramoto network or its symmetry-broken twin",
    paper="Iqbal & Welling 2025, §2.2, A.1",
    options=(
        Option("symmetry_breaking", False, "add the constant bias c of Iqbal & Welling 2025, eq. 8 (the broken twin)"),
        Option("channels", 16, "oscillator dimension N", positive_int),
        Option("kernel_size", 5, "coupling kernel size", positive_int),
        Option("gamma", 0.25, "step size of Iqbal & Welling 2025, eq. 12", float),
        Option("steps", 30, "time steps T", positive_int),
        Option("size", 64, "image side L (the number of shapes scales with L^2)", positive_int),
        Option(
            "train_size",
            None,
            "image side of the training pairs (None: size); the network is convolutional "
            "and the density of shapes the same at every size, so it may train on smaller images and be validated "
            "and tested at size",
            positive_int,
        ),
        Option("filled", False, "solid shapes instead of outlines"),
        Option("train_examples", 28_000, "training pairs", positive_int),
        Option("val_examples", 500, "validation pairs (seed + 5000)", positive_int),
        Option("test_examples", 1000, "test pairs for the final RMSE (seed 10000)", positive_int),
    ),
    defaults={"epochs": 20, "batch_size": 32, "learning_rate": 1e-3, "clipnorm": 0.0, "lr_decay_epoch": 0},
    smoke={
        "channels": 4,
        "steps": 3,
        "size": 32,
        "train_examples": 16,
        "val_examples": 8,
        "test_examples": 8,
        "epochs": 2,
        "batch_size": 8,
    },
    setup=setup,
)
