"""Preset loading refuses every bad preset a census found with a ValueError (FileNotFoundError for a missing
file) that names the file and the problem: bad manifests, unsafe names, symlinks, deep or huge JSON, metadata
that does not fit the schema, extra files, and (with a pinned manifest) consistent tampering."""

import json
import pathlib
import shutil

import keras
import numpy as np
import pytest
from conftest import ROOT, to_numpy

from keras_symmetry.hub import preset

ZOO = sorted(path for path in (ROOT / "zoo").iterdir() if (path / preset.METADATA).is_file())
DELETE = object()  # a schema case's value: remove the field
HASH = "0" * 64


def tiny_model(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """A real preset of a tiny model, with one figure: `(folder, model)`. Tests change copies of it."""
    tmp = tmp_path_factory.mktemp("clean")
    model = tiny_model()
    folder = preset.save_preset(model, tmp / "tiny", preset.base_metadata(model, "tiny", {"name": "custom"}))
    (tmp / "curves.png").write_bytes(preset.PNG_SIGNATURE + b"a tiny figure")
    preset.add_figure(folder, tmp / "curves.png", "Learning curves.")
    return folder, model


@pytest.fixture
def folder(clean, tmp_path):
    """A fresh copy of the clean preset, to tamper with."""
    return pathlib.Path(shutil.copytree(clean[0], tmp_path / "preset"))


def edit_metadata(folder, change):
    """Apply `change(metadata)` to the preset's metadata.json, written as `save_preset` writes it."""
    path = folder / preset.METADATA
    metadata = json.loads(path.read_text())
    change(metadata)
    path.write_text(json.dumps(metadata, indent=2) + "\n")


def rehash(folder, name):
    """Record the current sha256 of `name` in metadata.json: a consistent tamper."""
    edit_metadata(folder, lambda metadata: metadata["files"].update({name: preset.sha256(folder / name)}))


def nested(depth):
    return "[" * depth + "]" * depth


def test_a_clean_preset_loads_and_computes_the_same_outputs(clean):
    folder, model = clean
    x = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    loaded, metadata = preset.load_preset(folder)
    np.testing.assert_allclose(to_numpy(loaded(x)), to_numpy(model(x)), atol=1e-6)
    assert sorted(metadata["files"]) == ["README.md", "config.json", "curves.png", "model.weights.h5"]


@pytest.mark.parametrize("zoo_preset", ZOO, ids=[path.name for path in ZOO])
def test_every_zoo_preset_passes_the_checks(zoo_preset):
    metadata = preset.verify(zoo_preset)
    assert set(metadata) <= {*preset.METADATA_SCHEMA.required, *preset.METADATA_SCHEMA.optional}
    assert preset.verify(zoo_preset, pinned=preset.file_manifest(zoo_preset)) == metadata


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda m: m.update(files={}), "'files' does not list config.json, model.weights.h5, README.md"),
        (lambda m: m["files"].pop("README.md"), "'files' does not list README.md"),
        (lambda m: m["files"].pop("model.weights.h5"), "'files' does not list model.weights.h5"),
        (lambda m: m["files"].pop("curves.png"), r"the figure\(s\) \['curves.png'\] are not listed in 'files'"),
    ],
    ids=["nothing", "no-card", "no-weights", "unlisted-figure"],
)
def test_a_manifest_must_list_every_file_of_the_preset(folder, change, message):
    edit_metadata(folder, change)
    with pytest.raises(ValueError, match=rf"metadata\.json: {message}"):
        preset.verify(folder)


@pytest.mark.parametrize(
    "name, problem",
    [
        ("../x", "points outside the preset folder"),
        ("../../etc/passwd", "is an absolute path|points outside the preset folder"),
        ("/etc/passwd", "is an absolute path"),
        ("C:\\weights.h5", "is an absolute path"),
        ("sub/x.png", r"is a path \(holds '/' or '\\'\)"),
        ("sub\\x.png", r"is a path \(holds '/' or '\\'\)"),
        (".hidden", r"is a hidden name \(starts with '\.'\)"),
        ("metadata.json", "is metadata.json itself"),
        ("", "is empty or holds control characters"),
    ],
)
def test_manifest_names_must_be_plain_file_names_in_the_folder(folder, name, problem):
    edit_metadata(folder, lambda metadata: metadata["files"].update({name: HASH}))
    with pytest.raises(ValueError, match=rf"metadata\.json: 'files' entry '.*' ({problem})"):
        preset.verify(folder)


