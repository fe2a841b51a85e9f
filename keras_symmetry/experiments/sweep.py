"""Sweeps: a zoo entry or recipe trained over a grid of its options and over seeds, each point an ordinary resumable
run folder, run as Ray tasks on this machine's cores or on a cluster; the results as the papers report theirs, mean ±
std over seeds per grid point (Iqbal et al. 2026, Tables 2-3), and a plot (Figs. 3, 11 for the MLPs' sigma_w).

```text
keras-symmetry sweep mlp --grid sigma_w=0.5,1,1.5,2 --grid group=u1,ok,generic --seeds 3 --out runs/fig3
keras-symmetry sweep u1-gru-psmnist --seeds 10                  # a zoo entry re-checked on ten seeds
keras-symmetry sweep u1-mlp-mnist --seeds 3 --to-zoo           # ... and its median seed into the zoo
keras-symmetry sweep mlp ... --address 10.0.0.1:6379            # on a running Ray cluster (`ray start --head`)
keras-symmetry sweep --report runs/fig3                         # summary and plot from the finished points alone
```
- **Grid**: `--grid KEY=V1,V2,...` (repeatable) takes any training option of the recipe, each value parsed with
  that option's type; the grid is the product of the axes. `--grid K1:K2=A1:A2,B1:B2` is one axis whose keys vary
  together (e.g. `group:baseline_kind=u1:ours,generic:dense-radial`). Options given as ordinary flags
  (`--dataset fashion_mnist`, `--epochs 3`) are fixed for every point. A recipe may link options: in an `mlp`
  sweep `k` follows `group` (U(1) 2, O(4) 4) unless given (`experiments.mlp.sweep_links`), and `sweep mlp`
  with no `--grid` sweeps Figs. 3, 11's grid (`experiments.mlp.SWEEP_GRID`).
- **Points**: one per grid value and seed (`--seeds N`: 0..N-1), trained by `ks.training.train` into
  `OUT/<key=value,...>-seed<S>` with `no_export` (a point measures its test metrics; it writes no preset and never
  touches the zoo). A point whose folder's log holds test metrics for the same arguments is finished and skipped,
  so rerunning the same command after an interruption (the driver SIGKILLed included) trains only what is left,
  and a point that was cut short resumes from its last finished epoch.
- **Results**: `OUT/summary.json` and `OUT/summary.md` (per grid point: n finished seeds, mean and sample
  standard deviation (n - 1, as the authors' pandas code) of every test metric; failed points with their error),
  `OUT/summary.png` (the first grid key on the x axis, a line per combination of the others, error bars the std
  over seeds). `OUT/sweep.json` records the sweep (name, grid, seeds, fixed options, failures) for `--report`.
- **Into the zoo** (`--to-zoo`, a zoo entry over seeds alone): once every seed has finished, the seed whose final
  validation metric is the median is exported into the local zoo and recorded (`train ENTRY --to-zoo` on its run
  folder); its card adds a column with mean ± std of every test metric over the seeds, beside the paper's mean ±
  std, and names the seed it holds and why (`export_median_seed`).

**Engine: plain Ray tasks**, not Ray Tune. A point is one independent function call whose state already lives in
its own resumable run folder; tasks give what a sweep needs (resources per point, retries on exceptions and on
worker death, `ray.wait` for progress, an embedded local cluster or `ray.init(address=...)`) with nothing else.
Tune would add a second notion of trial state and experiment resumption (`Tuner.restore`, its own directory layout)
beside the run folders', and searchers and schedulers a grid does not use, and it pulls pandas and pyarrow.
By default the sweep starts an embedded Ray with the cores this process may run on (`os.sched_getaffinity`, or
`--num-cpus`), one point per core (`--cpus-per-point`, `--gpus-per-point`: what each point declares, so a GPU
machine can run several points at once); `--address auto|HOST:PORT|ray://HOST:10001` joins a running cluster,
whose nodes need this package and the data (`--data`, `$KERAS_SYMMETRY_DATA`). Workers get the driver's Keras
backend and its `KERAS_*` variables (and, when points share a GPU, JAX and TensorFlow allocate its memory as
they need it instead of up front). Without Ray installed the points run one after another in this process (the
same retry policy), and the sweep says how to install it (`pip install "keras-symmetry[sweep]"`).

**Retry policy** (`--retries N`, default 2): a point whose task raises, or whose worker process dies (killed,
out of memory, its node lost), is run again up to N more times; each retry resumes the point's run folder from
its last finished epoch, so it redoes at most one epoch. A run whose loss diverged (`FloatingPointError`) is not
retried: resuming replays the same batches exactly and would diverge again. A point that still fails is recorded
in `sweep.json` and the summary with its error; the other points keep running and keep their results, and the
next rerun tries it again. A worker takes a lock on its point's folder (`.sweep-lock`), so a worker left over
from a killed driver and the rerun's never train the same folder at once.

Fault injection, for the tests: `KERAS_SYMMETRY_SWEEP_KILL=P1,P2` makes the worker of each named point (`P` a run
folder's name) SIGKILL itself on its first attempt, once its first epoch is saved; `KERAS_SYMMETRY_SWEEP_RAISE=P`
makes those points raise on every attempt.
"""

