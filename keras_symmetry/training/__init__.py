"""Training: run a recipe resumably, log and plot it, and export the result as a zoo preset."""

from keras_symmetry.training import family
from keras_symmetry.training.checkpoint import RunState
from keras_symmetry.training.family import train_family
from keras_symmetry.training.runner import Result, build_parser, defaults, resolve, train

__all__ = ["Result", "RunState", "build_parser", "defaults", "family", "resolve", "train", "train_family"]
