"""Shared fixtures. The suite runs once per backend: `KERAS_BACKEND=jax|tensorflow|torch pytest`."""

import importlib.util
import pathlib

import keras
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def pytest_report_header(config):
    return f"keras {keras.__version__}, backend {keras.backend.backend()}"


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(1234)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def to_numpy(x):
    return keras.ops.convert_to_numpy(x)


def script(path):
    """The script at `path` (relative to the repository, e.g. `figures/figures.py`) imported as a module."""
    name = pathlib.Path(path).stem
    spec = importlib.util.spec_from_file_location(name, ROOT / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist.npz"


@pytest.fixture
def mnist_path():
    """The offline MNIST copy beside the repository (`../shared/data/mnist.npz`)."""
    if not SHARED_MNIST.is_file():
        pytest.skip(f"no offline MNIST at {SHARED_MNIST}")
    return SHARED_MNIST