import argparse
import dataclasses
import fcntl
import itertools
import json
import os
import pathlib
import re
import signal
import sys
import threading
import time

import numpy as np

from keras_symmetry import experiments, training
from keras_symmetry.experiments import mlp
from keras_symmetry.training import checkpoint, curves
from keras_symmetry.training.checkpoint import STATE, write_atomic

LINKS = {mlp.RECIPE.name: mlp.sweep_links}
"""Per recipe, `links(args) -> {key: value}`: options a point takes from its others unless they are given."""
DEFAULT_GRIDS = {mlp.RECIPE.name: mlp.SWEEP_GRID}
"""Per recipe name (not its zoo entries), the grid swept when none is given."""
SPEC = "sweep.json"
LOCK = ".sweep-lock"
INSTALL_HINT = 'pip install "keras-symmetry[sweep]"'
KILL_ENV, RAISE_ENV = "KERAS_SYMMETRY_SWEEP_KILL", "KERAS_SYMMETRY_SWEEP_RAISE"


# ---------------------------------------------------------------------------------------------------------------------
# The grid: parsing, expansion, point names


def option_table(recipe):
    """`{name: Option}` of every training option of `recipe` (the common ones and the family's)."""
    return {opt.name: opt for opt in training.arguments.options(recipe)}


def parse_value(option, text):
    """`text` as a value of `option`: its type (a bool for switches, None for `None`), checked against its choices."""
    text = text.strip()
    if text == "None" and option.default is None:
        return None
    if isinstance(option.default, bool):
        lowered = text.lower()
        if lowered not in ("true", "false", "1", "0", "yes", "no"):
            raise ValueError(f"bad value {text!r} for {option.name}: expected true or false")
        return lowered in ("true", "1", "yes")
    try:
        value = (option.type or str)(text)
    except (TypeError, ValueError) as err:
        raise ValueError(f"bad value {text!r} for {option.name}: {err}") from None
    if option.choices and value not in option.choices:
        raise ValueError(f"bad value {text!r} for {option.name}: expected one of {', '.join(option.choices)}")
    return value


def parse_axis(recipe, text, name=None):
    """`(keys, values)` of a `--grid` argument: `KEY=V1,V2,...`, or `K1:K2=A1:A2,B1:B2` (keys that vary together).

    `values` is a list of tuples, one value per key, each parsed with its `Option`'s type."""
    name = name or recipe.name
    keys_text, equals, values_text = text.partition("=")
    if not equals or not keys_text.strip() or not values_text.strip():
        raise ValueError(f"--grid {text!r}: expected KEY=V1,V2,... (or K1:K2=A1:A2,B1:B2)")
    keys = tuple(key.strip().replace("-", "_") for key in keys_text.split(":"))
    values = [_values(recipe, keys, item, name) for item in values_text.split(",")]
    return keys, list(dict.fromkeys(values))  # 1 and 1.0 are one point


def _values(recipe, keys, item, name):
    known = option_table(recipe)
    for key in keys:
        if key == "seed":
            raise ValueError("--grid seed: the seeds are swept by --seeds N (seeds 0..N-1)")
        if key not in known:
            raise ValueError(f"Unknown option {key!r} for {name!r} in --grid. Known: {', '.join(sorted(known))}.")
        if known[key].nargs:
            raise ValueError(f"--grid {key}: a list option cannot be swept; give it as a fixed option")
    parts = item.split(":") if len(keys) > 1 else [item]
    if len(parts) != len(keys):
        raise ValueError(f"--grid {':'.join(keys)}: value {item!r} has {len(parts)} parts, expected {len(keys)}")
    return tuple(parse_value(known[key], part) for key, part in zip(keys, parts))


def normalise_grid(recipe, grid, name=None):
    """A grid as `[(keys, [value tuples])]` from `--grid` texts, `(keys, values)` pairs or a dict
    `{key or (k1, k2): [values]}` (Python values, checked against the options' choices)."""
    name = name or recipe.name
    axes = []
    items = grid.items() if isinstance(grid, dict) else grid
    for item in items:
        if isinstance(item, str):
            axes.append(parse_axis(recipe, item, name))
            continue
        keys, values = item
        keys = (keys,) if isinstance(keys, str) else tuple(keys)
        values = [tuple(v) if len(keys) > 1 else (v,) for v in values]
        for value in values:
            for key, one in zip(keys, value):
                _check(recipe, key, one, name)
        axes.append((keys, list(dict.fromkeys(values))))
    seen = [key for keys, _ in axes for key in keys]
    repeated = sorted({key for key in seen if seen.count(key) > 1})
    if repeated:
        raise ValueError(f"--grid names {', '.join(repeated)} more than once")
    return axes


def _check(recipe, key, value, name):
    known = option_table(recipe)
    if key == "seed":
        raise ValueError("grid key seed: the seeds are swept by seeds=N (seeds 0..N-1)")
    if key not in known:
        raise ValueError(f"Unknown option {key!r} for {name!r} in the grid. Known: {', '.join(sorted(known))}.")
    if known[key].choices and value not in known[key].choices:
        raise ValueError(f"bad value {value!r} for {key}: expected one of {', '.join(known[key].choices)}")


