"""The `keras-symmetry` command line.

    keras-symmetry check     measure every layer's equivariance error on this backend
    keras-symmetry version   print the package, Keras and backend versions
"""

import argparse
import sys


def _versions():
    import keras

    import keras_symmetry

    return f"keras-symmetry {keras_symmetry.__version__}, keras {keras.__version__}, backend {keras.backend.backend()}"


def check(args):
    """Print each layer's equivariance error beside its symmetry-broken variant's."""
    import keras

    from keras_symmetry import checks

    keras.utils.set_random_seed(args.seed)
    print(_versions())
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
    print(f"{len(checks.CASES) - failures} of {len(checks.CASES)} layers equivariant within tolerance, "
          "and their broken variants detected.")
    return 1 if failures else 0


def version(args):
    print(_versions())
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="keras-symmetry",
        description="Z2, U(1) and O(k) equivariant Keras layers. Backend: set KERAS_BACKEND=jax|tensorflow|torch.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("check", help="measure every layer's equivariance error on the current backend")
    p.add_argument("--seed", type=int, default=0, help="seed of the weights, inputs and group elements (default 0)")
    p.set_defaults(func=check)
    p = sub.add_parser("version", help="print package, Keras and backend versions")
    p.set_defaults(func=version)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
