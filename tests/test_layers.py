"""The layers compute exactly the papers' equations: NumPy references, sizes, initialisations."""

import math

import keras
import numpy as np
import pytest
import small_models
from conftest import to_numpy

import keras_symmetry as ks


def as_complex(x):
    """(..., 2N) interleaved (Re, Im) -> complex (..., N)."""
    return x[..., 0::2] + 1j * x[..., 1::2]


def radial_tanh(z, eps=1e-8):
    r = np.abs(z)
    return np.tanh(r) / (r + eps) * z


def weights(layer, name):
    return {w.path.split("/")[-1]: to_numpy(w) for w in layer.weights}[name]


def test_radial_activation_matches_eq_61(rng):
    x = rng.normal(size=(4, 10)).astype("float32")
    y = to_numpy(ks.layers.RadialActivation(2)(x))
    np.testing.assert_allclose(as_complex(y), radial_tanh(as_complex(x)), rtol=1e-5, atol=1e-6)


def test_radial_activation_other_functions_and_k(rng):
    x = rng.normal(size=(3, 12)).astype("float32")
    caps = x.reshape(3, 4, 3)
    r = np.linalg.norm(caps, axis=-1, keepdims=True)
    expected = (r / (1 + r)) / (r + 1e-8) * caps
    y = to_numpy(ks.layers.RadialActivation(3, activation="softsign")(x))
    np.testing.assert_allclose(y, expected.reshape(3, 12), rtol=1e-5, atol=1e-6)


def test_radial_activation_is_zero_with_finite_gradient_at_zero():
    model = keras.Sequential([keras.Input((4,)), ks.layers.U1Dense(2), ks.layers.RadialActivation(2)])
    model.compile(optimizer="sgd", loss="mse")
    loss = model.train_on_batch(np.zeros((2, 4), "float32"), np.ones((2, 4), "float32"))
    assert math.isfinite(float(loss))
    assert all(np.isfinite(to_numpy(w)).all() for w in model.weights)


def test_u1_dense_is_complex_matmul(rng):
    x = rng.normal(size=(5, 6)).astype("float32")
    layer = ks.layers.U1Dense(4)
    y = to_numpy(layer(x))
    kernel = weights(layer, "kernel")
    w = kernel[0] + 1j * kernel[1]  # (fan_in, units)
    np.testing.assert_allclose(as_complex(y), as_complex(x) @ w, rtol=1e-5, atol=1e-5)
    assert layer.count_params() == 2 * 3 * 4


def test_ok_dense_is_w_kron_identity(rng):
    x = rng.normal(size=(2, 3, 12)).astype("float32")
    layer = ks.layers.OkDense(5, 4)
    y = to_numpy(layer(x))
    w = weights(layer, "kernel")
    np.testing.assert_allclose(y, x @ np.kron(w, np.eye(4)), rtol=1e-5, atol=1e-5)
    assert layer.count_params() == 3 * 5


@pytest.mark.parametrize("k", [2, 4])
def test_sigma_w_normalisation_eq_35(k):
    """E|W_ij|^2 = sigma_w^2 / N per entry in total, for U(1) (two parts) and O(k)."""
    n, sigma = 400, 1.7
    init = ks.initializers.SigmaW(sigma)
    shape = (2, n, n) if k == 2 else (n, n)
    w = to_numpy(init(shape))
    per_entry = (w**2).sum(axis=0) if k == 2 else w**2
    assert per_entry.mean() == pytest.approx(sigma**2 / n, rel=0.02)


def test_capsule_identity_initializer():
    ident = ks.initializers.CapsuleIdentity()
    np.testing.assert_array_equal(to_numpy(ident((3, 6))), np.tile(np.eye(3), 2))
    complex_eye = to_numpy(ident((2, 3, 3)))
    np.testing.assert_array_equal(complex_eye[0], np.eye(3))
    np.testing.assert_array_equal(complex_eye[1], 0)
    conv = to_numpy(ident((2, 3, 3, 2, 2)))
    assert conv[0, 1, 1].tolist() == np.eye(2).tolist() and np.abs(conv).sum() == 2
    with pytest.raises(ValueError, match="cannot initialise"):
        ident((4, 3))


def _u1_rnn_reference(x, emb, w, h):
    u = as_complex(x @ emb)
    return radial_tanh(u + h @ w)


