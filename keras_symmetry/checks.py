"""The equivariance check of every layer, and of its symmetry-broken variant.

Shared by the test suite and by `keras-symmetry check`, so what users run is
what CI asserts. Each case builds a small layer, a function of the transformed
arguments and the arguments themselves:

* feed-forward layers: `x -> layer(x)`;
* recurrent layers with zero inputs: `h0 -> layer(0, initial_state=h0)` (every
  output must rotate with `h0`);
* recurrent layers with real inputs: `(E, h0) -> layer(x, initial_state=h0)`
  with the embedding `E` set from the argument. Rotating `E` rotates
  `u = E x`, so this checks the whole update `(u, h) -> h'` at nonzero input.

The broken variants (a bias, an elementwise nonlinearity, a generic dense
layer, the bias `c` of Iqbal & Welling 2025, eq. 8) must fail the same check: that is what shows
the check can fail.
"""

import dataclasses

import keras
import numpy as np

from keras_symmetry import groups, initializers, layers

BATCH, TIME, FEATURES = 3, 6, 5


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    group: groups.Group
    make: callable  # (broken: bool, rng) -> (fn, args)
    atol: float = 1e-5


def _normal(rng, *shape):
    return rng.normal(size=shape).astype("float32")


def _pointwise(build):
    def make(broken, rng):
        layer, width = build(broken)
        return layer, (_normal(rng, BATCH, 2, width),)

    return make


def _from_initial_state(layer, features, rng):
    """`h0 -> layer(0, initial_state=h0)` and a random `h0`: with zero inputs every output must rotate with `h0`."""
    zeros = np.zeros((BATCH, TIME, features), "float32")
    return (lambda h: layer(zeros, initial_state=h)), (_normal(rng, BATCH, layer.cell.state_size),)


def _zero_input(build):
    def make(broken, rng):
        return _from_initial_state(build(broken, return_sequences=True), FEATURES, rng)

    return make


def _rotated_embedding(build):
    def make(broken, rng):
        layer = build(broken, return_sequences=True)
        x = _normal(rng, BATCH, TIME, FEATURES)
        layer(x)
        h0 = 0.5 * _normal(rng, BATCH, layer.cell.state_size)
        embedding = 0.5 * _normal(rng, FEATURES, layer.cell.state_size)

        def run(e, h):
            layer.cell.embedding.assign(e)
            return layer(x, initial_state=h)

        return run, (embedding, h0)

    return make


def _bias(broken):
    return {"use_bias": True, "bias_initializer": "random_normal"} if broken else {}


def _u1_rnn(broken, **kw):
    return layers.U1SimpleRNN(4, recurrent_initializer="standard", **_bias(broken), **kw)


def _ok_rnn(broken, **kw):
    return layers.OkSimpleRNN(3, 3, recurrent_initializer="standard", **_bias(broken), **kw)


def _u1_gru(broken, **kw):
    return layers.U1GRU(4, recurrent_initializer="standard", **_bias(broken), **kw)


def _u1_conv_rnn(broken, **kw):
    return layers.U1ConvRNN2D(2, (4, 5), padding_mode="circular", **_bias(broken), **kw)


def _kuramoto(broken, rng):
    layer = layers.KuramotoConv2D(kernel_size=3, steps=5, symmetry_breaking=broken)
    return layer, (_normal(rng, BATCH, 6, 6, 4),)


def _radial(k):
    def build(broken):
        return (keras.layers.Activation("tanh") if broken else layers.RadialActivation(k)), 4 * k

    return build


def _dense(group_layer, k):
    def build(broken):
        return group_layer(**_bias(broken)), 3 * k

    return build


def _generic_dense(k):
    """The generic deep-MLP block (Iqbal et al. 2026, Figs. 3, 4): unconstrained dense, same sigma_w, radial tanh."""

    def build(broken):
        dense = (
            keras.layers.Dense(4 * k, use_bias=False, kernel_initializer=initializers.SigmaW(1.5))
            if broken
            else layers.OkDense(4, k, kernel_initializer=initializers.SigmaW(1.5))
        )
        return keras.Sequential([dense, layers.RadialActivation(k)]), 3 * k

    return build


U1, O3, O4, Z2 = groups.U1(), groups.O(3), groups.O(4), groups.Z2()

