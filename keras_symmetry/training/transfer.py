"""Start a run from a pretrained model: its weights, part by part, in a recipe's freshly built model.

```text
keras-symmetry train psmnist --arch u1-gru --permutation-seed 1 --init-from u1-gru-psmnist --freeze-core
keras-symmetry train copy --arch u1-gru --units 32 --t-max 200 --init-from u1-gru-copy
```

The source is loaded as `ks.load` loads it (a zoo name checked against the hashes the package pins, an
`hf://owner/name` repo or a preset folder against its own metadata). The task models have named parts
(`permute`, `embed`, `core`, `head`, `keras_symmetry.models`): every part the two models share with the same
weight shapes is copied, except the psMNIST permutation, which belongs to the new task. A `core` of another
shape is an error that names both; a `head` of another shape (other classes) stays freshly initialised.
"""

from keras_symmetry import hub, zoo

TASK_PARTS = ("permute",)
"""Parts that define the task rather than what was learned: never copied."""


def _shapes(layer):
    return [tuple(weight.shape) for weight in layer.weights]


def initialize(model, source, revision=None):
    """Copy the weights of the pretrained `source` into `model`; return what the card records of the source.

    Returns `{"source", "name", "revision", "files", "copied", "fresh"}`: the name given, the preset's own
    name, the Hub revision it came from (`None` for a local folder), the sha256 of its files, and which parts
    were copied and which kept their fresh initialisation.
    """
    where = hub.locate(source, revision)
    pretrained, metadata = hub.load_preset(where.folder, pinned=where.pinned, root=where.root)
    layers = {layer.name: layer for layer in pretrained.layers}
    if "core" not in layers or not _has_part(model, "core"):
        raise ValueError(
            f"--init-from {source}: both models need a part named 'core' ({metadata['name']} has {sorted(layers)})."
        )
    copied, fresh = [], []
    for layer in model.layers:
        if not layer.weights or layer.name in TASK_PARTS:
            continue
        theirs = layers.get(layer.name)
        if theirs is not None and _shapes(theirs) == _shapes(layer):
            layer.set_weights(theirs.get_weights())
            copied.append(layer.name)
        elif layer.name in ("core", "embed"):
            mine = _shapes(layer)
            found = _shapes(theirs) if theirs is not None else "no such part"
            raise ValueError(
                f"--init-from {source}: its {layer.name!r} has weights of shapes {found}, this model's "
                f"{layer.name!r} {mine}; train with the pretrained model's sizes (e.g. --units)."
            )
        else:
            fresh.append(layer.name)
    return {
        "source": str(source),
        "name": metadata["name"],
        "revision": _revision(source, where, revision),
        "files": {name: digest for name, digest in metadata["files"].items()},
        "copied": copied,
        "fresh": fresh,
    }


def _has_part(model, name):
    return any(layer.name == name for layer in model.layers)


def _revision(source, where, revision):
    """The Hub commit the weights came from: a cache snapshot's folder name, else the declared pin, else None."""
    if where.root is not None:
        return where.folder.name
    if isinstance(source, str) and source in zoo.names():
        return revision or zoo.get(source).revision
    return revision


def freeze_core(model):
    """Keep the `core` part's weights fixed (the embedding and the head still train)."""
    model.get_layer("core").trainable = False
