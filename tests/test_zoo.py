"""The shipped zoo: every declaration matches its preset in `zoo/`, and every entry computes what its exporting
backend recorded."""

import pathlib

import pytest

import keras_symmetry as ks
from keras_symmetry import evaluate, experiments, training, zoo
from keras_symmetry.hub import preset

ZOO = pathlib.Path(__file__).resolve().parents[1] / "zoo"
EXPORTED = [name for name, entry in zoo.entries().items() if entry.files]


@pytest.fixture(autouse=True)
def shipped_zoo(monkeypatch):
    monkeypatch.setenv(zoo.ENV_VAR, str(ZOO))


def test_the_zoo_is_small_and_holds_exactly_the_declared_presets():
    size = sum(path.stat().st_size for path in ZOO.rglob("*") if path.is_file())
    assert size < 60e6, f"zoo/ holds {size / 1e6:.1f} MB"
    assert sorted(path.name for path in ZOO.iterdir() if path.is_dir()) == EXPORTED == zoo.names()
    assert not [path.name for path in ZOO.iterdir() if path.name.startswith(".")]  # no partial or old presets left


@pytest.mark.parametrize("name", zoo.names())
def test_each_declaration_names_its_recipe_options_and_hub_repo(name):
    entry = zoo.get(name)
    recipe, _ = experiments.get(name)
    assert recipe.name == entry.recipe and entry.name == name
    known = {option.name for option in training.arguments.options(recipe)}
    assert set(entry.args) <= known and set(entry.preset["args"]) <= known
    assert entry.hub_repo == f"keras-symmetry/{name}"
    assert entry.baseline is None or entry.baseline in zoo.names()


@pytest.mark.parametrize("name", EXPORTED)
def test_zoo_entry_matches_its_pins_loads_and_reproduces_its_recorded_outputs(name, mnist_path):
    entry = zoo.get(name)
    folder = ZOO / name
    assert preset.file_manifest(folder) == entry.files  # the declaration pins exactly these files
    model, metadata = ks.hub.load_with_metadata(name)  # verifies every file against the pins first
    assert metadata["name"] == name and entry.metrics == metadata["metrics"]
    assert entry.preset["parameters"] == metadata["parameters"] == model.count_params()
    assert metadata["recipe"]["command"] == entry.preset["command"]
    assert entry.preset["command"].startswith(f"keras-symmetry train {name}")
    measured = evaluate.probe(model, metadata["task"], data_path=mnist_path)
    assert evaluate.same_probe(metadata["probe"], measured), (metadata["backend"], metadata["probe"], measured)
