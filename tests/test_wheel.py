"""What `pip install keras-symmetry` gives a stranger: the built wheel, in a fresh venv outside the clone, with an
empty home folder, lists the zoo and loads every entry from a real Hub-compatible server on 127.0.0.1 (`olah`,
tests/hub_server.py), checking every file against the hashes the package pins.

It builds and installs a wheel (about a minute with pip's cache), so it runs once, in the jax pass of the suite.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import keras
import pytest
from hub_server import commit, olah_cli, serve

import keras_symmetry as ks
from keras_symmetry import zoo
from keras_symmetry.hub import preset

ROOT = pathlib.Path(__file__).resolve().parents[1]
HERE = pathlib.Path(__file__).resolve().parent

pytestmark = [
    pytest.mark.skipif(
        keras.backend.backend() != "jax", reason="installs its own jax venv; runs once, in the jax pass"
    ),
    pytest.mark.skipif(
        olah_cli() is None or shutil.which("git") is None, reason="needs olah-cli (the test extra) and git"
    ),
]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv holding the wheel built from this checkout (and its jax extra from the package index)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"  # build from a copy: the clone gets no build/ or egg-info
    shutil.copytree(ROOT / "keras_symmetry", source / "keras_symmetry", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(work / "dist"), str(source)], check=True)
    (wheel,) = (work / "dist").glob("keras_symmetry-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True)
    python = work / "venv" / "bin" / "python"
    subprocess.run([python, "-m", "pip", "--disable-pip-version-check", "-q", "install", f"{wheel}[jax]"], check=True)
    return {"wheel": wheel, "python": python, "work": work}


def test_the_wheel_holds_the_declarations_and_the_card_template_but_no_weights(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    assert {f"keras_symmetry/zoo/entries/{name}.json" for name in zoo.names()} <= set(names)
    assert "keras_symmetry/hub/card_template.md" in names
    assert not [name for name in names if name.endswith((".h5", ".png", ".npz")) or name.startswith("zoo/")]
    assert installed["wheel"].stat().st_size < 500_000


@pytest.fixture(scope="module")
def hub(installed, tmp_path_factory):
    """The zoo served from 127.0.0.1 as `keras-symmetry/NAME` repos, one commit each of exactly the pinned files."""
    mirrors = tmp_path_factory.mktemp("mirrors")
    for name, entry in zoo.entries().items():
        files = {file: (ROOT / "zoo" / name / file).read_bytes() for file in entry.files}
        commit(mirrors, entry.hub_repo, files, f"Upload {name}")
    with serve(mirrors) as endpoint:
        yield {"endpoint": endpoint, "mirrors": mirrors}


def user(installed, tmp_path, *args, endpoint=None, cache="hf-cache", offline=False, program="check"):
    """Run what a user runs in the fresh venv: outside the clone, HOME empty, no KERAS_* or zoo variables."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KERAS", "HF_", "HUGGINGFACE", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(HOME=str(home), HF_HUB_CACHE=str(tmp_path / cache), HF_HUB_DISABLE_TELEMETRY="1")
    if endpoint:
        env["HF_ENDPOINT"] = endpoint
    if offline:
        env["HF_HUB_OFFLINE"] = "1"
    bin_dir = installed["python"].parent
    if program == "check":
        command = [str(installed["python"]), str(tmp_path / "wheel_user_check.py"), *args]
        shutil.copy(HERE / "wheel_user_check.py", tmp_path / "wheel_user_check.py")
    else:
        command = [str(bin_dir / program), *args]
    done = subprocess.run(command, check=False, cwd=home, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]) if program == "check" else done.stdout


