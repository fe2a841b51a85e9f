"""`ks.analysis` on the active backend: random ensembles vs. mean-field theory, forward-mode Jacobians, rank."""

import keras
import numpy as np
import pytest
from keras import ops

from keras_symmetry.analysis import bulk, jacobian, meanfield, rank


@pytest.mark.parametrize("group,k,sigma", [("u1", 2, 1.3), ("u1", 2, 2.0), ("ok", 4, 1.5), ("generic", 2, 1.5)])
def test_c_star_against_monte_carlo_ensemble(group, k, sigma):
    """Wide random networks settle at c* (001 Fig. 2).

    N = 192 capsules, 2 networks x 16 inputs, c averaged over layers 20-29:
    finite-N corrections are O(1/N) ~ 0.5% and the sampling error ~0.2%, so
    the stated tolerance is 3% of c* (plus 0.005 absolute).
    """
    net = bulk.RandomBulk(units=192, depth=30, k=k, sigma_w=sigma, group=group, ensemble=2, seed=0)
    z = net(net.random_inputs(16, c0=0.5, seed=1), return_all=True)
    c = bulk.order_parameter(net.activation_fn(z), k=k, keep=1)
    theory = meanfield.c_trajectory(0.5, sigma, 30, k)[1:]
    np.testing.assert_allclose(c[:5], theory[:5], rtol=0.03, atol=0.005)  # the transient, layer by layer
    assert c[20:].mean() == pytest.approx(float(meanfield.c_star(sigma, k)), rel=0.03, abs=0.005)


def test_symmetric_phase_collapses_to_zero():
    net = bulk.RandomBulk(units=64, depth=30, sigma_w=0.7, seed=0)
    z = net(net.random_inputs(8, seed=1), return_all=True)
    c = bulk.order_parameter(net.activation_fn(z), keep=1)
    assert c[-1] < 1e-6 and np.all(np.diff(c) < 0)


def test_sigma_w_normalisation_of_the_ensemble():
    """The drawn weights have E|W_ij|^2 = sigma_w^2 / N in total (001 eq. 35) for every group: within 3%."""
    for group, k in [("u1", 2), ("ok", 3), ("generic", 2)]:
        net = bulk.RandomBulk(units=64, depth=1, k=k, sigma_w=1.7, group=group, ensemble=4, seed=0)
        w = ops.convert_to_numpy(net.kernels[0])
        n_in = 64 if group != "generic" else 64 * k
        # U(1): the block matrix holds Re and Im twice each, so its mean square per real entry is sigma^2/(2N)
        per_entry = np.mean(w**2) * (2 if group == "u1" else 1)
        assert per_entry == pytest.approx(1.7**2 / n_in, rel=0.03)


def test_goldstone_phase_is_conserved_and_delta_follows_eq_49():
    """Two correlated inputs of a U(1) network: arg C_ab stays at its input value (eqs. 11, 43), exactly
    shifted by any extra rotation of one input, and Delta^l follows eq. 49 (tolerance 0.03: N = 256)."""
    sigma, c0, rho, angle = 1.5, 0.6, 0.8, 0.9
    net = bulk.RandomBulk(units=256, depth=8, sigma_w=sigma, ensemble=2, seed=0)
    rng = np.random.default_rng(0)
    scale = sigma * np.sqrt(c0 / 2)
    a, b = (rng.normal(scale=scale, size=(16, 256, 2)) for _ in range(2))
    za = a[..., 0] + 1j * a[..., 1]
    zb = (rho * za + np.sqrt(1 - rho**2) * (b[..., 0] + 1j * b[..., 1])) * np.exp(1j * angle)

    def real(z):
        return np.stack([z.real, z.imag], axis=-1).reshape(16, 512).astype("float32")

    def covariance(z_a, z_b):
        pa, pb = (net.activation_fn(net(real(z), return_all=True)) for z in (z_a, z_b))
        return bulk.two_input_covariance(pa, pb)

    cov = covariance(za, zb)
    phase = np.angle(np.mean(np.exp(1j * cov["phase"]), axis=(1, 2)))
    np.testing.assert_allclose(phase, -angle, atol=0.05)
    shifted = covariance(za, zb * np.exp(0.5j))["phase"]
    np.testing.assert_allclose(np.angle(np.exp(1j * (shifted - cov["phase"]))), -0.5, atol=1e-4)
    c_theory, delta_theory = meanfield.delta_trajectory(c0, rho * c0, sigma, 9)
    np.testing.assert_allclose(cov["delta"].mean(axis=(1, 2)), delta_theory[1:], atol=0.03)
    np.testing.assert_allclose(cov["c_a"].mean(axis=(1, 2)), c_theory[1:], atol=0.03)


# --- forward-mode Jacobians, on every backend ------------------------------------------------------------


