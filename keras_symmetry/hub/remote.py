"""The Hugging Face Hub: fetch presets into its cache, and publish them.

Everything goes through `huggingface_hub`, so `HF_ENDPOINT`, `HF_TOKEN`, `HF_HUB_OFFLINE` and `HF_HUB_CACHE`
(or `HF_HOME`) are honoured as they are by every Hub library. Only a preset's own files are fetched and sent.

Trust: a zoo name is checked against the hashes the package pins (`keras_symmetry.zoo`). An `hf://owner/name`
repo of anyone else is checked against its own `metadata.json` only, which catches a corrupted or partial
download but not a consistent tamper; pass `sha256={file: hash}` to `ks.load` to pin the files you expect.
"""

import dataclasses
import pathlib

from keras_symmetry.hub import preset

SCHEME = "hf://"


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """A repo's files at one commit in the Hugging Face cache: `folder` (`.../snapshots/COMMIT`) and `root`
    (`.../models--owner--name`, whose `blobs/` the folder's files link to)."""

    folder: pathlib.Path
    root: pathlib.Path


def parse_uri(uri):
    """`hf://owner/name` -> `owner/name`."""
    repo_id = uri[len(SCHEME) :].strip("/")
    if uri[: len(SCHEME)] != SCHEME or repo_id.count("/") != 1 or "" in repo_id.split("/"):
        raise ValueError(f"Not a Hugging Face model URI: {uri!r}; expected hf://owner/name.")
    return repo_id


def offline():
    """Whether `HF_HUB_OFFLINE` forbids network calls."""
    from huggingface_hub import constants

    return constants.is_offline_mode()


def snapshot(repo_id, revision, patterns, cache_only=False):
    """The `Snapshot` of the files matching `patterns` in `repo_id` at `revision`, fetched when not cached.

    With `cache_only`, `None` when the cache does not hold them; no network call is made. Otherwise a
    `FileNotFoundError` says why they could not be had (offline with an empty cache, no such repo or
    revision, the Hub unreachable) and what to do.
    """
    import huggingface_hub
    from huggingface_hub import errors

    try:
        folder = huggingface_hub.snapshot_download(
            repo_id,
            revision=revision,
            allow_patterns=list(patterns),
            local_files_only=cache_only,
            library_name="keras-symmetry",
        )
    except (errors.LocalEntryNotFoundError, errors.OfflineModeIsEnabled) as err:
        if cache_only:
            return None
        raise FileNotFoundError(_unavailable(repo_id, revision, err)) from err
    except (errors.RepositoryNotFoundError, errors.RevisionNotFoundError, errors.HfHubHTTPError) as err:
        raise FileNotFoundError(
            f"Could not fetch revision {revision!r} of {repo_id} from the Hugging Face Hub "
            f"({_endpoint()}): {type(err).__name__}: {err}"
        ) from err
    folder = pathlib.Path(folder)
    return Snapshot(folder, folder.parents[1])


def _endpoint():
    from huggingface_hub import constants

    return constants.ENDPOINT


def _unavailable(repo_id, revision, err):
    from huggingface_hub import constants

    where = f"revision {revision!r} of {repo_id}"
    if offline():
        return (
            f"{where} is not in the Hugging Face cache ({constants.HF_HUB_CACHE}) and HF_HUB_OFFLINE=1 forbids "
            "downloading it. Run once with the network (unset HF_HUB_OFFLINE) to cache it, point HF_HUB_CACHE "
            "at a cache that holds it, or set KERAS_SYMMETRY_ZOO to a folder of preset folders."
        )
    return (
        f"Could not download {where} from {constants.ENDPOINT} and the Hugging Face cache "
        f"({constants.HF_HUB_CACHE}) does not hold it: {err}. Check the network (or HF_ENDPOINT), or set "
        "KERAS_SYMMETRY_ZOO to a folder of preset folders."
    )


def download(repo_id, revision=None):
    """The `Snapshot` of the preset in `repo_id` (anyone's repo) at `revision`: its `metadata.json` first, then
    exactly the files it lists, all at the same commit. Checked against that metadata only (module docstring)."""
    first = snapshot(repo_id, revision or "main", [preset.METADATA])
    commit = first.folder.name  # pin the commit, so the files come from the metadata's own
    metadata = preset.read_metadata(first.folder)
    return snapshot(repo_id, commit, [preset.METADATA, *metadata["files"]])


def send(folder, files, repo_id, private=False, token=None, commit_message=None):
    """Create `repo_id` if needed and upload exactly `files` of `folder` as one commit; return its hash."""
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    api.create_repo(repo_id, private=private, exist_ok=True, repo_type="model")
    info = api.upload_folder(
        repo_id=repo_id,
        folder_path=str(folder),
        allow_patterns=sorted(files),
        commit_message=commit_message,
        repo_type="model",
    )
    return info.oid
