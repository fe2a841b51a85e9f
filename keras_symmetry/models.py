"""The papers' models, built with named parts: `permute` (psMNIST), `core` and `head`.

The names are the fine-tuning contract: `model.get_layer("core")` is the
equivariant (or baseline) recurrent core, to freeze or not, and
`model.get_layer("head")` is the readout that `ks.load(..., num_classes=...)`
replaces.

```python
model = ks.models.copy_model("u1-rnn", 32)                       # 001 Table 2
model = ks.models.psmnist_model("u1-gru", 64, permutation_seed=0) # 001 Table 3
```
"""

import keras

from keras_symmetry import layers
from keras_symmetry.tasks import copy, psmnist


def _core(arch, units, k=None, **kwargs):
    """The recurrent core of an architecture name: `u1-rnn`, `u1-gru`, `ok-rnn`, `rnn`, `gru`.

    The baselines are Keras' own layers as in 001 eqs. 56-57 (`GRU` with
    `reset_after=True` and a ReLU candidate, `SimpleRNN` with tanh or ReLU).
    """
    kwargs.setdefault("name", "core")
    if arch == "u1-rnn":
        return layers.U1SimpleRNN(units, **kwargs)
    if arch == "u1-gru":
        return layers.U1GRU(units, **kwargs)
    if arch == "ok-rnn":
        if k is None:
            raise ValueError("An 'ok-rnn' core needs the capsule size k.")
        return layers.OkSimpleRNN(units, k, **kwargs)
    if arch == "rnn":
        kwargs.setdefault("recurrent_initializer", "identity")
        return keras.layers.SimpleRNN(units, **kwargs)
    if arch == "gru":
        kwargs.setdefault("activation", "relu")
        kwargs.setdefault("recurrent_initializer", "identity")
        return keras.layers.GRU(units, reset_after=True, **kwargs)
    raise ValueError(f"Unknown architecture {arch!r}; expected one of {ARCHS}.")


ARCHS = ("u1-rnn", "u1-gru", "ok-rnn", "rnn", "gru")


def copy_model(arch, units, k=None, name=None, **core_kwargs):
    """Copy task (001 D.2.4): one-hot `(batch, time, 10)` -> logits `(batch, time, 10)`."""
    inputs = keras.Input((None, copy.CHANNELS), name="tokens")
    hidden = _core(arch, units, k, return_sequences=True, **core_kwargs)(inputs)
    logits = keras.layers.Dense(copy.CHANNELS, name="head")(hidden)
    return keras.Model(inputs, logits, name=name or f"{arch}-copy")


def psmnist_model(arch, units, k=None, permutation_seed=0, name=None, **core_kwargs):
    """psMNIST (001 D.2.4): raw images `(batch, 28, 28)` in natural order -> logits `(batch, 10)`."""
    inputs = keras.Input((28, 28), name="images")
    sequence = psmnist.PermutePixels(psmnist.permutation(permutation_seed), name="permute")(inputs)
    hidden = _core(arch, units, k, **core_kwargs)(sequence)
    logits = keras.layers.Dense(10, name="head")(hidden)
    return keras.Model(inputs, logits, name=name or f"{arch}-psmnist")


def replace_head(model, num_classes):
    """A new model sharing every layer up to `head`, with a fresh `Dense(num_classes)` head."""
    try:
        head = model.get_layer("head")
    except ValueError as err:
        raise ValueError(f"Model {model.name!r} has no layer named 'head' to replace.") from err
    if not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer; got {num_classes!r}.")
    logits = keras.layers.Dense(num_classes, name="head")(head.input)
    return keras.Model(model.inputs, logits, name=model.name)
