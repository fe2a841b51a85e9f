"""KuramotoConv2D (000 eqs. 4-9, 12): sphere constraint, symmetric coupling, Lyapunov energy, noise."""

import math

import keras
import numpy as np
import pytest
from conftest import to_numpy

import keras_symmetry as ks
from keras_symmetry.analysis import criticality


def make(rng, **kwargs):
    layer = ks.layers.KuramotoConv2D(**kwargs)
    x = rng.normal(size=(2, 9, 8, 6)).astype("float32")
    layer.build(x.shape)
    return layer, x


def test_unit_norm_at_every_step(rng):
    layer, x = make(rng, kernel_size=3, steps=12, return_trajectory=True, eta0=0.05, seed=1)
    traj = to_numpy(layer(x))
    assert traj.shape == (2, 13, 9, 8, 6)
    np.testing.assert_allclose(np.linalg.norm(traj, axis=-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(traj[:, 0], x / np.linalg.norm(x, axis=-1, keepdims=True), atol=1e-6)


@pytest.mark.parametrize("padding_mode", ["zeros", "circular"])
def test_coupling_is_symmetric_j_d_ab_equals_j_minus_d_ba(rng, padding_mode):
    layer, x = make(rng, kernel_size=5, padding_mode=padding_mode)
    j = to_numpy(layer.coupling_kernel)
    np.testing.assert_allclose(j, np.transpose(j[::-1, ::-1], (0, 1, 3, 2)), atol=1e-7)
    # Hence the coupling operator is symmetric on the lattice: <y, J x> == <x, J y>.
    y = rng.normal(size=x.shape).astype("float32")
    lhs = np.sum(y * to_numpy(layer.coupling(x)))
    rhs = np.sum(x * to_numpy(layer.coupling(y)))
    assert lhs == pytest.approx(rhs, rel=1e-4)


@pytest.mark.parametrize("symmetry_breaking", [False, True])
def test_energy_is_non_increasing_for_small_gamma(rng, symmetry_breaking):
    layer, x = make(
        rng, kernel_size=3, steps=40, gamma=0.02, return_trajectory=True, symmetry_breaking=symmetry_breaking
    )
    traj = to_numpy(layer(x))
    energies = np.stack([to_numpy(layer.energy(traj[:, t])) for t in range(traj.shape[1])], axis=1)
    assert np.all(np.diff(energies, axis=1) <= 1e-4 * np.abs(energies[:, :1]))
    assert np.all(energies[:, -1] < energies[:, 0] - 1e-3)


def test_energy_density_sums_to_energy_eq_6(rng):
    layer, x = make(rng, kernel_size=3, symmetry_breaking=True)
    unit = to_numpy(layer.normalize(x))
    density = to_numpy(layer.energy_density(unit))
    assert density.shape == (2, 9, 8)
    np.testing.assert_allclose(density.sum(axis=(1, 2)), to_numpy(layer.energy(unit)), rtol=1e-5)
    j_x = to_numpy(layer.coupling(unit))
    c = to_numpy(layer.bias)
    expected = -0.5 * np.sum(unit * j_x, axis=(1, 2, 3)) - np.sum(unit * c, axis=(1, 2, 3))
    np.testing.assert_allclose(to_numpy(layer.energy(unit)), expected, rtol=1e-5)


def test_noise_is_seeded_and_changes_the_output(rng):
    x = rng.normal(size=(1, 6, 6, 4)).astype("float32")
    outs = []
    for seed in (3, 3, 4):
        layer = ks.layers.KuramotoConv2D(kernel_size=3, steps=5, eta0=0.3, seed=seed, kernel_initializer="ones")
        outs.append(to_numpy(layer(x)))
    np.testing.assert_allclose(outs[0], outs[1], atol=1e-6)
    assert np.abs(outs[0] - outs[2]).max() > 1e-3
    clean = ks.layers.KuramotoConv2D(kernel_size=3, steps=5, kernel_initializer="ones")
    np.testing.assert_allclose(to_numpy(clean(x, eta0=0.0)), to_numpy(clean(x)))
    assert np.abs(to_numpy(clean(x, eta0=0.3)) - to_numpy(clean(x))).max() > 1e-3


def test_a_call_seed_generator_replaces_the_layers_own(rng):
    """The noise of a call given `seed=SeedGenerator(s)` depends on `s`, not on the layer's seed."""
    x = rng.normal(size=(1, 6, 6, 4)).astype("float32")
    layers = [
        ks.layers.KuramotoConv2D(kernel_size=3, steps=5, eta0=0.3, seed=s, kernel_initializer="ones") for s in (3, 4)
    ]
    outs = [to_numpy(layer(x, seed=keras.random.SeedGenerator(7))) for layer in layers]
    np.testing.assert_allclose(outs[0], outs[1], atol=1e-6)
    other = to_numpy(layers[0](x, seed=keras.random.SeedGenerator(8)))
    assert np.abs(outs[0] - other).max() > 1e-3
    with pytest.raises(TypeError, match="SeedGenerator"):
        layers[0](x, seed=7)


def test_a_seeded_noise_scan_repeats_on_a_model_with_unseeded_noise():
    """`noisy_predictor(model, seed=)` fixes eq. 9's noise; the layers' own (seed=None) generators do not."""
    model = ks.models.kuramoto_model(steps=3)
    model.build((None, None, None, 1))
    scans = [
        criticality.noise_scan(
            criticality.noisy_predictor(model, seed=5), (16,), (0.0, 0.5), examples=2, density=4, progress=False
        )[0]
        for _ in range(2)
    ]
    np.testing.assert_array_equal(scans[0], scans[1])
    other = criticality.noise_scan(
        criticality.noisy_predictor(model, seed=6), (16,), (0.0, 0.5), examples=2, density=4, progress=False
    )[0]
    assert other[0, 0] == scans[0][0, 0] and other[0, 1] != scans[0][0, 1]
    unseeded = criticality.noise_scan(
        criticality.noisy_predictor(model), (16,), (0.5,), examples=2, density=4, progress=False
    )[0]
    assert unseeded[0, 0] != scans[0][0, 1]


def test_with_boundary_keeps_the_weights_and_changes_only_the_padding(rng):
    """`criticality.with_boundary`: the same network on a torus or with an open boundary; "zeros" reproduces the
    zoo's open-boundary network exactly, "circular" differs from it near the edges only."""
    model = ks.models.kuramoto_model(steps=3)
    model.build((None, None, None, 1))
    x = np.where(rng.random((2, 12, 12, 1)) > 0.7, 0.5, -0.5).astype("float32")
    open_copy = criticality.with_boundary(model, "zeros")
    torus = criticality.with_boundary(model, "circular")
    assert [layer.padding_mode for layer in torus.layers if isinstance(layer, ks.layers.KuramotoConv2D)] == ["circular"]
    for a, b in zip(torus.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(to_numpy(open_copy(x)), to_numpy(model(x)), atol=1e-6)
    assert np.abs(to_numpy(torus(x)) - to_numpy(model(x))).max() > 1e-4


def test_zero_steps_only_normalise(rng):
    layer, x = make(rng, steps=0)
    np.testing.assert_allclose(np.linalg.norm(to_numpy(layer(x)), axis=-1), 1.0, atol=1e-6)


def test_papers_model_trains_with_finite_gradients(rng):
    """Embedding 1 -> N without bias, T steps, readout N -> 1 with bias (000 A.1)."""
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Dense(16, use_bias=False),
            ks.layers.KuramotoConv2D(steps=6),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer="adam", loss="mse")
    pixels = rng.choice([-0.5, 0.5], size=(4, 8, 8, 1)).astype("float32")
    loss = model.train_on_batch(pixels, -pixels)
    assert math.isfinite(float(loss))
    assert all(np.isfinite(to_numpy(w)).all() for w in model.weights)