def test_u1_simple_rnn_matches_eq_60(rng):
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    layer = ks.layers.U1SimpleRNN(4, recurrent_initializer="standard", return_sequences=True)
    y = as_complex(to_numpy(layer(x)))
    emb = weights(layer, "embedding")
    rk = weights(layer, "recurrent_kernel")
    w = rk[0] + 1j * rk[1]
    h = np.zeros((2, 4), complex)
    for t in range(5):
        h = _u1_rnn_reference(x[:, t], emb, w, h)
        np.testing.assert_allclose(y[:, t], h, rtol=1e-4, atol=1e-5)


def test_ok_simple_rnn_matches_eq_64(rng):
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    k, n = 3, 4
    layer = ks.layers.OkSimpleRNN(n, k, recurrent_initializer="standard", embedding_initializer="standard")
    y = to_numpy(layer(x))
    emb, a = weights(layer, "embedding"), weights(layer, "recurrent_kernel")
    h = np.zeros((2, n, k))
    for t in range(5):
        q = (x[:, t] @ emb).reshape(2, n, k) + np.einsum("bnk,nm->bmk", h, a)
        r = np.linalg.norm(q, axis=-1, keepdims=True)
        h = np.tanh(r) / (r + 1e-8) * q
    np.testing.assert_allclose(y, h.reshape(2, n * k), rtol=1e-4, atol=1e-5)


def test_u1_gru_matches_eq_67(rng):
    x = rng.normal(size=(2, 6, 3)).astype("float32")
    n = 4
    layer = ks.layers.U1GRU(
        n, recurrent_initializer="standard", embedding_initializer="standard", return_sequences=True
    )
    y = as_complex(to_numpy(layer(x)))
    emb, rk = weights(layer, "embedding"), weights(layer, "recurrent_kernel")
    gk, gr, gb = (weights(layer, name) for name in ("gate_kernel", "gate_recurrent_kernel", "gate_bias"))
    w = rk[0] + 1j * rk[1]
    sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    h = np.zeros((2, n), complex)
    for t in range(6):
        gates = sigmoid(x[:, t] @ gk + np.abs(h) @ gr + gb)
        r, z = gates[:, :n], gates[:, n:]
        cand = radial_tanh(as_complex(x[:, t] @ emb) + (r * h) @ w)
        h = z * h + (1 - z) * cand
        np.testing.assert_allclose(y[:, t], h, rtol=1e-4, atol=1e-5)


def test_u1_gru_default_initialisation_d22():
    layer = ks.layers.U1GRU(8)
    layer(np.zeros((1, 2, 3), "float32"))
    np.testing.assert_array_equal(weights(layer, "gate_bias"), [0.0] * 8 + [2.0] * 8)
    rk = weights(layer, "recurrent_kernel")
    np.testing.assert_array_equal(rk[0], np.eye(8))
    np.testing.assert_array_equal(rk[1], 0)
    np.testing.assert_array_equal(weights(layer, "gate_recurrent_kernel"), np.tile(np.eye(8), 2))
    assert np.abs(weights(layer, "gate_kernel")).max() <= 1 / math.sqrt(8)


def test_low_variance_and_standard_embeddings():
    big = ks.layers.U1SimpleRNN(256)
    big(np.zeros((1, 1, 64), "float32"))
    assert weights(big, "embedding").var() == pytest.approx(1e-3, rel=0.05)
    torch_reading = ks.layers.U1SimpleRNN(256, embedding_initializer="low_stddev")
    torch_reading(np.zeros((1, 1, 64), "float32"))
    assert weights(torch_reading, "embedding").std() == pytest.approx(1e-3, rel=0.05)
    std = ks.layers.U1SimpleRNN(256, embedding_initializer="standard", recurrent_initializer="standard")
    std(np.zeros((1, 1, 64), "float32"))
    for name in ("embedding", "recurrent_kernel"):
        values = weights(std, name)
        assert np.abs(values).max() <= 1 / 16 and values.std() == pytest.approx(1 / 16 / math.sqrt(3), rel=0.05)


