"""The layers read like Keras' own: explicit signatures named as Keras names them, read-only properties, configs
that round-trip every argument, runnable docstring examples, dropout that keeps equivariance."""

import inspect
import json
import re

import keras
import numpy as np
import pytest
from conftest import to_numpy

import keras_symmetry as ks

PUBLIC = {name: getattr(ks.layers, name) for name in ks.layers.__all__}
CELLS = [name for name in PUBLIC if name.endswith("Cell")]
RECURRENT = ["U1SimpleRNN", "OkSimpleRNN", "U1GRU", "U1ConvRNN2D"]

# Arguments of `keras.layers.RNN` that the recurrent layers take as Keras' own RNN layers do: plain attributes of
# the layer (Keras' `GRU(4).return_sequences` can be set too), and `activity_regularizer`, a property of every
# Keras layer. Every other argument is the layer's own and read-only.
KERAS_ATTRIBUTES = {
    "return_sequences",
    "return_state",
    "go_backwards",
    "stateful",
    "unroll",
    "zero_output_for_mask",
    "activity_regularizer",
}


def arguments(cls):
    """The constructor's named arguments (without `self` and `**kwargs`)."""
    return [
        name
        for name, parameter in inspect.signature(cls.__init__).parameters.items()
        if name != "self" and parameter.kind is not inspect.Parameter.VAR_KEYWORD
    ]


# ---------------------------------------------------------------------------------------------------------------
# Docstrings


def python_blocks(cls):
    return re.findall(r"```python\n(.*?)```", inspect.getdoc(cls), re.S)


@pytest.mark.parametrize("name", list(PUBLIC))
def test_docstring_has_keras_sections_and_cites_papers_by_author_and_year(name):
    doc = inspect.getdoc(PUBLIC[name])
    summary, blank = doc.splitlines()[:2]
    assert summary.endswith(".") and not blank, "one-line summary, then a blank line"
    for section in ("Args:", "Call arguments:", "Input shape:", "Output shape:", "Example:", "Reference:"):
        assert f"\n{section}\n" in doc, f"{name}: no {section!r} section"
    assert re.search(r"eqs?\. \d+|appendix D\.3", doc), f"{name} names no equation of the paper"
    reference = doc.split("\nReference:\n", 1)[1]
    assert re.search(
        r"- \[Iqbal (et al\.|& Welling), 202[56]\]\(https://(arxiv\.org/abs/\d{4}\.\d{5}|openreview)", reference
    )
    assert not re.search(r"(?<![\d.])00[01](?![\d.])", doc), f"{name} cites a paper by the repository's label"
    documented = set(re.findall(r"^    (\w+):", doc.split("\nArgs:\n", 1)[1].split("\n\n", 1)[0], re.M))
    assert set(arguments(PUBLIC[name])) <= documented, f"{name}: undocumented arguments"


@pytest.mark.parametrize("name", list(PUBLIC))
def test_docstring_examples_run(name, capsys):
    blocks = python_blocks(PUBLIC[name])
    assert blocks, f"{name} has no ```python example"
    for block in blocks:
        assert "import keras_symmetry as ks" in block
        assert "assert" in block or "print(" in block, "an example ends in something checkable"
        exec(compile(block, f"<{name} docstring example>", "exec"), {})


# ---------------------------------------------------------------------------------------------------------------
# Signatures against Keras' GRU and SimpleRNN

