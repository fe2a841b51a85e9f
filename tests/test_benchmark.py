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
    backend = keras.backend.backend()
    expected = {"fast", "plain", "keras", "floor"} | ({"compiled", "torch"} if backend == "torch" else set())
    expected |= {"floor_native"} if backend in ("jax", "torch") else {"floor_other"}
    assert set(variants) == expected
    assert all(row["step_s"] > 0 and row["train_gflop"] > 0 for row in variants.values())
    # FLOPs follow the overridden shape: U1GRU(64) at B=2, T=3 (candidate 128x128 + gates 64x128), x3 for training.
    assert variants["fast"]["train_gflop"] == 3 * (2 * 2 * 128**2 + 2 * 2 * 64 * 128) * 3 / 1e9
    # The floor: a tanh RNN of width 128 at the same batch (one 128x128 recurrent matmul a step).
    assert variants["floor"]["train_gflop"] == 3 * 2 * 2 * 128**2 * 3 / 1e9
    assert results["cases"]["u1gru"]["layer_over_floor"] > 0
    out = capsys.readouterr().out
    assert "layer/this" in out and "layer / fastest floor" in out


def test_benchmark_summary_pairs_the_fastest_layer_and_floor_runs(tmp_path, capsys):
    runs = []
    for backend, layer, floor in (("jax", 3.0, 1.0), ("tensorflow", 2.0, 1.6)):
        run = {"backend": backend, "setting": {"jit_compile": "auto"}, "cases": {"okrnn": {"variants": {
            "fast": {"step_s": layer}, "plain": {"step_s": 0.1}, "floor": {"step_s": floor}}}}}
        runs.append(tmp_path / f"{backend}.json")
        runs[-1].write_text(json.dumps(run))
    rows = script("benchmarks/benchmark.py").summarize([str(path) for path in runs])
    assert rows["okrnn"]["layer_s"] == 2.0 and rows["okrnn"]["floor_s"] == 1.0 and rows["okrnn"]["ratio"] == 2.0
    assert rows["okrnn"]["layer_run"].startswith("tensorflow") and rows["okrnn"]["floor_run"].startswith("jax")
    assert "okrnn" in capsys.readouterr().out
