"""Sweeps (`keras-symmetry sweep`, `keras_symmetry.experiments.sweep`): the grid, its points and their names; a smoke
sweep on an embedded Ray and on a two-node Ray cluster; a rerun after the driver is SIGKILLed; a worker killed during
a point and a point that always fails; the sequential fallback without Ray; `--report`; and the MLP options that run
Iqbal et al. 2026, Figs. 3, 11 as the authors did.

The Ray tests run on one backend (jax) and start every Ray process they need in sessions of their own, and stop them.
"""

import builtins
import json
import os
import pathlib
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import keras
import numpy as np
import pytest

import keras_symmetry as ks
from keras_symmetry import cli, experiments, models, training
from keras_symmetry.experiments import mlp
from keras_symmetry.experiments import sweep as sweeps

BACKEND = keras.backend.backend()
try:
    import ray  # noqa: F401

    HAVE_RAY = True
except ImportError:
    HAVE_RAY = False
on_ray = pytest.mark.skipif(
    BACKEND != "jax" or not HAVE_RAY,
    reason="Ray sweeps run once, on jax (the engine does not depend on the backend); they need the sweep extra",
)
MLP = mlp.RECIPE
# Ray starts its processes with fork + exec from this (JAX-threaded) process; exec leaves no forked threads behind.
pytestmark = pytest.mark.filterwarnings(r"ignore:os\.fork\(\) was called:RuntimeWarning")


# ---------------------------------------------------------------------------------------------------------------------
# The grid, its points and names


def test_grid_values_take_their_options_types():
    assert sweeps.parse_axis(MLP, "sigma_w=0.5,1,1.5,1.0") == (("sigma_w",), [(0.5,), (1.0,), (1.5,)])
    keys, values = sweeps.parse_axis(MLP, "depth=3,5")
    assert values == [(3,), (5,)] and all(type(v[0]) is int for v in values)
    assert sweeps.parse_axis(MLP, "group=u1,ok,generic")[1] == [("u1",), ("ok",), ("generic",)]
    assert sweeps.parse_axis(MLP, "freeze-core=true,false") == (("freeze_core",), [(True,), (False,)])
    assert sweeps.parse_axis(MLP, "train_examples=None,100")[1] == [(None,), (100,)]
    assert sweeps.parse_axis(MLP, "group:baseline_kind=u1:ours,generic:dense-radial") == (
        ("group", "baseline_kind"),
        [("u1", "ours"), ("generic", "dense-radial")],
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("sigmaw=0.5,1", r"Unknown option 'sigmaw' for 'mlp' in --grid\. Known: .*sigma_w"),
        ("depth=three", r"bad value 'three' for depth"),
        ("depth=0", r"bad value '0' for depth: expected a positive integer"),
        ("group=u2", r"bad value 'u2' for group: expected one of u1, ok, generic"),
        ("freeze_core=maybe", r"bad value 'maybe' for freeze_core: expected true or false"),
        ("group:k=u1:2,ok", r"value 'ok' has 1 parts, expected 2"),
        ("seed=0,1", r"--seeds N"),
        ("sigma_w", r"expected KEY=V1,V2"),
    ],
)
def test_bad_grids_are_named(text, message):
    with pytest.raises(ValueError, match=message):
        sweeps.parse_axis(MLP, text)


def test_points_are_the_grids_product_times_the_seeds_with_readable_names():
    axes = [sweeps.parse_axis(MLP, "sigma_w=0.5,1"), sweeps.parse_axis(MLP, "group=u1,ok")]
    names = [point.name for point in sweeps.expand(axes, seeds=2)]
    assert names[:3] == ["sigma_w=0.5,group=u1-seed0", "sigma_w=0.5,group=u1-seed1", "sigma_w=0.5,group=ok-seed0"]
    assert len(names) == len(set(names)) == 8
    assert [p.name for p in sweeps.expand([], seeds=2)] == ["seed0", "seed1"]
    assert sweeps.format_value(1.0) == "1" and sweeps.format_value(0.25) == "0.25"
    assert sweeps.format_value(1e-5) == "1e-05" and sweeps.format_value("hf://me/x") == "hf:__me_x"


