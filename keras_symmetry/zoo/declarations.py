"""The zoo's declarations: one JSON file per entry in `keras_symmetry/zoo/entries/`, shipped in the wheel.

A declaration is plain data, as KerasHub's `*_presets.py` are. Its hand-written part says what the entry is
and how it is trained: `description`, `recipe` and `args` (the paper's setting), `paper` (the number to reach),
`baseline`, `notes` for the card, `speed` (the compile settings measured fastest for it), and `hub` (the Hub
repo and the revision pinned when it was published). Its recorded part, `preset`, is written by `record` when
the entry is exported: the task, parameter count, training command and arguments, test metrics, and **the
sha256 and size of every file of the preset**. Those hashes are the trust root of `ks.load(NAME)`: every file,
wherever it comes from (the clone's `zoo/`, `$KERAS_SYMMETRY_ZOO`, the Hugging Face cache or the Hub), must
match them (`keras_symmetry.zoo.fetch`).
"""

import dataclasses
import difflib
import json
import os
import pathlib

from keras_symmetry.hub import preset

DIRECTORY = pathlib.Path(__file__).resolve().parent / "entries"
"""Where the declarations live: inside the package, so an installed wheel knows every entry and its hashes."""
ENV_VAR = "KERAS_SYMMETRY_ZOO"
"""A folder of preset folders, one per zoo name, looked in before the Hugging Face cache and the Hub."""
HUB_ORGANISATION = "keras-symmetry"


@dataclasses.dataclass(frozen=True)
class Entry:
    """A zoo entry's declaration.

    Attributes:
        name: the zoo name, `ks.load(name)`.
        description: one line for the card, `list` and `train --help`.
        recipe: the recipe that trains it (`copy`, `psmnist`, `mlp`, `shapes`).
        args: its recipe arguments that differ from the recipe's defaults: the paper's setting.
        paper: `{"metric", "value", "std", "source", ...}`, the paper's number to reach, or `None`.
        baseline: the zoo name of the generic network for the same task, shown on the card.
        notes: what training the checkpoint taught, listed on its card.
        speed: `{"jit_compile": {backend: bool}, "torch_compiled_steps": bool}`, measured fastest
            (`keras_symmetry.training.speed`).
        hub: `{"repo": "owner/name", "revision": commit or None}`; `None` until it is published.
        preset: what `record` wrote of the exported preset (`files` with every sha256 and size,
            `metrics`, `parameters`, `task`, `command`, `args`, `epochs`, `created`), or `None` before.
    """

    name: str
    description: str
    recipe: str
    args: dict
    paper: dict = None
    baseline: str = None
    notes: tuple = ()
    speed: dict = dataclasses.field(default_factory=dict)
    hub: dict = dataclasses.field(default_factory=lambda: {"repo": None, "revision": None})
    preset: dict = None

    @property
    def hub_repo(self):
        return self.hub.get("repo")

    @property
    def revision(self):
        return self.hub.get("revision")

    @property
    def files(self):
        """`{file name: {"sha256", "size"}}` of the preset, metadata.json included; empty before it is exported."""
        return (self.preset or {}).get("files", {})

    @property
    def metrics(self):
        return (self.preset or {}).get("metrics", {})

    def to_json(self):
        return {**dataclasses.asdict(self), "notes": list(self.notes)}


def _path(name):
    return DIRECTORY / f"{name}.json"


def names():
    """The declared zoo names, sorted."""
    return sorted(path.stem for path in DIRECTORY.glob("*.json"))


def get(name):
    """The declaration of zoo entry `name`; an unknown name is a `ValueError` naming the closest ones."""
    if not isinstance(name, str) or not _path(name).is_file() or _path(name).parent != DIRECTORY:
        known = names()
        close = difflib.get_close_matches(str(name), known, n=5, cutoff=0.4)
        hint = f" Closest: {', '.join(close)}." if close else ""
        raise ValueError(f"Unknown zoo model {name!r}.{hint} Known zoo names: {', '.join(known) or 'none'}.")
    data = json.loads(_path(name).read_text())
    return Entry(**{**data, "notes": tuple(data.get("notes", ()))})


def entries():
    """`{name: Entry}` of every declared entry, in name order."""
    return {name: get(name) for name in names()}


def baseline(entry):
    """What the zoo holds of `entry`'s generic baseline, for its card: the baseline's name, metrics and how it was
    trained; `None` if `entry` names none or the zoo has not recorded it."""
    recorded = get(entry.baseline).preset if entry.baseline else None
    if not recorded:
        return None
    return {
        "name": entry.baseline,
        "metrics": recorded["metrics"],
        "command": recorded["command"],
        "epochs": recorded["epochs"],
        "created": recorded["created"][:10],
    }


def write(entry):
    """Write `entry`'s declaration, atomically (a killed writer leaves the old file whole)."""
    path = _path(entry.name)
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(json.dumps(entry.to_json(), indent=2, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
    return entry


def record(folder):
    """Record the verified preset at `folder` in its entry's declaration: hashes, sizes, metrics, how it was trained.

    This is the one path by which an exported (or re-exported, or re-carded) preset becomes what `ks.load(NAME)`
    accepts. Files that change unpin the published revision (`hub.revision` becomes `None`) until
    `keras-symmetry push NAME` publishes them.
    """
    folder = pathlib.Path(folder)
    metadata = preset.verify(folder)
    entry = get(metadata["name"])
    recipe = metadata.get("recipe") or {}
    files = preset.file_manifest(folder)
    recorded = {
        "created": metadata["created"],
        "task": metadata["task"],
        "parameters": metadata["parameters"],
        "command": recipe.get("command"),
        "args": recipe.get("args"),
        "epochs": (recipe.get("args") or {}).get("epochs"),
        "metrics": metadata.get("metrics", {}),
        "files": files,
    }
    hub = entry.hub if files == entry.files else {**entry.hub, "revision": None}
    return write(dataclasses.replace(entry, preset=recorded, hub=hub))


def pin(name, revision, repo=None):
    """Record that `name`'s preset was published as `revision` (of `repo`, default its declared repo)."""
    entry = get(name)
    return write(dataclasses.replace(entry, hub={"repo": repo or entry.hub_repo, "revision": revision}))


def local_dir():
    """The folder of local preset folders: `$KERAS_SYMMETRY_ZOO`, else the clone's `zoo/` when the package runs
    from a clone, else `None` (an installed wheel, whose presets come from the Hub)."""
    if os.environ.get(ENV_VAR):
        return pathlib.Path(os.environ[ENV_VAR])
    root = pathlib.Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "zoo").is_dir():
        return root / "zoo"
    return None