# Keras' name -> ours, where the meaning differs.
KERNEL = {
    # Keras' `kernel` is every input kernel of its GRU (update, reset and candidate gates alike). Ours are two
    # weights with different roles: `embedding` is E of eq. 58 of Iqbal et al. 2026, which embeds the input into
    # the rotating state without bias; `gate` is the gates' real W_xr, W_xz, which see the input only.
    "kernel_initializer": {"embedding_initializer", "gate_initializer"},
    "kernel_regularizer": {"embedding_regularizer", "gate_regularizer"},
    "kernel_constraint": {"embedding_constraint", "gate_constraint"},
}
GRU_RENAMED = KERNEL
# The simple RNNs' input kernel is E alone; it keeps the name `embedding` of every cell here (E of eqs. 58, 59:
# an embedding into capsules, without bias), not Keras' `kernel`.
SIMPLE_RNN_RENAMED = {
    "kernel_initializer": {"embedding_initializer"},
    "kernel_regularizer": {"embedding_regularizer"},
    "kernel_constraint": {"embedding_constraint"},
}
KERAS_ONLY = {
    # Eq. 67 resets before the recurrent matmul, W_h (r * h): Keras' reset_after=False, the only form here.
    "reset_after",
    # No cuDNN kernel computes a complex recurrence with gates on capsule lengths.
    "use_cudnn",
}
OURS_ONLY = {
    "k",  # the capsule size of the O(k) layers
    "reset_bias",  # initial b_r and b_z (Iqbal et al. 2026, D.2.2: the update gate starts biased to keep h)
    "update_bias",
    "blank_channel",  # the copy task's blank token, whose read-in is held at zero (D.2.2)
    "epsilon",  # the eps of the radial nonlinearity (eq. 61)
    "zero_output_for_mask",  # keras.layers.RNN's own argument; Keras' GRU passes it through **kwargs
}
# Where the meaning is the same, so is the default.
SAME_DEFAULTS = {
    "activation",
    "recurrent_activation",
    "dropout",
    "recurrent_dropout",
    "seed",
    "return_sequences",
    "return_state",
    "go_backwards",
    "stateful",
    "unroll",
    "activity_regularizer",
}

PAIRS = [
    ("U1GRU", keras.layers.GRU, GRU_RENAMED),
    ("U1GRUCell", keras.layers.GRUCell, GRU_RENAMED),
    ("U1SimpleRNN", keras.layers.SimpleRNN, SIMPLE_RNN_RENAMED),
    ("U1SimpleRNNCell", keras.layers.SimpleRNNCell, SIMPLE_RNN_RENAMED),
    ("OkSimpleRNN", keras.layers.SimpleRNN, SIMPLE_RNN_RENAMED),
    ("OkSimpleRNNCell", keras.layers.SimpleRNNCell, SIMPLE_RNN_RENAMED),
]


@pytest.mark.parametrize("name, keras_class, renamed", PAIRS, ids=[pair[0] for pair in PAIRS])
def test_signature_uses_keras_names_where_the_meaning_is_the_same(name, keras_class, renamed):
    ours = inspect.signature(PUBLIC[name].__init__).parameters
    theirs = inspect.signature(keras_class.__init__).parameters
    ours_names, their_names = set(arguments(PUBLIC[name])), set(arguments(keras_class))
    shared = their_names - set(renamed) - KERAS_ONLY
    assert shared <= ours_names, f"Keras' {sorted(shared - ours_names)} missing from {name}"
    for keras_name, our_names in renamed.items():
        assert keras_name in their_names and keras_name not in ours_names
        assert our_names <= ours_names, (keras_name, our_names)
    mapped = set().union(*renamed.values())
    assert ours_names - their_names <= mapped | OURS_ONLY, f"{name}: unexplained names {ours_names - their_names}"
    assert list(ours)[1] == "units"
    for argument in SAME_DEFAULTS & shared:
        assert ours[argument].default == theirs[argument].default, argument


@pytest.mark.parametrize("name", list(PUBLIC))
def test_every_argument_is_a_read_only_property_and_in_the_config(name):
    cls = PUBLIC[name]
    layer = make(name, **NON_DEFAULT[name])
    config = layer.get_config()
    assert set(arguments(cls)) <= set(config)
    for argument in arguments(cls):
        assert hasattr(layer, argument), f"{name}.{argument}"
        if argument in KERAS_ATTRIBUTES:
            continue
        assert isinstance(inspect.getattr_static(layer, argument), property), f"{name}.{argument}"
        with pytest.raises(AttributeError):
            setattr(layer, argument, object())
    for argument in arguments(cls):
        value = getattr(layer, argument)
        if value is None or isinstance(value, (bool, int, float, str, tuple)):  # else an object, serialized
            assert config[argument] == (list(value) if isinstance(value, tuple) else value), argument


