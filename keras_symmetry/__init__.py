"""keras-symmetry: Z2, U(1) and O(k) equivariant Keras 3 layers, on JAX, TensorFlow and PyTorch.

```python
import keras_symmetry as ks
gru = ks.layers.U1GRU(64)
g = ks.groups.U1().sample(seed=0)
```
"""

from keras_symmetry import analysis, capsules, groups, initializers, layers, models, tasks, testing
from keras_symmetry import hub
from keras_symmetry import recipes, training
from keras_symmetry.hub import list_models, load, model_info

__version__ = "0.1.0"

__all__ = [
    "analysis",
    "capsules",
    "groups",
    "hub",
    "initializers",
    "layers",
    "list_models",
    "load",
    "model_info",
    "models",
    "recipes",
    "tasks",
    "testing",
    "training",
    "__version__",
]
