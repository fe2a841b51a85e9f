"""Presets in the Keras/KerasHub style: a folder of `config.json`, `model.weights.h5`,
`metadata.json`, `README.md` (the Hub model card) and the PNG figures the card shows.

`metadata.json` records the keras and package versions, the backend, the
parameter count, the task and model contract, the recipe and its arguments,
the seeds, the measured metrics with the command that measured them, and the
sha256 of every other file. Writing is atomic: the preset is assembled in a
hidden sibling folder and renamed into place, so a killed writer leaves no
half preset.

Loading trusts nothing in the folder. The folder must hold exactly the files
`metadata.json` lists (hidden entries such as `.git` are ignored), each a
regular file (symlinks only into a `root` the caller names, as in the Hugging
Face cache), every metadata field is type-checked against `METADATA_SCHEMA`,
JSON files are capped in size and nesting, every sha256 is checked before
anything is deserialised, nothing is unpickled, and the model is built with
Keras' `safe_mode`. A caller that pinned `file_manifest(folder)` passes it as
`pinned`, which also catches weights replaced together with a metadata.json
rewritten to match.
"""

import contextlib
import dataclasses
import datetime
import hashlib
import json
import math
import os
import pathlib
import re
import reprlib
import shutil
import tempfile

import keras
import numpy as np

FORMAT_VERSION = 1
CONFIG, WEIGHTS, METADATA, CARD = "config.json", "model.weights.h5", "metadata.json", "README.md"
CHECKED_FILES = (CONFIG, WEIGHTS, CARD)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_JSON_BYTES = 16 << 20  # real presets: config.json about 13 kB
MAX_JSON_DEPTH = 32  # real presets: config.json nests 10 levels, metadata.json 5


# The metadata schema: a field's type is a Python type (`int` never matches a bool), `None` (JSON null),
# a tuple of alternatives, or one of the four small types below.


@dataclasses.dataclass(frozen=True)
class ListOf:
    """A JSON array whose items all have type `item`."""

    item: object

    @property
    def text(self):
        return f"a list (items: {_describe(self.item)})"

    def mismatch(self, value, where):
        if not isinstance(value, list):
            return _wrong(value, where, self.text)
        return next(filter(None, (_mismatch(item, self.item, (*where, i)) for i, item in enumerate(value))), None)


@dataclasses.dataclass(frozen=True)
class DictOf:
    """A JSON object whose values all have type `value` (the keys are any strings)."""

    value: object

    @property
    def text(self):
        return f"an object (values: {_describe(self.value)})"

    def mismatch(self, value, where):
        if not isinstance(value, dict):
            return _wrong(value, where, self.text)
        return next(filter(None, (_mismatch(item, self.value, (*where, key)) for key, item in value.items())), None)


@dataclasses.dataclass(frozen=True)
class Record:
    """A JSON object with the `required` and `optional` fields, of their types; other keys are errors unless `open`."""

    required: dict
    optional: dict = dataclasses.field(default_factory=dict)
    open: bool = False

    @property
    def text(self):
        return f"an object with {', '.join(self.required)}" if self.required else "an object"

    def mismatch(self, value, where):
        if not isinstance(value, dict):
            return _wrong(value, where, self.text)
        fields = {**self.required, **self.optional}
        unknown = [] if self.open else sorted(value.keys() - fields.keys())
        if unknown:
            return (*where, unknown[0]), "is not a known field (its type could not be checked)"
        missing = [key for key in self.required if key not in value]
        if missing:
            return (*where, missing[0]), f"is missing (must be {_describe(self.required[missing[0]])})"
        checked = (_mismatch(value[key], spec, (*where, key)) for key, spec in fields.items() if key in value)
        return next(filter(None, checked), None)


@dataclasses.dataclass(frozen=True)
class Where:
    """A value of type `spec` for which `test(value)` holds; described as `text`."""

    spec: object
    test: object
    text: str

    def mismatch(self, value, where):
        if _mismatch(value, self.spec, where) or not self.test(value):
            return _wrong(value, where, self.text)
        return None


