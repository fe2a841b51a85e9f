"""The Hugging Face Hub: download into its cache, and publish.

Downloads go through `huggingface_hub.snapshot_download`, which respects
`HF_HUB_OFFLINE`, `HF_HUB_CACHE` / `HF_HOME` and pinned revisions. Publishing
prepares a verified folder and hands it to `send`, the one function that talks
to the network (`create_repo` + `upload_folder`).
"""

import pathlib

from keras_symmetry.hub import preset

SCHEME = "hf://"


def parse_uri(uri):
    """`hf://owner/name` -> `owner/name`."""
    repo_id = uri[len(SCHEME) :].strip("/")
    if uri[: len(SCHEME)] != SCHEME or repo_id.count("/") != 1 or "" in repo_id.split("/"):
        raise ValueError(f"Not a Hugging Face model URI: {uri!r}; expected hf://owner/name.")
    return repo_id


def download(repo_id, revision=None):
    """The local snapshot folder of `repo_id` at `revision` (from the cache when offline)."""
    import huggingface_hub
    from huggingface_hub import constants
    from huggingface_hub.errors import LocalEntryNotFoundError, RevisionNotFoundError

    try:
        return pathlib.Path(huggingface_hub.snapshot_download(repo_id, revision=revision, library_name="keras-symmetry"))
    except (LocalEntryNotFoundError, RevisionNotFoundError) as err:
        where = f"revision {revision!r} of {repo_id}" if revision else repo_id
        if constants.HF_HUB_OFFLINE:
            raise FileNotFoundError(
                f"{where} is not in the Hugging Face cache ({constants.HF_HUB_CACHE}) and HF_HUB_OFFLINE=1 "
                "forbids downloading it. Download it once online, or unset HF_HUB_OFFLINE."
            ) from err
        raise FileNotFoundError(f"Could not fetch {where} from the Hugging Face Hub: {err}") from err


def send(folder, repo_id, private=False, token=None, commit_message=None):
    """Create the repo if needed and upload `folder` as one commit; return the commit hash to pin."""
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    api.create_repo(repo_id, private=private, exist_ok=True, repo_type="model")
    info = api.upload_folder(repo_id=repo_id, folder_path=str(folder), commit_message=commit_message, repo_type="model")
    return info.oid


def push_to_hub(folder, repo_id, private=False, token=None, commit_message=None):
    """Publish a preset folder to `repo_id` and return the revision (commit hash) to pin.

    The preset is verified first (every sha256), and only its files are sent: config, weights,
    metadata, card and the card's figures.
    The token comes from `token`, else `HF_TOKEN` or `huggingface-cli login`.
    """
    folder = pathlib.Path(folder)
    metadata = preset.verify(folder, exact=True)
    message = commit_message or f"Upload {metadata['name']} (keras-symmetry {metadata['keras_symmetry_version']})"
    return send(folder, repo_id, private=private, token=token, commit_message=message)
