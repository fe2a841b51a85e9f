"""The `keras-symmetry` command line.

    keras-symmetry demo                  zoo checkpoints doing their tasks offline, then the equivariance check
    keras-symmetry list                  the zoo's models with their recorded metrics
    keras-symmetry info NAME             everything known about one model (JSON)
    keras-symmetry eval NAME             recompute a model's metrics on its test data, beside the recorded ones
    keras-symmetry train NAME [OPTIONS]  train a zoo entry (or a recipe) resumably and export it as a preset
    keras-symmetry sweep NAME [OPTIONS]  NAME over a grid of options and seeds as Ray tasks, mean ± std per grid point
    keras-symmetry push NAME|--all       publish zoo entries to the Hugging Face Hub and pin their revisions
    keras-symmetry check                 measure every layer's equivariance error on this backend
    keras-symmetry version               print the package, Keras and backend versions

The first line of every command names the backend and why it is the one (`keras_symmetry.backend_choice`);
`list` and `info` print it on stderr, their output being data.
"""

import argparse
import sys

DATA_COMMANDS = ("list", "info")
"""Commands whose stdout is data: their first line goes to stderr."""


def _versions():
    import keras

    import keras_symmetry

    return f"keras-symmetry {keras_symmetry.__version__}, keras {keras.__version__}, {keras_symmetry.BACKEND_CHOICE}"


def check(args):
    """Print each layer's equivariance error beside its symmetry-broken variant's."""
    import keras

    from keras_symmetry import checks

    keras.utils.set_random_seed(args.seed)
    header = f"{'layer':44s} {'group':6s} {'equivariant':>12s} {'broken':>10s}  verdict"
    print(header)
    print("-" * len(header))
    failures = 0
    for case in checks.CASES:
        error = checks.run_case(case, broken=False, seed=args.seed)
        broken = checks.run_case(case, broken=True, seed=args.seed)
        ok = error <= case.atol < broken
        failures += not ok
        verdict = "ok" if ok else "FAIL"
        print(f"{case.name:44s} {case.group.name:6s} {error:12.2e} {broken:10.2e}  {verdict}")
    print(
        f"{len(checks.CASES) - failures} of {len(checks.CASES)} layers equivariant within tolerance, "
        "and their broken variants detected."
    )
    return 1 if failures else 0


def list_(args):
    from keras_symmetry import zoo

    entries = zoo.entries()
    if args.markdown:
        print(
            "| name | task | test metrics (`keras-symmetry eval NAME`) | paper | parameters | size | trained by |\n"
            "| --- | --- | --- | --- | ---: | ---: | --- |"
        )
    for name, entry in entries.items():
        recorded = entry.preset or {}
        shown = ", ".join(f"{k}={v:.4g}" for k, v in sorted(entry.metrics.items())) or "not trained yet"
        if not args.markdown:
            print(f"{name:22s} {shown}")
            continue
        paper = entry.paper or {}
        printed = f"; printed as {paper['printed']:.3g}" if "printed" in paper else ""
        target = f"{paper['metric']}={paper['value']:.4g} ({paper['source']}{printed})" if paper else "—"
        size = sum(file["size"] for file in entry.files.values())
        task = (recorded.get("task") or {}).get("name", entry.recipe)
        print(
            f"| `{name}` | {task} | {shown} | {target} | {recorded.get('parameters', 0):,} | {size / 1e6:.2f} MB "
            f"| `{recorded.get('command') or '—'}` |"
        )
    return 0


def info(args):
    import json

    from keras_symmetry import hub

    print(json.dumps(hub.model_info(args.name), indent=2))
    return 0


