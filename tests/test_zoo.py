"""The shipped zoo: every entry loads on this backend and computes what its exporting backend recorded."""

import json
import pathlib

import pytest

import keras_symmetry as ks
from keras_symmetry import evaluate, recipes
from keras_symmetry.hub import preset, registry

ZOO = pathlib.Path(__file__).resolve().parents[1] / "zoo"
SHIPPED = json.loads((ZOO / "registry.json").read_text())["models"] if (ZOO / "registry.json").is_file() else {}


@pytest.fixture(autouse=True)
def shipped_zoo(monkeypatch):
    monkeypatch.setenv(registry.ENV_VAR, str(ZOO))


def test_the_zoo_is_small_enough_and_names_only_recipe_entries():
    size = sum(path.stat().st_size for path in ZOO.rglob("*") if path.is_file())
    assert size < 60e6, f"zoo/ holds {size / 1e6:.1f} MB"
    assert set(SHIPPED) <= set(recipes.ENTRIES)
    assert not [path.name for path in ZOO.iterdir() if path.name.startswith(".")]  # no partial or old presets left


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_zoo_entry_loads_and_reproduces_its_recorded_outputs(name, mnist_path):
    model = ks.load(name)  # verifies every checksum first
    metadata = preset.read_metadata(registry.preset_dir(name))
    assert metadata["name"] == name and SHIPPED[name]["metrics"] == metadata["metrics"]
    assert metadata["recipe"]["command"].startswith(f"keras-symmetry train {name}")
    assert (registry.cards_dir() / name / preset.CARD).read_text() == (registry.preset_dir(name) / preset.CARD).read_text()
    measured = evaluate.probe(model, metadata["task"], data_path=mnist_path)
    assert evaluate.same_probe(metadata["probe"], measured), (metadata["backend"], metadata["probe"], measured)
