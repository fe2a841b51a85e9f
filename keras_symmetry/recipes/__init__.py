"""Training recipes for every model family of both papers, and the zoo entries they train.

```text
keras-symmetry train u1-rnn-copy                    # a zoo entry, with its recorded arguments
keras-symmetry train copy --arch u1-gru --units 64  # a recipe with your own arguments
keras-symmetry train u1-gru-psmnist --smoke         # tiny sizes, a few steps: checks the whole path
```

`RECIPES` maps recipe names to `Recipe`s; the zoo entries they train, with their arguments and the
paper's number to reach, are declared in `keras_symmetry.zoo`.
"""

import difflib

from keras_symmetry import zoo
from keras_symmetry.recipes import copy, mlp, psmnist, shapes
from keras_symmetry.recipes.base import COMMON, Option, Recipe, Setup

RECIPES = {recipe.name: recipe for recipe in (copy.RECIPE, psmnist.RECIPE, mlp.RECIPE, shapes.RECIPE)}


def get(name):
    """`(recipe, entry)` for a zoo entry name (its `keras_symmetry.zoo.Entry`), or `(recipe, None)` for a recipe name."""
    if name in zoo.names():
        entry = zoo.get(name)
        return RECIPES[entry.recipe], entry
    if name in RECIPES:
        return RECIPES[name], None
    known = [*zoo.names(), *RECIPES]
    close = difflib.get_close_matches(name, known, n=4, cutoff=0.4)
    hint = f" Closest: {', '.join(close)}." if close else ""
    raise ValueError(f"Unknown recipe or zoo entry {name!r}.{hint} Known: {', '.join(known)}.")


__all__ = ["COMMON", "Option", "RECIPES", "Recipe", "Setup", "get"]
