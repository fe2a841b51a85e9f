"""Backend-independent checks of `ks.analysis` (NumPy only): run once, on the jax leg of the suite."""

import keras
import numpy as np
import pytest

from keras_symmetry.analysis import criticality, defects, meanfield, vortices

pytestmark = pytest.mark.skipif(keras.backend.backend() != "jax", reason="NumPy-only theory: checked once, on jax")


# --- mean-field theory (001 eqs. 8, 9, 35-37, 49) -------------------------------------------------------


def test_c_map_k1_matches_gauss_hermite():
    """k=1 is the classic E_x tanh(sigma sqrt(c) x)^2: an independent 250-point Gauss-Hermite rule agrees to 1e-8."""
    x, w = np.polynomial.hermite.hermgauss(250)
    for sigma, c in [(0.7, 0.3), (1.5, 0.8), (3.0, 0.05)]:
        reference = np.sum(w * np.tanh(sigma * np.sqrt(c) * np.sqrt(2) * x) ** 2) / np.sqrt(np.pi)
        assert meanfield.c_map(c, sigma, k=1) == pytest.approx(reference, abs=1e-8)


@pytest.mark.parametrize("k", [1, 2, 4, 8])
def test_small_c_expansion_of_the_map(k):
    """F_k(c) - [sigma^2 c - (2/3)(1 + 2/k) sigma^4 c^2] is O(c^3) (eq. 36; tanh^2 has x^6 coefficient 17/45)."""
    for c in [1e-2, 1e-3]:
        gap = abs(meanfield.c_map(c, 1.2, k) - meanfield.c_map_small(c, 1.2, k))
        assert gap < 5 * (1.2**2 * c) ** 3 * (1 + 4 / k) ** 2


@pytest.mark.parametrize("k", [2, 4])
def test_c_star_small_c_law_near_transition(k):
    """c* -> 3k/(2(k+2)) (sigma^2 - 1) (eq. 37: 3/4 for U(1)); the relative gap shrinks linearly in sigma - 1."""
    gaps = []
    for eps in [1e-2, 1e-3]:
        exact, small = meanfield.c_star(1 + eps, k), meanfield.c_star_small(1 + eps, k)
        gaps.append(abs(exact / small - 1))
        assert gaps[-1] < 3 * eps
    assert gaps[1] < gaps[0] / 5
    assert meanfield.c_star_small(1.1, 2) == pytest.approx(0.75 * (1.1**2 - 1))


def test_c_star_is_a_fixed_point_and_vanishes_below_transition():
    sigmas = np.array([0.5, 0.99, 1.0, 1.2, 2.0, 4.0])
    c = meanfield.c_star(sigmas)
    assert np.all(c[:3] == 0) and np.all(c[3:] > 0) and np.all(np.diff(c[3:]) > 0)
    np.testing.assert_allclose(meanfield.c_map(c[3:], sigmas[3:]), c[3:], atol=1e-10)
    # iteration from c0 = 1 converges to the same fixed point
    assert meanfield.c_trajectory(1.0, 2.0, 200)[-1] == pytest.approx(c[4], abs=1e-8)


def test_bessel_i1e_matches_power_series():
    """I_1(x) e^{-x} = sum_m (x/2)^{2m+1} / (m! (m+1)!) e^{-x}, summed in logs: agreement to 1e-7 relative."""
    from math import lgamma, log

    m = np.arange(400)
    for x in [0.3, 2.0, 17.0, 49.0, 51.0, 150.0]:
        series = np.sum(np.exp((2 * m + 1) * log(x / 2) - x - [lgamma(i + 1) + lgamma(i + 2) for i in m]))
        assert meanfield.bessel_i1e(np.array([x]))[0] == pytest.approx(series, rel=1e-7)
    assert meanfield.bessel_i1e(np.array([0.0]))[0] == pytest.approx(0.0, abs=1e-15)


def test_delta_map_against_monte_carlo():
    """Eq. 49 vs 400k samples of a correlated complex Gaussian pair: agreement within 4e-3 (~5 standard errors)."""
    c, rho, sigma = 0.4, 0.6, 1.5
    rng = np.random.default_rng(0)
    n = 400_000
    a = (rng.normal(size=n) + 1j * rng.normal(size=n)) / np.sqrt(2)
    b = (rng.normal(size=n) + 1j * rng.normal(size=n)) / np.sqrt(2)
    scale = sigma * np.sqrt(c)
    z1 = scale * a
    z2 = scale * (rho * a + np.sqrt(1 - rho**2) * b) * np.exp(0.7j)  # a phase: eq. 43, it must not matter
    phi = lambda z: np.tanh(np.abs(z)) * z / np.abs(z)  # noqa: E731
    measured = abs(np.mean(phi(z1) * np.conj(phi(z2))))
    assert meanfield.delta_map(c, rho * c, sigma) == pytest.approx(measured, abs=4e-3)


