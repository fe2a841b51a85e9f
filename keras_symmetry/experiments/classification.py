"""What the classification experiments share: their loss and metric (cross-entropy on logits, accuracy: the copy
task, psMNIST, the MLPs), and the image classifiers' class-subset option, eval spec and data (psMNIST, the MLPs)."""

import keras

from keras_symmetry.tasks import images, pipeline
from keras_symmetry.training.spec import Option, Setup, positive_int

NUM_CLASSES = Option(
    "num_classes",
    images.CLASSES,
    "classify only the first n classes (digits 0..n-1): a smaller task, e.g. to fine-tune a pretrained model on",
    positive_int,
)
"""The image recipes' option for a class subset (their test data is then that subset's too)."""


def image_task(name, args):
    """The eval spec of an image-classification run; it names `num_classes` only when fewer than all."""
    task = {"name": name, "test_limit": args["test_limit"]}
    return task if args["num_classes"] == images.CLASSES else {**task, "num_classes": args["num_classes"]}


def classification():
    """`(loss, metrics)` of the classification recipes: cross-entropy on logits, accuracy."""
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True), [
        keras.metrics.SparseCategoricalAccuracy(name="accuracy")
    ]


def image_classification(model, args, task, dataset, data_path, val_size, val_batch_size, image_shape):
    """The `Setup` of an image classifier: the first `train_examples` training images (all when `None`),
    reshuffled every epoch from the seed, and as many of the `val_size` held-out images, in order."""
    sets = images.splits(dataset, data_path, val_size=val_size, num_classes=args["num_classes"])
    limit = args["train_examples"]
    (x, y), (xv, yv) = sets["train"], sets["val"]
    train = pipeline.ArrayDataset(
        x[:limit].reshape(-1, *image_shape), y[:limit], batch_size=args["batch_size"], seed=args["seed"]
    )
    val = pipeline.ArrayDataset(
        xv[:limit].reshape(-1, *image_shape), yv[:limit], batch_size=val_batch_size, shuffle=False
    )
    return Setup(model, train, val, task, *classification())
