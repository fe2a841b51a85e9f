"""Shared fixtures. The suite runs once per backend: `KERAS_BACKEND=jax|tensorflow|torch pytest`."""

import keras
import numpy as np
import pytest


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


SHARED_MNIST = __import__("pathlib").Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist.npz"


@pytest.fixture
def mnist_path():
    """The offline MNIST copy beside the repository (`../shared/data/mnist.npz`)."""
    if not SHARED_MNIST.is_file():
        pytest.skip(f"no offline MNIST at {SHARED_MNIST}")
    return SHARED_MNIST
