"""Permuted sequential MNIST (Iqbal et al. 2026, D.2.4).

The 784 pixels are presented one at a time in one fixed random order; the class
is read from the last hidden state. The permutation belongs to the model: a
`PermutePixels` layer holds it in its config, so a saved model takes raw images
in natural order and applies its own permutation.

```python
perm = ks.tasks.psmnist.permutation(seed=0)
model = keras.Sequential([
    keras.Input((28, 28)),
    ks.tasks.psmnist.PermutePixels(perm),    # (batch, 28, 28) -> (batch, 784, 1)
    ks.layers.U1GRU(64),
    keras.layers.Dense(10),
])
sets = ks.tasks.psmnist.datasets(path="../shared/data/mnist.npz")   # train / val (3,000) / test
```
"""

import keras
import numpy as np
from keras import ops

from keras_symmetry import capsules
from keras_symmetry.tasks import images

SEQUENCE = images.PIXELS
VALIDATION_SIZE = 3000


def permutation(seed=0):
    """The fixed pixel order drawn from `seed`: a permutation of `range(784)`."""
    return np.random.default_rng(seed).permutation(SEQUENCE)


@keras.saving.register_keras_serializable(package="keras_symmetry")
class PermutePixels(keras.layers.Layer):
    """Raw MNIST images in natural order -> the permuted pixel sequence `(batch, 784, 1)`.

    Args:
        permutation: the pixel order, a permutation of `range(784)` (saved in
            the config, so it travels with the model).

    Accepts `(batch, 28, 28)`, `(batch, 28, 28, 1)` or `(batch, 784)` floats
    (pixels in [0, 1]); output step `t` is pixel `permutation[t]`.
    """

    def __init__(self, permutation, **kwargs):
        super().__init__(**kwargs)
        perm = np.asarray(permutation)
        if (
            perm.shape != (SEQUENCE,)
            or not np.issubdtype(perm.dtype, np.integer)
            or not np.array_equal(np.sort(perm), np.arange(SEQUENCE))
        ):
            raise ValueError(f"PermutePixels needs a permutation of range({SEQUENCE}); got shape {perm.shape}.")
        self.permutation = perm.astype("int32")

    def build(self, input_shape):
        if tuple(input_shape[1:]) not in ((28, 28), (28, 28, 1), (SEQUENCE,)):
            raise ValueError(
                f"PermutePixels expects images (batch, 28, 28), (batch, 28, 28, 1) or (batch, 784); "
                f"got {tuple(input_shape)}."
            )

    def call(self, inputs):
        capsules.check_float(inputs, f"PermutePixels {self.name!r}")
        flat = ops.reshape(inputs, (-1, SEQUENCE))
        return ops.expand_dims(ops.take(flat, self.permutation, axis=1), -1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], SEQUENCE, 1)

    def get_config(self):
        return {**super().get_config(), "permutation": self.permutation.tolist()}


def datasets(batch_size=128, seed=0, path=None, split_seed=0):
    """Train (57,000), val (3,000 random training images) and test (10,000), images in natural order."""
    return images.datasets("mnist", batch_size, seed, path, val_size=VALIDATION_SIZE, split_seed=split_seed)