@pytest.mark.parametrize(
    "build, params",
    [
        # Iqbal et al. 2026, Table 2: U(1) RNN N=32 on the copy task, 3.3K; U(1) GRU N=32, 6.1K (readout 64 -> 10).
        (lambda: ks.layers.U1SimpleRNN(32), 3338),
        (lambda: ks.layers.U1GRU(32), 6090),
    ],
    ids=["u1-rnn-copy", "u1-gru-copy"],
)
def test_copy_task_parameter_counts_match_table_2(build, params):
    model = keras.Sequential([keras.Input((None, 10)), build(), keras.layers.Dense(10)])
    assert model.count_params() == params


def test_psmnist_u1_gru_parameter_count_matches_table_3():
    model = keras.Sequential([keras.Input((784, 1)), ks.layers.U1GRU(64), keras.layers.Dense(10)])
    assert model.count_params() == 18058  # Iqbal et al. 2026, Table 3: 18K


def test_blank_channel_read_in_stays_zero_through_training(rng):
    def model_with(blank):
        model = keras.Sequential(
            [keras.Input((7, 4)), ks.layers.U1SimpleRNN(3, blank_channel=blank, embedding_initializer="standard")]
        )
        model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
        x = rng.normal(size=(8, 7, 4)).astype("float32")
        for _ in range(3):
            model.train_on_batch(x, rng.normal(size=(8, 6)).astype("float32"))
        return model

    blanks = np.zeros((2, 7, 4), "float32")
    blanks[..., 0] = 1.0
    np.testing.assert_array_equal(to_numpy(model_with(0)(blanks)), 0.0)
    assert np.abs(to_numpy(model_with(None)(blanks))).max() > 1e-3


def test_cells_work_inside_keras_rnn(rng):
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    layer = ks.layers.U1GRU(4, return_sequences=True, return_state=True)
    seq, last = layer(x)
    rnn = keras.layers.RNN(ks.layers.U1GRUCell(4), return_sequences=True)
    rnn(x)
    rnn.set_weights(layer.get_weights())
    np.testing.assert_allclose(to_numpy(rnn(x)), to_numpy(seq), atol=1e-6)
    np.testing.assert_allclose(to_numpy(seq[:, -1]), to_numpy(last), atol=1e-6)


@pytest.mark.parametrize(
    "layer",
    [
        lambda **kw: ks.layers.U1GRU(3, use_bias=True, bias_initializer="random_normal", blank_channel=1, **kw),
        lambda **kw: ks.layers.OkSimpleRNN(3, 4, use_bias=True, bias_initializer="random_normal", **kw),
        lambda **kw: ks.layers.U1SimpleRNN(3, **kw),
        lambda **kw: ks.layers.U1ConvRNN2D(2, (3, 3), **kw),
    ],
    ids=["U1GRU", "OkSimpleRNN", "U1SimpleRNN", "U1ConvRNN2D"],
)
@pytest.mark.parametrize(
    "flags", [{}, {"return_sequences": True, "go_backwards": True}], ids=["last", "sequences-backwards"]
)
@pytest.mark.parametrize("radial_gradient", ["default", "custom"])
def test_layer_loop_trains_like_keras_rnn_of_its_cell(layer, flags, radial_gradient, rng, monkeypatch):
    """The layer's own loop (component-major O(k) state, recomputed U(1) GRU step under XLA, the radial's
    written-out gradient) takes the training step that `keras.layers.RNN(cell)` takes, masked steps included."""
    if radial_gradient == "custom":
        monkeypatch.setattr(ks.performance, "_current", ks.performance.Performance(radial_gradient="custom"))
    x = rng.normal(size=(3, 6, 4)).astype("float32")
    x[0, 4:] = 0.0  # masked out
    x[:, 0] = 0.0  # zero capsules at the start (the radial's gradient at 0)
    x[1:, 0, 0] = 1.0
    core = layer(recurrent_initializer="standard", embedding_initializer="standard", **flags)
    masking, head = keras.layers.Masking(), keras.layers.Dense(2)
    inputs = keras.Input((6, 4))
    fast = keras.Model(inputs, head(keras.layers.Flatten()(core(masking(inputs)))))
    plain = keras.Model(inputs, head(keras.layers.Flatten()(keras.layers.RNN(core.cell, **flags)(masking(inputs)))))
    np.testing.assert_allclose(to_numpy(fast(x)), to_numpy(plain(x)), rtol=1e-5, atol=1e-6)
    start = [to_numpy(w) for w in fast.weights]
    steps = []
    for model in (fast, plain):
        for w, value in zip(fast.weights, start):
            w.assign(value)
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        model.train_on_batch(x, np.ones((3, 2), "float32"))
        steps.append([to_numpy(w) for w in fast.weights])
    assert not all(np.array_equal(a, w0) for a, w0 in zip(steps[0], start))
    for a, b in zip(*steps):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_initial_state_accepted_as_tensor_or_list(rng):
    x = rng.normal(size=(2, 3, 5)).astype("float32")
    h0 = rng.normal(size=(2, 6)).astype("float32")
    layer = ks.layers.OkSimpleRNN(2, 3)
    np.testing.assert_allclose(to_numpy(layer(x, initial_state=h0)), to_numpy(layer(x, initial_state=[h0])))
    assert np.abs(to_numpy(layer(x, initial_state=h0)) - to_numpy(layer(x))).max() > 1e-4


