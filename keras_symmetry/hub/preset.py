"""Presets in the Keras/KerasHub style: a folder of `config.json`, `model.weights.h5`,
`metadata.json`, `README.md` (the Hub model card) and the PNG figures the card shows.

`metadata.json` records the keras and package versions, the backend, the
parameter count, the task and model contract, the recipe and its arguments,
the seeds, the measured metrics with the command that measured them, and the
sha256 of every other file. Writing is atomic: the preset is assembled in a
hidden sibling folder and renamed into place, so a killed writer leaves no
half preset. Loading checks every sha256 before anything is read, never
unpickles, and deserialises with Keras' `safe_mode`.
"""

import contextlib
import datetime
import hashlib
import json
import os
import pathlib
import shutil
import tempfile

import keras

FORMAT_VERSION = 1
CONFIG, WEIGHTS, METADATA, CARD = "config.json", "model.weights.h5", "metadata.json", "README.md"
CHECKED_FILES = (CONFIG, WEIGHTS, CARD)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_json(path):
    try:
        return json.loads(pathlib.Path(path).read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"Preset file missing: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"Malformed JSON in {path}: {err}") from err


def read_metadata(folder):
    """The preset's metadata, after checking that it is a preset this version can read."""
    metadata = _read_json(pathlib.Path(folder) / METADATA)
    if not isinstance(metadata, dict) or "files" not in metadata:
        raise ValueError(f"{pathlib.Path(folder) / METADATA} is not preset metadata (no 'files' entry).")
    return metadata


def verify(folder, exact=False):
    """Check the sha256 of every file the metadata lists; return the metadata.

    With `exact`, a file in `folder` that the metadata does not list is an error
    too (what is published must be exactly the preset).
    """
    folder = pathlib.Path(folder)
    metadata = read_metadata(folder)
    if exact:
        extra = sorted(p.name for p in folder.iterdir() if p.name not in (*metadata["files"], METADATA))
        if extra:
            raise ValueError(f"{folder} holds files that are not part of the preset: {extra}.")
    for name, expected in metadata["files"].items():
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"Preset file missing: {path} (listed in {METADATA}).")
        actual = sha256(path)
        if actual != expected:
            raise ValueError(
                f"Checksum mismatch for {path}: sha256 {actual} but {METADATA} records {expected}. "
                "The file is corrupted or was changed after the preset was written; refusing to load it."
            )
    return metadata


def load_preset(folder):
    """Verify and load a preset folder: `(model, metadata)`."""
    folder = pathlib.Path(folder)
    metadata = verify(folder)
    config = _read_json(folder / CONFIG)
    try:
        model = keras.saving.deserialize_keras_object(config, safe_mode=True)
    except Exception as err:
        raise ValueError(f"{folder / CONFIG} does not describe a model this installation can build: {err}") from err
    try:
        model.load_weights(folder / WEIGHTS)
    except Exception as err:
        raise ValueError(f"{folder / WEIGHTS} does not match {folder / CONFIG}: {err}") from err
    return model, metadata


def base_metadata(model, name, task, **fields):
    """The metadata every preset has; `fields` adds recipe, seeds, metrics, paper, hub info."""
    import keras_symmetry

    return {
        "format_version": FORMAT_VERSION,
        "name": name,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "keras_version": keras.__version__,
        "keras_symmetry_version": keras_symmetry.__version__,
        "backend": keras.backend.backend(),
        "parameters": int(model.count_params()),
        "task": task,
        "inputs": [list(map(_dim, t.shape)) for t in model.inputs],
        "outputs": [list(map(_dim, t.shape)) for t in model.outputs],
        **fields,
    }


def _dim(d):
    return None if d is None else int(d)


def save_preset(model, folder, metadata, card=None, overwrite=False):
    """Write `model` as a preset at `folder`, atomically.

    Args:
        model: a built Keras model.
        folder: destination; must not exist unless `overwrite`.
        metadata: dict from `base_metadata` (the `files` checksums are added here).
        card: a function `metadata -> str` writing the model card; default: the
            package's card renderer.
    Returns the folder as a `pathlib.Path`.
    """
    folder = pathlib.Path(folder)
    if folder.exists() and not overwrite:
        raise FileExistsError(f"{folder} exists; pass overwrite=True to replace it.")
    with _staged(folder) as stage:
        config = keras.saving.serialize_keras_object(model)
        config.pop("compile_config", None)  # a preset is the model, not a training run's optimizer
        (stage / CONFIG).write_text(json.dumps(config, indent=1))
        if getattr(model, "optimizer", None) is not None:  # save_weights would add the optimizer's state
            weights, model = model.get_weights(), keras.saving.deserialize_keras_object(config)
            model.set_weights(weights)
        model.save_weights(stage / WEIGHTS)
        _finish(stage, folder, metadata, card)
    return folder


def figure_files(metadata):
    """The file names of the figures a preset's card shows."""
    return [figure["file"] for figure in metadata.get("figures", [])]


def rewrite_card(folder, metadata, sources=None):
    """Re-render `README.md` from `metadata` and rewrite `metadata.json`, atomically.

    The weights, config and figures are copied unchanged, each from `sources[name]`
    when given (a new figure) and from `folder` otherwise.
    """
    folder, sources = pathlib.Path(folder), sources or {}
    with _staged(folder) as stage:
        for name in (CONFIG, WEIGHTS, *figure_files(metadata)):
            shutil.copy2(sources.get(name, folder / name), stage / name)
        _finish(stage, folder, metadata)
    return folder


def add_figure(folder, image, caption, name=None):
    """Add the PNG `image` to the preset at `folder`, shown on its card with `caption`; atomically.

    The figure is checksummed like every other file of the preset, so a tampered
    image is refused on load, and it is published with the card. A figure of
    the same `name` (default: the image's file name) is replaced.
    """
    folder, image = pathlib.Path(folder), pathlib.Path(image)
    metadata = verify(folder)
    name = name or image.name
    if name in (*CHECKED_FILES, METADATA) or pathlib.Path(name).name != name or not name.endswith(".png"):
        raise ValueError(f"Figure name {name!r} must be a plain '*.png' file name, not one of the preset's own files.")
    with open(image, "rb") as f:
        if f.read(len(PNG_SIGNATURE)) != PNG_SIGNATURE:
            raise ValueError(f"{image} is not a PNG image (wrong signature); a card figure must be a PNG.")
    figures = [figure for figure in metadata.get("figures", []) if figure["file"] != name]
    metadata = {**metadata, "figures": [*figures, {"file": name, "caption": caption}]}
    return rewrite_card(folder, metadata, sources={name: image})


@contextlib.contextmanager
def _staged(folder):
    """A hidden sibling folder to assemble a preset in; removed whatever happens."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    stage = pathlib.Path(tempfile.mkdtemp(prefix=f".{folder.name}.partial-", dir=folder.parent))
    stage.chmod(0o755)
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _finish(stage, folder, metadata, card=None):
    """Write the card and the checksummed metadata into `stage`, then swap it into `folder`."""
    from keras_symmetry.hub import card as cards

    (stage / CARD).write_text((card or cards.render)(metadata))
    files = (*CHECKED_FILES, *figure_files(metadata))
    metadata = {**metadata, "files": {name: sha256(stage / name) for name in files}}
    (stage / METADATA).write_text(json.dumps(metadata, indent=2) + "\n")
    _swap_into_place(stage, folder)


def _swap_into_place(stage, folder):
    """Rename the finished stage to `folder`; an old preset is moved aside first, then removed."""
    if folder.exists():
        trash = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        os.replace(folder, trash)
        os.replace(stage, folder)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(stage, folder)
