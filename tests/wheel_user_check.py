"""What a user does with an installed wheel, run by `test_wheel.py` inside a fresh venv outside the clone.

    python wheel_user_check.py where                   where keras_symmetry was imported from, and its zoo folder
    python wheel_user_check.py load NAME [FILE=SHA ...] ks.load(NAME, sha256={FILE: SHA}); its parameter count
    python wheel_user_check.py load-all                every zoo name through ks.load
    python wheel_user_check.py eval NAME MNIST         the recorded and the recomputed test metrics

Prints one JSON line; an error is printed as `{"error": type, "message": ...}` with exit status 0, so that the
test can assert on it.
"""

import json
import sys


def main(command, *args):
    import keras_symmetry as ks

    if command == "where":
        return {"module": ks.__file__, "local_zoo": ks.zoo.local_dir() and str(ks.zoo.local_dir())}
    if command == "load":
        pins = dict(arg.split("=", 1) for arg in args[1:])
        return {"parameters": ks.load(args[0], sha256=pins or None).count_params()}
    if command == "load-all":
        return {name: ks.load(name).count_params() for name in ks.list_models()}
    if command == "eval":
        model, metadata = ks.hub.load_with_metadata(args[0])
        from keras_symmetry import evaluate

        measured = evaluate.evaluate(model, metadata["task"], data_path=args[1])
        return {"recorded": metadata["metrics"], "measured": measured}
    raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    try:
        print(json.dumps(main(*sys.argv[1:])))
    except Exception as err:
        print(json.dumps({"error": type(err).__name__, "message": str(err)}))
