"""benchmarks/benchmark.py runs end to end (tiny shapes) and writes the table's figures; no timing is asserted."""

import json
import sys

import keras

from conftest import script


def test_benchmark_times_every_variant_with_overrides(tmp_path, monkeypatch, capsys):
    out = tmp_path / "bench.json"
    jit = "True" if keras.backend.backend() == "tensorflow" else "auto"
    argv = ["benchmark.py", "--cases", "u1gru", "--time-steps", "3", "--batch", "2", "--repeats", "1"]
    argv += ["--skip-memory", "--jit-compile", jit, "--json", str(out)]
    monkeypatch.setattr(sys, "argv", argv)
    script("benchmarks/benchmark.py").main()
    results = json.loads(out.read_text())
    assert results["backend"] == keras.backend.backend()
    assert results["setting"]["batch"] == 2 and results["setting"]["time_steps"] == 3
    variants = results["cases"]["u1gru"]["variants"]
    expected = {"fast", "plain", "keras"} | ({"compiled", "torch"} if keras.backend.backend() == "torch" else set())
    assert set(variants) == expected
    assert all(row["step_s"] > 0 and row["train_gflop"] > 0 for row in variants.values())
    # FLOPs follow the overridden shape: U1GRU(64) at B=2, T=3 (candidate 128x128 + gates 64x128), x3 for training.
    assert variants["fast"]["train_gflop"] == 3 * (2 * 2 * 128**2 + 2 * 2 * 64 * 128) * 3 / 1e9
    assert "layer/this" in capsys.readouterr().out