def test_delta_map_limits_and_depth_scale():
    sigma = 1.5
    c = float(meanfield.c_star(sigma))
    assert meanfield.delta_map(c, 0.0, sigma) == pytest.approx(0.0, abs=1e-12)
    # Delta -> c: the two inputs coincide and Delta^{l+1} -> c^{l+1} = F(c)
    assert meanfield.delta_map(c, 0.995 * c, sigma) == pytest.approx(float(meanfield.c_map(c, sigma)), rel=0.02)
    # the small-Delta slope is chi_Delta, and Delta decays with xi_Delta = -1/log chi
    chi = meanfield.chi_delta(sigma)
    assert meanfield.delta_map(c, 1e-4 * c, sigma) / (1e-4 * c) == pytest.approx(chi, rel=1e-4)
    _, delta = meanfield.delta_trajectory(c, 0.5 * c, sigma, 60)
    assert delta[-1] / delta[-11] == pytest.approx(np.exp(-10 / meanfield.xi_delta(sigma)), rel=0.02)
    assert meanfield.chi_delta(0.8) == pytest.approx(0.64)  # c* = 0: the linear network


def test_meanfield_rejects_bad_input():
    with pytest.raises(ValueError, match="sigma_w"):
        meanfield.c_star(-1.0)
    with pytest.raises(ValueError, match="k must be"):
        meanfield.c_map(0.1, 1.5, k=0)
    with pytest.raises(ValueError, match="Delta < c"):
        meanfield.delta_map(0.3, 0.3, 1.5)


# --- vortices (001 D.3) -----------------------------------------------------------------------------------


def _vortex(h, w, y0, x0, sign):
    y, x = np.mgrid[0:h, 0:w]
    return sign * np.arctan2(y - y0, x - x0)


def test_single_vortex_and_antivortex_wind_plus_minus_one():
    for sign in (1, -1):
        winding = vortices.winding_numbers(_vortex(9, 11, 4.5, 5.5, sign))
        assert winding[4, 5] == sign
        assert np.count_nonzero(winding) == 1
        assert vortices.vortex_counts(winding) == ((1, 0) if sign > 0 else (0, 1))


def test_vortex_antivortex_pair_sums_to_zero():
    theta = _vortex(12, 16, 5.5, 4.5, 1) + _vortex(12, 16, 5.5, 11.5, -1)
    winding = vortices.winding_numbers(theta)
    assert winding[5, 4] == 1 and winding[5, 11] == -1
    assert winding.sum() == 0 and np.count_nonzero(winding) == 2
    # on a torus every configuration has total winding zero
    rng = np.random.default_rng(0)
    assert vortices.winding_numbers(rng.uniform(-np.pi, np.pi, (3, 8, 8)), periodic=True).sum(axis=(1, 2)).tolist() == [
        0,
        0,
        0,
    ]


def test_vortex_history_reads_grid_states():
    theta = _vortex(6, 6, 2.5, 2.5, 1)
    states = np.zeros((3, 6, 6, 4))
    states[..., 2], states[..., 3] = np.cos(theta), np.sin(theta)  # channel 1
    history = vortices.vortex_history(states, channel=1)
    assert history["vortices"].tolist() == [1, 1, 1] and history["antivortices"].tolist() == [0, 0, 0]
    np.testing.assert_allclose(history["magnitude"], 1.0)
    with pytest.raises(ValueError, match="channel"):
        vortices.phase_field(states, channel=2)
    with pytest.raises(ValueError, match="Re, Im"):
        vortices.phase_field(np.zeros((6, 6, 3)))
    with pytest.raises(ValueError, match="wavevector"):
        vortices.vortex_history(states, wavevector="spiral")


def _spiral(k, h=20, w=20):
    y, x = np.mgrid[0:h, 0:w]
    return k[0] * y + k[1] * x


def test_ordering_wavevector_finds_the_spiral():
    rng = np.random.default_rng(0)
    for k in ((0.8 * np.pi, 0.4 * np.pi), (-0.4 * np.pi, 0.2 * np.pi), (0.0, 0.0), (-np.pi, -np.pi)):
        theta = _spiral(k) + rng.normal(0, 0.3, (5, 20, 20))
        np.testing.assert_allclose(vortices.ordering_wavevector(theta), k, atol=1e-12)