def format_value(value):
    """A value as it appears in a point's name: floats without a trailing `.0`, no path separators."""
    if isinstance(value, float) and not isinstance(value, bool):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return re.sub(r"[/\\\s]", "_", str(value))


@dataclasses.dataclass(frozen=True)
class Point:
    """One run of a sweep: its grid values (in the grid's order) and its seed."""

    values: tuple  # ((key, value), ...)
    seed: int

    @property
    def grid(self):
        return dict(self.values)

    @property
    def label(self):
        """The grid point, without the seed: `key=value,...` (empty for a sweep over seeds alone)."""
        return ",".join(f"{key}={format_value(value)}" for key, value in self.values)

    @property
    def name(self):
        """The run folder's name: `key=value,...-seed<S>`."""
        return f"{self.label}-seed{self.seed}" if self.values else f"seed{self.seed}"


def expand(axes, seeds):
    """Every `Point` of the product of the grid's axes, for seeds 0..seeds-1 (grid point by grid point)."""
    keys = [key for axis_keys, _ in axes for key in axis_keys]
    points = []
    for combination in itertools.product(*(values for _, values in axes)):
        flat = [value for values in combination for value in values]
        points.extend(Point(tuple(zip(keys, flat)), seed) for seed in range(seeds))
    return points


# ---------------------------------------------------------------------------------------------------------------------
# Planning: the arguments of every point


@dataclasses.dataclass
class Plan:
    """A sweep, resolved: the name, its grid axes, seeds, fixed options, run options and every point's options."""

    name: str
    axes: list
    seeds: int
    options: dict
    out: pathlib.Path
    smoke: bool = False
    data: str = None
    points: list = dataclasses.field(default_factory=list)
    given: dict = dataclasses.field(default_factory=dict)  # point name -> the options it is trained with
    args: dict = dataclasses.field(default_factory=dict)  # point name -> its resolved arguments

    @property
    def keys(self):
        return [key for keys, _ in self.axes for key in keys]

    def command(self, paths=True):
        """The command line that runs (and resumes) this sweep; without `paths`, without this machine's `--data` and
        `--out` (what a card shows)."""
        parts = ["keras-symmetry sweep", self.name]
        for keys, values in self.axes:
            parts.append(f"--grid {':'.join(keys)}=" + ",".join(":".join(map(format_value, v)) for v in values))
        parts.append(f"--seeds {self.seeds}")
        for key, value in self.options.items():
            flag = "--" + key.replace("_", "-")
            parts.append((flag if value else "--no-" + flag[2:]) if isinstance(value, bool) else f"{flag} {value}")
        parts += ["--smoke"] * self.smoke
        if paths:
            parts += [f"--data {self.data}"] * bool(self.data) + [f"--out {self.out}"]
        return " ".join(parts)


def plan(name, grid=None, seeds=1, options=None, out=None, smoke=False, data=None):
    """Resolve a sweep of the zoo entry or recipe `name`: check every point's arguments before anything runs."""
    recipe, entry = experiments.get(name)
    options = dict(options or {})
    known = option_table(recipe)
    for key in options:
        if key not in known:
            raise ValueError(f"Unknown option {key!r} for {name!r}. Known: {', '.join(sorted(known))}.")
    if "seed" in options:
        raise ValueError("the seeds are swept by --seeds N (seeds 0..N-1); give no --seed")
    if not grid and entry is None and recipe.name in DEFAULT_GRIDS:
        grid = {key: values for key, values in DEFAULT_GRIDS[recipe.name].items() if key not in options}
    axes = normalise_grid(recipe, grid or [], name)
    both = sorted(set(options) & {key for keys, _ in axes for key in keys})
    if both:
        raise ValueError(f"{', '.join(both)} both swept (--grid) and fixed; give each once")
    if not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"seeds must be a positive integer; got {seeds!r}")
    out = pathlib.Path(out or pathlib.Path("runs") / "sweeps" / name).absolute()
    data = str(pathlib.Path(data).absolute()) if data else None
    result = Plan(name, axes, seeds, options, out, smoke, data)
    links = LINKS.get(recipe.name)
    for point in expand(axes, seeds):
        given = {**options, **point.grid, "seed": point.seed}
        if links:
            linked, _ = training.resolve(recipe, entry, given, smoke=smoke)
            given.update({key: value for key, value in links(linked).items() if key not in given})
        try:
            args, _ = training.resolve(recipe, entry, given, smoke=smoke)
        except ValueError as err:
            raise ValueError(f"point {point.name}: {err}") from None
        result.points.append(point)
        result.given[point.name], result.args[point.name] = given, args
    return result


# ---------------------------------------------------------------------------------------------------------------------
# A point: finished or not, and running one (in a Ray worker or in this process)


def _plain(value):
    return json.loads(json.dumps(value))


