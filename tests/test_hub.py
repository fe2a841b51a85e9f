"""Presets, zoo declarations, ks.load (folder, zoo name, hf:// offline), fine-tuning, cards, publishing, CLI."""

import json
import os
import pathlib
import signal
import subprocess
import sys
import textwrap

import huggingface_hub
import keras
import numpy as np
import pytest
from conftest import to_numpy
from test_serialization import run_under_the_next_backend

import keras_symmetry as ks
from keras_symmetry import cli
from keras_symmetry import zoo as zoo_declarations
from keras_symmetry.hub import preset, remote
from keras_symmetry.tasks import copy

NAME = "u1-rnn-copy-tiny"
TASK = {"name": "copy", "t_max": 3, "test_batches": 4, "test_batch_size": 8}
PAPER = {"metric": "test_cross_entropy", "value": 7.26e-4, "source": "001 Table 2"}


def declare_only(name, monkeypatch, tmp_path, **fields):
    """Make `name` the one declared zoo entry (declarations in a temporary folder)."""
    monkeypatch.setattr(zoo_declarations.declarations, "DIRECTORY", tmp_path / "entries")
    (tmp_path / "entries").mkdir(exist_ok=True)
    fields = {"description": "A tiny U(1) RNN.", "recipe": "copy", "args": {"arch": "u1-rnn", "units": 4}, **fields}
    return zoo_declarations.write(zoo_declarations.Entry(name, **fields))


@pytest.fixture
def zoo(tmp_path, monkeypatch):
    """A zoo in a temporary folder holding one small U(1) RNN trained for a few steps, declared and recorded."""
    monkeypatch.setenv(zoo_declarations.ENV_VAR, str(tmp_path / "zoo"))
    declare_only(NAME, monkeypatch, tmp_path, paper=PAPER, hub={"repo": f"keras-symmetry/{NAME}", "revision": None})
    model = ks.models.copy_model("u1-rnn", 4, blank_channel=0, embedding_initializer="standard")
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(copy.CopyTask(t_max=3, batch_size=8, steps_per_epoch=3), epochs=1, verbose=0)
    folder = ks.hub.export(
        model,
        tmp_path / "zoo" / NAME,
        name=NAME,
        task=TASK,
        recipe={"command": f"keras-symmetry train {NAME}", "args": {"steps": 3}},
        seeds={"data": 0},
        paper=PAPER,
        hub_repo=f"keras-symmetry/{NAME}",
    )
    zoo_declarations.record(folder)
    x, _ = copy.CopyTask(t_max=3, batch_size=2, seed=99)[0]
    return model, folder, x


def test_round_trip_model_preset_load(zoo):
    model, folder, x = zoo
    expected = to_numpy(model(x))
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "config.json", "metadata.json", "model.weights.h5"]
    for source in (NAME, folder, str(folder)):
        np.testing.assert_allclose(to_numpy(ks.load(source)(x)), expected, atol=1e-6)
    assert ks.list_models() == [NAME]
    info = ks.model_info(NAME)
    metadata = json.loads((folder / "metadata.json").read_text())
    assert info["metrics"] == metadata["metrics"] == zoo_declarations.get(NAME).metrics
    weights = folder / "model.weights.h5"
    assert info["files"]["model.weights.h5"] == {"sha256": preset.sha256(weights), "size": weights.stat().st_size}
    assert set(info["files"]) == {"README.md", "config.json", "metadata.json", "model.weights.h5"}
    assert metadata["parameters"] == model.count_params() and metadata["backend"] == keras.backend.backend()
    assert metadata["equivariance"]["group"] == "U1" and metadata["equivariance"]["error"] < 1e-5


def test_recorded_metric_is_what_the_eval_code_measures(zoo):
    model, folder, _ = zoo
    recorded = json.loads((folder / "metadata.json").read_text())["metrics"]["test_cross_entropy"]
    # An independent computation with Keras' own loss on the same test batches.
    test = copy.test_set(t_max=3, batches=4, batch_size=8)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    values = [float(loss(y, model.predict_on_batch(x))) for x, y in (test[i] for i in range(len(test)))]
    assert recorded == pytest.approx(np.mean(values), rel=1e-4)


