"""Effective rank `exp(H)` of a representation (Iqbal et al. 2026, eq. 55, Fig. 5), through depth and during training.

`H = -sum_i p_i log p_i` with `p_i = sigma_i / sum_j sigma_j` the normalised
singular values of the `(batch, features)` representation matrix (Roy &
Vetterli; Iqbal et al. 2026 ref. [32]). `exp(H)` runs from 1 (rank collapse) to
`min(batch, features)`. An O(k)-equivariant layer in the broken phase cannot go
below `k`: a nonzero orbit spans at least the `k` dimensions of one capsule.
"""

import keras
import numpy as np
from keras import ops


def effective_rank(x):
    """`exp(H)` of eq. 55 for a representation `x` of shape `(batch, features)`; a `(...)` stack for more leading axes.

    Args:
        x: array or tensor, rank >= 2; the last two axes are `(batch, features)`.

    Returns:
        NumPy float (rank 2 input) or array over the leading axes.
    """
    x = ops.convert_to_tensor(x)
    if len(x.shape) < 2:
        raise ValueError(f"effective_rank expects (batch, features) (or a stack of them); got shape {tuple(x.shape)}.")
    if not keras.backend.is_float_dtype(keras.backend.standardize_dtype(x.dtype)):
        raise ValueError(f"effective_rank expects real floating-point inputs; got dtype {x.dtype}.")
    sigma = ops.convert_to_numpy(ops.svd(x, compute_uv=False)).astype("float64")
    total = np.sum(sigma, axis=-1, keepdims=True)
    p = np.where(total > 0, sigma / np.where(total > 0, total, 1.0), 0.0)
    entropy = -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), axis=-1)
    return np.exp(entropy)


class EffectiveRankCallback(keras.callbacks.Callback):
    """Record `exp(H)` (eq. 55) of a layer's output on fixed inputs during training
    (Iqbal et al. 2026, Fig. 5a, bottom).

    Args:
        layer_name: the layer whose output is the representation.
        inputs: a fixed batch of model inputs.
        every: record every `every` training batches (and once before training).

    After `fit`, `callback.steps` and `callback.ranks` hold the record.
    """

    def __init__(self, layer_name, inputs, every=10):
        super().__init__()
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive integer; got {every!r}.")
        self.layer_name, self.inputs, self.every = layer_name, inputs, every
        self.steps, self.ranks = [], []
        self._seen = 0

    def _record(self):
        if hasattr(self.model, "jax_state_sync"):  # JAX keeps the live weights outside the variables during fit
            self.model.jax_state_sync()
        inputs = list(self.inputs) if isinstance(self.inputs, (list, tuple)) else [self.inputs]
        probe = keras.Model(self.model.inputs, self.model.get_layer(self.layer_name).output)
        features = probe(inputs)
        self.steps.append(self._seen)
        self.ranks.append(float(effective_rank(ops.reshape(features, (ops.shape(features)[0], -1)))))

    def on_train_begin(self, logs=None):
        self._record()

    def on_train_batch_end(self, batch, logs=None):
        self._seen += 1
        if self._seen % self.every == 0:
            self._record()