@pytest.mark.parametrize("name", ["model.weights.h5", "config.json", "metadata.json", "curves.png"])
def test_a_file_replaced_by_a_symlink_is_refused(folder, tmp_path, name):
    elsewhere = tmp_path / "elsewhere" / name
    elsewhere.parent.mkdir()
    shutil.move(folder / name, elsewhere)  # the same bytes, so the checksum alone would pass
    (folder / name).symlink_to(elsewhere)
    with pytest.raises(ValueError, match=rf"{name} is a symlink \(to .*elsewhere.*\).*Pass root="):
        preset.load_preset(folder)
    with pytest.raises(ValueError, match=rf"{name} is a symlink to .*, which is not a regular file inside .*cache"):
        preset.load_preset(folder, root=tmp_path / "cache")


@pytest.mark.parametrize(
    "files, message",
    [
        ("config.json", "files must be an object"),
        (["config.json", "model.weights.h5", "README.md"], "files must be an object"),
        ({"config.json": "abc"}, r'files\["config.json"\] must be a sha256 \(64 lowercase hex characters\)'),
        ({"config.json": "A" * 64}, r'files\["config.json"\] must be a sha256'),
        ({"config.json": "0" * 63}, r'files\["config.json"\] must be a sha256'),
        ({"config.json": None}, r'files\["config.json"\] must be a sha256'),
    ],
    ids=["string", "list", "short", "uppercase", "63-hex", "null"],
)
def test_files_must_map_names_to_sha256_hashes(folder, files, message):
    edit_metadata(folder, lambda metadata: metadata.update(files=files))
    with pytest.raises(ValueError, match=rf"metadata\.json: {message}"):
        preset.verify(folder)


@pytest.mark.parametrize("name", ["config.json", "metadata.json"])
@pytest.mark.parametrize("depth", [50_000, preset.MAX_JSON_DEPTH + 1])
def test_deeply_nested_json_is_refused_before_it_is_parsed(folder, name, depth):
    (folder / name).write_text(nested(depth))
    if name != preset.METADATA:
        rehash(folder, name)
    with pytest.raises(ValueError, match=rf"Malformed JSON in .*{name}: it nests {depth} levels deep"):
        preset.load_preset(folder)


def test_json_nesting_is_counted_outside_strings_only(folder):
    edit_metadata(folder, lambda metadata: metadata.update(description=nested(1000) + '\\"{'))
    preset.verify(folder)


def test_a_huge_json_file_is_refused_before_it_is_read(folder):
    (folder / "metadata.json").write_text("{" + " " * preset.MAX_JSON_BYTES + "}")
    with pytest.raises(ValueError, match=r"metadata\.json is 16,777,218 bytes; .* at most 16,777,216 bytes"):
        preset.verify(folder)


@pytest.mark.parametrize("name", ["config.json", "metadata.json"])
@pytest.mark.parametrize("text", ["[]", "null", "3", '"a string"'])
def test_json_whose_top_level_is_not_an_object_is_refused(folder, name, text):
    (folder / name).write_text(text)
    if name != preset.METADATA:
        rehash(folder, name)
    with pytest.raises(ValueError, match=rf"{name}: the top level must be an object, got"):
        preset.load_preset(folder)