def test_a_stranger_lists_loads_and_evaluates_the_zoo_from_the_hub(installed, hub, tmp_path, mnist_path):
    where = user(installed, tmp_path, "where")
    assert where["module"].startswith(str(installed["work"] / "venv")) and where["local_zoo"] is None
    listing = user(installed, tmp_path, "list", endpoint=hub["endpoint"], program="keras-symmetry")
    for name, entry in zoo.entries().items():  # every entry with its metrics, before anything is downloaded
        assert f"{name:22s} " + ", ".join(f"{k}={v:.4g}" for k, v in sorted(entry.metrics.items())) in listing
    info = json.loads(user(installed, tmp_path, "info", "u1-gru-psmnist", program="keras-symmetry"))
    assert info["files"] == zoo.get("u1-gru-psmnist").files and info["hub_repo"] == "keras-symmetry/u1-gru-psmnist"
    assert "--units" in user(installed, tmp_path, "train", "o8-rnn-psmnist", "--help", program="keras-symmetry")
    loaded = user(installed, tmp_path, "load-all", endpoint=hub["endpoint"])
    assert loaded == {name: entry.preset["parameters"] for name, entry in zoo.entries().items()}
    scores = user(installed, tmp_path, "eval", "u1-gru-psmnist", str(mnist_path), endpoint=hub["endpoint"])
    assert scores["measured"]["test_accuracy"] == pytest.approx(scores["recorded"]["test_accuracy"], abs=1e-3)
    assert scores["recorded"] == zoo.get("u1-gru-psmnist").metrics
    probe = user(
        installed, tmp_path, "eval", "u1-rnn-copy", "--probe", endpoint=hub["endpoint"], program="keras-symmetry"
    )
    assert "same as recorded" in probe  # the command a user runs: outputs as the exporting backend recorded
    # Offline, the second load comes from the cache; with an empty cache the error says what to do.
    assert user(installed, tmp_path, "load", "u1-rnn-copy", offline=True) == {
        "parameters": zoo.get("u1-rnn-copy").preset["parameters"]
    }
    empty = user(installed, tmp_path, "load", "u1-rnn-copy", offline=True, cache="empty-cache")
    assert empty["error"] == "FileNotFoundError" and "HF_HUB_OFFLINE=1 forbids downloading it" in empty["message"]
    assert "KERAS_SYMMETRY_ZOO" in empty["message"]
    demo = user(
        installed,
        tmp_path,
        "demo",
        "--no-check",
        "--data",
        str(mnist_path),
        "--out",
        str(tmp_path / "demo"),
        offline=True,
        program="keras-symmetry",
    )  # from the cache the loads above filled
    assert demo.count("  recorded  test_") == 3 and "u1-gru-psmnist" in demo and (tmp_path / "demo").is_dir()


def test_a_consistently_tampered_commit_on_the_hub_is_refused(installed, hub, tmp_path):
    """Weights with other values of the same shapes, and metadata.json rewritten to match them."""
    name = "u1-rnn-copy"
    entry = zoo.get(name)
    model = ks.load(ROOT / "zoo" / name)
    model.set_weights([w * 1.01 for w in model.get_weights()])
    model.save_weights(tmp_path / "model.weights.h5")
    metadata = json.loads((ROOT / "zoo" / name / "metadata.json").read_text())
    metadata["files"]["model.weights.h5"] = preset.sha256(tmp_path / "model.weights.h5")
    commit(
        hub["mirrors"],
        entry.hub_repo,
        {
            "model.weights.h5": (tmp_path / "model.weights.h5").read_bytes(),
            "metadata.json": json.dumps(metadata, indent=2).encode(),
        },
        "tamper",
    )
    refused = user(installed, tmp_path, "load", name, endpoint=hub["endpoint"])
    assert refused["error"] == "ValueError"
    pinned = entry.files["model.weights.h5"]["sha256"]
    assert "model.weights.h5" in refused["message"] or "metadata.json" in refused["message"]
    assert entry.files["metadata.json"]["sha256"] in refused["message"] or pinned in refused["message"]
    # The same commit as anyone's hf:// repo passes its own metadata's check (the documented limit) ...
    uri = f"hf://{entry.hub_repo}"
    assert "parameters" in user(installed, tmp_path, "load", uri, endpoint=hub["endpoint"], cache="other-cache")
    # ... unless the user pins what they expect.
    pinned_load = user(
        installed, tmp_path, "load", uri, f"model.weights.h5={pinned}", endpoint=hub["endpoint"], cache="other-cache"
    )
    assert pinned_load["error"] == "ValueError" and pinned in pinned_load["message"]