def test_u1_conv_rnn_matches_complex_convolution_d3(rng):
    x = rng.normal(size=(2, 3, 4)).astype("float32")
    c, (hh, ww) = 2, (4, 5)
    layer = ks.layers.U1ConvRNN2D(c, (hh, ww), padding_mode="circular", return_sequences=True)
    y = to_numpy(layer(x))
    assert y.shape == (2, 3, hh, ww, 2 * c)
    emb, rk = weights(layer, "embedding"), weights(layer, "recurrent_kernel")
    kern = rk[0] + 1j * rk[1]  # (3, 3, c_in, c_out)
    h = np.zeros((2, hh, ww, c), complex)
    for t in range(3):
        conv = np.zeros_like(h)
        for dy in range(3):
            for dx in range(3):
                shifted = np.roll(h, shift=(1 - dy, 1 - dx), axis=(1, 2))
                conv += shifted @ kern[dy, dx]
        u = as_complex((x[:, t] @ emb).reshape(2, hh, ww, 2 * c))
        h = radial_tanh(u + conv)
        np.testing.assert_allclose(as_complex(y[:, t]), h, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("padding_mode", ["zeros", "circular"])
def test_u1_conv_rnn_convolution_op_and_im2col_agree(padding_mode, rng, monkeypatch):
    """The backend's convolution op (TensorFlow, torch) and the im2col matmul (JAX) compute the same sums."""
    x = rng.normal(size=(2, 4, 3)).astype("float32")
    layer = ks.layers.U1ConvRNN2D(2, (4, 5), padding_mode=padding_mode, return_sequences=True)
    outputs = []
    for flag in (True, False):
        with ks.performance.settings(im2col=flag):
            assert ks.performance.im2col() is flag
            outputs.append(to_numpy(layer(x)))
    np.testing.assert_allclose(outputs[1], outputs[0], rtol=1e-5, atol=1e-6)


def test_u1_conv_rnn_grid_initial_state_and_return_state(rng):
    x = rng.normal(size=(2, 3, 4)).astype("float32")
    layer = ks.layers.U1ConvRNN2D(2, (3, 3), return_state=True)
    h0 = rng.normal(size=(2, 3, 3, 4)).astype("float32")
    out, state = layer(x, initial_state=h0)
    assert tuple(out.shape) == tuple(state.shape) == (2, 3, 3, 4)
    flat, _ = layer(x, initial_state=h0.reshape(2, -1))
    np.testing.assert_allclose(to_numpy(flat), to_numpy(out), atol=1e-6)


@pytest.mark.parametrize(
    "layer",
    [
        lambda: ks.layers.U1SimpleRNN(3),
        lambda: ks.layers.U1GRU(3),
        lambda: ks.layers.OkSimpleRNN(3, 4),
        lambda: ks.layers.U1ConvRNN2D(2, (3, 3)),
    ],
    ids=["U1SimpleRNN", "U1GRU", "OkSimpleRNN", "U1ConvRNN2D"],
)
def test_recurrent_layers_train_with_finite_gradients_from_zero_state(layer, rng):
    model = keras.Sequential([keras.Input((6, 4)), layer(), keras.layers.Flatten(), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    loss = model.train_on_batch(rng.normal(size=(4, 6, 4)).astype("float32"), np.ones((4, 2), "float32"))
    assert math.isfinite(float(loss))
    assert all(np.isfinite(to_numpy(w)).all() for w in model.weights)


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="XLA is optional on TensorFlow (Keras turns it on for GPUs); JAX always uses it",
)
@pytest.mark.parametrize("name", list(small_models.build()))
def test_every_layer_trains_the_same_under_xla(name):
    """`jit_compile=True` (Keras' default for TensorFlow on a GPU) gives the step the plain graph gives.

    TensorFlow's XLA rejects ops whose gradient has a data-dependent shape (`repeat` did)."""
    steps = []
    for jit_compile in (False, True):
        model, x = small_models.build()[name]
        y = np.zeros(model(x).shape, "float32")
        model.compile(optimizer="adam", loss="mse", jit_compile=jit_compile)
        model.train_on_batch(x, y)
        steps.append([to_numpy(w) for w in model.weights])
    for plain, xla in zip(*steps):
        np.testing.assert_allclose(xla, plain, rtol=1e-4, atol=1e-5)


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="torch.compile path exists on the torch backend only")
def test_torch_compiled_step_computes_the_same(rng):
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    layer = ks.layers.U1GRU(4, return_sequences=True, recurrent_initializer="standard")
    eager = to_numpy(layer(x))
    with ks.performance.settings(torch_compile=True):
        assert ks.performance.torch_compile()
        np.testing.assert_allclose(to_numpy(layer(x)), eager, atol=1e-5)
    assert layer._torch_step is not None


def test_performance_settings_are_scoped_and_the_variables_override(monkeypatch):
    """`ks.performance.settings` holds inside its block only, on torch only for the compile; each environment
    variable wins over the setting both ways; a bad value is a named error."""
    from keras_symmetry.training import speed

    on_torch = keras.backend.backend() == "torch"
    model = keras.Sequential([keras.Input((None, 3)), ks.layers.U1SimpleRNN(2)])
    model.compile(loss="mse")
    for variable in ks.performance.ENVIRONMENT.values():
        monkeypatch.delenv(variable, raising=False)
    assert not ks.performance.torch_compile()
    plain = speed.setting(model)
    with ks.performance.settings(torch_compile=True, im2col=False, radial_gradient="autodiff"):
        assert ks.performance.torch_compile() is on_torch
        assert speed.setting(model) == ("torch+compiled steps" if on_torch else plain)
        assert not ks.performance.im2col() and not ks.performance.custom_radial_gradient(xla=False)
        monkeypatch.setenv("KERAS_SYMMETRY_TORCH_COMPILE", "0")
        monkeypatch.setenv("KERAS_SYMMETRY_IM2COL", "1")
        monkeypatch.setenv("KERAS_SYMMETRY_RADIAL_GRADIENT", "custom")
        assert not ks.performance.torch_compile()
        assert ks.performance.im2col() and ks.performance.custom_radial_gradient(xla=True)
    assert ks.performance.current() == ks.performance.Performance()
    monkeypatch.setenv("KERAS_SYMMETRY_TORCH_COMPILE", "1")
    assert ks.performance.torch_compile() is on_torch
    with pytest.raises(ValueError, match="radial_gradient must be one of"):
        ks.performance.configure(radial_gradient="fast")
    with pytest.raises(TypeError, match="jit"):
        ks.performance.settings(jit=True).__enter__()


def test_a_run_on_a_gpu_records_which_one(monkeypatch):
    """Epochs trained on a GPU say so in the run's log and on the card's budget line; CPU epochs stay the plain name."""
    from keras_symmetry.training import speed

    model = keras.Sequential([keras.Input((None, 3)), ks.layers.U1SimpleRNN(2)])
    model.compile(loss="mse")
    monkeypatch.setattr(speed, "accelerator", lambda: None)
    plain = speed.setting(model)
    assert plain.split("+")[0] == keras.backend.backend() and " on " not in plain
    monkeypatch.setattr(speed, "accelerator", lambda: "NVIDIA H200")
    assert speed.setting(model) == f"{plain} on NVIDIA H200"
    history = [
        {"epoch": 1, "setting": "tensorflow"},
        {"epoch": 2, "setting": "tensorflow"},
        {"epoch": 3, "setting": "jax on NVIDIA H200"},
        {"epoch": 4, "setting": "jax on NVIDIA H200"},
    ]
    assert speed.describe(history) == "tensorflow (epochs 1-2), jax on NVIDIA H200 (epochs 3-4)"