def test_a_key_given_twice_is_refused(folder):
    text = (folder / "metadata.json").read_text()
    (folder / "metadata.json").write_text(text.replace('"files": {', '"files": {}, "files": {', 1))
    with pytest.raises(ValueError, match=r"Malformed JSON in .*metadata\.json: key 'files' appears more than once"):
        preset.verify(folder)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("format_version", 2, "format_version 2 is newer than the format 1 .* upgrade keras-symmetry"),
        ("format_version", 0, "format_version must be 1, got 0"),
        ("format_version", "1", "format_version must be 1, got '1'"),
        ("format_version", DELETE, r"format_version is missing \(must be 1\)"),
        ("name", 7, "name must be a string, got 7"),
        ("created", None, "created must be a string"),
        ("backend", DELETE, r"backend is missing \(must be a string\)"),
        ("keras_version", 3.15, "keras_version must be a string"),
        ("parameters", -1, "parameters must be an integer >= 0, got -1"),
        ("parameters", True, "parameters must be an integer >= 0, got True"),
        ("parameters", 1.5, "parameters must be an integer >= 0"),
        ("task", "copy", "task must be an object with name, got 'copy'"),
        ("task", {"t_max": 3}, r'task\["name"\] is missing \(must be a string\)'),
        ("inputs", [[None, "3"]], r"inputs\[0\]\[1\] must be an integer or null, got '3'"),
        ("outputs", [2], r"outputs\[0\] must be a list"),
        ("metrics", {"acc": float("nan")}, r'metrics\["acc"\] must be a finite number, got nan'),
        ("metrics", {"acc": "0.9"}, r'metrics\["acc"\] must be a finite number'),
        ("metrics", [0.9], "metrics must be an object"),
        ("figures", [{"file": "curves.png"}], r'figures\[0\]\["caption"\] is missing'),
        ("figures", [{"file": "curves.png", "caption": "c", "x": 1}], r'figures\[0\]\["x"\] is not a known field'),
        ("figures", "curves.png", "figures must be a list"),
        ("hub_repo", 5, "hub_repo must be a string or null, got 5"),
        ("paper", [], "paper must be an object or null"),
        ("seeds", 0, "seeds must be an object or null"),
        ("limitations", ["ok", 3], r"limitations\[1\] must be a string, got 3"),
        ("description", None, "description must be a string"),
        ("surprise", 1, r"surprise is not a known field \(its type could not be checked\)"),
    ],
)
def test_every_metadata_field_is_type_checked(folder, field, value, message):
    edit_metadata(folder, lambda metadata: metadata.pop(field) if value is DELETE else metadata.update({field: value}))
    with pytest.raises(ValueError, match=rf"metadata\.json: {message}"):
        preset.verify(folder)


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_extra_entries_are_refused_and_hidden_ones_ignored(folder, kind):
    for hidden in (".git", ".cache"):
        (folder / hidden).mkdir()
    (folder / ".gitattributes").write_text("*.h5 filter=lfs\n")
    preset.load_preset(folder)
    (folder / "notes").mkdir() if kind == "folder" else (folder / "notes").write_text("stray")
    with pytest.raises(ValueError, match=r"holds files that are not part of the preset .*metadata\.json.*\['notes'\]"):
        preset.verify(folder)


def test_a_listed_folder_is_not_a_file(folder):
    (folder / "curves.png").unlink()
    (folder / "curves.png").mkdir()
    with pytest.raises(ValueError, match=r"curves\.png is not a regular file"):
        preset.verify(folder)


def test_a_missing_file_is_named(folder):
    (folder / "model.weights.h5").unlink()
    with pytest.raises(
        FileNotFoundError, match=r"Preset file missing: .*model\.weights\.h5 \(listed in metadata\.json\)"
    ):
        preset.load_preset(folder)


def test_a_changed_file_fails_its_checksum(folder):
    (folder / "README.md").write_text("a different card")
    with pytest.raises(ValueError, match=r"Checksum mismatch for .*README\.md: sha256 [0-9a-f]{64} but metadata\.json"):
        preset.verify(folder)


def consistent_tamper(folder, tmp_path):
    """Weights with other values, and metadata.json rewritten to match: the folder alone looks fine."""
    tiny_model(seed=1).save_weights(tmp_path / "other.weights.h5")
    shutil.copyfile(tmp_path / "other.weights.h5", folder / "model.weights.h5")
    rehash(folder, "model.weights.h5")


def test_a_pinned_manifest_accepts_the_preset_and_catches_a_consistent_tamper(clean, folder, tmp_path):
    pinned = preset.file_manifest(clean[0])
    assert sorted(pinned) == ["README.md", "config.json", "curves.png", "metadata.json", "model.weights.h5"]
    assert pinned["model.weights.h5"]["size"] == (clean[0] / "model.weights.h5").stat().st_size
    preset.load_preset(folder, pinned=pinned)
    consistent_tamper(folder, tmp_path)
    preset.verify(folder)  # what the folder alone cannot tell
    actual, expected = preset.sha256(folder / "metadata.json"), pinned["metadata.json"]["sha256"]
    assert (folder / "metadata.json").stat().st_size == pinned["metadata.json"]["size"]
    weights = preset.sha256(folder / "model.weights.h5"), pinned["model.weights.h5"]["sha256"]
    with pytest.raises(
        ValueError,
        match=rf"mismatch for 2 file\(s\) against the pinned manifest: .*metadata\.json: "
        rf"sha256 {actual}, pinned {expected}; .*model\.weights\.h5: sha256 {weights[0]}, pinned {weights[1]}\.",
    ):
        preset.load_preset(folder, pinned=pinned)


def test_pinned_files_are_checked_before_metadata_json_is_parsed(clean, folder):
    pinned = preset.file_manifest(clean[0])
    (folder / "metadata.json").write_text(nested(50_000))
    with pytest.raises(
        ValueError,
        match=r"mismatch for 1 file\(s\) against the pinned manifest: .*metadata\.json: 100000 "
        r"bytes, pinned \d+ bytes\.",
    ):
        preset.verify(folder, pinned=pinned)


