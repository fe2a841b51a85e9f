"""Find a zoo entry's preset and check every file against the hashes pinned in its declaration.

Where `ks.load(NAME)` looks, in order:

1. `$KERAS_SYMMETRY_ZOO/NAME`, or the clone's `zoo/NAME` when the package runs from a clone;
2. the Hugging Face cache (`HF_HUB_CACHE`), at the declared repo and pinned revision (else `main`);
3. the Hub itself (`HF_ENDPOINT`, `HF_TOKEN`), unless `HF_HUB_OFFLINE=1`.

Only the files the declaration pins are fetched, and each is checked against its pinned size and sha256,
`metadata.json` included, before anything is parsed: a file that differs is refused with both hashes named,
however consistent the rest of the folder is.
"""

import dataclasses

from keras_symmetry.hub import preset, remote
from keras_symmetry.zoo import declarations


@dataclasses.dataclass(frozen=True)
class Location:
    """A verified preset folder; `pinned` the manifest it matched (`None`: checked against its own metadata only),
    `root` the Hugging Face cache folder its files may link into (`None`: a plain folder, no links)."""

    folder: object
    pinned: dict = None
    root: object = None


def locate(name, revision=None):
    """The verified `Location` of zoo entry `name`'s preset (see the module docstring for where it looks)."""
    entry = declarations.get(name)
    if not entry.files:
        raise FileNotFoundError(
            f"Zoo entry {name!r} is declared but no preset of it has been exported yet; train it with "
            f"`keras-symmetry train {name}`."
        )
    pinned = entry.files
    local = declarations.local_dir()
    if revision is None and local is not None and (local / name).is_dir():
        preset.verify(local / name, pinned=pinned)
        return Location(local / name, pinned)
    if not entry.hub_repo:
        where = local / name if local is not None else f"${declarations.ENV_VAR}/{name}"
        raise FileNotFoundError(f"Zoo entry {name!r} has no preset at {where} and no Hub repo to download it from.")
    revision = revision or entry.revision or "main"
    patterns = sorted(pinned)
    cached = remote.snapshot(entry.hub_repo, revision, patterns, cache_only=True)
    if cached is not None:
        try:
            preset.verify(cached.folder, pinned=pinned, root=cached.root)
            return Location(cached.folder, pinned, cached.root)
        except (FileNotFoundError, ValueError):
            if remote.offline():
                raise  # offline, the cache's copy is all there is: say what is wrong with it
            # else an older or partial copy in the cache: fetch the pinned files
    fetched = remote.snapshot(entry.hub_repo, revision, patterns)
    preset.verify(fetched.folder, pinned=pinned, root=fetched.root)
    return Location(fetched.folder, pinned, fetched.root)
