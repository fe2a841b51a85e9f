"""Every figure command of figures/figures.py runs end to end at `--small` settings and writes a PNG.

The figures are backend-agnostic code on top of `ks.analysis` (whose backend
paths, the forward-mode `jvp` included, are tested on every backend in
test_analysis.py); to keep the per-backend budget they run on the torch leg,
the fastest here for these small eager workloads.
"""

import keras
import pytest
from conftest import script

import keras_symmetry as ks

pytestmark = pytest.mark.skipif(keras.backend.backend() != "torch", reason="figure smoke tests run on the torch leg")

FIGURES = script("figures/figures.py")


@pytest.fixture(autouse=True)
def empty_zoo(tmp_path, monkeypatch):
    """Small settings use fresh networks: the shipped zoo's trained ones are for the full figures."""
    monkeypatch.setenv("KERAS_SYMMETRY_ZOO", str(tmp_path / "empty-zoo"))


def test_list_names_every_figure(capsys):
    assert FIGURES.main(["--list"]) == 0
    listed = capsys.readouterr().out
    for name in (
        "001-fig2",
        "001-fig3",
        "001-fig5",
        "001-fig9",
        "001-fig12",
        "000-fig1",
        "000-fig3",
        "000-fig5",
        "000-fig6",
        "000-fig7",
    ):
        assert name in FIGURES.FIGURES and name in listed


@pytest.mark.parametrize("name", sorted(FIGURES.FIGURES))
def test_figure_command_small(name, tmp_path):
    out = tmp_path / f"{name}.png"
    assert FIGURES.main([name, "--small", "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 5_000


def test_unknown_figure_is_an_error():
    with pytest.raises(SystemExit):
        FIGURES.main(["001-fig99"])


def test_to_zoo_adds_the_figure_to_the_card_of_the_checkpoint_it_was_drawn_from(tmp_path, fresh_zoo):
    zoo = fresh_zoo
    model = ks.models.copy_model("u1-convrnn", 2, grid=4)
    task = {"name": "copy", "t_max": 3, "test_batches": 1, "test_batch_size": 4}
    ks.zoo.record(ks.hub.export(model, zoo / "u1-convrnn-copy", name="u1-convrnn-copy", task=task))
    out = tmp_path / "fig12.png"
    assert FIGURES.main(["001-fig12", "--small", "--out", str(out), "--to-zoo"]) == 0
    metadata = ks.hub.verify(zoo / "u1-convrnn-copy")
    assert [f["file"] for f in metadata["figures"]] == ["001-fig12.png"]
    assert (zoo / "u1-convrnn-copy" / "001-fig12.png").read_bytes() == out.read_bytes()
    card = (zoo / "u1-convrnn-copy" / "README.md").read_text()
    assert (
        "![001-fig12.png](001-fig12.png)" in card and "Drawn by `python figures/figures.py 001-fig12 --small`." in card
    )
    assert "001-fig12.png" in ks.zoo.get("u1-convrnn-copy").files  # recorded: it loads by name with its figure
    ks.load("u1-convrnn-copy")


def test_to_zoo_without_a_zoo_checkpoint_changes_nothing_and_says_so(tmp_path, capsys):
    assert FIGURES.main(["001-fig12", "--small", "--out", str(tmp_path / "f.png"), "--to-zoo"]) == 1
    assert "drawn from no zoo checkpoint" in capsys.readouterr().err


def test_noise_figure_draws_the_same_from_zoo_checkpoints_every_time(tmp_path, fresh_zoo):
    """Eq. 9's noise comes from `noisy_predictor(model, seed=--seed)`, not the loaded layers' unseeded generators."""
    zoo = fresh_zoo
    task = {"name": "shapes", "test_examples": 2, "size": 16}
    for name, broken in (("z2-kuramoto-shapes", False), ("kuramoto-shapes", True)):
        model = ks.models.kuramoto_model(symmetry_breaking=broken, steps=3)
        ks.zoo.record(ks.hub.export(model, zoo / name, name=name, task=task))
    drawn = []
    for attempt in range(2):
        out = tmp_path / f"fig7-{attempt}.png"
        assert FIGURES.main(["000-fig7", "--small", "--out", str(out)]) == 0
        drawn.append(out.read_bytes())
    assert drawn[0] == drawn[1]