def test_rnn_layer_properties_forward_to_the_cell():
    gru = ks.layers.U1GRU(3, recurrent_activation="hard_sigmoid", gate_regularizer="l2", dropout=0.2)
    assert gru.units == gru.cell.units == 3
    assert gru.recurrent_activation is gru.cell.recurrent_activation is keras.activations.hard_sigmoid
    assert gru.gate_regularizer is gru.cell.gate_regularizer and isinstance(gru.gate_regularizer, keras.regularizers.L2)
    assert gru.dropout == 0.2 and gru.recurrent_dropout == 0.0
    with pytest.raises(AttributeError):
        gru.units = 4
    with pytest.raises(AttributeError):
        gru.cell.units = 4


# ---------------------------------------------------------------------------------------------------------------
# get_config round trip with every argument at a non-default value

COMMON = {
    "activation": "softsign",
    "use_bias": True,
    "embedding_initializer": "standard",
    "recurrent_initializer": "standard",
    "bias_initializer": "random_normal",
    "embedding_regularizer": "l2",
    "recurrent_regularizer": keras.regularizers.L1L2(l1=0.01, l2=0.02),
    "bias_regularizer": "l1",
    "embedding_constraint": keras.constraints.MaxNorm(3.0),
    "recurrent_constraint": "unit_norm",
    "bias_constraint": "non_neg",
    "dropout": 0.25,
    "recurrent_dropout": 0.5,
    "seed": 7,
    "blank_channel": 1,
    "epsilon": 1e-6,
}
GRU_ONLY = {
    "recurrent_activation": "hard_sigmoid",
    "gate_initializer": "glorot_uniform",
    "gate_regularizer": "l1",
    "gate_constraint": "non_neg",
    "reset_bias": 0.5,
    "update_bias": 1.0,
    "embedding_initializer": "low_stddev",
}
GRID = {"grid_shape": (3, 2), "kernel_size": 1, "padding_mode": "circular", "recurrent_initializer": "identity"}
RNN_OPTIONS = {
    "return_sequences": True,
    "return_state": True,
    "go_backwards": True,
    "stateful": True,
    "unroll": True,
    "zero_output_for_mask": True,
    "activity_regularizer": "l2",
}
DENSE = {
    "use_bias": True,
    "kernel_initializer": ks.initializers.SigmaW(2.0),
    "bias_initializer": "ones",
    "kernel_regularizer": "l2",
    "bias_regularizer": "l1",
    "activity_regularizer": "l1",
    "kernel_constraint": "max_norm",
    "bias_constraint": "non_neg",
}
NON_DEFAULT = {
    "U1SimpleRNNCell": {"units": 3, **COMMON},
    "OkSimpleRNNCell": {"units": 2, "k": 3, **COMMON},
    "U1GRUCell": {"units": 3, **COMMON, **GRU_ONLY},
    "U1ConvRNN2DCell": {"filters": 2, **COMMON, **GRID},
    "U1SimpleRNN": {"units": 3, **COMMON, **RNN_OPTIONS},
    "OkSimpleRNN": {"units": 2, "k": 3, **COMMON, **RNN_OPTIONS},
    "U1GRU": {"units": 3, **COMMON, **GRU_ONLY, **RNN_OPTIONS},
    "U1ConvRNN2D": {"filters": 2, **COMMON, **GRID, **RNN_OPTIONS},
    "U1Dense": {"units": 3, **DENSE},
    "OkDense": {"units": 3, "k": 4, **DENSE},
    "RadialActivation": {"k": 4, "activation": "sigmoid", "epsilon": 1e-6},
    "KuramotoConv2D": {
        "kernel_size": 3,
        "steps": 4,
        "gamma": 0.1,
        "symmetry_breaking": True,
        "eta0": 0.05,
        "padding_mode": "circular",
        "return_trajectory": True,
        "kernel_initializer": "he_normal",
        "bias_initializer": "ones",
        "kernel_regularizer": "l2",
        "bias_regularizer": "l1",
        "activity_regularizer": "l1",
        "kernel_constraint": "max_norm",
        "bias_constraint": "non_neg",
        "epsilon": 1e-6,
        "seed": 3,
    },
}
INPUTS = {
    "RadialActivation": (2, 8),
    "U1Dense": (2, 8),
    "OkDense": (2, 8),
    "KuramotoConv2D": (2, 5, 5, 3),
}