def finished(folder, args):
    """The test metrics of the run in `folder` if it finished with `args` (its log holds them), else `None`."""
    folder = pathlib.Path(folder)
    try:
        log = json.loads((folder / "log.json").read_text())
        state = json.loads((folder / STATE).read_text())
    except (OSError, ValueError):
        return None
    if "test" not in log or _plain(log.get("args")) != _plain(args) or state.get("epoch") != args["epochs"]:
        return None
    return log["test"]


def _kill_once_first_epoch_is_saved(folder):
    """Fault injection: SIGKILL this process once the point's first epoch is checkpointed (first attempt only)."""
    marker = folder / ".killed-once"
    if marker.exists():
        return
    marker.write_text(str(os.getpid()))

    def watch():
        while not (folder / STATE).exists():
            time.sleep(0.005)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, daemon=True).start()


def run_point(name, point_name, given, control):
    """Train one point (`ks.training.train` with `given` and the run options `control`) in its run folder; returns
    `{"metrics": ...}`, or `{"error": ...}` for a run that diverged (not retried). Holds the folder's lock."""
    import keras

    folder = pathlib.Path(control["out"])
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a leftover worker of a killed driver may still hold it
        recipe, entry = experiments.get(name)
        args, _ = training.resolve(recipe, entry, dict(given), smoke=control.get("smoke", False))
        done = finished(folder, args)
        if done is not None:
            return {"metrics": done}
        if point_name in os.environ.get(RAISE_ENV, "").split(","):
            raise RuntimeError(f"{RAISE_ENV} names {point_name}: this point always fails")
        if point_name in os.environ.get(KILL_ENV, "").split(","):
            _kill_once_first_epoch_is_saved(folder)
        keras.backend.clear_session()
        try:
            return {"metrics": training.train(recipe, entry, **given, **control).metrics}
        except FloatingPointError as err:
            return {"error": f"FloatingPointError: {err}"}


# ---------------------------------------------------------------------------------------------------------------------
# Running a sweep


def sweep(
    name="mlp",
    grid=None,
    seeds=1,
    options=None,
    out=None,
    smoke=False,
    data=None,
    address=None,
    num_cpus=None,
    cpus_per_point=1.0,
    gpus_per_point=0.0,
    retries=2,
    sequential=False,
    verbose=2,
    to_zoo=False,
):
    """Train every point of the sweep of `name` that is not finished, then write and return the summary.

    Args:
        name: a zoo entry or recipe (`experiments.get`).
        grid: `{key or (k1, k2): [values]}`, `[(keys, values)]` or `--grid` texts; `None` for a recipe's default grid.
        seeds: seeds 0..seeds-1 per grid point.
        options: recipe options fixed for every point (e.g. `{"dataset": "fashion_mnist"}`).
        out: the sweep's folder (default `runs/sweeps/NAME`); each point is `OUT/<key=value,...>-seed<S>`.
        smoke, data: as in `ks.training.train`.
        address: a Ray cluster to join (`auto`, `HOST:PORT`, `ray://HOST:10001`); `None` starts an embedded one.
        num_cpus: the embedded Ray's CPUs (default: the cores this process may run on).
        cpus_per_point, gpus_per_point: the resources each point declares.
        retries: how many more times a failing point runs (see the module's retry policy).
        sequential: run the points one after another in this process, as without Ray.
        verbose: Keras' fit verbosity inside each point.
        to_zoo: for a zoo entry over seeds alone, export the median seed into the zoo once every seed has finished,
            its card showing mean ± std over the seeds (`export_median_seed`).
    """
    the_plan = plan(name, grid, seeds, options, out, smoke, data)
    if to_zoo:
        _check_to_zoo(experiments.get(name)[1], name, the_plan.axes, seeds)
    the_plan.out.mkdir(parents=True, exist_ok=True)
    spec = {
        "name": name,
        "command": the_plan.command(),
        "card_command": the_plan.command(paths=False),
        "axes": [{"keys": list(keys), "values": [list(v) for v in values]} for keys, values in the_plan.axes],
        "seeds": seeds,
        "options": options or {},
        "smoke": smoke,
        "points": [
            {
                "name": p.name,
                "grid": p.grid,
                "seed": p.seed,
                "given": the_plan.given[p.name],
                "args": the_plan.args[p.name],
            }
            for p in the_plan.points
        ],
        "failed": {},
    }
    write_atomic(the_plan.out / SPEC, json.dumps(spec, indent=1))
    total = len(the_plan.points)
    print(f"sweep {name}: {total} points ({total // seeds} grid points x {seeds} seeds) in {the_plan.out}", flush=True)
    todo = []
    for point in the_plan.points:
        metrics = finished(the_plan.out / point.name, the_plan.args[point.name])
        if metrics is None:
            todo.append(point)
        else:
            print(f"skipped {point.name}: finished before ({_show(metrics)})", flush=True)
    progress = Progress(total, total - len(todo))
    failed = {}

    def record(point, outcome):
        if "error" in outcome:
            failed[point.name] = outcome["error"]
            write_atomic(the_plan.out / SPEC, json.dumps({**spec, "failed": failed}, indent=1))
        progress.done(point, outcome)

    control = {"smoke": smoke, "data": the_plan.data, "no_export": True, "verbose": verbose}
    jobs = [(point, {**control, "out": str(the_plan.out / point.name)}) for point in todo]
    if jobs:
        engine = _sequential if sequential else _ray_or_sequential(address)
        engine(
            the_plan,
            jobs,
            record,
            address=address,
            num_cpus=num_cpus,
            cpus=cpus_per_point,
            gpus=gpus_per_point,
            retries=retries,
        )
    summary = report(the_plan.out)
    print(f"summary: {the_plan.out / 'summary.md'}, {the_plan.out / 'summary.json'}, {the_plan.out / 'summary.png'}")
    if to_zoo and not (summary["failed"] or summary["unfinished"]):
        print(f"preset: {export_median_seed(the_plan.out, data=the_plan.data)}")
    return summary


