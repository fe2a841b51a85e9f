"""Every figure command of recipes/figures.py runs end to end at `--small` settings and writes a PNG.

The figures are backend-agnostic code on top of `ks.analysis` (whose backend
paths, the forward-mode `jvp` included, are tested on every backend in
test_analysis.py); to keep the per-backend budget they run on the torch leg,
the fastest here for these small eager workloads.
"""

import keras
import pytest

from conftest import recipe_script

pytestmark = pytest.mark.skipif(keras.backend.backend() != "torch", reason="figure smoke tests run on the torch leg")

FIGURES = recipe_script("figures")


@pytest.fixture(autouse=True)
def empty_zoo(tmp_path, monkeypatch):
    """Small settings use fresh networks: the shipped zoo's trained ones are for the full figures."""
    monkeypatch.setenv("KERAS_SYMMETRY_ZOO", str(tmp_path / "empty-zoo"))


def test_list_names_every_figure(capsys):
    assert FIGURES.main(["--list"]) == 0
    listed = capsys.readouterr().out
    for name in ("001-fig2", "001-fig3", "001-fig5", "001-fig9", "001-fig12", "000-fig1", "000-fig3", "000-fig5", "000-fig7"):
        assert name in FIGURES.FIGURES and name in listed


@pytest.mark.parametrize("name", sorted(FIGURES.FIGURES))
def test_figure_command_small(name, tmp_path):
    out = tmp_path / f"{name}.png"
    assert FIGURES.main([name, "--small", "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 5_000


def test_unknown_figure_is_an_error():
    with pytest.raises(SystemExit):
        FIGURES.main(["001-fig99"])