def test_vortices_are_counted_relative_to_the_spiral_order():
    k = (0.8 * np.pi, 0.4 * np.pi)  # steps near pi: noise crosses the branch cut of the raw phase
    rng = np.random.default_rng(1)
    theta = _spiral(k) + rng.normal(0, 0.3, (4, 20, 20))
    states = np.stack([np.cos(theta), np.sin(theta)], axis=-1)
    raw = vortices.vortex_history(states)
    relative = vortices.vortex_history(states, wavevector="auto")
    assert raw["vortices"].min() > 5  # spurious pairs
    assert relative["vortices"].tolist() == [0, 0, 0, 0] and relative["antivortices"].tolist() == [0, 0, 0, 0]
    np.testing.assert_allclose(relative["wavevector"], k, atol=1e-12)
    # one real vortex on the spiral is found where it is, and only it
    theta = _spiral(k) + _vortex(20, 20, 9.5, 6.5, 1)
    states = np.stack([np.cos(theta), np.sin(theta)], axis=-1)[None]
    winding = vortices.vortex_history(states, wavevector=k)["winding"][0]
    assert winding[9, 6] == 1 and np.count_nonzero(winding) == 1


# --- Z2 domain walls (000 Figs. 5, 9) ------------------------------------------------------------------------


def test_wall_detector_finds_a_planted_smooth_wall():
    """A wall between columns 6 and 7 where x turns smoothly from +m to -m: no link is anti-aligned."""
    rng = np.random.default_rng(1)
    n, h, w = 8, 10, 14
    m, u = np.linalg.qr(rng.normal(size=(n, 2)))[0].T
    angle = np.pi * np.clip((np.arange(w) - 5) / 3.0, 0, 1)  # 0 up to column 5, pi from column 8
    field = np.cos(angle)[None, :, None] * m + np.sin(angle)[None, :, None] * u
    field = np.broadcast_to(field, (h, w, n)) + 0.02 * rng.normal(size=(h, w, n))
    field /= np.linalg.norm(field, axis=-1, keepdims=True)
    assert np.all(np.sum(field[:, 1:] * field[:, :-1], axis=-1) > 0)  # smooth: a sign test on links would miss it
    wall = defects.domain_walls(field)
    labels, _ = defects.domains(field)
    boundary = np.nonzero(labels[0, 1:] != labels[0, :-1])[0]
    assert boundary.tolist() == [6]  # the flip happens where angle crosses pi/2
    assert wall[:, 6:8].all() and not np.delete(wall, [6, 7], axis=1).any()
    # Z2: flipping every oscillator changes no wall
    np.testing.assert_array_equal(defects.domain_walls(-field), wall)
    density = np.where(wall, -0.2, -1.0)
    assert defects.wall_energy_contrast(density, wall) == pytest.approx(0.8)


def test_defects_reject_bad_shapes():
    with pytest.raises(ValueError, match=r"\(H, W, N\)"):
        defects.domain_walls(np.zeros((2, 4, 4, 3)))


# --- finite-size scaling (000 §3, A.3) --------------------------------------------------------------------


def _synthetic_scan(alpha, eta_c, noise, seed=0):
    sizes, etas = [8, 16, 32, 64], np.linspace(0.0, 1.0, 41)
    curves = np.array([0.3 + 0.5 * np.tanh(2 * size**alpha * (etas - eta_c)) for size in sizes])
    rng = np.random.default_rng(seed)
    return sizes, etas, curves + noise * rng.normal(size=curves.shape)


def test_collapse_fit_recovers_known_alpha_and_eta_c():
    """Data made as f(L^alpha (eta - eta_c)) plus 0.5% noise: alpha within 0.05, eta_c within 0.01."""
    sizes, etas, curves = _synthetic_scan(0.6, 0.45, noise=0.005)
    fit = criticality.fit_collapse(sizes, etas, curves)
    assert fit["alpha"] == pytest.approx(0.6, abs=0.05)
    assert fit["eta_c"] == pytest.approx(0.45, abs=0.01)
    assert fit["alpha_range"][0] <= fit["alpha"] <= fit["alpha_range"][1]
    # the Ising exponent alpha = 1 collapses visibly worse (000 Fig. 10)
    assert criticality.collapse_quality(sizes, etas, curves, 1.0, fit["eta_c"]) > 5 * fit["quality"]


def test_crossing_point_with_uncertainty():
    sizes, etas, curves = _synthetic_scan(1.0, 0.3, noise=0.003)
    result = criticality.crossing_point(etas, curves, errors=np.full(curves.shape, 0.003))
    assert len(result["pairs"]) == 6
    assert abs(result["eta_c"] - 0.3) < max(3 * result["uncertainty"], 0.005)
    assert 0 < result["uncertainty"] < 0.02
    flat = criticality.crossing_point(etas, np.array([etas, etas + 1]))
    assert np.isnan(flat["eta_c"])