def test_a_plan_links_k_to_the_group_checks_every_point_and_has_the_mlps_default_grid(tmp_path):
    plan = sweeps.plan("mlp", ["group=u1,ok,generic"], options={"sigma_w": 2.0}, out=tmp_path)
    assert [plan.given[p.name]["k"] for p in plan.points] == [2, 4, 2]
    assert [plan.args[p.name]["sigma_w"] for p in plan.points] == [2.0] * 3
    plan = sweeps.plan("mlp", {("group", "baseline_kind"): [("ok", "ours"), ("generic", "dense-radial")]}, out=tmp_path)
    assert [plan.given[p.name]["k"] for p in plan.points] == [4, 4]
    plan = sweeps.plan("mlp", ["group=u1,ok"], options={"k": 4, "sigma_w": 1.0}, out=tmp_path)  # given: not linked
    assert [plan.given[p.name]["k"] for p in plan.points] == [4, 4]
    default = sweeps.plan("mlp", out=tmp_path)
    assert default.keys == ["sigma_w", "group"] and len(default.points) == 7 * 3  # Iqbal et al. 2026, Figs. 3, 11
    assert sweeps.plan("mlp", options={"group": "u1"}, out=tmp_path).keys == ["sigma_w"]
    entry = sweeps.plan("u1-mlp-mnist", seeds=3, out=tmp_path)
    assert [p.name for p in entry.points] == ["seed0", "seed1", "seed2"]
    assert [entry.args[p.name]["seed"] for p in entry.points] == [0, 1, 2]
    with pytest.raises(ValueError, match="sigma_w both swept"):
        sweeps.plan("mlp", ["sigma_w=1,2"], options={"sigma_w": 1.0, "group": "u1"})
    with pytest.raises(ValueError, match="needs --group"):
        sweeps.plan("mlp", ["sigma_w=1,2"])
    with pytest.raises(ValueError, match="Unknown option 'colour'"):
        sweeps.plan("mlp", options={"colour": 1})
    with pytest.raises(ValueError, match="Unknown recipe or zoo entry 'mpl'"):
        sweeps.plan("mpl")


def test_the_command_line_passes_recipe_options_through_and_names_bad_ones(capsys):
    kwargs = sweeps.parse(["mlp", "--grid", "sigma_w=0.5,1", "--dataset", "fashion_mnist", "--epochs", "3"])
    assert kwargs["name"] == "mlp" and kwargs["grid"] == ["sigma_w=0.5,1"] and kwargs["seeds"] == 1
    assert kwargs["options"] == {"dataset": "fashion_mnist", "epochs": 3}
    assert kwargs["retries"] == 2 and kwargs["address"] is None and kwargs["cpus_per_point"] == 1.0
    assert sweeps.parse(["--seeds", "5", "--dataset", "mnist"])["name"] == "mlp"  # the README's line
    assert sweeps.parse(["--report", "somewhere"]) == {"report": "somewhere"}
    assert cli.main(["sweep", "mlp", "--grid", "sigmaw=1,2", "--group", "u1"]) == 2
    assert "Unknown option 'sigmaw'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["sweep", "mlp", "--colour", "red"])


def test_statistics_are_the_mean_and_sample_std():
    stats = sweeps.statistics([0.5, 0.7, 0.9])
    assert stats["n"] == 3 and stats["mean"] == pytest.approx(0.7) and stats["std"] == pytest.approx(0.2)
    assert sweeps.statistics([0.5])["std"] is None


# ---------------------------------------------------------------------------------------------------------------------
# Figs. 3, 11 as the authors ran them: width in real features, the O(4) panel's dense-radial baseline


def test_features_set_the_width_in_real_features_for_every_group():
    args = training.defaults(MLP)
    assert args["features"] is None and args["baseline_kind"] == "ours"  # the zoo entries train as before
    for group, k, capsules in (("u1", 2, 32), ("ok", 4, 16), ("generic", 2, 32)):
        assert mlp.units({**args, "group": group, "k": k, "features": 64}) == capsules
    assert mlp.units({**args, "k": 4}) == 64  # --units, when no --features
    with pytest.raises(ValueError, match="not a whole number of capsules"):
        mlp.units({**args, "k": 4, "features": 66})


