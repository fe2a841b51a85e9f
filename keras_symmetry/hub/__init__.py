"""Presets, loading by name, evaluation records and publishing to the Hugging Face Hub.

```python
import keras_symmetry as ks
model = ks.load("u1-gru-psmnist")                # zoo name, local preset folder, or hf://owner/name
ks.hub.export(model, "zoo/my-model", name="my-model", task={"name": "copy", "t_max": 25})
ks.hub.add_figure("zoo/my-model", "curves.png", "Learning curves")   # shown on the card, checksummed
revision = ks.hub.push_to_hub("zoo/my-model", "me/my-model")   # the commit to pin
```
"""

import os
import pathlib
import shutil
import tempfile

import keras

from keras_symmetry import checks, evaluate, models
from keras_symmetry.hub import card, preset, remote
from keras_symmetry.hub.preset import add_figure, load_preset, save_preset, verify

__all__ = [
    "add_figure",
    "card",
    "export",
    "list_models",
    "load",
    "load_preset",
    "load_with_metadata",
    "locate",
    "measure",
    "model_info",
    "preset",
    "publish",
    "push_to_hub",
    "remote",
    "resolve",
    "save_preset",
    "verify",
]


def list_models():
    """The zoo names, sorted (every declared entry; `model_info(name)` says what each holds)."""
    from keras_symmetry import zoo

    return zoo.names()


def model_info(name):
    """Everything the package knows about zoo entry `name`, without downloading anything: its declaration
    (recipe, paper, Hub repo and pinned revision) and its recorded preset (task, parameters, metrics, files with
    their sha256 and size)."""
    from keras_symmetry import zoo

    entry = zoo.get(name)
    recorded = entry.preset or {}
    return {
        "name": name,
        "description": entry.description,
        "hub_repo": entry.hub_repo,
        "revision": entry.revision,
        "recipe": {"name": entry.recipe, "command": recorded.get("command"), "args": recorded.get("args")},
        "paper": entry.paper,
        "baseline": entry.baseline,
        **{key: recorded.get(key) for key in ("task", "parameters", "metrics", "created", "files")},
    }


def locate(name_or_uri, revision=None):
    """Where the preset `name_or_uri` is, verified: a `keras_symmetry.zoo.Location`.

    A zoo name is checked against the hashes pinned in the package; a preset folder and an `hf://owner/name`
    repo against their own `metadata.json` (see `load`). A zoo name wins over a folder of the same name in the
    working directory (write `./NAME` for the folder).
    """
    from keras_symmetry import zoo

    if not isinstance(name_or_uri, (str, os.PathLike)):
        raise TypeError(
            f"A model is named by a string or path (a zoo name, a preset folder or hf://owner/name); "
            f"got {type(name_or_uri).__name__} {name_or_uri!r}."
        )
    text = os.fsdecode(name_or_uri)
    if not text.strip():
        raise ValueError(
            f"Empty model name {text!r}: pass a zoo name (`keras-symmetry list`), a preset folder or hf://owner/name."
        )
    if isinstance(name_or_uri, str) and text in zoo.names():
        return zoo.locate(text, revision)
    if text.startswith(remote.SCHEME):
        fetched = remote.download(remote.parse_uri(text), revision)
        verify(fetched.folder, root=fetched.root)
        return zoo.Location(fetched.folder, root=fetched.root)
    path = pathlib.Path(text)
    if path.is_dir():
        if revision is not None:
            raise ValueError(f"revision={revision!r} applies to hf:// URIs and zoo names, not to the folder {path}.")
        verify(path)
        return zoo.Location(path)
    if os.sep in text or "/" in text or text.startswith("."):
        raise FileNotFoundError(f"No preset folder at {path}.")
    return zoo.locate(text, revision)  # an unknown name raises, naming the closest ones


def resolve(name_or_uri, revision=None):
    """The verified local folder of the preset `name_or_uri` (see `locate`)."""
    return locate(name_or_uri, revision).folder


def load_with_metadata(name_or_uri, revision=None, sha256=None):
    """`(model, metadata)` of a preset, as `load` finds and checks it."""
    where = locate(name_or_uri, revision)
    if sha256:
        _check_expected(where.folder, sha256)
    return load_preset(where.folder, pinned=where.pinned, root=where.root)


def _check_expected(folder, expected):
    """Refuse a preset whose files differ from the caller's `{file name: sha256}`."""
    for name, digest in expected.items():
        path = pathlib.Path(folder) / name
        if not path.is_file():
            raise FileNotFoundError(f"{path}: a file pinned by sha256= is not part of the preset.")
        actual = preset.sha256(path)
        if actual != digest:
            raise ValueError(f"Checksum mismatch for {path}: sha256 {actual}, but sha256= pins {digest}; refusing it.")