def test_collapse_at_crossing_fixes_eta_c_where_the_curves_cross_and_fits_it_where_not():
    sizes, etas, curves = _synthetic_scan(0.6, 0.45, noise=0.005)
    crossing = criticality.crossing_point(etas, curves)
    at = criticality.collapse_at_crossing(sizes, etas, curves, crossing)
    assert at["eta_c"] == crossing["eta_c"]
    assert at["alpha"] == pytest.approx(0.6, abs=0.05)
    assert at["ising_quality"] == criticality.collapse_quality(sizes, etas, curves, 1.0, crossing["eta_c"])
    free = criticality.collapse_at_crossing(sizes, etas, curves, {"eta_c": float("nan")})
    assert free == {**criticality.fit_collapse(sizes, etas, curves), "ising_quality": free["ising_quality"]}
    assert free["eta_c"] == pytest.approx(0.45, abs=0.01)


def test_observable_choices_of_a3():
    targets = np.full((2, 4, 4, 1), -0.5)
    outputs = targets + 0.2
    outputs[1] = -0.9  # below black: the clipped p(x) forgives it, the raw +-0.5 RMSE does not
    np.testing.assert_allclose(criticality.observable(outputs, targets, "rmse01"), [0.2, 0.0])
    np.testing.assert_allclose(criticality.observable(outputs, targets, "rmse"), [0.2, 0.4])
    np.testing.assert_allclose(criticality.observable(outputs, targets, "mse01"), [0.04, 0.0])
    with pytest.raises(ValueError, match="observable"):
        criticality.observable(outputs, targets, "mae")


def _converging_scan():
    """Curves that cross and then converge on a common saturation value (the shape of the issue's Fig. 7)."""
    sizes, etas = [32, 64, 96], np.linspace(0.005, 0.605, 31)
    curves = [0.5 - (0.5 - a) * np.exp(-etas / t) for a, t in zip((0.12, 0.06, 0.0), (0.10, 0.085, 0.075))]
    return sizes, etas, np.array(curves)


def test_fan_out_tells_a_transition_from_curves_that_converge():
    """Scaling curves reverse their size order at eta_c and fan out past it; converging curves cross but do not
    fan out, even with tiny errors (their spread above the crossing stays far below the spread under it)."""
    sizes, etas = [32, 64, 96], np.linspace(0.005, 0.605, 31)
    scaling = np.array([0.3 + 0.2 * np.tanh(0.5 * size**0.5 * (etas - 0.3)) for size in sizes])
    crossing = criticality.crossing_point(etas, scaling)["eta_c"]
    assert crossing == pytest.approx(0.3, abs=0.005)
    result = criticality.fan_out(sizes, etas, scaling, np.full(scaling.shape, 0.003), crossing)
    assert result["fans_out"] and result["order_below"] == -1.0 and result["order_above"] == 1.0
    assert result["spread_above"] == pytest.approx(result["spread_below"], rel=0.1)

    sizes, etas, converging = _converging_scan()
    crossing = criticality.crossing_point(etas, converging)["eta_c"]
    assert 0.05 < crossing < 0.15
    result = criticality.fan_out(sizes, etas, converging, np.full(converging.shape, 0.001), crossing)
    assert result["order_above"] == 1.0 and result["growth"] > 3  # reversed, and significantly spread...
    assert result["spread_above"] < result["spread_below"] / 5 and not result["fans_out"]  # ...but not a fan
    # no crossing, no fan; noise that hides the growth, no fan either
    assert not criticality.fan_out(sizes, etas, converging, None, float("nan"))["fans_out"]
    assert not criticality.fan_out(sizes, etas, scaling, np.full(scaling.shape, 0.05), 0.3)["fans_out"]


def test_spread_size_order_and_survival_on_synthetic_curves():
    curves = np.array([[0.1, 0.2, 0.5], [0.0, 0.3, 0.6]])
    gap, error = criticality.spread(curves, np.full(curves.shape, 0.03))
    np.testing.assert_allclose(gap, [0.1, 0.1, 0.1])
    np.testing.assert_allclose(error, np.hypot(0.03, 0.03))
    np.testing.assert_allclose(criticality.size_order([32, 64], curves), [-1, 1, 1])
    np.testing.assert_allclose(criticality.size_order([64, 32], curves), [1, -1, -1])
    right = np.array([[1.0, 0.95, 0.8, 0.3], [1.0, 0.99, 0.92, 0.2], [0.5, 0.9, 0.9, 0.9]])
    np.testing.assert_allclose(criticality.survives_until([0.0, 0.1, 0.2, 0.3], right, 0.9), [0.1, 0.2, np.nan])