def test_the_dense_radial_baseline_has_the_authors_weight_scale():
    keras.utils.set_random_seed(0)
    stds = {}
    for kind in ("ours", "dense-radial"):
        model = models.mlp_model("generic", 16, depth=3, sigma_w=1.0, k=4, baseline=kind)
        stds[kind] = np.std(keras.ops.convert_to_numpy(model.get_layer("core").get_layer("linear_0").kernel))
    # N = 64 real features, k = 4: ours sigma_w / sqrt(N), the authors' O(4) panel sigma_w / sqrt(N / k)
    assert stds["ours"] == pytest.approx(1 / 8, rel=0.06) and stds["dense-radial"] == pytest.approx(1 / 4, rel=0.06)
    with pytest.raises(ValueError, match="Only the generic baseline has a kind"):
        models.mlp_model("ok", 16, depth=1, k=4, baseline="dense-radial")


def test_zoo_mlp_entries_resolve_to_todays_arguments():
    for name in ("u1-mlp-mnist", "o4-mlp-mnist", "mlp-mnist"):
        recipe, entry = experiments.get(name)
        args, command = training.resolve(recipe, entry, {}, recorded=False)
        assert args["features"] is None and args["baseline_kind"] == "ours"
        assert "--features" not in command and "--baseline-kind" not in command


# ---------------------------------------------------------------------------------------------------------------------
# Sweeps that train: in this process without Ray, and --report


def _logged_metrics(out):
    """`{run folder name: test metrics}` of the finished points in `out`, read from their own logs."""
    found = {}
    for log in pathlib.Path(out).glob("*/log.json"):
        test = json.loads(log.read_text()).get("test")
        if test:
            found[log.parent.name] = test
    return found


