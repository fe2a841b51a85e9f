"""The readable training scripts in recipes/: one per recipe family, each trains its zoo entries through
`ks.training.train_family` (smoke settings here) and shows the trained model at work."""

import keras
import pytest
from conftest import script

import keras_symmetry as ks

SCRIPTS = {
    "copy": "recipes/train_copy.py",
    "psmnist": "recipes/train_psmnist.py",
    "mlp": "recipes/train_mlp.py",
    "shapes": "recipes/train_shapes.py",
}


@pytest.fixture(autouse=True)
def empty_zoo(fresh_zoo):
    """Entries train with their recipe's arguments, not with those the shipped zoo recorded."""
    return fresh_zoo


def test_one_script_per_recipe_family_covering_every_entry():
    assert set(SCRIPTS) == set(ks.experiments.RECIPES)
    for family, path in SCRIPTS.items():
        module = script(path)
        assert module.ENTRIES == [name for name, entry in ks.zoo.entries().items() if entry.recipe == family]
        assert all(f"`{name}`" in module.__doc__ for name in module.ENTRIES)  # each entry documented
        assert f"python {path}" in module.__doc__


def test_a_script_trains_only_its_own_family():
    with pytest.raises(SystemExit):
        script(SCRIPTS["copy"]).main(["u1-gru-psmnist"])


@pytest.mark.skipif(
    keras.backend.backend() != "jax",
    reason="the recipes run on every backend in test_recipes; the scripts once, on jax",
)
@pytest.mark.parametrize(
    "family, name",
    [("copy", "u1-rnn-copy"), ("shapes", "z2-kuramoto-shapes"), ("psmnist", "u1-gru-psmnist"), ("mlp", "u1-mlp-mnist")],
)
def test_script_trains_an_entry_and_shows_it(family, name, tmp_path, capsys, request):
    argv = [name, "--smoke", "--out", str(tmp_path / "runs")]
    if family in ("psmnist", "mlp"):
        argv += ["--data", str(request.getfixturevalue("mnist_path"))]
    results = script(SCRIPTS[family]).main(argv)
    assert list(results) == [name] and results[name].metrics and results[name].preset.is_dir()
    out = capsys.readouterr().out
    shown = {"copy": "of 10 right", "shapes": "picture", "psmnist": "right)", "mlp": f"{name} "}[family]
    assert shown in out.split("test metrics")[-1]