SHA256 = Where(str, re.compile(r"[0-9a-f]{64}").fullmatch, "a sha256 (64 lowercase hex characters)")
COUNT = Where(int, lambda value: value >= 0, "an integer >= 0")
FINITE = Where((int, float), math.isfinite, "a finite number")
SHAPES = ListOf(ListOf((int, None)))  # one shape per model input (output); None: any size
METADATA_SCHEMA = Record(
    required={
        "format_version": Where(int, lambda value: value == FORMAT_VERSION, str(FORMAT_VERSION)),
        "name": str,
        "created": str,
        "keras_version": str,
        "keras_symmetry_version": str,
        "backend": str,
        "parameters": COUNT,
        "task": Record({"name": str}, open=True),
        "inputs": SHAPES,
        "outputs": SHAPES,
        "files": DictOf(SHA256),
    },
    optional={
        "description": str,
        "metrics_command": str,
        "metrics": DictOf(FINITE),
        "figures": ListOf(Record({"file": str, "caption": str})),
        "hub_repo": (str, None),
        "limitations": (ListOf(str), None),
        **dict.fromkeys(("paper", "baseline", "reference", "probe", "equivariance", "recipe", "seeds"), (dict, None)),
        "init_from": Record(
            {
                "source": str,
                "name": str,
                "revision": (str, None),
                "files": DictOf(SHA256),
                "copied": ListOf(str),
                "fresh": ListOf(str),
            }
        ),
    },
)
PINNED_SCHEMA = DictOf(Record({"sha256": SHA256, "size": COUNT}))
_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    dict: "an object",
    list: "a list",
}
_BAD_NAMES = (  # what makes a 'files' entry unfit, in the order they are told
    (lambda name: name == METADATA, "is metadata.json itself, which cannot record its own checksum"),
    (lambda name: name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name), "is an absolute path"),
    (lambda name: ".." in re.split(r"[/\\]", name), "points outside the preset folder"),
    (lambda name: "/" in name or "\\" in name, "is a path (holds '/' or '\\'), not a file name"),
    (lambda name: name.startswith("."), "is a hidden name (starts with '.')"),
    (lambda name: not name or not name.isprintable(), "is empty or holds control characters"),
)
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)


def _describe(spec):
    """What type `spec` asks for, in words."""
    if spec is None:
        return "null"
    if isinstance(spec, tuple):
        return " or ".join(map(_describe, spec))
    return _TYPE_NAMES[spec] if isinstance(spec, type) else spec.text


def _wrong(value, where, expected):
    return where, f"must be {expected}, got {reprlib.repr(value)}"


def _mismatch(value, spec, where=()):
    """None when `value` has type `spec`; else `(where, problem)` for the deepest place that is wrong."""
    if spec is None:
        return None if value is None else _wrong(value, where, "null")
    if isinstance(spec, type):
        matches = isinstance(value, spec) and (spec is bool or not isinstance(value, bool))
        return None if matches else _wrong(value, where, _describe(spec))
    if isinstance(spec, tuple):
        misses = [_mismatch(value, alternative, where) for alternative in spec]
        if None in misses:
            return None
        deepest = max(misses, key=lambda miss: len(miss[0]))
        return deepest if len(deepest[0]) > len(where) else _wrong(value, where, _describe(spec))
    return spec.mismatch(value, where)


def _path(where):
    """`("files", "config.json")` -> `files["config.json"]`; `("inputs", 0, 1)` -> `inputs[0][1]`."""
    return str(where[0]) + "".join(f"[{json.dumps(key)}]" for key in where[1:])


def _check_type(value, spec, source):
    """Raise a ValueError naming `source` and the place in `value` that does not have type `spec`."""
    miss = _mismatch(value, spec)
    if miss:
        where, problem = miss
        raise ValueError(f"{source}: {_path(where) if where else 'the top level'} {problem}.")


def sha256(path):
    """The hex sha256 of the file at `path`."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _json_depth(text):
    """How deeply `text` nests JSON arrays and objects, counted without parsing it (strings are skipped)."""
    code = np.frombuffer(_JSON_STRING.sub("", text).encode(), np.uint8)
    opens = (code == ord("[")) | (code == ord("{"))
    closes = (code == ord("]")) | (code == ord("}"))
    return int(np.cumsum(opens.astype(np.int32) - closes, dtype=np.int32).max(initial=0))


def _unique_keys(pairs):
    """A JSON object's dict, refusing a key given twice (which a reader could take either way)."""
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"key {repeated[0]!r} appears more than once in one object")
    return dict(pairs)