def _check_summary(out, seeds):
    """summary.json, .md and .png are written, and each grid point's mean ± std is that of its points' own logs."""
    summary = json.loads((out / "summary.json").read_text())
    logged = _logged_metrics(out)
    assert summary["points"]
    for point in summary["points"]:
        label = ",".join(f"{key}={sweeps.format_value(value)}" for key, value in point["grid"].items())
        finished = [seed for seed in range(seeds) if f"{label}-seed{seed}" in logged]
        runs = [logged[f"{label}-seed{seed}"] for seed in finished]
        assert point["n"] == len(runs) and point["seeds"] == finished
        for metric, stats in point["metrics"].items():
            values = [run[metric] for run in runs]
            if not values:
                assert stats["mean"] is None and stats["n"] == 0
                continue
            assert stats["mean"] == pytest.approx(np.mean(values), abs=1e-12)
            if len(values) > 1:
                assert stats["std"] == pytest.approx(np.std(values, ddof=1), abs=1e-12)
    table = (out / "summary.md").read_text()
    assert "| sigma_w |" in table and "test_accuracy" in table and (" ± " in table or seeds == 1)
    assert (out / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return summary


@pytest.mark.skipif(BACKEND != "jax", reason="the in-process engine does not depend on the backend")
def test_without_ray_the_points_run_in_this_process_failures_are_recorded_and_report_rerenders(
    tmp_path, mnist_path, monkeypatch, capsys
):
    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray" or name.startswith("ray."):
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    monkeypatch.setenv(sweeps.RAISE_ENV, "sigma_w=2-seed0")
    out = tmp_path / "sweep"
    argv = ["sweep", "mlp", "--grid", "sigma_w=0.5,2", "--group", "u1", "--seeds", "2", "--smoke", "--retries", "1"]
    argv += ["--data", str(mnist_path), "--out", str(out), "--verbose", "0"]
    assert cli.main(argv) == 1  # one point failed
    text = capsys.readouterr().out
    assert "Ray is not installed: the points run one after another in this process" in text
    assert 'pip install "keras-symmetry[sweep]"' in text
    assert "4 of 4 points done, 1 failed" in text and "retrying (1 of 1)" in text
    summary = _check_summary(out, seeds=2)
    assert list(summary["failed"]) == ["sigma_w=2-seed0"]
    assert "RuntimeError" in summary["failed"]["sigma_w=2-seed0"] and summary["unfinished"] == 1
    assert [point["n"] for point in summary["points"]] == [2, 1]
    assert "Failed points:" in (out / "summary.md").read_text()

    # --report re-renders the same summary from the finished points alone
    before = (out / "summary.json").read_text()
    for name in ("summary.json", "summary.md", "summary.png"):
        (out / name).unlink()
    assert cli.main(["sweep", "--report", str(out)]) == 0
    assert (out / "summary.json").read_text() == before and "| 0.5 | 2 |" in capsys.readouterr().out
    shutil.rmtree(out / "sigma_w=0.5-seed1")  # a point that is gone counts as unfinished
    assert cli.main(["sweep", "--report", str(out)]) == 0
    assert [point["n"] for point in json.loads((out / "summary.json").read_text())["points"]] == [1, 1]
    assert cli.main(["sweep", "--report", str(tmp_path / "nothing")]) == 2


@pytest.mark.skipif(BACKEND != "jax", reason="the choice of seed and the card do not depend on the backend")
def test_a_zoo_entry_over_seeds_puts_its_median_seed_in_the_zoo_with_mean_and_std_on_its_card(
    tmp_path, mnist_path, fresh_zoo
):
    from keras_symmetry import zoo

    out = tmp_path / "seeds"
    argv = ["sweep", "u1-mlp-mnist", "--seeds", "3", "--smoke", "--sequential", "--to-zoo", "--verbose", "0"]
    assert cli.main([*argv, "--data", str(mnist_path), "--out", str(out)]) == 0
    seed, metric, values = sweeps.median_seed(out)
    assert metric == "val_accuracy" and sorted(values) == [0, 1, 2] and values[seed] == sorted(values.values())[1]
    metadata = ks.hub.verify(fresh_zoo / "u1-mlp-mnist")
    assert metadata["seeds"]["seed"] == seed and zoo.get("u1-mlp-mnist").files  # exported and recorded
    logged = [_logged_metrics(out)[f"seed{s}"] for s in range(3)]
    assert metadata["metrics"]["test_accuracy"] == pytest.approx(logged[seed]["test_accuracy"])  # that seed's model
    over = metadata["seeds"]["sweep"]
    assert over["n"] == 3 and over["command"] == "keras-symmetry sweep u1-mlp-mnist --seeds 3 --smoke --to-zoo"
    for name in ("test_accuracy", "test_cross_entropy"):
        values = [run[name] for run in logged]
        assert over["metrics"][name]["mean"] == pytest.approx(np.mean(values))
        assert over["metrics"][name]["std"] == pytest.approx(np.std(values, ddof=1))
    card = (fresh_zoo / "u1-mlp-mnist" / "README.md").read_text()
    assert "| metric | this model | over seeds (mean ± std) | paper |" in card
    mean, std = 100 * over["metrics"]["test_accuracy"]["mean"], 100 * over["metrics"]["test_accuracy"]["std"]
    assert f"| {mean:.2f} ± {std:.2f}% (3 seeds) |" in card
    assert f"This checkpoint is seed {seed} of 3 trained alike by `{over['command']}`" in card
    assert "the seed with the median final val_accuracy" in card
    # Only a zoo entry over two or more seeds, without a grid, goes to the zoo; refused before anything trains.
    assert cli.main(["sweep", "mlp", "--grid", "sigma_w=1,2", "--group", "u1", "--seeds", "2", "--to-zoo"]) == 2
    assert cli.main(["sweep", "u1-mlp-mnist", "--to-zoo", "--out", str(tmp_path / "one")]) == 2
    assert not (tmp_path / "one").exists()


# ---------------------------------------------------------------------------------------------------------------------
# On Ray: embedded, on a two-node cluster, the driver SIGKILLed, a worker killed


def _session_processes(sid):
    """The processes of session `sid` (the Ray processes a test started in a session of its own)."""
    found = []
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == sid and fields[0] != "Z":  # zombies hold nothing
            found.append(int(stat.parent.name))
    return found


def _stop_session(sid, grace=30.0):
    """SIGTERM the session's leader, then SIGKILL whatever of the session is left; wait until none is."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
        try:
            (os.kill if sig == signal.SIGTERM else os.killpg)(sid, sig)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + wait
        while _session_processes(sid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if not _session_processes(sid):
            return
    assert not _session_processes(sid), f"Ray processes left running: {_session_processes(sid)}"


RAY_MARKERS = ("raylet", "gcs_server", "ray::", "ray/_private", "ray/dashboard", "default_worker.py", "ray.util")


def _own_ray_processes(folder):
    """The processes of the embedded Ray that a test started with its files in `folder`: Ray processes whose
    environment has `RAY_TMPDIR=folder` (set by `ray_env`), and the Ray processes they started (the raylet's
    agents run with an environment of their own). Another Ray on the machine, such as a sweep a developer runs
    beside the tests in the same terminal session, is not this test's and is left alone."""
    mark, processes = f"RAY_TMPDIR={folder}".encode(), {}
    for proc in pathlib.Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            marked = mark in (proc / "environ").read_bytes().split(b"\0")
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        processes[int(proc.name)] = (parent, marked, cmdline)

    def own(pid):
        while pid in processes:
            parent, marked, _ = processes[pid]
            if marked:
                return True
            pid = parent
        return False

    return [
        (pid, cmdline[:100])
        for pid, (_, _, cmdline) in processes.items()
        if any(marker in cmdline for marker in RAY_MARKERS) and own(pid)
    ]


RAY_TOKEN = secrets.token_hex(32)
"""One token for every Ray of this test process: a process caches the first token it reads."""


@pytest.fixture
def ray_env(monkeypatch):
    """Ray's files in a short temporary folder (socket paths are limited), a token of this test's own (no
    ~/.ray/auth_token), no usage stats; afterwards, no Ray process of an embedded Ray is left."""
    folder = tempfile.mkdtemp(prefix="ks-ray-", dir="/tmp")
    monkeypatch.setenv("RAY_TMPDIR", folder)
    monkeypatch.setenv("RAY_AUTH_TOKEN", RAY_TOKEN)  # Ray turns token mode on itself when it finds one
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    mode = os.environ.pop("RAY_AUTH_MODE", None)
    yield folder
    import ray

    ray.shutdown()
    os.environ.pop("RAY_AUTH_MODE", None)  # set by ray.init in this process
    if mode is not None:
        os.environ["RAY_AUTH_MODE"] = mode
    deadline = time.monotonic() + 60
    while _own_ray_processes(folder) and time.monotonic() < deadline:
        time.sleep(0.5)
    leftover = _own_ray_processes(folder)
    for pid, _ in leftover:
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(folder, ignore_errors=True)
    assert not leftover, f"the embedded Ray left processes running: {leftover}"


SMOKE = {"smoke": True, "verbose": 0}


@on_ray
def test_an_embedded_ray_sweep_retries_a_killed_worker_records_a_failing_point_and_a_rerun_runs_only_what_is_left(
    tmp_path, mnist_path, ray_env, monkeypatch, capsys
):
    out = tmp_path / "sweep"
    monkeypatch.setenv(sweeps.KILL_ENV, "sigma_w=0.5-seed0")  # SIGKILLed once its first epoch is saved
    monkeypatch.setenv(sweeps.RAISE_ENV, "sigma_w=2-seed1")
    options = {"grid": {"sigma_w": [0.5, 2.0]}, "options": {"group": "u1"}, "seeds": 2, "data": mnist_path, **SMOKE}
    summary = sweeps.sweep("mlp", out=out, retries=1, **options)
    text = capsys.readouterr().out
    assert "Ray: 1 node(s)" in text and "4 of 4 points done, 1 failed" in text
    killed = out / "sigma_w=0.5-seed0"
    assert (killed / ".killed-once").is_file()  # the first attempt ran and was killed ...
    log = json.loads((killed / "log.json").read_text())
    assert [row["epoch"] for row in log["history"]] == [1, 2] and log["test"]  # ... and the retry finished it
    assert list(summary["failed"]) == ["sigma_w=2-seed1"] and "always fails" in summary["failed"]["sigma_w=2-seed1"]
    assert [point["n"] for point in summary["points"]] == [2, 1] and summary["unfinished"] == 1
    _check_summary(out, seeds=2)
    logs = {path: path.stat().st_mtime_ns for path in out.glob("*/log.json")}
    assert len(logs) == 3

    monkeypatch.delenv(sweeps.RAISE_ENV)  # the rerun trains only the point that failed
    summary = sweeps.sweep("mlp", out=out, **options)
    text = capsys.readouterr().out
    assert text.count("finished before (test_accuracy=") == 3 and "3 of 4 points done (finished before)" in text
    assert "4 of 4 points done: sigma_w=2-seed1: test_accuracy=" in text
    assert not summary["failed"] and not summary["unfinished"]
    assert {path: path.stat().st_mtime_ns for path in logs} == logs
    _check_summary(out, seeds=2)

    sweeps.sweep("mlp", out=out, **options)
    text = capsys.readouterr().out
    assert text.count("finished before (test_accuracy=") == 4 and "4 of 4 points done (finished before)" in text
    assert "Ray:" not in text  # nothing left to run: no Ray started


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def ray_cluster(ray_env, tmp_path):
    """A two-node Ray cluster on 127.0.0.1 (`ray start --head`, then a second node joining it), one CPU each, each
    node in a session of its own with its own temporary folder; both stopped, and checked gone, afterwards."""
    port = _free_port()
    ray_cli = shutil.which("ray") or str(pathlib.Path(sys.executable).with_name("ray"))
    common = ["--num-cpus", "1", "--node-ip-address", "127.0.0.1", "--disable-usage-stats", "--block"]
    nodes = []

    def start(name, *args):
        folder = tempfile.mkdtemp(prefix=f"ks-{name}-", dir="/tmp")
        log = tmp_path / f"{name}.log"
        with open(log, "wb") as handle:
            process = subprocess.Popen(
                [ray_cli, "start", *args, "--temp-dir", folder, *common],
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, "RAY_AUTH_MODE": "token"},  # the token: $RAY_AUTH_TOKEN (ray_env)
            )
        nodes.append((process, folder))
        deadline = time.monotonic() + 120
        while b"Ray runtime started" not in log.read_bytes():
            assert process.poll() is None, f"ray start ({name}) exited: {log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, f"ray start ({name}) did not start: {log.read_text()[-2000:]}"
            time.sleep(0.5)

    try:
        head = ["--head", "--port", str(port), "--include-dashboard", "false"]
        start("head", *head, "--ray-client-server-port", str(_free_port()))
        start("node", "--address", f"127.0.0.1:{port}")
        yield f"127.0.0.1:{port}"
    finally:
        import ray

        ray.shutdown()
        for process, folder in reversed(nodes):
            _stop_session(process.pid)
            process.wait(timeout=10)
            shutil.rmtree(folder, ignore_errors=True)


