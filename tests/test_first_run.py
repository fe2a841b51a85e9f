"""A newcomer's first minutes: the backend is one that is installed (or a clear error says what to install),
`import keras_symmetry` stays light, and `keras-symmetry demo` shows zoo checkpoints doing their tasks."""

import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import keras
import pytest
from conftest import SHARED_MNIST

from keras_symmetry import backend_choice, cli, demo
from keras_symmetry.backend_choice import BackendUnavailable, choose

SCRIPT = pathlib.Path(sys.executable).parent / "keras-symmetry"
FIRST_LINE = "keras-symmetry 0.1.0, keras"


@pytest.fixture
def only(monkeypatch):
    """`only("jax", ...)`: pretend exactly these backends are installed (find_spec sees no other)."""
    real = importlib.util.find_spec
    every = {module for modules in backend_choice.MODULES.values() for module in modules} - {"numpy"}

    def pretend(*backends):
        present = {module for backend in backends for module in backend_choice.MODULES[backend]}
        monkeypatch.setattr(
            importlib.util, "find_spec", lambda name, *a: None if name in every - present else real(name, *a)
        )

    return pretend


def _keras_json(folder, config):
    (folder / "keras.json").write_text(json.dumps(config, indent=4))
    return {"KERAS_HOME": str(folder)}


def test_keras_imported_first_keeps_its_backend():
    choice = choose()
    assert (choice.backend, choice.source) == (keras.backend.backend(), "keras")


def test_unset_picks_the_first_installed_by_preference_and_exports_it(tmp_path, only):
    only("torch", "tensorflow")
    environ = {"KERAS_HOME": str(tmp_path)}
    choice = choose(environ, modules={})
    assert (choice.backend, choice.source) == ("torch", "installed") and environ["KERAS_BACKEND"] == "torch"
    assert str(choice) == "backend torch (KERAS_BACKEND unset, no keras.json names one; installed: torch, tensorflow)"
    only("jax", "torch", "tensorflow")
    assert choose({"KERAS_HOME": str(tmp_path)}, modules={}).backend == "jax"


def test_keras_default_keras_json_is_no_choice_but_an_edited_one_is(tmp_path, only):
    only("jax")
    environ = _keras_json(tmp_path, backend_choice.KERAS_DEFAULT_FILE)  # what Keras writes on its first import
    assert choose(environ, modules={}).source == "installed"
    environ = _keras_json(tmp_path, {"backend": "jax", "floatx": "float32"})
    choice = choose(environ, modules={})
    assert (choice.backend, choice.source) == ("jax", "keras.json") and "KERAS_BACKEND" not in environ
    environ = _keras_json(tmp_path, {"backend": "tensorflow"})
    with pytest.raises(
        BackendUnavailable,
        match=r"keras\.json names the tensorflow backend, which is not installed.*"
        r'pip install "keras-symmetry\[tensorflow\]".*KERAS_BACKEND.*\(jax\)',
    ):
        choose(environ, modules={})


def test_named_backend_not_installed_or_unknown_is_a_clear_error(tmp_path, only):
    only("jax")
    with pytest.raises(
        BackendUnavailable,
        match=r"KERAS_BACKEND=torch names the torch backend, which is not installed. "
        r'Install it with pip install "keras-symmetry\[torch\]"',
    ):
        choose({"KERAS_BACKEND": "torch", "KERAS_HOME": str(tmp_path)}, modules={})
    with pytest.raises(BackendUnavailable, match="'nonsense', which does not exist; use jax, tensorflow or torch"):
        choose({"KERAS_BACKEND": "nonsense", "KERAS_HOME": str(tmp_path)}, modules={})
    assert choose({"KERAS_BACKEND": "jax", "KERAS_HOME": str(tmp_path)}, modules={}).source == "KERAS_BACKEND"
    only()
    with pytest.raises(
        BackendUnavailable, match=r'No Keras backend is installed. Install one with pip install "keras-symmetry\[jax\]"'
    ):
        choose({"KERAS_HOME": str(tmp_path)}, modules={})


