"""The papers' experiments, one module each (`copy`, `psmnist`, `mlp`, `shapes`), and training them by name.

Each module holds the `Recipe` of its experiment (`keras_symmetry.training.spec`): its options with the
papers' defaults, its smoke settings and its setup (model, data, loss). `get(NAME)` looks up a zoo entry
(the recipe with the entry's arguments, declared in `keras_symmetry.zoo`) or a recipe, and `train(NAME)`
(also `ks.train`) hands both to `ks.training.train`:

```python
import keras_symmetry as ks
result = ks.train("u1-rnn-copy", epochs=20, out="runs/u1-rnn-copy")
result.metrics        # measured by ks.evaluate on the task's test data
```
```text
keras-symmetry train u1-rnn-copy                    # a zoo entry, with its recorded arguments
keras-symmetry train copy --arch u1-gru --units 64  # a recipe with your own arguments
keras-symmetry train u1-gru-psmnist --smoke         # tiny sizes, a few steps: checks the whole path
```
The call graph goes one way: experiments import `keras_symmetry.training`, which never imports them.
"""

import difflib

from keras_symmetry import training, zoo
from keras_symmetry.experiments import copy, mlp, psmnist, shapes

RECIPES = {recipe.name: recipe for recipe in (copy.RECIPE, psmnist.RECIPE, mlp.RECIPE, shapes.RECIPE)}


def get(name):
    """`(recipe, entry)` for a zoo entry name (`entry` its `keras_symmetry.zoo.Entry`), or `(recipe, None)` for a
    recipe name."""
    if name in zoo.names():
        entry = zoo.get(name)
        return RECIPES[entry.recipe], entry
    if name in RECIPES:
        return RECIPES[name], None
    known = [*zoo.names(), *RECIPES]
    close = difflib.get_close_matches(name, known, n=4, cutoff=0.4)
    hint = f" Closest: {', '.join(close)}." if close else ""
    raise ValueError(f"Unknown recipe or zoo entry {name!r}.{hint} Known: {', '.join(known)}.")


def train(name, /, **options):
    """Train the zoo entry or recipe `name`, resuming its run folder if it holds one; returns a `ks.training.Result`.

    The options are those of `ks.training.train` (`keras-symmetry train NAME --help` lists them).
    """
    return training.train(*get(name), **options)


__all__ = ["RECIPES", "get", "train"]