def test_load_under_the_next_backend(zoo, tmp_path):
    model, folder, x = zoo
    np.savez(folder.parent / f"{NAME}.npz", inputs=x, outputs=to_numpy(model(x)))
    for other, diffs in run_under_the_next_backend(folder.parent).items():
        assert diffs[NAME] <= 1e-5, f"{keras.backend.backend()} -> {other}: {diffs}"


def test_tampered_missing_and_malformed_files_are_refused(zoo):
    _, folder, _ = zoo
    weights = folder / "model.weights.h5"
    data = bytearray(weights.read_bytes())
    data[-100] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"Checksum mismatch for .*model\.weights\.h5"):
        ks.load(NAME)
    weights.unlink()
    with pytest.raises(FileNotFoundError, match=r"missing: .*model\.weights\.h5"):
        ks.load(folder)
    (folder / "metadata.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"Malformed JSON in .*metadata\.json"):
        ks.load(folder)


def test_malformed_config_with_a_matching_checksum_is_named(zoo):
    _, folder, _ = zoo
    (folder / "config.json").write_text("{oops")
    metadata = json.loads((folder / "metadata.json").read_text())
    metadata["files"]["config.json"] = preset.sha256(folder / "config.json")
    (folder / "metadata.json").write_text(json.dumps(metadata))
    with pytest.raises(ValueError, match=r"Malformed JSON in .*config\.json"):
        ks.load(folder)


def test_weights_that_do_not_match_the_config_are_named(zoo, tmp_path):
    _, folder, _ = zoo
    other = ks.models.copy_model("u1-rnn", 6)
    other.save_weights(tmp_path / "other.weights.h5")
    (folder / "model.weights.h5").write_bytes((tmp_path / "other.weights.h5").read_bytes())
    metadata = json.loads((folder / "metadata.json").read_text())
    metadata["files"]["model.weights.h5"] = preset.sha256(folder / "model.weights.h5")
    (folder / "metadata.json").write_text(json.dumps(metadata))
    with pytest.raises(ValueError, match=r"model\.weights\.h5 does not match .*config\.json"):
        ks.load(folder)


def test_unknown_names_and_bad_uris():
    with pytest.raises(ValueError, match="Unknown zoo model 'u1-gru-psmnst'. Closest: u1-gru-psmnist"):
        ks.load("u1-gru-psmnst")
    with pytest.raises(ValueError, match="expected hf://owner/name"):
        ks.load("hf://just-a-name")
    with pytest.raises(FileNotFoundError, match="No preset folder"):
        ks.load("./no/such/preset")
    for empty in ("", "   "):
        with pytest.raises(ValueError, match="Empty model name"):
            ks.load(empty)
    for escape in ("../u1-gru-psmnist", "u1-gru-psmnist/../x", "/etc/passwd"):
        with pytest.raises(FileNotFoundError, match="No preset folder"):
            ks.load(escape)


def test_a_zoo_name_is_not_shadowed_by_a_folder_of_that_name(zoo, tmp_path, monkeypatch):
    model, folder, x = zoo
    other = ks.models.copy_model("u1-rnn", 4, blank_channel=0)
    ks.hub.save_preset(other, tmp_path / "cwd" / NAME, preset.base_metadata(other, NAME, TASK))
    monkeypatch.chdir(tmp_path / "cwd")
    np.testing.assert_allclose(to_numpy(ks.load(NAME)(x)), to_numpy(model(x)), atol=1e-6)  # the zoo's, pinned
    np.testing.assert_allclose(to_numpy(ks.load(f"./{NAME}")(x)), to_numpy(other(x)), atol=1e-6)
    with pytest.raises(TypeError, match="named by a string or path"):
        ks.load(42)


def test_a_declared_entry_that_was_never_exported_says_how_to_train_it(tmp_path, monkeypatch):
    declare_only("never-trained", monkeypatch, tmp_path)
    with pytest.raises(FileNotFoundError, match="keras-symmetry train never-trained"):
        ks.load("never-trained")


def test_closest_names_are_listed(zoo):
    with pytest.raises(ValueError, match=f"Closest: {NAME}"):
        ks.load("u1-rnn-copy-tiyn")
    with pytest.raises(ValueError, match="revision"):
        ks.load(zoo[1], revision="main")


def test_a_failed_write_leaves_nothing_behind(zoo, monkeypatch):
    model, folder, _ = zoo
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(keras.Model, "save_weights", broken)
    metadata = preset.base_metadata(model, NAME, TASK)
    with pytest.raises(OSError, match="disk full"):
        preset.save_preset(model, folder.parent / "new-preset", metadata)
    with pytest.raises(OSError, match="disk full"):
        preset.save_preset(model, folder, metadata, overwrite=True)
    assert sorted(p.name for p in folder.parent.iterdir()) == [NAME]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    with pytest.raises(FileExistsError):
        preset.save_preset(model, folder, metadata)


def test_a_killed_writer_leaves_no_half_preset(tmp_path):
    """SIGKILL a writer in the middle of writing the weights: the preset folder never appears."""
    script = textwrap.dedent(
        f"""
        import time, keras, keras_symmetry as ks
        model = ks.models.copy_model("u1-rnn", 4)
        def slow(path):
            open(path, "wb").write(b"partial")
            print("writing", flush=True)
            time.sleep(600)
        model.save_weights = slow
        meta = ks.hub.preset.base_metadata(model, "killed", {{"name": "copy", "t_max": 3}})
        ks.hub.preset.save_preset(model, {str(tmp_path / "killed")!r}, meta)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert not (tmp_path / "killed").exists()
    assert [p.name for p in tmp_path.iterdir()][0].startswith(".killed.partial-")
    with pytest.raises(FileNotFoundError):
        ks.load(tmp_path / "killed")


def _build_hf_cache(folder, cache, repo_id, commit):
    """The layout huggingface_hub reads:
    models--owner--name/{refs/main, blobs/<hash>, snapshots/<commit>/<file> -> blob}."""
    root = cache / f"models--{repo_id.replace('/', '--')}"
    (root / "refs").mkdir(parents=True)
    (root / "blobs").mkdir()
    (root / "snapshots" / commit).mkdir(parents=True)
    (root / "refs" / "main").write_text(commit)
    for path in folder.iterdir():
        blob = preset.sha256(path)
        (root / "blobs" / blob).write_bytes(path.read_bytes())
        (root / "snapshots" / commit / path.name).symlink_to(f"../../blobs/{blob}")


def test_hf_uri_loads_offline_from_a_real_cache_folder(zoo, tmp_path):
    model, folder, x = zoo
    cache, commit = tmp_path / "hf-cache", "0123456789abcdef0123456789abcdef01234567"
    _build_hf_cache(folder, cache, "keras-symmetry/tiny", commit)
    np.savez(tmp_path / "inputs.npz", inputs=x)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": str(cache)}
    script = pathlib.Path(__file__).with_name("hf_offline_check.py")
    proc = subprocess.run(
        [sys.executable, str(script), "keras-symmetry/tiny", commit, str(tmp_path / "inputs.npz")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    expected = to_numpy(model(x))
    np.testing.assert_allclose(report["main"], expected, atol=1e-5)
    np.testing.assert_allclose(report["pinned"], expected, atol=1e-5)
    assert "revision 'v9.9' of keras-symmetry/tiny is not in the Hugging Face cache" in report["missing_revision"]
    assert "HF_HUB_OFFLINE=1 forbids downloading" in report["missing_revision"]
    assert "owner/absent is not in the Hugging Face cache" in report["missing_repo"]


def test_hf_cache_with_a_tampered_blob_is_refused(zoo, tmp_path, monkeypatch):
    _, folder, _ = zoo
    cache, commit = tmp_path / "hf-cache", "f" * 40
    _build_hf_cache(folder, cache, "keras-symmetry/tiny", commit)
    blob = (cache / "models--keras-symmetry--tiny" / "snapshots" / commit / "model.weights.h5").resolve()
    blob.write_bytes(blob.read_bytes()[:-10] + b"0123456789")
    root = cache / "models--keras-symmetry--tiny"
    monkeypatch.setattr(
        remote, "download", lambda repo_id, revision=None: remote.Snapshot(root / "snapshots" / commit, root)
    )
    with pytest.raises(ValueError, match="Checksum mismatch"):
        ks.load("hf://keras-symmetry/tiny")


def test_fine_tuning_with_num_classes_trains_the_head_and_can_freeze_the_core(zoo, rng):
    model, _, x = zoo
    tuned = ks.load(NAME, num_classes=3)
    assert tuned.output_shape == (None, None, 3)
    core_before = [to_numpy(w) for w in tuned.get_layer("core").weights]
    np.testing.assert_allclose(core_before[0], to_numpy(model.get_layer("core").weights[0]))
    tuned.get_layer("core").trainable = False
    head_before = to_numpy(tuned.get_layer("head").kernel)
    tuned.compile(keras.optimizers.Adam(0.05), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = tuned.fit(x, rng.integers(0, 3, size=x.shape[:2]), epochs=3, verbose=0)
    assert all(np.isfinite(history.history["loss"]))
    assert np.abs(to_numpy(tuned.get_layer("head").kernel) - head_before).max() > 1e-4
    for before, after in zip(core_before, tuned.get_layer("core").weights):
        np.testing.assert_array_equal(to_numpy(after), before)
    with pytest.raises(ValueError, match="num_classes"):
        ks.load(NAME, num_classes=0)


def test_card_front_matter_and_body(zoo):
    _, folder, _ = zoo
    text = (folder / "README.md").read_text()
    card = huggingface_hub.ModelCard(text)
    assert card.data.library_name == "keras" and "equivariant" in card.data.tags and card.data.license == "apache-2.0"
    metadata = json.loads((folder / "metadata.json").read_text())
    results = {result.metric_name: result for result in card.data.eval_results}
    assert set(results) == {"test_cross_entropy", "test_recall_accuracy", "test_sequences_recalled"}
    for name, result in results.items():
        assert result.metric_value == metadata["metrics"][name]
    assert results["test_recall_accuracy"].metric_type == "accuracy"
    assert f'ks.load("{NAME}")' in text  # a zoo entry loads by name, checked against the package's pins
    assert "the sha256 that keras-symmetry pins for this entry" in text
    other = ks.hub.card.render({**ks.hub.verify(folder), "hub_repo": "someone/else"})
    assert 'ks.load("hf://someone/else")' in other and "pass `sha256=" in other
    assert f"keras-symmetry train {NAME}" in text and "001 Table 2" in text
    assert "Falls short of the paper's target" in text  # 3 training steps do not reach 7.26e-4
    baseline = copy.baseline_cross_entropy(TASK["t_max"])
    assert (
        "For scale: the memoryless baseline (recalls at the right steps, guesses the 8 data tokens) scores "
        f"test_cross_entropy {baseline:.4g}, test_recall_accuracy 12.50%" in text
    )
    assert "`test_recall_accuracy`: the fraction of recalled data tokens" in text
    assert "over random U1 elements" in text


def write_png(path, value=0.5):
    from keras_symmetry.training import curves

    fig, ax = curves.pyplot().subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, value])
    return curves.save(fig, path)


def test_figures_are_checksummed_and_shown_on_the_card(zoo, tmp_path):
    model, folder, x = zoo
    image = write_png(tmp_path / "curves.png")
    ks.hub.add_figure(folder, image, "Learning curves of the run.")
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "config.json",
        "curves.png",
        "metadata.json",
        "model.weights.h5",
    ]
    metadata = ks.hub.verify(folder)
    assert metadata["files"]["curves.png"] == preset.sha256(image)
    assert metadata["figures"] == [{"file": "curves.png", "caption": "Learning curves of the run."}]
    text = (folder / "README.md").read_text()
    assert "![curves.png](curves.png)" in text and "*Learning curves of the run.*" in text
    with pytest.raises(ValueError, match="curves.png"):
        ks.load(NAME)  # not what the declaration pins, until the new preset is recorded
    zoo_declarations.record(folder)
    np.testing.assert_allclose(to_numpy(ks.load(NAME)(x)), to_numpy(model(x)), atol=1e-6)
    # Replacing a figure keeps one entry; a second figure is added beside it.
    ks.hub.add_figure(folder, write_png(tmp_path / "other.png", 0.9), "Redrawn.", name="curves.png")
    ks.hub.add_figure(folder, image, "Second figure.", name="second.png")
    metadata = ks.hub.verify(folder)
    assert [f["file"] for f in metadata["figures"]] == ["curves.png", "second.png"]
    assert (folder / "curves.png").read_bytes() == (tmp_path / "other.png").read_bytes()
    zoo_declarations.record(folder)
    # The card's figure is part of the checksummed preset: a changed image is refused.
    (folder / "second.png").write_bytes(image.read_bytes() + b"\0")
    with pytest.raises(ValueError, match=r"Checksum mismatch for .*second\.png"):
        ks.load(NAME)


def test_bad_figures_are_refused_and_leave_the_preset_unchanged(zoo, tmp_path):
    _, folder, _ = zoo
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    (tmp_path / "plot.png").write_text("not an image")
    with pytest.raises(ValueError, match="not a PNG image"):
        ks.hub.add_figure(folder, tmp_path / "plot.png", "x")
    image = write_png(tmp_path / "ok.png")
    for name in ("README.md", "model.weights.h5", "../escape.png", "plot.jpg"):
        with pytest.raises(ValueError, match="plain '\\*.png' file name"):
            ks.hub.add_figure(folder, image, "x", name=name)
    with pytest.raises(FileNotFoundError):
        ks.hub.add_figure(folder, tmp_path / "missing.png", "x")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_card_cites_the_paper_of_its_task():
    metadata = {
        "name": "z2-tiny",
        "task": {"name": "shapes"},
        "parameters": 1,
        "inputs": [],
        "outputs": [],
        "keras_version": keras.__version__,
        "keras_symmetry_version": ks.__version__,
        "backend": "jax",
    }
    assert "Topological defects propagate information" in ks.hub.card.render(metadata)
    assert "Goldstone modes" in ks.hub.card.render({**metadata, "task": {"name": "copy"}})


def test_card_says_how_many_seeds_stand_behind_each_number(zoo):
    _, folder, _ = zoo
    metadata = ks.hub.verify(folder)
    assert "mean of" not in (folder / "README.md").read_text()  # PAPER names no seed count
    text = ks.hub.card.render({**metadata, "paper": {**PAPER, "seeds": 10}, "seeds": {"seed": 3}})
    assert "| 0.000726 (001 Table 2, mean of 10 seeds) |" in text
    assert "This checkpoint is one training run (seed 3); the paper's number is the mean over 10 seeds." in text


def test_card_shows_the_papers_spread_and_the_printed_number_a_target_was_converted_from(zoo):
    _, folder, _ = zoo
    metadata = ks.hub.verify(folder)
    measured = metadata["metrics"]["test_cross_entropy"]
    paper = {**PAPER, "value": measured - 0.01, "std": 0.02, "printed": 1.23e-4, "conversion": "divided by 50"}
    text = ks.hub.card.render({**metadata, "paper": paper})
    assert f"| {measured - 0.01:.4g} ± 0.02 (001 Table 2; printed as 0.000123: divided by 50) |" in text
    assert "**Falls short of the paper's target** by 0.01 " in text
    assert "within one standard deviation of the paper's seeds, ± 0.02" in text
    text = ks.hub.card.render({**metadata, "paper": {**paper, "std": 0.005}})
    assert "outside one standard deviation of the paper's seeds, ± 0.005" in text


def test_copy_targets_are_001_table_2_times_its_test_batch():
    printed = {
        "u1-rnn-copy": (7.26e-4, 5.47e-4),
        "rnn-copy": (2.08e-3, 3.84e-4),
        "u1-gru-copy": (3.14e-4, 4.41e-4),
        "gru-copy": (2.11e-3, 4.02e-4),
    }
    for name, (mean, std) in printed.items():
        paper = zoo_declarations.get(name).paper
        assert paper["printed"] == mean
        np.testing.assert_allclose([paper["value"], paper["std"]], [50 * mean, 50 * std])


REVISION = "c0ffee" * 6 + "1234"


@pytest.fixture
def sent(monkeypatch):
    """What `remote.send` was handed, last call first: the files' bytes, the repo, and the options."""
    calls = []

    def fake_send(folder, files, repo_id, private=False, token=None, commit_message=None):
        present = sorted(p.name for p in pathlib.Path(folder).iterdir() if not p.name.startswith("."))
        calls.insert(
            0,
            {
                "files": {name: (pathlib.Path(folder) / name).read_bytes() for name in files},
                "present": present,
                "repo_id": repo_id,
                "private": private,
                "message": commit_message,
            },
        )
        return REVISION

    monkeypatch.setattr(remote, "send", fake_send)
    return calls


def test_push_sends_exactly_the_preset_and_pins_the_revision_in_the_declaration(zoo, sent, capsys):
    _, folder, _ = zoo
    assert cli.main(["push", NAME, "someone/tiny", "--private"]) == 0
    assert (
        sorted(sent[0]["files"])
        == sent[0]["present"]
        == ["README.md", "config.json", "metadata.json", "model.weights.h5"]
    )
    assert sent[0]["repo_id"] == "someone/tiny" and sent[0]["private"] and NAME in sent[0]["message"]
    assert 'ks.load("hf://someone/tiny")' in sent[0]["files"]["README.md"].decode()
    assert json.loads(sent[0]["files"]["metadata.json"])["hub_repo"] == "someone/tiny"
    assert sent[0]["files"]["model.weights.h5"] == (folder / "model.weights.h5").read_bytes()
    entry = zoo_declarations.get(NAME)
    assert (entry.revision, entry.hub_repo) == (REVISION, "someone/tiny")
    assert "revision c0ffee" in capsys.readouterr().out
    assert (folder / "README.md").read_bytes() == sent[0]["files"]["README.md"]  # the zoo keeps what was sent
    # What was sent is what the declaration pins, file by file.
    assert {name: preset.sha256(folder / name) for name in sent[0]["files"]} == {
        name: file["sha256"] for name, file in entry.files.items()
    }
    model = ks.models.copy_model("u1-rnn", 2)
    assert ks.hub.push_to_hub(model, "someone/bare") == REVISION
    assert sorted(sent[0]["files"]) == ["README.md", "config.json", "metadata.json", "model.weights.h5"]


def test_re_exporting_unpins_the_revision_until_the_next_push(zoo, sent, tmp_path):
    _, folder, _ = zoo
    assert cli.main(["push", NAME]) == 0  # to the declared repo
    assert zoo_declarations.get(NAME).hub == {"repo": f"keras-symmetry/{NAME}", "revision": REVISION}
    ks.hub.add_figure(folder, write_png(tmp_path / "curves.png"), "Learning curves.")
    with pytest.raises(ValueError, match="curves.png"):
        ks.load(NAME)  # a file the declaration does not pin
    zoo_declarations.record(folder)  # what an export does
    assert zoo_declarations.get(NAME).revision is None and "curves.png" in zoo_declarations.get(NAME).files
    ks.load(NAME)
    assert cli.main(["push", "--all"]) == 0
    assert sent[0]["files"]["curves.png"] == (folder / "curves.png").read_bytes()
    assert "![curves.png](curves.png)" in sent[0]["files"]["README.md"].decode()
    assert zoo_declarations.get(NAME).revision == REVISION


def test_push_refuses_what_is_not_exactly_a_preset(zoo, sent):
    _, folder, _ = zoo
    (folder / "notes.txt").write_text("stray")
    with pytest.raises(ValueError, match="notes.txt"):
        ks.hub.push_to_hub(folder, "someone/tiny")
    with pytest.raises(ValueError, match="notes.txt"):
        cli.main(["push", NAME])
    assert not sent
    with pytest.raises(SystemExit, match="not both"):
        cli.main(["push", NAME, "--all"])
    with pytest.raises(SystemExit, match="needs a REPO_ID"):
        cli.main(["push", str(folder)])


def test_cli_list_info_and_eval(zoo, capsys):
    _, folder, _ = zoo
    assert cli.main(["list"]) == 0
    assert NAME in capsys.readouterr().out
    assert cli.main(["list", "--markdown"]) == 0
    header, rule, row = capsys.readouterr().out.splitlines()
    assert header.startswith("| name | task |") and row.startswith(f"| `{NAME}` | copy | test_cross_entropy=")
    size = sum(path.stat().st_size for path in folder.iterdir())
    assert f"| {ks.model_info(NAME)['parameters']:,} | {size / 1e6:.2f} MB |" in row
    assert "0.000726 (001 Table 2)" in row and f"`keras-symmetry train {NAME}`" in row
    assert cli.main(["info", NAME]) == 0
    assert json.loads(capsys.readouterr().out)["task"] == TASK
    assert cli.main(["eval", NAME]) == 0
    out = capsys.readouterr().out
    assert "test_cross_entropy" in out and "same" in out and "DIFFERENT" not in out
    metadata = json.loads((folder / "metadata.json").read_text())
    metadata["metrics"]["test_cross_entropy"] *= 1.01
    zoo_declarations.record(preset.rewrite_card(folder, metadata))
    assert cli.main(["eval", NAME]) == 1
    assert "DIFFERENT" in capsys.readouterr().out
    assert cli.main(["eval", NAME, "--record"]) == 0  # re-measured by the eval code, written back, weights untouched
    assert "recorded" in capsys.readouterr().out
    assert cli.main(["eval", NAME]) == 0  # --record recorded the new files in the declaration
    assert zoo_declarations.get(NAME).metrics == ks.hub.verify(folder)["metrics"]


def test_recorded_outputs_catch_a_model_that_computes_something_else(zoo, capsys):
    model, folder, _ = zoo
    metadata = json.loads((folder / "metadata.json").read_text())
    assert metadata["probe"]["examples"] == 2 and len(metadata["probe"]["values"]) == 64
    assert cli.main(["eval", NAME, "--probe"]) == 0
    assert "same as recorded" in capsys.readouterr().out
    kernel = model.get_layer("head").kernel
    kernel.assign(kernel * 1.001)  # one weight file with slightly other numbers, re-saved under the old metadata
    preset.save_preset(model, folder, metadata, overwrite=True)
    with pytest.raises(ValueError, match="model.weights.h5"):
        cli.main(["eval", NAME, "--probe"])  # by name: not the weights the package pins
    assert cli.main(["eval", str(folder), "--probe"]) == 1
    assert "DIFFERENT" in capsys.readouterr().out


def test_probe_tolerance_follows_the_scale_of_the_outputs():
    """A logit near 0 beside logits near 100 rounds differently per backend (u1-rnn-copy: 1.6e-4 on TensorFlow)."""
    from keras_symmetry import evaluate

    recorded = {"examples": 1, "values": [115.0732, -0.23742], "mean_abs": 57.655}
    assert evaluate.same_probe(recorded, {"examples": 1, "values": [115.0735, -0.23758], "mean_abs": 57.655})
    scaled = {"examples": 1, "values": [v * 1.001 for v in recorded["values"]], "mean_abs": 57.655 * 1.001}
    assert not evaluate.same_probe(recorded, scaled)
    small = {"examples": 1, "values": [0.5, -0.23742], "mean_abs": 0.37}
    assert not evaluate.same_probe(small, {**small, "values": [0.5, -0.23758]})  # below scale 1: atol stays 1e-4


def test_psmnist_model_exports_with_measured_accuracy(mnist_path, tmp_path):
    model = ks.models.psmnist_model("u1-gru", 2, permutation_seed=4)
    folder = ks.hub.export(
        model, tmp_path / "p", name="u1-gru-psmnist-tiny", task={"name": "psmnist"}, data_path=mnist_path
    )
    model2, metadata = ks.hub.load_preset(folder)
    assert set(metadata["metrics"]) == {"test_accuracy", "test_cross_entropy"}
    assert 0.0 <= metadata["metrics"]["test_accuracy"] <= 1.0
    assert metadata["reference"]["value"] == 0.1135  # the digit 1: 1,135 of MNIST's 10,000 test images
    assert (
        "For scale: always answering the most frequent test class scores test_accuracy 11.35%"
        in (folder / "README.md").read_text()
    )
    np.testing.assert_array_equal(model2.get_layer("permute").permutation, ks.tasks.psmnist.permutation(4))