def _fresh_environment(home, **extra):
    environ = {key: value for key, value in os.environ.items() if key not in ("KERAS_BACKEND", "KERAS_HOME")}
    return {**environ, "HOME": str(home), **extra}


@pytest.mark.skipif(
    not SCRIPT.is_file(), reason="the keras-symmetry console script is not installed beside this Python"
)
def test_command_line_on_a_fresh_home_names_an_installed_backend_and_refuses_a_missing_one(tmp_path):
    run = subprocess.run(
        [str(SCRIPT), "version"], env=_fresh_environment(tmp_path), capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    first = run.stdout.splitlines()[0]
    expected = backend_choice.installed_backends()[0]
    assert first.startswith(FIRST_LINE) and f"backend {expected} (KERAS_BACKEND unset, no keras.json names one" in first
    run = subprocess.run(
        [str(SCRIPT), "version"],
        env=_fresh_environment(tmp_path, KERAS_BACKEND="nonsense"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert "KERAS_BACKEND=nonsense names the Keras backend 'nonsense', which does not exist" in run.stderr


def test_import_loads_neither_the_hub_client_nor_matplotlib(tmp_path):
    """Keras itself imports both when installed (keras.src.saving, keras.src.visualization); keras_symmetry adds
    none of their modules, and imports fine where neither can be imported at all."""
    code = """
import json, sys
block = {"huggingface_hub", "matplotlib"} if sys.argv[1] == "block" else set()
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in block:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Block())
import keras
before = set(sys.modules)
import keras_symmetry
print(json.dumps(sorted(m for m in set(sys.modules) - (set() if block else before)
                        if m.split(".")[0] in ("huggingface_hub", "matplotlib"))))
"""
    for mode in ("installed", "block"):
        run = subprocess.run(
            [sys.executable, "-c", code, mode],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "KERAS_BACKEND": keras.backend.backend(), "HOME": str(tmp_path)},
        )
        assert run.returncode == 0, run.stderr
        assert json.loads(run.stdout.splitlines()[-1]) == [], mode


def test_demo_shows_zoo_checkpoints_doing_their_tasks(tmp_path, capsys):
    data = ["--data", str(SHARED_MNIST)] if SHARED_MNIST.is_file() else []
    assert cli.main(["demo", "--no-check", "--out", str(tmp_path), *data]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith(FIRST_LINE) and f"backend {keras.backend.backend()}" in out.splitlines()[0]
    for name in (demo.COPY_MODEL, demo.SHAPES_MODEL):
        assert f"  model     {name}: " in out
    recorded = [line for line in out.splitlines() if line.startswith("  recorded  ")]
    assert any("test_cross_entropy " in line for line in recorded) and any("test_rmse " in line for line in recorded)
    assert "memoryless baseline" in out
    assert "    target  " in out and "of 10 right" in out and "-equivariant to " in out
    assert (tmp_path / "shapes.png").read_bytes()[:4] == b"\x89PNG" and f"picture   {tmp_path / 'shapes.png'}" in out
    if data:
        assert f"  model     {demo.PSMNIST_MODEL}: " in out and f"of {demo.DIGITS} right" in out
    assert "Equivariance of every layer" not in out


def test_demo_without_mnist_says_how_to_enable_it(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_SYMMETRY_DATA", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert demo.mnist_file() is None
    lines = demo.psmnist_task()
    assert "skipped: no MNIST copy offline" in lines[1] and "--data" in lines[1] and "KERAS_SYMMETRY_DATA" in lines[1]
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "mnist.npz").write_bytes(b"")
    assert demo.mnist_file() == tmp_path / "datasets" / "mnist.npz"  # Keras' download cache
    assert "skipped: " in demo.psmnist_task()[1] and "not a readable .npz file" in demo.psmnist_task()[1]  # broken copy