class Progress:
    """Prints `N of M points done` as points finish."""

    def __init__(self, total, done):
        self.total, self.count, self.failed = total, done, 0
        if done:
            print(f"{done} of {total} points done (finished before)", flush=True)

    def done(self, point, outcome):
        self.count += 1
        self.failed += "error" in outcome
        what = f"FAILED: {outcome['error'].splitlines()[0][:300]}" if "error" in outcome else _show(outcome["metrics"])
        failures = f", {self.failed} failed" if self.failed else ""
        print(f"{self.count} of {self.total} points done{failures}: {point.name}: {what}", flush=True)


def _show(metrics):
    return ", ".join(f"{key}={value:.4g}" for key, value in metrics.items())


def _ray_or_sequential(address):
    try:
        import ray  # noqa: F401
    except ImportError:
        if address:
            raise SystemExit(f"--address {address} needs Ray, which is not installed: {INSTALL_HINT}") from None
        print(
            f"Ray is not installed: the points run one after another in this process. To run them in parallel on "
            f"this machine's cores or on a cluster: {INSTALL_HINT}",
            flush=True,
        )
        return _sequential
    return _on_ray


def _sequential(the_plan, jobs, record, retries, **_):
    """Each point in this process, one after another, with the same retry policy as on Ray."""
    for point, control in jobs:
        for attempt in range(retries + 1):
            try:
                outcome = run_point(the_plan.name, point.name, the_plan.given[point.name], control)
                break
            except Exception as err:  # a point's failure never stops the sweep
                outcome = {"error": f"{type(err).__name__}: {err}"}
                if attempt < retries:
                    print(f"{point.name}: {outcome['error']}; retrying ({attempt + 1} of {retries})", flush=True)
        record(point, outcome)