def eval_(args):
    from keras_symmetry import evaluate, hub, zoo

    where = hub.locate(args.name, args.revision)
    folder = where.folder
    if args.record and where.root is not None:
        raise SystemExit(
            "--record rewrites a local preset, not a copy in the Hugging Face cache; set "
            f"{zoo.ENV_VAR} to a folder holding it, or run from a clone."
        )
    model, metadata = hub.load_preset(folder, pinned=where.pinned, root=where.root)
    print(f"{metadata['name']} ({folder}), task {metadata['task']}")
    probe = evaluate.probe(model, metadata["task"], data_path=args.data)
    recorded_probe = metadata.get("probe")
    same_outputs = recorded_probe is not None and evaluate.same_probe(recorded_probe, probe)
    print(
        f"outputs on the first {probe['examples']} test inputs: "
        + ("not recorded" if recorded_probe is None else "same as recorded" if same_outputs else "DIFFERENT")
    )
    if args.probe:
        return 0 if same_outputs else 1
    fresh = hub.measure(model, metadata["task"], data_path=args.data) if args.record else None
    measured = fresh["metrics"] if fresh else evaluate.evaluate(model, metadata["task"], data_path=args.data)
    recorded = metadata.get("metrics", {})
    rows = evaluate.compare(recorded, measured, args.tolerance)
    print(f"{'metric':24s} {'recorded':>14s} {'recomputed':>14s}")
    show = lambda v: "—" if v is None else f"{v:.6g}"  # noqa: E731
    for name, old, new, verdict in rows:
        print(f"{name:24s} {show(old):>14s} {show(new):>14s}  {verdict}")
    mismatches = sum(verdict == "DIFFERENT" for *_, verdict in rows)
    if args.record:
        hub.preset.rewrite_card(folder, {**metadata, **fresh})
        if args.name in zoo.names():
            zoo.record(folder)
        print(f"recorded the recomputed metrics and outputs in {folder} (weights untouched)")
        return 0
    return 1 if mismatches or (recorded_probe is not None and not same_outputs) else 0


def demo(args):
    """Zoo checkpoints doing their tasks on fresh data, then (unless --no-check) the equivariance check."""
    from keras_symmetry import demo as demos

    parts = [
        lambda: demos.copy_task(seed=args.seed),
        lambda: demos.shapes_task(args.out, seed=args.seed),
        lambda: demos.psmnist_task(args.data),
    ]
    for number, part in enumerate(parts, 1):
        lines = part()
        print(f"\n[{number}/{len(parts)}] {lines[0]}", *lines[1:], sep="\n", flush=True)
    print("\nThe zoo: keras-symmetry list; a model's card: zoo/NAME/README.md; evaluate one: keras-symmetry eval NAME.")
    if args.no_check:
        return 0
    print("\nEquivariance of every layer and of its symmetry-broken twin on this backend (keras-symmetry check):")
    return check(argparse.Namespace(seed=0))


def train(args):
    from keras_symmetry import experiments, training, zoo

    if args.name in (None, "-h", "--help"):
        print("usage: keras-symmetry train NAME [OPTIONS]   (keras-symmetry train NAME --help lists the options)\n")
        print("Zoo entries (trained with the arguments their zoo preset recorded; --from-paper: with the paper's):")
        for name, entry in zoo.entries().items():
            print(f"  {name:22s} {entry.description}")
        print("\nRecipes (give the model with options, e.g. keras-symmetry train copy --arch u1-gru --units 64):")
        for name, recipe in experiments.RECIPES.items():
            print(f"  {name:22s} {recipe.summary} ({recipe.paper})")
        print(
            "\nThe same from Python, one readable script per recipe: recipes/*.py in the repository "
            "(recipes/README.md)."
        )
        return 0
    if args.name.startswith("-"):
        print(
            f"keras-symmetry train: the name comes first (got {args.name!r}).\n"
            "usage: keras-symmetry train NAME [OPTIONS]; keras-symmetry train --help lists the names.",
            file=sys.stderr,
        )
        return 2
    try:
        recipe, entry = experiments.get(args.name)
    except ValueError as err:
        print(
            f"keras-symmetry train: {err}\n"
            "usage: keras-symmetry train NAME [OPTIONS]; keras-symmetry train --help lists the names.",
            file=sys.stderr,
        )
        return 2
    try:
        training.train(recipe, entry, **training.arguments.parse(recipe, entry, args.options))
    except FloatingPointError as err:
        print(f"keras-symmetry train: {err}", file=sys.stderr)
        return 1
    return 0


def sweep(args):
    from keras_symmetry.experiments import sweep as sweeps

    return sweeps.main(args.options)


def push(args):
    """Publish zoo entries (`--all`, or NAME) and pin their revisions, or any preset folder to REPO_ID."""
    from keras_symmetry import hub, zoo

    if args.all == bool(args.name):
        raise SystemExit("keras-symmetry push: give a zoo name or preset folder, or --all (not both).")
    if args.name and args.name not in zoo.names():
        if not args.repo_id:
            raise SystemExit(f"keras-symmetry push: {args.name!r} is not a zoo name; a preset folder needs a REPO_ID.")
        revision = hub.push_to_hub(hub.resolve(args.name), args.repo_id, private=args.private, token=args.token)
        print(f"pushed {args.name} to {args.repo_id} at revision {revision}")
        return 0
    if args.all and args.repo_id:
        raise SystemExit("keras-symmetry push --all: each entry goes to its declared repo; give no REPO_ID.")
    names = [name for name, entry in zoo.entries().items() if entry.files] if args.all else [args.name]
    for name in names:
        revision = hub.publish(name, args.repo_id, private=args.private, token=args.token)
        print(f"pushed {name} to {zoo.get(name).hub_repo} at revision {revision}; pinned in its declaration")
    return 0


