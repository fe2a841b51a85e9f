"""The command line of the readable training scripts in `recipes/`: train some or all zoo entries of one family.

```python
# recipes/train_copy.py
results = ks.training.train_family(ks.experiments.copy.RECIPE, __doc__, argv, show=lambda result, args: ...)
```
"""

import argparse

from keras_symmetry import zoo
from keras_symmetry.training.fit import train


def entries(recipe):
    """The names of the zoo entries `recipe` trains, in name order."""
    return [name for name, entry in zoo.entries().items() if entry.recipe == recipe.name]


def train_family(recipe, doc, argv=None, show=None):
    """Parse `[NAME ...] [--epochs N] [--smoke] [--out DIR] [--data PATH]`, train each entry of `recipe` (a
    `Recipe`), return `{name: Result}`.

    Each entry trains with the arguments the zoo recorded for it and resumes
    `OUT/NAME`; `show(result, args)` runs after each entry (e.g. to print the
    trained model at work).
    """
    names = entries(recipe)
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"entries to train (default: all): {', '.join(names)}")
    parser.add_argument("--epochs", type=int, default=None, help="epochs in all (default: the entry's recorded budget)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes and a few steps: the whole path in seconds")
    parser.add_argument("--out", default="runs", help="folder of the run folders, one per entry (default: runs)")
    parser.add_argument("--data", default=None, help="path of mnist.npz (else $KERAS_SYMMETRY_DATA, else download)")
    args = parser.parse_args(argv)
    others = [name for name in args.names if name not in names]
    if others:
        parser.error(
            f"not a zoo entry of the {recipe.name!r} recipe: {', '.join(others)} (its entries: {', '.join(names)})"
        )
    results = {}
    for name in args.names or names:
        options = {"smoke": args.smoke, "out": f"{args.out}/{name}", "data": args.data}
        if args.epochs:
            options["epochs"] = args.epochs
        results[name] = train(recipe, zoo.get(name), **options)
        if show:
            show(results[name], args)
    return results
