"""Permuted sequential MNIST recipe (Iqbal et al. 2026, D.2, Tables 1 and 3).

120 epochs of batch 128, Adam, gradient clipping 1.0, the learning rate divided
by 10 after 100 epochs (Iqbal et al. 2026, D.2.5); validation on 3,000 training images held
out at random; the test metric is the accuracy on the 10,000 test images.
"""

from keras_symmetry import models
from keras_symmetry.experiments import rnn
from keras_symmetry.experiments.classification import NUM_CLASSES, image_classification, image_task
from keras_symmetry.tasks import psmnist
from keras_symmetry.training.spec import Option, Recipe, positive_int


def setup(args, data_path=None):
    model = models.psmnist_model(
        args["arch"],
        args["units"],
        k=args["k"],
        permutation_seed=args["permutation_seed"],
        num_classes=args["num_classes"],
        **rnn.core_kwargs(args),
    )
    task = image_task("psmnist", args)
    return image_classification(model, args, task, "mnist", data_path, psmnist.VALIDATION_SIZE, 500, (28, 28))


RECIPE = Recipe(
    name="psmnist",
    summary="permuted sequential MNIST with a U(1) GRU, an O(k) RNN or a Keras baseline",
    paper="Iqbal et al. 2026, D.2.4-D.2.5, Tables 1 and 3",
    options=(
        *rnn.core_options(64),
        Option("permutation_seed", 0, "seed of the fixed pixel permutation (saved in the model)", int),
        Option("train_examples", None, "train on only the first n training images (quick runs)", positive_int),
        Option("test_limit", None, "score only the first n test images (quick runs)", positive_int),
        NUM_CLASSES,
    ),
    defaults={"epochs": 120, "batch_size": 128, "learning_rate": 1e-3, "clipnorm": 1.0, "lr_decay_epoch": 100},
    smoke={
        "units": 2,
        "k": lambda a: a["k"] and 2,
        "train_examples": 32,
        "test_limit": 50,
        "epochs": 2,
        "batch_size": 16,
    },
    setup=setup,
)
