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


@pytest.fixture
def fresh_zoo(tmp_path, monkeypatch):
    """The zoo as a fresh clone trains it: every entry declared, none exported yet.

    The package's declarations are copied, without their recorded presets and pins, into a temporary folder
    that `record` writes to; `$KERAS_SYMMETRY_ZOO` is an empty folder. Returns that zoo folder.
    """
    import dataclasses

    from keras_symmetry import zoo

    declared = zoo.entries()
    monkeypatch.setattr(zoo.declarations, "DIRECTORY", tmp_path / "declarations")
    (tmp_path / "declarations").mkdir()
    for entry in declared.values():
        zoo.write(dataclasses.replace(entry, preset=None, hub={**entry.hub, "revision": None}))
    monkeypatch.setenv(zoo.ENV_VAR, str(tmp_path / "zoo"))
    return tmp_path / "zoo"