def version(args):
    print(_versions())
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="keras-symmetry",
        description="Z2, U(1) and O(k) equivariant Keras layers. Backend: set KERAS_BACKEND=jax|tensorflow|torch.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "demo", help="zoo checkpoints doing their tasks on fresh data (offline), then the equivariance check"
    )
    p.add_argument("--out", default=str(demo_out()), help="folder for the pictures (default: %(default)s)")
    p.add_argument(
        "--data",
        default=None,
        help="path of mnist.npz for the psMNIST part (else $KERAS_SYMMETRY_DATA/mnist.npz, "
        "else Keras' download cache; never downloads)",
    )
    p.add_argument("--seed", type=int, default=1, help="seed of the fresh task data (default 1)")
    p.add_argument("--no-check", action="store_true", help="skip the equivariance check of every layer")
    p.set_defaults(func=demo)
    p = sub.add_parser("list", help="the zoo's models with their recorded metrics")
    p.add_argument("--markdown", action="store_true", help="a Markdown table with the papers' numbers and the commands")
    p.set_defaults(func=list_)
    p = sub.add_parser("info", help="everything known about one zoo model, as JSON")
    p.add_argument("name", help="zoo name")
    p.set_defaults(func=info)
    p = sub.add_parser("eval", help="recompute a model's metrics on its test data and compare with the recorded ones")
    p.add_argument("name", help="zoo name, preset folder or hf://owner/name")
    p.add_argument("--revision", default=None, help="Hub revision to pin (hf:// and zoo names)")
    p.add_argument("--data", default=None, help="path of mnist.npz (else $KERAS_SYMMETRY_DATA, else download)")
    p.add_argument("--tolerance", type=float, default=1e-4, help="relative tolerance for 'same' (default 1e-4)")
    p.add_argument(
        "--probe",
        action="store_true",
        help="only compare the outputs on the first test inputs with the recorded ones (seconds)",
    )
    p.add_argument(
        "--record",
        action="store_true",
        help="write the recomputed metrics and outputs into the preset's metadata and card (weights untouched)",
    )
    p.set_defaults(func=eval_)
    # `train` is dispatched by main() before argparse sees its arguments (they are the recipe's); this
    # parser only lists it in the help.
    sub.add_parser(
        "train", add_help=False, help="train a zoo entry or a recipe; train --help lists them, NAME --help the options"
    )
    # `sweep` too: its options depend on NAME (the recipe's are fixed for every point or swept with --grid).
    sub.add_parser(
        "sweep",
        add_help=False,
        help="train NAME over a grid of options and seeds as Ray tasks, mean ± std per point; sweep NAME --help",
    )
    p = sub.add_parser(
        "push", help="publish zoo entries to the Hugging Face Hub and pin their revisions (or a preset folder)"
    )
    p.add_argument("name", nargs="?", help="zoo name (published to its declared repo unless REPO_ID) or preset folder")
    p.add_argument("repo_id", nargs="?", help="owner/name on the Hub (default for a zoo name: keras-symmetry/NAME)")
    p.add_argument("--all", action="store_true", help="publish every exported zoo entry to its declared repo")
    p.add_argument("--private", action="store_true", help="create the repo private")
    p.add_argument("--token", default=None, help="Hub token (default: HF_TOKEN or the saved login)")
    p.set_defaults(func=push)
    p = sub.add_parser("check", help="measure every layer's equivariance error on the current backend")
    p.add_argument("--seed", type=int, default=0, help="seed of the weights, inputs and group elements (default 0)")
    p.set_defaults(func=check)
    p = sub.add_parser("version", help="print package, Keras and backend versions")
    p.set_defaults(func=version)
    return parser


def demo_out():
    from keras_symmetry import demo as demos

    return demos.DEFAULT_OUT


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["train"]:  # everything after the name belongs to the recipe's own parser
        name = argv[1] if len(argv) > 1 else None
        args = argparse.Namespace(command="train", func=train, name=name, options=argv[2:])
    elif argv[:1] == ["sweep"]:  # parsed by keras_symmetry.experiments.sweep, with NAME's options
        args = argparse.Namespace(command="sweep", func=sweep, options=argv[1:])
    else:
        args = build_parser().parse_args(argv)
    if args.command != "version":
        print(_versions(), file=sys.stderr if args.command in DATA_COMMANDS else sys.stdout, flush=True)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
