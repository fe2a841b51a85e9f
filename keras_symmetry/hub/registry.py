"""The zoo registry: `zoo/registry.json`, one entry per zoo name.

An entry names the preset folder (relative to the zoo), the Hugging Face repo
id, the pinned revision once published, and a copy of the preset's metrics.
The zoo is the repository's `zoo/`, or the directory `$KERAS_SYMMETRY_ZOO`.
"""

import difflib
import json
import os
import pathlib
import shutil

from keras_symmetry.hub import preset

ENV_VAR = "KERAS_SYMMETRY_ZOO"
REGISTRY = "registry.json"


def zoo_dir():
    return pathlib.Path(os.environ.get(ENV_VAR) or pathlib.Path(__file__).resolve().parents[2] / "zoo")


def cards_dir():
    """Where the generated cards are kept: `hub_cards/` beside the zoo."""
    return zoo_dir().parent / "hub_cards"


def read():
    path = zoo_dir() / REGISTRY
    if not path.is_file():
        return {}
    return preset._read_json(path).get("models", {})


def write(models):
    path = zoo_dir() / REGISTRY
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{REGISTRY}.partial")
    tmp.write_text(json.dumps({"models": dict(sorted(models.items()))}, indent=2) + "\n")
    os.replace(tmp, path)


def list_models():
    """The zoo names, sorted."""
    return sorted(read())


def entry(name):
    """The registry entry of `name`; an unknown name raises a `ValueError` listing the closest names."""
    models = read()
    if name not in models:
        close = difflib.get_close_matches(name, list(models), n=5, cutoff=0.4)
        hint = f" Closest: {', '.join(close)}." if close else ""
        known = ", ".join(sorted(models)) or "none yet"
        raise ValueError(f"Unknown model {name!r}.{hint} Known zoo names: {known}.")
    return models[name]


def preset_dir(name):
    return zoo_dir() / entry(name)["preset"]


def model_info(name):
    """Everything known about a zoo entry: registry fields plus the preset's metadata."""
    info = {"name": name, **entry(name)}
    folder = preset_dir(name)
    if (folder / preset.METADATA).is_file():
        metadata = preset.read_metadata(folder)
        info.update(
            {key: metadata.get(key) for key in ("task", "parameters", "metrics", "recipe", "backend", "keras_version", "paper")}
        )
        info["files"] = metadata["files"]
    return info


def register(folder, hub_repo=None, revision=None):
    """Add (or update) the zoo entry of the preset at `folder` (inside the zoo) from its metadata,
    and keep a copy of its card and figures in `hub_cards/<name>/`."""
    folder = pathlib.Path(folder).resolve()
    metadata = preset.verify(folder)
    models = read()
    previous = models.get(metadata["name"], {})
    models[metadata["name"]] = {
        "preset": os.path.relpath(folder, zoo_dir().resolve()),
        "hub_repo": hub_repo or previous.get("hub_repo") or metadata.get("hub_repo"),
        "revision": revision or previous.get("revision"),
        "metrics": metadata.get("metrics", {}),
    }
    write(models)
    cards = cards_dir() / metadata["name"]
    cards.mkdir(parents=True, exist_ok=True)
    for stale in cards.glob("*.png"):
        stale.unlink()
    for name in (preset.CARD, *preset.figure_files(metadata)):
        shutil.copyfile(folder / name, cards / name)
    return models[metadata["name"]]