@on_ray
def test_a_smoke_sweep_on_a_two_node_cluster_through_address(tmp_path, mnist_path, ray_cluster):
    out = tmp_path / "sweep"
    argv = ["sweep", "mlp", "--grid", "sigma_w=0.5,2", "--group", "u1", "--seeds", "2", "--smoke", "--verbose", "0"]
    argv += ["--data", str(mnist_path), "--out", str(out), "--address", ray_cluster]
    # A driver joining a cluster by address turns token authentication on only when told (Ray's rule).
    env = {**os.environ, "KERAS_BACKEND": "jax", "RAY_AUTH_MODE": "token"}
    done = subprocess.run(
        [sys.executable, "-m", "keras_symmetry.cli", *argv], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Ray: 2 node(s), 2 CPUs" in done.stdout and "4 of 4 points done: " in done.stdout
    _check_summary(out, seeds=2)


@on_ray
def test_a_sweep_whose_driver_is_sigkilled_finishes_on_rerun_without_redoing_finished_points(
    tmp_path, mnist_path, ray_env, capsys
):
    out = tmp_path / "sweep"
    argv = ["sweep", "mlp", "--grid", "sigma_w=0.5,1,2", "--group", "u1", "--smoke", "--verbose", "0"]
    argv += ["--data", str(mnist_path), "--out", str(out)]
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    driver = subprocess.Popen(
        [sys.executable, "-m", "keras_symmetry.cli", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not _logged_metrics(out):
            assert driver.poll() is None and time.monotonic() < deadline, "the sweep ended before being killed"
            time.sleep(0.05)
        driver.kill()  # SIGKILL: no cleanup of any kind
        driver.wait()
    finally:
        _stop_session(driver.pid, grace=0)  # the embedded Ray it started, which outlives it for a while
    done = {name: (out / name / "log.json").stat().st_mtime_ns for name in _logged_metrics(out)}
    assert 1 <= len(done) < 3
    assert cli.main(argv) == 0
    text = capsys.readouterr().out
    for name in done:
        assert f"skipped {name}: finished before" in text
    assert f"{len(done)} of 3 points done (finished before)" in text and "3 of 3 points done" in text
    assert {name: (out / name / "log.json").stat().st_mtime_ns for name in done} == done
    assert len(_logged_metrics(out)) == 3
    _check_summary(out, seeds=1)
