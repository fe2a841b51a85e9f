"""keras-symmetry: Z2, U(1) and O(k) equivariant Keras 3 layers, on JAX, TensorFlow and PyTorch.

```python
import keras_symmetry as ks
gru = ks.layers.U1GRU(64)
g = ks.groups.U1().sample(seed=0)
ks.BACKEND_CHOICE          # the backend and why (see keras_symmetry.backend_choice)
model = ks.load("u1-gru-psmnist")                 # a zoo model (keras_symmetry.hub)
result = ks.train("u1-rnn-copy", smoke=True)      # train a zoo entry or recipe (keras_symmetry.experiments)
```
"""

import sys as _sys

from keras_symmetry import backend_choice

# Before anything imports Keras: Keras reads its backend once, on first import.
try:
    BACKEND_CHOICE = backend_choice.choose()
except backend_choice.BackendUnavailable as _err:
    if backend_choice.running_command_line():
        raise SystemExit(f"keras-symmetry: {_err}") from None
    raise
if BACKEND_CHOICE.source == "installed" and not backend_choice.running_command_line():
    print(f"keras-symmetry: {BACKEND_CHOICE}; set KERAS_BACKEND=jax|tensorflow|torch to choose.", file=_sys.stderr)

from keras_symmetry import (
    analysis,
    capsules,
    experiments,
    groups,
    hub,
    initializers,
    layers,
    models,
    performance,
    tasks,
    testing,
    training,
    zoo,
)
from keras_symmetry.experiments import train
from keras_symmetry.hub import list_models, load, model_info

__version__ = "0.1.0"

__all__ = [
    "BACKEND_CHOICE",
    "analysis",
    "backend_choice",
    "capsules",
    "experiments",
    "groups",
    "hub",
    "initializers",
    "layers",
    "list_models",
    "load",
    "model_info",
    "models",
    "performance",
    "tasks",
    "testing",
    "train",
    "training",
    "zoo",
    "__version__",
]