def test_jvp_matches_finite_differences():
    rng = np.random.default_rng(0)
    w = ops.convert_to_tensor(rng.normal(size=(6, 6)).astype("float32"))
    x, v = (rng.normal(size=(3, 6)).astype("float32") for _ in range(2))

    def fn(z):
        return ops.tanh(ops.matmul(z, w))

    y, t = jacobian.jvp(fn, x, v)
    fd = (ops.convert_to_numpy(fn(x + 1e-3 * v)) - ops.convert_to_numpy(fn(x - 1e-3 * v))) / 2e-3
    np.testing.assert_allclose(ops.convert_to_numpy(y), ops.convert_to_numpy(fn(x)), atol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(t), fd, atol=2e-3)
    with pytest.raises(ValueError, match="tangent"):
        jacobian.jvp(fn, x, v[:2])


def test_protected_jacobian_equals_output_order_parameter_only_with_symmetry():
    """Eq. 54: d^L = (1/N) sum |J_i|^2 equals the output's order parameter for U(1), not for the generic net."""
    for group, equal in (("u1", True), ("generic", False)):
        net = bulk.RandomBulk(units=32, depth=12, sigma_w=1.5, group=group, seed=0)
        z0 = net.random_inputs(4, seed=1)[None]
        result = jacobian.protected_jacobian(net, z0)
        assert result["output"] > 0.3  # broken phase: O(1)
        assert (result["d"] == pytest.approx(result["output"], rel=1e-3)) is equal


def test_protected_jacobian_for_o_k_and_jacobian_norm_of_a_known_map():
    net = bulk.RandomBulk(units=16, depth=6, k=3, sigma_w=1.5, group="ok", seed=0)
    z0 = net.random_inputs(4, seed=1)[None]
    for plane in [(0, 1), (2, 0)]:
        result = jacobian.protected_jacobian(net, z0, k=3, plane=plane)
        assert result["d"] == pytest.approx(result["output"], rel=1e-3)
    # a scaled orthogonal map: |J v| = s |v| for every v, so the estimate is exact
    q = np.linalg.qr(np.random.default_rng(0).normal(size=(8, 8)))[0].astype("float32")
    matrix = ops.convert_to_tensor(2.0 * q)
    z = np.random.default_rng(1).normal(size=(5, 8)).astype("float32")
    tangent_sq = np.mean(np.sum(z**2, axis=-1))  # |T z|^2 = |z|^2 for a rotation generator on U(1) pairs
    norm = jacobian.jacobian_norm(lambda x: ops.matmul(x, matrix), z, probes=2, seed=0)
    assert norm == pytest.approx(4.0 * tangent_sq / 4, rel=1e-4)  # N = 4 capsules
    with pytest.raises(ValueError, match="k >= 2"):
        jacobian.generator(1)


# --- effective rank (001 eq. 55) -------------------------------------------------------------------------


def test_effective_rank_known_spectra():
    assert float(rank.effective_rank(np.eye(6, dtype="float32"))) == pytest.approx(6.0, rel=1e-5)
    rank_one = np.outer(np.arange(1, 9), np.arange(1, 5)).astype("float32")
    assert float(rank.effective_rank(rank_one)) == pytest.approx(1.0, abs=1e-3)
    two = np.diag([3.0, 1.0, 0.0]).astype("float32")
    p = np.array([0.75, 0.25])
    assert float(rank.effective_rank(two)) == pytest.approx(np.exp(-np.sum(p * np.log(p))), rel=1e-5)
    with pytest.raises(ValueError, match="batch, features"):
        rank.effective_rank(np.ones(4, dtype="float32"))


def test_effective_rank_floor_of_o_k_through_depth():
    """Deep in the broken phase an O(k) network keeps rank >= k; a generic one with the same widths may not."""
    net = bulk.RandomBulk(units=16, depth=40, k=4, sigma_w=1.5, group="ok", seed=0)
    z = net(net.random_inputs(64, seed=1), return_all=True)
    ranks = rank.effective_rank(z[:, 0])
    assert ranks.shape == (41,) and ranks.min() >= 4 * 0.95


def test_effective_rank_callback_records_during_training():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, name="hidden"), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
    callback = rank.EffectiveRankCallback("hidden", x[:8], every=2)
    model.fit(x, x[:, :1], batch_size=4, epochs=1, verbose=0, callbacks=[callback])
    assert callback.steps == [0, 2, 4] and len(callback.ranks) == 3
    assert all(1.0 <= r <= 8.0 for r in callback.ranks)
    # the last record sees the trained weights (on JAX they live outside the variables during fit)
    final = keras.Model(model.inputs, model.get_layer("hidden").output)([x[:8]])
    assert callback.ranks[-1] == pytest.approx(float(rank.effective_rank(final)), rel=1e-5)


def test_bulk_rejects_bad_input():
    with pytest.raises(ValueError, match="group"):
        bulk.RandomBulk(8, 2, group="so3")
    with pytest.raises(ValueError, match="k=2"):
        bulk.RandomBulk(8, 2, k=3, group="u1")
    net = bulk.RandomBulk(8, 2)
    with pytest.raises(ValueError, match="last dimension"):
        net(np.zeros((2, 10), "float32"))
    with pytest.raises(ValueError, match="floating"):
        net(np.zeros((2, 16), "int32"))