def test_pinned_sizes_and_the_pinned_set_of_files(clean, folder):
    pinned = preset.file_manifest(clean[0])
    weights = pinned["model.weights.h5"]
    with pytest.raises(
        ValueError, match=r"Checksum mismatch for 1 file.*model\.weights\.h5: \d+ bytes, pinned 1 bytes"
    ):
        preset.verify(folder, pinned={**pinned, "model.weights.h5": {**weights, "size": 1}})
    with pytest.raises(FileNotFoundError, match=r"Preset file missing: .*extra\.png \(listed in the pinned manifest\)"):
        preset.verify(folder, pinned={**pinned, "extra.png": weights})
    unpinned = {name: pin for name, pin in pinned.items() if name != "curves.png"}
    with pytest.raises(ValueError, match=r"not listed in the pinned manifest\): \['curves\.png'\]"):
        preset.verify(folder, pinned=unpinned)
    without_metadata = {name: pin for name, pin in pinned.items() if name != "metadata.json"}
    with pytest.raises(ValueError, match=r"pinned manifest must cover metadata\.json"):
        preset.verify(folder, pinned=without_metadata)
    with pytest.raises(ValueError, match=r'The pinned manifest: config\.json\["size"\] must be an integer >= 0'):
        preset.verify(folder, pinned={**pinned, "config.json": {**weights, "size": "3"}})
    with pytest.raises(ValueError, match=r"The pinned manifest's entry '\.\./x' points outside the preset folder"):
        preset.verify(folder, pinned={**pinned, "../x": weights})


def hf_cache(clean, tmp_path):
    """The Hugging Face cache layout: `<root>/snapshots/<commit>/<file>` are symlinks to `<root>/blobs/<sha256>`."""
    root = tmp_path / "models--someone--tiny"
    snapshot = root / "snapshots" / ("f" * 40)
    (root / "blobs").mkdir(parents=True)
    snapshot.mkdir(parents=True)
    for path in clean.iterdir():
        blob = root / "blobs" / preset.sha256(path)
        shutil.copyfile(path, blob)
        (snapshot / path.name).symlink_to(pathlib.Path("..", "..", "blobs", blob.name))
    return root, snapshot


def test_a_hugging_face_cache_snapshot_loads_with_its_root_only(clean, tmp_path):
    folder, model = clean
    root, snapshot = hf_cache(folder, tmp_path)
    x = np.ones((2, 3), "float32")
    loaded, _ = preset.load_preset(snapshot, root=root, pinned=preset.file_manifest(folder))
    np.testing.assert_allclose(to_numpy(loaded(x)), to_numpy(model(x)), atol=1e-6)
    with pytest.raises(ValueError, match=r"is a symlink \(to \.\./\.\./blobs/[0-9a-f]{64}\)"):
        preset.load_preset(snapshot)
    with pytest.raises(ValueError, match="not a regular file inside"):
        preset.load_preset(snapshot, root=root / "snapshots")  # blobs lie outside this root


def test_a_symlink_inside_the_root_must_lead_to_a_regular_file(clean, tmp_path):
    root, snapshot = hf_cache(clean[0], tmp_path)
    (snapshot / "curves.png").unlink()
    (snapshot / "curves.png").symlink_to(root / "blobs")
    with pytest.raises(ValueError, match=r"curves\.png is a symlink to .*blobs, which is not a regular file inside"):
        preset.verify(snapshot, root=root)
    (snapshot / "curves.png").unlink()
    (snapshot / "curves.png").symlink_to(root / "blobs" / "gone")
    with pytest.raises(ValueError, match=r"curves\.png is a broken symlink"):
        preset.verify(snapshot, root=root)


def test_writing_refuses_metadata_that_would_not_load(clean, tmp_path):
    model = clean[1]
    metadata = preset.base_metadata(model, "tiny", {"name": "custom"}, surprise=1)
    with pytest.raises(ValueError, match=r"metadata\.json: surprise is not a known field"):
        preset.save_preset(model, tmp_path / "new", metadata)
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("name", [".hidden.png", "sub\\x.png", "../x.png", "README.md"])
def test_a_figure_name_must_be_plain(folder, tmp_path, name):
    (tmp_path / "figure.png").write_bytes(preset.PNG_SIGNATURE)
    with pytest.raises(ValueError, match=r"plain '\*\.png' file name"):
        preset.add_figure(folder, tmp_path / "figure.png", "x", name=name)
