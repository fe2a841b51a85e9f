"""A real Hugging Face Hub-compatible server on 127.0.0.1 for the tests: `olah` in mirror mode, offline.

olah serves every git repository under `<mirrors>/models/<owner>/<name>/` as the Hub repo `owner/name`
(branches, tags and commit hashes resolve as in git; plain blobs, no LFS needed), to `huggingface_hub`'s own
client. It needs the `git` program. Its upstream points at a port where nothing listens, so nothing leaves
the machine.

```python
commit = make_repo(mirrors, "keras-symmetry/u1-rnn-copy", {"config.json": b"..."})
with serve(mirrors) as endpoint:      # http://127.0.0.1:PORT, for HF_ENDPOINT
    ...
```
"""

import contextlib
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,  # hermetic: no user or system git config
    "GIT_AUTHOR_NAME": "tests",
    "GIT_AUTHOR_EMAIL": "tests@localhost",
    "GIT_COMMITTER_NAME": "tests",
    "GIT_COMMITTER_EMAIL": "tests@localhost",
}
CONFIG = """\
[basic]
host = "127.0.0.1"
port = {port}
ssl-key = ""
ssl-cert = ""
repos-path = "{work}/repos"
hf-scheme = "http"
hf-netloc = "127.0.0.1:{dead}"
hf-lfs-netloc = "127.0.0.1:{dead}"
mirror-scheme = "http"
mirror-netloc = "127.0.0.1:{port}"
mirror-lfs-netloc = "127.0.0.1:{port}"
mirrors-path = ["{mirrors}"]

[accessibility]
offline = true
"""


def olah_cli():
    """The `olah-cli` program beside this Python, else on PATH, else `None`."""
    beside = pathlib.Path(sys.executable).parent / "olah-cli"
    return str(beside) if beside.is_file() else shutil.which("olah-cli")


def _git(folder, *args):
    done = subprocess.run(
        ["git", "-C", str(folder), *args], env={**os.environ, **GIT_ENV}, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def commit(mirrors, repo_id, files, message="update"):
    """Write `files` (`{path: bytes}`) into the served repo `repo_id` and commit them; return the commit hash."""
    folder = pathlib.Path(mirrors) / "models" / repo_id
    if not folder.is_dir():
        folder.mkdir(parents=True)
        _git(folder, "init", "-q", "-b", "main")
    for name, data in files.items():
        if 120 < len(data) < 150 and not _is_text(data):
            # olah 0.5 reads every 121-149-byte file as a possible LFS pointer and answers 500 if it is not text
            raise ValueError(f"{name}: olah cannot serve a binary file of {len(data)} bytes")
        (folder / name).write_bytes(data)
        _git(folder, "add", "--", name)
    _git(folder, "-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", message)
    return _git(folder, "rev-parse", "HEAD")


def _is_text(data):
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ready(endpoint):
    """Whether the server answers a mirror route (an absent repo: 401). Not /api/whoami-v2: olah forwards it."""
    try:
        urllib.request.urlopen(endpoint + "/api/models/x/y/revision/main", timeout=2).close()
    except urllib.error.HTTPError:
        pass
    except OSError:
        return False
    return True


@contextlib.contextmanager
def serve(mirrors, timeout=60):
    """Run olah on a free port of 127.0.0.1 serving the repos under `mirrors`; yield its endpoint; stop it after."""
    program = olah_cli()
    if program is None or shutil.which("git") is None:
        raise FileNotFoundError("the Hub test server needs olah-cli (pip install olah) and the git program")
    with tempfile.TemporaryDirectory(prefix="olah-") as work:
        port = _free_port()
        config = pathlib.Path(work) / "configs.toml"
        config.write_text(
            CONFIG.format(port=port, dead=_free_port(), work=work, mirrors=pathlib.Path(mirrors).resolve())
        )
        endpoint = f"http://127.0.0.1:{port}"
        with open(pathlib.Path(work) / "olah.log", "wb") as log:
            server = subprocess.Popen(
                [program, "-c", str(config), "--log-path", f"{work}/logs"],
                cwd=work,
                env={**os.environ, "HOME": work},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            try:
                start = time.monotonic()
                while not _ready(endpoint):
                    if server.poll() is not None or time.monotonic() - start > timeout:
                        raise RuntimeError(
                            f"olah did not start: {(pathlib.Path(work) / 'olah.log').read_text()[-3000:]}"
                        )
                    time.sleep(0.1)
                yield endpoint
            finally:
                _stop(server)


def _stop(server):
    """SIGTERM olah's process group, SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, sig)
        try:
            server.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue
