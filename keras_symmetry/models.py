"""The papers' models, built with named parts: `permute` (psMNIST), `embed`, `core` and `head`.

The names are the fine-tuning contract: `model.get_layer("core")` is the
equivariant (or baseline) recurrent core, to freeze or not, and
`model.get_layer("head")` is the readout that `ks.load(..., num_classes=...)`
replaces.

```python
model = ks.models.copy_model("u1-rnn", 32)                       # Iqbal et al. 2026, Table 2
model = ks.models.psmnist_model("u1-gru", 64, permutation_seed=0) # Iqbal et al. 2026, Table 3
model = ks.models.mlp_model("u1", 64, depth=100, sigma_w=1.5)     # Iqbal et al. 2026, Figs. 3, 11
model = ks.models.kuramoto_model(symmetry_breaking=False)         # Iqbal & Welling 2025, A.1
```
"""

import keras

from keras_symmetry import initializers, layers
from keras_symmetry.tasks import copy, images, psmnist


def _core(arch, units, k=None, grid=None, **kwargs):
    """The recurrent core of an architecture name: `u1-rnn`, `u1-gru`, `ok-rnn`, `u1-convrnn`, `rnn`, `gru`.

    The baselines are Keras' own layers as in Iqbal et al. 2026, eqs. 56-57 (`GRU` with
    `reset_after=True` and a ReLU candidate, `SimpleRNN` with tanh or ReLU);
    their identity recurrent initialisation puts an identity in every gate
    block (Iqbal et al. 2026, D.2.2), not only the first.
    """
    kwargs.setdefault("name", "core")
    if arch == "u1-convrnn":
        if grid is None:
            raise ValueError("A 'u1-convrnn' core needs the grid side `grid` (Iqbal et al. 2026, D.3: 20).")
        return layers.U1ConvRNN2D(units, grid_shape=(grid, grid), **kwargs)
    if arch == "u1-rnn":
        return layers.U1SimpleRNN(units, **kwargs)
    if arch == "u1-gru":
        return layers.U1GRU(units, **kwargs)
    if arch == "ok-rnn":
        if k is None:
            raise ValueError("An 'ok-rnn' core needs the capsule size k.")
        return layers.OkSimpleRNN(units, k, **kwargs)
    if arch in ("rnn", "gru"):
        for key, default in (("kernel_initializer", "standard"), ("recurrent_initializer", "identity")):
            kwargs[key] = initializers.resolve(kwargs.get(key, default), units)
        if arch == "rnn":
            return keras.layers.SimpleRNN(units, **kwargs)
        kwargs.setdefault("activation", "relu")
        return keras.layers.GRU(units, reset_after=True, **kwargs)
    raise ValueError(f"Unknown architecture {arch!r}; expected one of {ARCHS}.")


ARCHS = ("u1-rnn", "u1-gru", "ok-rnn", "u1-convrnn", "rnn", "gru")


def copy_model(arch, units, k=None, grid=None, name=None, **core_kwargs):
    """Copy task (Iqbal et al. 2026, D.2.4): one-hot `(batch, time, 10)` -> logits `(batch, time, 10)`.

    `arch="u1-convrnn"` is the 2D convolutional U(1) RNN of Iqbal et al. 2026, D.3 (`units`
    complex channels on a `grid x grid` lattice); its grid states are flattened
    per step before the linear readout.
    """
    inputs = keras.Input((None, copy.CHANNELS), name="tokens")
    hidden = _core(arch, units, k, grid, return_sequences=True, **core_kwargs)(inputs)
    if arch == "u1-convrnn":
        hidden = keras.layers.Reshape((-1, grid * grid * 2 * units), name="flatten")(hidden)
    logits = keras.layers.Dense(copy.CHANNELS, name="head")(hidden)
    return keras.Model(inputs, logits, name=name or f"{arch}-copy")


def psmnist_model(arch, units, k=None, permutation_seed=0, name=None, num_classes=10, **core_kwargs):
    """psMNIST (Iqbal et al. 2026, D.2.4): raw images `(batch, 28, 28)` in natural order
    -> logits `(batch, num_classes)`."""
    inputs = keras.Input((28, 28), name="images")
    sequence = psmnist.PermutePixels(psmnist.permutation(permutation_seed), name="permute")(inputs)
    hidden = _core(arch, units, k, **core_kwargs)(sequence)
    logits = keras.layers.Dense(num_classes, name="head")(hidden)
    return keras.Model(inputs, logits, name=name or f"{arch}-psmnist")


MLP_GROUPS = ("u1", "ok", "generic")
MLP_BASELINES = ("ours", "dense-radial")


def mlp_model(group, units, depth=100, sigma_w=1.5, k=2, activation="tanh", name=None, num_classes=10, baseline="ours"):
    """The deep MLP of Iqbal et al. 2026, §2 (eqs. 4-5) on flattened images `(batch, 784)`
    -> logits `(batch, num_classes)`.

    A generic read-in `embed` (784 -> units*k), then `core`: `depth` layers
    `z^{l+1} = W^l phi(z^l)` with phi the radial activation on k-capsules and W
    complex (`group="u1"`, k=2), `w (x) I_k` (`group="ok"`) or an unconstrained
    real matrix (`group="generic"`, the baseline of Figs. 3, 11), all drawn from
    `SigmaW(sigma_w)` so that the transition sits at `sigma_w = 1` (eq. 35);
    then phi and a generic readout `head`.

    `baseline` sets the generic baseline's weight scale, N = `units * k` its real features: `"ours"` draws
    `SigmaW(sigma_w)`, std `sigma_w / sqrt(N)` (the authors' U(1) panel); `"dense-radial"` draws std
    `sigma_w / sqrt(N / k)`, the authors' O(k) panel's baseline (a plain dense layer before the O(k) radial
    tanh, their code `std_scan.py`), whose weights are `sqrt(k)` times larger at the same `sigma_w`.
    """
    if group not in MLP_GROUPS:
        raise ValueError(f"Unknown MLP group {group!r}; expected one of {MLP_GROUPS}.")
    if group == "u1" and k != 2:
        raise ValueError(f"A U(1) MLP has complex capsules, k=2; got k={k}.")
    if not isinstance(depth, int) or depth < 1:
        raise ValueError(f"depth must be a positive integer; got {depth!r}.")
    if baseline not in MLP_BASELINES:
        raise ValueError(f"Unknown MLP baseline {baseline!r}; expected one of {MLP_BASELINES}.")
    if baseline != "ours" and group != "generic":
        raise ValueError(f"Only the generic baseline has a kind; group {group!r} takes baseline='ours'.")

    def linear(i):
        init = initializers.SigmaW(sigma_w)
        if group == "u1":
            return layers.U1Dense(units, kernel_initializer=init, name=f"linear_{i}")
        if group == "ok":
            return layers.OkDense(units, k, kernel_initializer=init, name=f"linear_{i}")
        if baseline == "dense-radial":  # std sigma_w / sqrt(N / k) = sigma_w / sqrt(units)
            init = keras.initializers.RandomNormal(stddev=sigma_w / units**0.5)
        return keras.layers.Dense(units * k, use_bias=False, kernel_initializer=init, name=f"linear_{i}")

    core = keras.Sequential(name="core")
    core.add(keras.Input((units * k,)))
    for i in range(depth):
        core.add(layers.RadialActivation(k, activation, name=f"phi_{i}"))
        core.add(linear(i))
    inputs = keras.Input((images.PIXELS,), name="pixels")
    z = keras.layers.Dense(units * k, name="embed")(inputs)
    features = layers.RadialActivation(k, activation, name="phi_out")(core(z))
    logits = keras.layers.Dense(num_classes, name="head")(features)
    return keras.Model(inputs, logits, name=name or f"{group}-mlp")


def kuramoto_model(size=None, channels=16, symmetry_breaking=False, name=None, **core_kwargs):
    """The shapes network of Iqbal & Welling 2025, A.1: pixels `(batch, L, L, 1)` (+-0.5) -> pixels `(batch, L, L, 1)`.

    `embed` = pointwise `Dense(channels)` **without bias** (so black <-> white is
    x -> -x), `core` = `KuramotoConv2D` (defaults kernel 5, gamma 0.25, T=30),
    `head` = pointwise `Dense(1)` with bias. `size=None` accepts any lattice size.
    """
    inputs = keras.Input((size, size, 1), name="pixels")
    x = keras.layers.Dense(channels, use_bias=False, name="embed")(inputs)
    x = layers.KuramotoConv2D(symmetry_breaking=symmetry_breaking, name="core", **core_kwargs)(x)
    outputs = keras.layers.Dense(1, name="head")(x)
    return keras.Model(inputs, outputs, name=name or ("kuramoto" if symmetry_breaking else "z2-kuramoto"))


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