CASES = [
    Case("RadialActivation(k=2)", U1, _pointwise(_radial(2))),
    Case("RadialActivation(k=4)", O4, _pointwise(_radial(4))),
    Case("U1Dense", U1, _pointwise(_dense(lambda **kw: layers.U1Dense(4, **kw), 2))),
    Case("OkDense(k=4)", O4, _pointwise(_dense(lambda **kw: layers.OkDense(4, 4, **kw), 4))),
    Case("OkDense+RadialActivation (deep-MLP block)", O4, _pointwise(_generic_dense(4))),
    Case("U1SimpleRNN, zero input", U1, _zero_input(_u1_rnn), 1e-4),
    Case("U1SimpleRNN, rotated embedding", U1, _rotated_embedding(_u1_rnn), 1e-4),
    Case("OkSimpleRNN(k=3), zero input", O3, _zero_input(_ok_rnn), 1e-4),
    Case("OkSimpleRNN(k=3), rotated embedding", O3, _rotated_embedding(_ok_rnn), 1e-4),
    Case("U1GRU, zero input", U1, _zero_input(_u1_gru), 1e-4),
    Case("U1GRU, rotated embedding", U1, _rotated_embedding(_u1_gru), 1e-4),
    Case("U1ConvRNN2D, zero input", U1, _zero_input(_u1_conv_rnn), 1e-4),
    Case("U1ConvRNN2D, rotated embedding", U1, _rotated_embedding(_u1_conv_rnn), 1e-4),
    Case("KuramotoConv2D", Z2, _kuramoto),
]


def run_case(case, broken=False, seed=0):
    """The largest equivariance error of the case over a few group elements."""
    from keras_symmetry.testing import equivariance_error

    rng = np.random.default_rng(seed)
    fn, args = case.make(broken, rng)
    outputs = fn(*args)
    return max(equivariance_error(fn, g, args, outputs) for g in case.group.test_elements(3, seed=seed))


def group_of(layer):
    """The group a core layer is equivariant under, or `None` for a baseline or a symmetry-broken twin."""
    if isinstance(layer, (layers.U1SimpleRNN, layers.U1GRU, layers.U1ConvRNN2D)) and not layer.cell.use_bias:
        return groups.U1()
    if isinstance(layer, layers.OkSimpleRNN) and not layer.cell.use_bias:
        return groups.O(layer.k)
    if isinstance(layer, layers.KuramotoConv2D) and not layer.symmetry_breaking:
        return groups.Z2()
    if isinstance(layer, keras.Sequential):  # a deep-MLP core: every linear layer must be equivariant
        linear = [sub for sub in layer.layers if not isinstance(sub, layers.RadialActivation)]
        if linear and all(isinstance(sub, layers.U1Dense) and not sub.use_bias for sub in linear):
            return groups.U1()
        if linear and all(isinstance(sub, layers.OkDense) and not sub.use_bias for sub in linear):
            return groups.O(linear[0].k)
    return None


def core_equivariance(model, seed=0):
    """`{"group", "error"}` of the model's `core` layer, or `None` for a baseline core.

    Recurrent cores: zero inputs, a random initial state rotated by random
    group elements (every output must rotate with it). Kuramoto cores: random
    oscillators flipped by -1. Deep-MLP cores: random capsule inputs.
    """
    from keras_symmetry.testing import equivariance_error

    try:
        core = model.get_layer("core")
    except ValueError:
        return None
    group = group_of(core)
    if group is None:
        return None
    rng = np.random.default_rng(seed)
    if isinstance(core, layers.KuramotoConv2D):
        fn, args = core, (_normal(rng, BATCH, 8, 8, core.kernel.shape[-1]),)
    elif isinstance(core, keras.Sequential):
        fn, args = core, (_normal(rng, BATCH, core.input.shape[-1]),)
    else:
        fn, args = _from_initial_state(core, core.input.shape[-1], rng)
    outputs = fn(*args)
    error = max(equivariance_error(fn, g, args, outputs) for g in group.test_elements(3, seed=seed))
    inputs = (
        "random inputs"
        if isinstance(core, (layers.KuramotoConv2D, keras.Sequential))
        else "zero inputs, random initial state"
    )
    return {"group": group.name, "error": error, "inputs": inputs}