def _read_json(path):
    """The JSON object in the file `path`, refused when too large, too deeply nested or not an object."""
    path = pathlib.Path(path)
    if not path.exists():
        raise FileNotFoundError(f"Preset file missing: {path}")
    if not path.is_file():
        raise ValueError(f"{path} is not a regular file.")
    size = path.stat().st_size
    if size > MAX_JSON_BYTES:
        raise ValueError(f"{path} is {size:,} bytes; a preset's JSON files are at most {MAX_JSON_BYTES:,} bytes.")
    try:
        text = path.read_bytes().decode("utf-8")
        depth = _json_depth(text)
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"it nests {depth} levels deep, more than the {MAX_JSON_DEPTH} a preset may use")
        value = json.loads(text, object_pairs_hook=_unique_keys)
    except ValueError as err:  # also json.JSONDecodeError and UnicodeDecodeError
        raise ValueError(f"Malformed JSON in {path}: {err}") from err
    _check_type(value, dict, path)
    return value


def _check_metadata(metadata, source):
    """Raise a ValueError naming `source` unless `metadata` is preset metadata of this format with a sound manifest."""
    version = metadata.get("format_version")
    if type(version) is int and version > FORMAT_VERSION:
        raise ValueError(
            f"{source}: format_version {version} is newer than the format {FORMAT_VERSION} this keras-symmetry reads; "
            "upgrade keras-symmetry to load it."
        )
    _check_type(metadata, METADATA_SCHEMA, source)
    files = metadata["files"]
    for name in files:
        _check_name(name, f"{source}: 'files' entry")
    missing = [name for name in CHECKED_FILES if name not in files]
    if missing:
        raise ValueError(
            f"{source}: 'files' does not list {', '.join(missing)}; every preset lists {', '.join(CHECKED_FILES)} "
            "with their sha256."
        )
    unlisted = [name for name in figure_files(metadata) if name not in files]
    if unlisted:
        raise ValueError(f"{source}: the figure(s) {unlisted} are not listed in 'files', so nothing checks them.")


def _check_name(name, what):
    """Raise a ValueError unless `name` is a plain, visible file name in the preset folder (not metadata.json)."""
    for bad, problem in _BAD_NAMES:
        if bad(name):
            raise ValueError(f"{what} {name!r} {problem}; a preset names plain files in its own folder.")


def read_metadata(folder):
    """The preset's metadata, after checking it against `METADATA_SCHEMA` and its file manifest's names.

    The files themselves are not looked at: `verify` does that.
    """
    path = pathlib.Path(folder) / METADATA
    metadata = _read_json(path)
    _check_metadata(metadata, path)
    return metadata


def _entries(folder, root):
    """The non-hidden entries of `folder` (`name -> path`), refusing symlinks unless they resolve into `root`."""
    entries = {path.name: path for path in folder.iterdir() if not path.name.startswith(".")}
    for path in entries.values():
        if path.is_symlink():
            _check_symlink(path, root)
    return entries


def _check_symlink(path, root):
    """Raise a ValueError unless `root` is given and the symlink `path` resolves to a regular file inside it."""
    if root is None:
        raise ValueError(
            f"{path} is a symlink (to {os.readlink(path)}); a preset's files must be regular files in its folder. "
            "Pass root= (for a Hugging Face cache snapshot: the repo's cache folder) to allow symlinks into it."
        )
    root = pathlib.Path(root).resolve()
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError) as err:
        raise ValueError(f"{path} is a broken symlink: {err}") from err
    if not (target.is_relative_to(root) and target.is_file()):
        raise ValueError(f"{path} is a symlink to {target}, which is not a regular file inside {root}.")


def _check_present(folder, entries, expected, source):
    """Raise unless `folder`'s entries are exactly the regular files `expected`, the names `source` lists."""
    missing = sorted(expected - entries.keys())
    if missing:
        raise FileNotFoundError(f"Preset file missing: {folder / missing[0]} (listed in {source}).")
    extra = sorted(entries.keys() - expected)
    if extra:
        raise ValueError(
            f"{folder} holds files that are not part of the preset (not listed in {source}): {extra}. "
            "Remove them; hidden entries such as .git are ignored."
        )
    for name in sorted(expected):
        if not entries[name].is_file():
            raise ValueError(f"{entries[name]} is not a regular file.")