def load(name_or_uri, revision=None, num_classes=None, sha256=None):
    """A verified, ready Keras model from a zoo name, a preset folder or `hf://owner/name`.

    Args:
        name_or_uri: a zoo name (`list_models()`), a local preset folder, or `hf://owner/name`.
            A zoo name is looked up in `$KERAS_SYMMETRY_ZOO` (or the clone's `zoo/`), then the Hugging Face
            cache, then downloaded from the Hub, and **every file is checked against the sha256 pinned in
            this package**, wherever it came from. A folder or `hf://` repo is checked against its own
            `metadata.json`, which catches corruption but not a consistent tamper: pin what you expect with
            `sha256`. `HF_ENDPOINT`, `HF_TOKEN`, `HF_HUB_OFFLINE` and `HF_HUB_CACHE` are honoured.
        revision: a Hub branch, tag or commit (hf:// and zoo names; a zoo name's files must still match its pins).
        num_classes: replace the `head` layer by a fresh `Dense(num_classes)` for fine-tuning;
            `model.get_layer("core")` is the recurrent core.
        sha256: `{file name: sha256}` the preset's files must have (e.g. `{"model.weights.h5": "..."}`).
    """
    model, _ = load_with_metadata(name_or_uri, revision, sha256)
    return models.replace_head(model, num_classes) if num_classes is not None else model


def measure(model, task, data_path=None):
    """The measured part of a preset's metadata: test metrics by the eval code, what an input-ignoring
    answer scores (`reference`), the outputs on the first test inputs (`probe`) and the core's equivariance."""
    return {
        "metrics": evaluate.evaluate(model, task, data_path=data_path),
        "reference": evaluate.reference(task, data_path=data_path),
        "probe": evaluate.probe(model, task, data_path=data_path),
        "equivariance": checks.core_equivariance(model),
    }


def export(
    model,
    folder,
    name,
    task,
    description="",
    recipe=None,
    seeds=None,
    paper=None,
    hub_repo=None,
    limitations=None,
    data_path=None,
    overwrite=False,
    baseline=None,
    init_from=None,
):
    """Measure `model` on its task with the eval code and write it as a preset (card included).

    `baseline`: what the zoo holds of the generic network for the same task (`name`, `metrics`, `command`,
    `epochs`, `created`), shown on the card beside this model's numbers. `init_from`: the pretrained model the
    training started from (`keras_symmetry.training.transfer.initialize`'s record), named on the card.
    """
    metadata = preset.base_metadata(
        model,
        name,
        task,
        description=description,
        recipe=recipe,
        seeds=seeds or {},
        metrics_command=f"keras-symmetry eval {name}",
        paper=paper,
        baseline=baseline,
        hub_repo=hub_repo,
        limitations=limitations,
        **({"init_from": init_from} if init_from else {}),
        **measure(model, task, data_path=data_path),
    )
    return save_preset(model, folder, metadata, overwrite=overwrite)


def push_to_hub(preset_or_model, repo_id, private=False, token=None, commit_message=None):
    """Publish a preset folder (or a Keras model, saved to a preset first) and return the revision to pin.

    The preset is verified once, here, and exactly its files are sent (`remote.send`). A preset whose
    metadata names another Hub repo is sent with its card rewritten for `repo_id` (so the card's load line
    is right); the folder itself is left as it is.
    """
    with tempfile.TemporaryDirectory() as tmp:
        if isinstance(preset_or_model, keras.Model):
            model = preset_or_model
            metadata = preset.base_metadata(model, repo_id.split("/")[-1], {"name": "custom"}, hub_repo=repo_id)
            folder = save_preset(model, pathlib.Path(tmp) / "preset", metadata)
        else:
            folder = pathlib.Path(preset_or_model)
            metadata = verify(folder)
            if metadata.get("hub_repo") != repo_id:
                staged = pathlib.Path(tmp) / "preset"
                shutil.copytree(folder, staged, ignore=shutil.ignore_patterns(".*"))
                folder = preset.rewrite_card(staged, {**metadata, "hub_repo": repo_id})
        message = commit_message or f"Upload {metadata['name']} (keras-symmetry {metadata['keras_symmetry_version']})"
        return remote.send(
            folder, preset.file_manifest(folder), repo_id, private=private, token=token, commit_message=message
        )


def publish(name, repo_id=None, private=False, token=None):
    """Publish zoo entry `name` from the local zoo to the Hub and pin the revision in its declaration.

    The local preset must match the package's pins; its card is first rewritten for the repo (default: the
    declared one, `keras-symmetry/NAME`), and the new hashes recorded, so that what is pinned is exactly
    what is sent. Returns the revision.
    """
    from keras_symmetry import zoo

    entry = zoo.get(name)
    repo_id = repo_id or entry.hub_repo
    folder = zoo.locate(name).folder
    if zoo.local_dir() is None or folder.parent != zoo.local_dir():
        raise FileNotFoundError(
            f"{name}: publishing needs the preset in a local zoo folder (the clone's zoo/ or "
            f"${zoo.ENV_VAR}), not a downloaded copy."
        )
    metadata = verify(folder)
    if metadata.get("hub_repo") != repo_id:
        preset.rewrite_card(folder, {**metadata, "hub_repo": repo_id})
        zoo.record(folder)
    revision = push_to_hub(folder, repo_id, private=private, token=token)
    zoo.pin(name, revision, repo_id)
    return revision