def make(name, **kwargs):
    return PUBLIC[name](**kwargs)


def outputs(layer, x, name):
    if name.endswith("Cell"):
        result = layer(x, [np.full((x.shape[0], layer.state_size), 0.1, "float32")])
        result = [result[0], *result[1]]
    else:
        result = layer(x)
    return [to_numpy(o) for o in (result if isinstance(result, (list, tuple)) else [result])]


@pytest.mark.parametrize("name", list(PUBLIC))
def test_config_round_trips_every_argument(name, rng):
    kwargs = NON_DEFAULT[name]
    signature = inspect.signature(PUBLIC[name].__init__).parameters
    assert set(kwargs) == set(arguments(PUBLIC[name])), "every argument is set"
    for argument, value in kwargs.items():
        default = signature[argument].default
        assert default is inspect.Parameter.empty or value != default, f"{argument} left at its default"
    layer = make(name, **kwargs)
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    restored = keras.layers.deserialize(json.loads(json.dumps(keras.layers.serialize(layer))))
    assert type(restored) is type(layer) and restored.get_config() == config
    shape = INPUTS.get(name, (2, 4) if name.endswith("Cell") else (2, 5, 4))
    x = rng.normal(size=shape).astype("float32")
    expected = outputs(layer, x, name)
    clone.build(x.shape)
    clone.set_weights(layer.get_weights())
    for a, b in zip(outputs(clone, x, name), expected):
        np.testing.assert_allclose(a, b, atol=1e-6)


@pytest.mark.parametrize("name", ["U1GRU", "U1GRUCell"])
def test_configs_with_legacy_names_still_load(name):
    """Configs saved before `gate_activation` became Keras' `recurrent_activation` (the zoo's presets) load."""
    config = make(name, units=3).get_config()
    config["gate_activation"] = config.pop("recurrent_activation")
    config["gate_activation"] = "hard_sigmoid"
    layer = PUBLIC[name].from_config(config)
    assert layer.recurrent_activation is keras.activations.hard_sigmoid
    assert "gate_activation" not in layer.get_config()
    serialized = keras.layers.serialize(make(name, units=3))
    serialized["config"].pop("recurrent_activation")
    serialized["config"]["gate_activation"] = "hard_sigmoid"
    assert keras.layers.deserialize(serialized).recurrent_activation is keras.activations.hard_sigmoid
    with pytest.raises(ValueError, match="legacy name"):
        PUBLIC[name].from_config({**config, "recurrent_activation": "sigmoid"})
    with pytest.raises((TypeError, ValueError)):  # the legacy name is for old configs only
        PUBLIC[name](3, gate_activation="sigmoid")


# ---------------------------------------------------------------------------------------------------------------
# Dropout

SMALL = {
    "U1SimpleRNN": lambda **kw: ks.layers.U1SimpleRNN(3, recurrent_initializer="standard", **kw),
    "OkSimpleRNN": lambda **kw: ks.layers.OkSimpleRNN(3, 3, recurrent_initializer="standard", **kw),
    "U1GRU": lambda **kw: ks.layers.U1GRU(3, recurrent_initializer="standard", **kw),
    "U1ConvRNN2D": lambda **kw: ks.layers.U1ConvRNN2D(2, (3, 3), padding_mode="circular", **kw),
}
DROPOUT = {"dropout": 0.4, "recurrent_dropout": 0.4, "seed": 1}


def run(layer, x, **kwargs):
    return to_numpy(layer(x, **kwargs))


@pytest.mark.parametrize("name", RECURRENT)
def test_dropout_only_in_training_and_inference_equals_no_dropout(name, rng):
    x = rng.normal(size=(4, 5, 4)).astype("float32")
    plain = SMALL[name](embedding_initializer="standard", return_sequences=True)
    dropped = SMALL[name](embedding_initializer="standard", return_sequences=True, **DROPOUT)
    reference = run(plain, x)
    dropped.build(x.shape)
    dropped.set_weights(plain.get_weights())
    assert plain.cell.seed_generator is None  # without dropout nothing random is drawn
    np.testing.assert_array_equal(run(dropped, x), reference)
    np.testing.assert_array_equal(run(dropped, x, training=False), reference)
    np.testing.assert_array_equal(run(plain, x, training=True), reference)
    first, second = run(dropped, x, training=True), run(dropped, x, training=True)
    assert np.abs(first - reference).max() > 1e-4
    assert np.abs(first - second).max() > 1e-4  # new masks for every sequence batch


