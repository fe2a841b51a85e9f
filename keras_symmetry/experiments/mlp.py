"""Deep MLP recipe (Iqbal et al. 2026, §2, D.1; Figs. 3, 4, 11): 100 layers on MNIST or Fashion-MNIST.

Adam at 1e-3, batch 256, 5 epochs (Iqbal et al. 2026, D.1). The weight scale `sigma_w` sets
the phase: the symmetric phase below 1, spontaneously broken above (eq. 35);
`keras-symmetry sweep` runs the recipe over a list of `sigma_w` (Figs. 3, 11).
"""

from keras_symmetry import models
from keras_symmetry.experiments.classification import NUM_CLASSES, image_classification, image_task
from keras_symmetry.tasks import images
from keras_symmetry.training.spec import Option, Recipe, positive_int

VALIDATION_SIZE = 5000


def setup(args, data_path=None):
    model = models.mlp_model(
        args["group"],
        args["units"],
        depth=args["depth"],
        sigma_w=args["sigma_w"],
        k=args["k"],
        num_classes=args["num_classes"],
    )
    task = image_task(args["dataset"], args)
    return image_classification(model, args, task, args["dataset"], data_path, VALIDATION_SIZE, 1000, (images.PIXELS,))


RECIPE = Recipe(
    name="mlp",
    summary="deep U(1), O(k) or generic MLP on MNIST / Fashion-MNIST at a chosen sigma_w",
    paper="Iqbal et al. 2026, §2, D.1; Figs. 3, 4, 11",
    options=(
        Option(
            "group", None, "u1 (complex layers), ok (w (x) I_k layers) or generic (baseline)", str, models.MLP_GROUPS
        ),
        Option("units", 64, "capsules per layer (U(1): 64 complex = 128 real)", positive_int),
        Option("k", 2, "capsule size of the radial nonlinearity (U(1): 2; O(4): 4)", positive_int),
        Option("depth", 100, "hidden layers", positive_int),
        Option("sigma_w", 1.5, "weight scale; the transition is at 1 (Iqbal et al. 2026, eq. 35)", float),
        Option("dataset", "mnist", "mnist or fashion_mnist", str, ("mnist", "fashion_mnist")),
        Option("train_examples", None, "train on only the first n training images (quick runs)", positive_int),
        Option("test_limit", None, "score only the first n test images (quick runs)", positive_int),
        NUM_CLASSES,
    ),
    defaults={"epochs": 5, "batch_size": 256, "learning_rate": 1e-3, "clipnorm": 0.0, "lr_decay_epoch": 0},
    smoke={"units": 4, "depth": 3, "train_examples": 256, "test_limit": 200, "epochs": 2, "batch_size": 64},
    setup=setup,
)
