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
        run = {
            "backend": backend,
            "setting": {"jit_compile": "auto"},
            "cases": {
                "okrnn": {"variants": {"fast": {"step_s": layer}, "plain": {"step_s": 0.1}, "floor": {"step_s": floor}}}
            },
        }
        runs.append(tmp_path / f"{backend}.json")
        runs[-1].write_text(json.dumps(run))
    rows = script("benchmarks/benchmark.py").summarize([str(path) for path in runs])
    assert rows["okrnn"]["layer_s"] == 2.0 and rows["okrnn"]["floor_s"] == 1.0 and rows["okrnn"]["ratio"] == 2.0
    assert rows["okrnn"]["layer_run"].startswith("tensorflow") and rows["okrnn"]["floor_run"].startswith("jax")
    assert "okrnn" in capsys.readouterr().out


def test_zoo_speed_measures_an_entry_and_writes_the_table(tmp_path):
    zoo_speed = script("benchmarks/zoo_speed.py")
    row = zoo_speed.measure("u1-rnn-copy", repeats=1, warmup=1, smoke=True)
    assert row["backend"] == keras.backend.backend() and row["step_s"] > 0
    assert row["steps_per_epoch"] == 4 and row["epochs"] == 2 and row["batch_size"] == 8  # the recipe's smoke sizes
    results = {
        "u1-rnn-copy": {
            "jax/1": {**row, "step_s": 2.0, "steps_per_epoch": 1000, "epochs": 1000},
            "torch/1": {**row, "step_s": 3.0},
            "jax/2": {**row, "step_s": 1.5},
            "tensorflow/2": {"error": "x"},
        }
    }
    text = zoo_speed.table(results)
    line = next(line for line in text.splitlines() if "u1-rnn-copy" in line)
    # 2 s a step on one core, 1,000 steps an epoch, 1,000 epochs: 556 core-hours (both cores: 1.5 s x 2 = 833).
    assert "| 2 | 2,000 |" in line and "| 556 |" in line and "torch 3" in line
    doc = tmp_path / "PERF.md"
    doc.write_text("# Perf\n\nbefore\n")
    zoo_speed.write_table(doc, text)
    zoo_speed.write_table(doc, "| new |")
    content = doc.read_text()
    assert content.startswith("# Perf\n\nbefore\n") and content.count(zoo_speed.BEGIN) == 1 and "| new |" in content