@pytest.mark.parametrize("name", RECURRENT)
@pytest.mark.parametrize("which", ["dropout", "recurrent_dropout"])
def test_fast_loop_drops_what_the_cell_in_keras_rnn_drops(name, which, rng):
    """The layer's loop (input mask on the sequence, per-capsule mask passed with the weights) computes what
    `keras.layers.RNN(cell)` computes with the same masks."""
    x = rng.normal(size=(3, 5, 4)).astype("float32")
    layer = SMALL[name](embedding_initializer="standard", return_sequences=True, seed=2, **{which: 0.5})
    plain = keras.layers.RNN(layer.cell, return_sequences=True)
    fast = run(layer, x, training=True)
    start = to_numpy(layer.cell.seed_generator.state)
    results = []
    for rnn in (layer, plain):
        layer.cell.seed_generator.state.assign(start)
        out = rnn(x, training=True)
        results.append(to_numpy(out).reshape(out.shape[0], out.shape[1], -1))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-6)
    assert np.abs(results[0].reshape(fast.shape) - fast).max() > 1e-4  # a new draw gives new masks


def test_recurrent_dropout_drops_whole_capsules(rng):
    cell = ks.layers.OkSimpleRNNCell(50, k=3, recurrent_dropout=0.5, seed=0)
    mask = to_numpy(cell.get_recurrent_dropout_mask(np.ones((4, 150), "float32"))).reshape(4, 50, 3)
    assert set(np.unique(mask)) == {0.0, 2.0}
    assert (mask == mask[..., :1]).all()  # one scalar per capsule: it commutes with O(3)


GROUPS = {
    "U1SimpleRNN": ks.groups.U1(),
    "OkSimpleRNN": ks.groups.O(3),
    "U1GRU": ks.groups.U1(),
    "U1ConvRNN2D": ks.groups.U1(),
}


@pytest.mark.parametrize("name", RECURRENT)
def test_dropout_keeps_equivariance_in_training(name, rng):
    """As `ks.checks`' rotated-embedding cases, under `training=True` with both dropouts (the same masks for
    `x` and `g x`: the seed generator restarts for every call)."""
    layer = SMALL[name](return_sequences=True, **DROPOUT)
    x = rng.normal(size=(3, 5, 4)).astype("float32")
    layer(x)
    size = layer.cell.state_size
    start = to_numpy(layer.cell.seed_generator.state)

    def fn(embedding, h0):
        layer.cell.seed_generator.state.assign(start)
        layer.cell.embedding.assign(embedding)
        return layer(x, initial_state=h0, training=True)

    args = (0.5 * rng.normal(size=(4, size)).astype("float32"), 0.5 * rng.normal(size=(3, size)).astype("float32"))
    assert np.abs(to_numpy(fn(*args)) - to_numpy(layer(x, initial_state=args[1]))).max() > 1e-4  # it did drop
    ks.testing.assert_equivariant(fn, GROUPS[name], args, samples=2, atol=1e-4)


@pytest.mark.parametrize("name", ["U1GRU", "OkSimpleRNN"])
def test_a_model_with_dropout_trains(name, rng):
    model = keras.Sequential([keras.Input((5, 4)), SMALL[name](**DROPOUT), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(rng.normal(size=(8, 5, 4)), np.ones((8, 2)), batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="torch.compile path exists on the torch backend only")
def test_torch_compiled_step_drops_the_same(rng):
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    layer = ks.layers.U1GRU(4, return_sequences=True, recurrent_initializer="standard", **DROPOUT)
    layer(x)
    start = to_numpy(layer.cell.seed_generator.state)
    eager = run(layer, x, training=True)
    layer.cell.seed_generator.state.assign(start)
    with ks.performance.settings(torch_compile=True):
        np.testing.assert_allclose(run(layer, x, training=True), eager, atol=1e-5)
    assert layer._torch_step_dropout is not None