def _check_pinned(folder, entries, pinned):
    """Compare the size, then the sha256, of every file with the caller's `pinned` manifest, metadata.json first;
    one ValueError names every file that differs."""
    _check_type(pinned, PINNED_SCHEMA, "The pinned manifest")
    if METADATA not in pinned:
        raise ValueError(f"The pinned manifest must cover {METADATA} too (as file_manifest's does).")
    for name in pinned.keys() - {METADATA}:
        _check_name(name, "The pinned manifest's entry")
    _check_present(folder, entries, set(pinned), "the pinned manifest")
    order = sorted(pinned, key=lambda name: (name != METADATA, name))  # metadata.json first
    changed = [problem for name in order if (problem := _pin_mismatch(folder / name, pinned[name]))]
    if changed:
        raise ValueError(
            f"Checksum mismatch for {len(changed)} file(s) against the pinned manifest: {'; '.join(changed)}. "
            "The preset was changed after it was pinned; refusing to load it."
        )


def _pin_mismatch(path, pin):
    """How the file at `path` differs from its `pin` (size first, then sha256); None when it does not."""
    size = path.stat().st_size
    if size != pin["size"]:
        return f"{path}: {size} bytes, pinned {pin['size']} bytes"
    actual = sha256(path)
    return None if actual == pin["sha256"] else f"{path}: sha256 {actual}, pinned {pin['sha256']}"


def verify(folder, *, pinned=None, root=None):
    """Check a preset folder completely; return its metadata.

    The folder must hold exactly the files `metadata.json` lists, plus metadata.json (hidden entries are
    ignored), each a regular file whose sha256 matches; the metadata must pass `read_metadata`'s checks.

    Args:
        folder: the preset folder.
        pinned: optional `{name: {"sha256": hex, "size": int}}` for every file, metadata.json included
            (what `file_manifest` returned when the preset was trusted). When given, the files present
            must be exactly these, and each must match in size and sha256 before metadata.json is parsed.
        root: a folder that symlinks in `folder` may point into (the repo's folder of a Hugging Face
            cache, whose snapshot files link to `<root>/blobs/`). Without it any symlink is refused.
    """
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"No preset folder at {folder}.")
    entries = _entries(folder, root)
    if pinned is not None:
        _check_pinned(folder, entries, pinned)
    metadata = read_metadata(folder)
    _check_present(folder, entries, {*metadata["files"], METADATA}, METADATA)
    for name, expected in metadata["files"].items():
        actual = sha256(folder / name)
        if actual != expected:
            raise ValueError(
                f"Checksum mismatch for {folder / name}: sha256 {actual} but {METADATA} records {expected}. "
                "The file is corrupted or was changed after the preset was written; refusing to load it."
            )
    return metadata


def file_manifest(folder, *, root=None):
    """`{name: {"sha256": hex, "size": bytes}}` for every file of the verified preset at `folder`, metadata.json
    included: what a caller pins, to pass back to `verify`/`load_preset` as `pinned`."""
    folder = pathlib.Path(folder)
    metadata = verify(folder, root=root)
    names = sorted({*metadata["files"], METADATA})
    return {name: {"sha256": sha256(folder / name), "size": (folder / name).stat().st_size} for name in names}


def load_preset(folder, *, pinned=None, root=None):
    """Verify (see `verify` for `pinned` and `root`) and load a preset folder: `(model, metadata)`."""
    folder = pathlib.Path(folder)
    metadata = verify(folder, pinned=pinned, root=root)
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
    if name in CHECKED_FILES or any(bad(name) for bad, _ in _BAD_NAMES) or not name.endswith(".png"):
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
    """Write the card and the checksummed metadata into `stage`, then swap it into `folder`.

    The metadata is checked as loading checks it, so no preset is written that would not load.
    """
    from keras_symmetry.hub import card as cards

    (stage / CARD).write_text((card or cards.render)(metadata))
    files = (*CHECKED_FILES, *figure_files(metadata))
    metadata = {**metadata, "files": {name: sha256(stage / name) for name in files}}
    _check_metadata(metadata, folder / METADATA)
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