def _on_ray(the_plan, jobs, record, address, num_cpus, cpus, gpus, retries):
    """Each point as a Ray task (see the module's engine and retry policy)."""
    import keras
    import ray

    env = {key: value for key, value in os.environ.items() if key.startswith("KERAS_")}
    env["KERAS_BACKEND"] = keras.backend.backend()
    if 0 < gpus < 1:  # points share a GPU: no backend may take most of its memory up front (JAX, TensorFlow do)
        env["XLA_PYTHON_CLIENT_PREALLOCATE"] = os.environ.get("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
        env["TF_FORCE_GPU_ALLOW_GROWTH"] = os.environ.get("TF_FORCE_GPU_ALLOW_GROWTH", "true")
    started = not ray.is_initialized()
    if started:
        if address:
            ray.init(address=address)
        else:
            ray.init(num_cpus=num_cpus or len(os.sched_getaffinity(0)), include_dashboard=False)
    try:
        resources = ray.cluster_resources()
        print(
            f"Ray: {len(ray.nodes())} node(s), {resources.get('CPU', 0):g} CPUs, {resources.get('GPU', 0):g} GPUs; "
            f"each point takes {cpus:g} CPU(s), {gpus:g} GPU(s); retries: {retries}",
            flush=True,
        )
        task = ray.remote(run_point).options(
            num_cpus=cpus,
            num_gpus=gpus,
            max_retries=retries,
            retry_exceptions=True,
            runtime_env={"env_vars": env},
        )
        pending = {
            task.remote(the_plan.name, point.name, the_plan.given[point.name], control): point
            for point, control in jobs
        }
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                point = pending.pop(ref)
                try:
                    outcome = ray.get(ref)
                except Exception as err:  # RayTaskError, WorkerCrashedError, ...: recorded
                    cause = getattr(err, "cause", None) or err
                    outcome = {"error": f"{type(cause).__name__}: {cause}"}
                record(point, outcome)
    finally:
        if started:
            ray.shutdown()


# ---------------------------------------------------------------------------------------------------------------------
# Summary: mean ± std over seeds per grid point, table and plot


def collect(out):
    """`(spec, rows)`: the sweep recorded in `out` and, per grid point, the test metrics of its finished seeds."""
    out = pathlib.Path(out)
    if not (out / SPEC).is_file():
        raise FileNotFoundError(f"{out} holds no sweep ({SPEC} is missing); run keras-symmetry sweep NAME --out {out}")
    spec = json.loads((out / SPEC).read_text())
    rows = {}
    for point in spec["points"]:
        metrics = finished(out / point["name"], point["args"])
        label = point["name"].rsplit("-seed", 1)[0] if point["grid"] else ""
        row = rows.setdefault(label, {"grid": point["grid"], "seeds": [], "runs": []})
        if metrics is not None:
            row["seeds"].append(point["seed"])
            row["runs"].append(metrics)
    return spec, list(rows.values())


def statistics(values):
    """`{"mean", "std", "n", "values"}`: std the sample standard deviation (n - 1), `None` for a single value."""
    values = [float(v) for v in values]
    n = len(values)
    return {
        "mean": float(np.mean(values)) if n else None,
        "std": float(np.std(values, ddof=1)) if n > 1 else None,
        "n": n,
        "values": values,
    }


def report(out):
    """Write `summary.json`, `summary.md` and `summary.png` in `out` from its finished points alone; return the
    summary (what `keras-symmetry sweep --report OUT` does)."""
    out = pathlib.Path(out)
    spec, rows = collect(out)
    metric_names = list(dict.fromkeys(key for row in rows for run in row["runs"] for key in run))
    points = [
        {
            "grid": row["grid"],
            "n": len(row["runs"]),
            "seeds": row["seeds"],
            "metrics": {key: statistics([run[key] for run in row["runs"] if key in run]) for key in metric_names},
        }
        for row in rows
    ]
    keys = [key for axis in spec["axes"] for key in axis["keys"]]
    summary = {
        "name": spec["name"],
        "command": spec["command"],
        "keys": keys,
        "seeds": spec["seeds"],
        "options": spec["options"],
        "std": "sample standard deviation over the finished seeds (n - 1); null for one seed",
        "points": points,
        "failed": spec.get("failed", {}),
        "unfinished": sum(spec["seeds"] - point["n"] for point in points),
    }
    write_atomic(out / "summary.json", json.dumps(summary, indent=1))
    write_atomic(out / "summary.md", markdown(summary, metric_names))
    plot(summary, metric_names, out / "summary.png")
    return summary


def _mean_std(stats):
    if not stats["n"]:
        return "—"
    return f"{stats['mean']:.4g} ± {stats['std']:.2g}" if stats["std"] is not None else f"{stats['mean']:.4g}"


def markdown(summary, metric_names):
    """The summary as a Markdown table: a row per grid point, `mean ± std` (n seeds) per test metric."""
    keys = summary["keys"]
    lines = [
        f"# Sweep of `{summary['name']}`: mean ± std over seeds",
        "",
        f"`{summary['command']}`",
        "",
        f"std: {summary['std']}. Fixed options: "
        + (", ".join(f"{k}={v}" for k, v in summary["options"].items()) or "none")
        + ".",
        "",
        "| " + " | ".join([*keys, "n", *metric_names]) + " |",
        "| " + " | ".join(["---"] * len(keys) + ["---:"] * (1 + len(metric_names))) + " |",
    ]
    for point in summary["points"]:
        cells = [format_value(point["grid"][key]) for key in keys]
        cells += [str(point["n"]), *(_mean_std(point["metrics"][m]) for m in metric_names)]
        lines.append("| " + " | ".join(cells) + " |")
    if summary["unfinished"]:
        lines += ["", f"{summary['unfinished']} point(s) not finished (failed, or not run yet)."]
    if summary["failed"]:
        lines += ["", "Failed points:", ""]
        lines += [f"- `{name}`: {error.splitlines()[0]}" for name, error in summary["failed"].items()]
    return "\n".join(lines) + "\n"


def plot(summary, metric_names, path):
    """A panel per test metric: the mean over seeds against the first grid key, a line per combination of the other
    keys, error bars the std over seeds; against sigma_w (the MLPs: Iqbal et al. 2026, Figs. 3, 11) also the transition
    at 1 and the mean-field order parameter c* at initialisation."""
    plt = curves.pyplot()
    keys = summary["keys"]
    xkey, others = (keys[0], keys[1:]) if keys else (None, [])
    points = [p for p in summary["points"] if p["n"]]
    xs = [p["grid"][xkey] if xkey else summary["name"] for p in points]
    numeric = all(isinstance(x, int | float) and not isinstance(x, bool) for x in xs)
    ticks = list(dict.fromkeys(xs))
    panels = metric_names or ["(no finished point)"]
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 3.8), squeeze=False)
    for ax, metric in zip(axes[0], panels):
        lines = {}
        for point, x in zip(points, xs):
            label = ", ".join(f"{key}={format_value(point['grid'][key])}" for key in others) or summary["name"]
            stats = point["metrics"].get(metric)
            if stats and stats["n"]:
                lines.setdefault(label, []).append((x if numeric else ticks.index(x), stats["mean"], stats["std"] or 0))
        for label, values in lines.items():
            values.sort()
            x, mean, std = zip(*values)
            ax.errorbar(x, mean, yerr=std, marker="o", capsize=3, label=label)
        if xkey == "sigma_w":
            ax.axvline(1.0, color="gray", linestyle="--", linewidth=1)  # the transition (Iqbal et al. 2026, eq. 35)
            if numeric and metric == panels[0]:
                swept = [point["grid"][xkey] for point in summary["points"]]
                _order_parameter(ax, min(swept), max(swept))
        if not numeric:
            ax.set_xticks(range(len(ticks)), [format_value(t) for t in ticks])
        ax.set_xlabel(r"$\sigma_w$" if xkey == "sigma_w" else (xkey or ""))
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    if others and handles:  # one legend for every panel, below them
        fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 2), fontsize=8, frameon=False)
    seeds = {p["n"] for p in points}
    fixed = ", ".join(f"{key}={format_value(value)}" for key, value in summary["options"].items())
    fig.suptitle(
        f"{summary['name']}{f' ({fixed})' if fixed else ''}: mean ± std over "
        f"{'/'.join(map(str, sorted(seeds))) or 0} seed(s) per point",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0.06 * ((len(labels) + 1) // 2) if others and handles else 0, 1, 1))
    curves.save(fig, path)


# ---------------------------------------------------------------------------------------------------------------------
# A zoo entry over seeds: its median seed into the zoo, mean ± std on its card


def monitored(history):
    """`(key, value)` a run is judged by: its final validation metric (`val_<metric>`, else `val_loss`)."""
    return [judged for judged in map(checkpoint.monitored, history) if judged][-1]


def median_seed(out):
    """`(seed, metric, {seed: value})`: the seed of a sweep over seeds whose final validation metric is the median
    (the lower middle one for an even count), the metric's name, and every seed's value."""
    spec = json.loads((pathlib.Path(out) / SPEC).read_text())
    values, metric = {}, None
    for point in spec["points"]:
        history = json.loads((pathlib.Path(out) / point["name"] / "log.json").read_text())["history"]
        metric, values[point["seed"]] = monitored(history)
    ranked = sorted(values, key=lambda seed: (values[seed], seed))
    return ranked[(len(ranked) - 1) // 2], metric, values


def _check_to_zoo(entry, name, axes, seeds):
    if entry is None or axes or seeds < 2:
        raise ValueError(
            f"--to-zoo exports a zoo entry trained over seeds alone (keras-symmetry sweep ENTRY --seeds N, N >= 2, no "
            f"--grid); this is a sweep of {name!r} with {len(axes)} grid axes and {seeds} seed(s)."
        )


def export_median_seed(out, data=None, verbose=0):
    """Export the median seed of the finished sweep over seeds in `out` (of a zoo entry, no grid) into the local zoo
    and record it; its card gives mean ± std of every test metric over the seeds beside the paper's, and names the
    seed it holds and why (`keras-symmetry sweep ENTRY --seeds N --to-zoo`). Returns the preset's folder."""
    from keras_symmetry import hub, zoo

    out = pathlib.Path(out)
    summary = report(out)
    spec = json.loads((out / SPEC).read_text())
    recipe, entry = experiments.get(spec["name"])
    _check_to_zoo(entry, spec["name"], spec["axes"], spec["seeds"])
    if summary["failed"] or summary["unfinished"]:
        raise ValueError(
            f"--to-zoo needs every seed finished; {summary['unfinished']} of {spec['seeds']} are not "
            f"(failed: {', '.join(summary['failed']) or 'none'}). Rerun the sweep to finish them."
        )
    seed, metric, values = median_seed(out)
    point = next(p for p in spec["points"] if p["seed"] == seed)
    print(f"to the zoo: {spec['name']} seed {seed}, the median final {metric} of {spec['seeds']} seeds", flush=True)
    control = {"smoke": spec["smoke"], "data": data, "to_zoo": True, "verbose": verbose}
    folder = training.train(recipe, entry, **point["given"], out=str(out / point["name"]), **control).preset
    metadata = hub.verify(folder)
    metadata.pop("files")
    metadata["seeds"] = {
        **metadata["seeds"],
        "sweep": {
            "command": spec.get("card_command", spec["command"]) + " --to-zoo",
            "n": spec["seeds"],
            "seeds": summary["points"][0]["seeds"],
            "metrics": summary["points"][0]["metrics"],
            "chosen": {"metric": metric, "values": {str(s): v for s, v in sorted(values.items())}},
        },
    }
    hub.preset.rewrite_card(folder, metadata)
    zoo.record(folder)
    return folder


def _order_parameter(ax, low, high):
    """The mean-field order parameter at initialisation, c*(sigma_w) for k = 2 (U(1)) and k = 4 (O(4)), on a twin
    axis: where the equivariant MLPs start to train (Iqbal et al. 2026, eqs. 8, 35; Figs. 3, 11)."""
    from keras_symmetry.analysis import meanfield

    grid = np.linspace(low, high, 200)
    twin = ax.twinx()
    for k, style in ((2, ":"), (4, "-.")):
        twin.plot(grid, meanfield.c_star(grid, k), style, color="gray", linewidth=1, label=f"c* at init, k={k}")
    twin.set_ylabel("c* at initialisation (mean field)", color="gray")
    twin.set_ylim(0, 1.05)
    twin.legend(fontsize=7, loc="upper left")


# ---------------------------------------------------------------------------------------------------------------------
# The command line: keras-symmetry sweep NAME [options]


def build_parser(name, recipe, entry):
    """The `keras-symmetry sweep NAME` parser: the sweep's options, then the recipe's (fixed for every point)."""
    parser = argparse.ArgumentParser(
        prog="keras-symmetry sweep",
        usage=f"keras-symmetry sweep [NAME={name}] [--grid KEY=V1,V2,...]... [--seeds N] [--out DIR] "
        "[options of NAME fixed for every point] | keras-symmetry sweep --report OUT",
        description=f"Train {name} over a grid of its options and seeds, as Ray tasks (on this machine's cores, or a "
        "cluster with --address), each point a resumable run folder OUT/<key=value,...>-seed<S>; then mean ± std "
        "over seeds per grid point (OUT/summary.md, .json, .png). Rerunning the same command skips finished points. "
        "NAME is a zoo entry or a recipe (default mlp, whose default grid is Iqbal et al. 2026, Figs. 3, 11).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    run = parser.add_argument_group("sweep options")
    run.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="KEY=V1,V2,...",
        help="an option to sweep, repeatable (the grid is the product); K1:K2=A1:A2,B1:B2 varies keys together",
    )
    run.add_argument("--seeds", type=training.spec.positive_int, default=1, help="seeds 0..N-1 per grid point")
    run.add_argument("--out", default=None, help="the sweep's folder, None meaning runs/sweeps/NAME")
    run.add_argument("--smoke", action="store_true", help="tiny sizes and a few steps per point")
    run.add_argument("--data", default=None, help="path of mnist.npz (else $KERAS_SYMMETRY_DATA, else download)")
    run.add_argument(
        "--report", default=None, metavar="OUT", help="only re-render OUT's summary from its finished points"
    )
    run.add_argument("--address", default=None, help="join a Ray cluster: auto, HOST:PORT or ray://HOST:10001")
    run.add_argument(
        "--num-cpus", type=int, default=None, help="CPUs of the embedded Ray, None meaning this process's cores"
    )
    run.add_argument("--cpus-per-point", type=float, default=1.0, help="CPUs each point declares")
    run.add_argument(
        "--gpus-per-point", type=float, default=0.0, help="GPUs each point declares (e.g. 0.25: four per GPU)"
    )
    run.add_argument("--retries", type=int, default=2, help="times a failing point (exception, dead worker) is rerun")
    run.add_argument("--sequential", action="store_true", help="run the points one after another in this process")
    run.add_argument(
        "--to-zoo",
        action="store_true",
        help="a zoo entry over seeds alone: export the seed with the median validation metric into the zoo, its card "
        "showing mean ± std over the seeds",
    )
    run.add_argument("--verbose", type=int, default=2, choices=(0, 1, 2), help="Keras fit verbosity in each point")
    fixed = parser.add_argument_group(f"options of {name} (fixed for every point; --grid sweeps any of them)")
    for opt in training.arguments.options(recipe):
        if opt.name == "seed":  # swept by --seeds
            continue
        if isinstance(opt.default, bool):
            fixed.add_argument(
                opt.flag, default=argparse.SUPPRESS, action=argparse.BooleanOptionalAction, help=opt.help
            )
        else:
            fixed.add_argument(
                opt.flag, default=argparse.SUPPRESS, type=opt.type, choices=opt.choices, nargs=opt.nargs, help=opt.help
            )
    return parser


def parse(argv):
    """The keyword arguments of `sweep` (or `{"report": OUT}`) that `keras-symmetry sweep ARGV...` gives."""
    argv = list(argv)
    name = argv.pop(0) if argv and not argv[0].startswith("-") else "mlp"
    recipe, entry = experiments.get(name)
    parsed = vars(build_parser(name, recipe, entry).parse_args(argv))
    if parsed["report"]:
        return {"report": parsed["report"]}
    parsed.pop("report")
    sweep_keys = ("grid", "seeds", "out", "smoke", "data", "address", "num_cpus", "retries", "sequential", "verbose")
    sweep_keys += ("to_zoo",)
    kwargs = {key: parsed.pop(key) for key in sweep_keys}
    kwargs["cpus_per_point"], kwargs["gpus_per_point"] = parsed.pop("cpus_per_point"), parsed.pop("gpus_per_point")
    kwargs["grid"] = kwargs["grid"] or None  # `--grid` texts, parsed by `plan`
    return {"name": name, "options": parsed, **kwargs}


def main(argv):
    """`keras-symmetry sweep ...`: 0 when every point finished, 1 when some failed, 2 for a usage error."""
    try:
        kwargs = parse(argv)
    except ValueError as err:
        print(f"keras-symmetry sweep: {err}", file=sys.stderr)
        return 2
    if "report" in kwargs:
        try:
            report(kwargs["report"])
        except FileNotFoundError as err:
            print(f"keras-symmetry sweep: {err}", file=sys.stderr)
            return 2
        print(pathlib.Path(kwargs["report"], "summary.md").read_text())
        return 0
    try:
        summary = sweep(**kwargs)
    except ValueError as err:
        print(f"keras-symmetry sweep: {err}", file=sys.stderr)
        return 2
    return 1 if summary["failed"] or summary["unfinished"] else 0


__all__ = [
    "Plan",
    "Point",
    "expand",
    "export_median_seed",
    "finished",
    "parse",
    "parse_axis",
    "plan",
    "report",
    "run_point",
    "sweep",
]
