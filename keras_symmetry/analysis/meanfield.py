"""Mean-field theory of random U(1) / O(k) bulk networks at initialisation (Iqbal et al. 2026, §2.3, C.1-C.2).

The bulk network is `z^{l+1} = W^l phi(z^l)` (Iqbal et al. 2026, eq. 4) with `phi` the radial
nonlinearity `f(|v|) v / |v|` on capsules of size `k` (eqs. 5, 20) and i.i.d.
Gaussian weights normalised as in eq. 35 and `ks.initializers.SigmaW`:
`E|W_ij|^2 = sigma_w^2 / N` *in total* per entry (U(1): each of Re, Im gets
`sigma_w^2 / 2N`; O(k): the real `w` of `w (x) I_k` gets `sigma_w^2 / N`;
generic: a real `(Nk, Nk)` matrix with `sigma_w^2 / (Nk)`). With this
normalisation the transition sits at `sigma_w = 1` for every `k`. (The text after
Iqbal et al. 2026, eq. 5 puts `sigma_w^2 / N` on Re and Im *each*; that doubles the variance and
moves the U(1) transition to `sigma_w = 1/sqrt(2)`. Nothing here uses it.)

**Order parameter** (eq. 6): `c^l = (1/N) sum_j E |phi(z_j^l)|^2`, the mean squared
capsule length after the nonlinearity.

**O(k) recursion** (generalising eqs. 34-35). Given the activations at layer `l`,
each pre-activation capsule `z_alpha^{l+1} = sum_beta w_{alpha beta} phi_beta` is a
sum of `N` independent terms, Gaussian at large `N` with covariance
`E[z_a z_b] = sigma_w^2 M_ab`, `M = (1/N) sum_beta phi_beta phi_beta^T`,
`tr M = c^l`. For an O(k)-isotropic input ensemble (the ensemble average of any
O(k)-equivariant network fed O(k)-invariant inputs; for U(1) the complex weights
force `E[z z] = 0`, so it holds for any input; for the generic network every
component is independent) `M = (c^l / k) I_k`, and `|z|` is
`sigma_w sqrt(c^l / k)` times a chi variable with `k` degrees of freedom. Writing
`|z| = sigma_w sqrt(2 c^l / k) u`, the chi density becomes
`2 u^{k-1} e^{-u^2} / Gamma(k/2)`, and since `|phi(z)|^2 = f(|z|)^2`:

    c^{l+1} = F_k(c^l) = 2 / Gamma(k/2) * int_0^inf du u^{k-1} e^{-u^2} f(u sigma_w sqrt(2 c^l / k))^2

For `k = 2` this is exactly Iqbal et al. 2026, eq. 35 / eq. 8; for `k = 1` it is the classic
`E_{x~N(0,1)} f(sigma_w sqrt(c) x)^2` of Poole et al. (Iqbal et al. 2026 ref. [9]).

**Small c** (eq. 36 generalised): with `tanh(x)^2 = x^2 - 2x^4/3 + ...`,
`E|z|^2 = sigma_w^2 c` and `E|z|^4 = (1 + 2/k) sigma_w^4 c^2`,

    F_k(c) = sigma_w^2 c - (2/3)(1 + 2/k) sigma_w^4 c^2 + O(c^3),

so `c = 0` is stable for `sigma_w < 1` (symmetric phase) and unstable for
`sigma_w > 1` (spontaneously broken phase), and near the transition

    c*(sigma_w -> 1) ~ 3k / (2(k + 2)) (sigma_w^2 - 1)     (= 3/4 (sigma_w^2 - 1) for U(1), eq. 37).

**Two inputs** (eqs. 10-12, 41-49, U(1) only): the 2x2 covariance
`C = [[c, Delta e^{i varphi}], [Delta e^{-i varphi}, c]]` of two inputs. The phase
is conserved, `varphi^{l+1} = varphi^l` (eqs. 11, 43): a U(1) rotation of one
input shifts it and is carried through every layer by equivariance. The
magnitude obeys eq. 49, with the Bessel kernel `I_1` from the relative-angle
integral. Linearising at small `Delta` (`I_1(x) ~ x/2`) at the fixed point `c*`:

    Delta^{l+1} = chi_Delta Delta^l,   chi_Delta = (4 / c*) [int_0^inf du u^2 e^{-u^2} tanh(sigma_w sqrt(c*) u)]^2,

so `Delta^l ~ exp(-l / xi_Delta)` with `xi_Delta = -1 / log chi_Delta` (Iqbal et al. 2026, §2.3).
At `c -> 0` this gives `chi_Delta -> sigma_w^2`, the linear network.

Everything in this module is NumPy (no SciPy): radial integrals by the
trapezoidal rule on a fine grid (the integrands are smooth and decay like
`e^{-u^2}`; the error is far below `1e-8` at the defaults), `I_1` by its
periodic integral representation.
"""

import math

import numpy as np

U_MAX, GRID = 9.0, 4001


def _check_k(k):
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"Capsule size k must be a positive integer; got {k!r}.")
    return int(k)


def _check_sigma(sigma_w):
    sigma_w = np.asarray(sigma_w, dtype="float64")
    if np.any(~(sigma_w > 0)):
        raise ValueError(f"sigma_w must be > 0; got {sigma_w}.")
    return sigma_w


def _check_c(c):
    c = np.asarray(c, dtype="float64")
    if np.any(~(c >= 0)):
        raise ValueError(f"The order parameter c must be >= 0; got {c}.")
    return c


def _radial_grid(k):
    """Grid `u` and trapezoid weights of `2 / Gamma(k/2) u^{k-1} e^{-u^2} du` on `[0, U_MAX]`."""
    u = np.linspace(0.0, U_MAX, GRID)
    weight = 2.0 / math.gamma(k / 2) * u ** (k - 1) * np.exp(-u * u)
    weight *= u[1] - u[0]
    weight[[0, -1]] *= 0.5
    return u, weight


def c_map(c, sigma_w, k=2, activation=np.tanh):
    """One layer of the order-parameter recursion `c^{l+1} = F_k(c^l; sigma_w)`
    (Iqbal et al. 2026, eqs. 8, 35; O(k) form above).

    Args:
        c: order parameter(s) `c^l >= 0` (scalar or array).
        sigma_w: weight scale(s), broadcast against `c`; the transition is at 1.
        k: capsule size (2 = U(1); 1 = a generic real network).
        activation: the radial function `f` as a NumPy callable; default `np.tanh`.

    Returns:
        `c^{l+1}`, broadcast shape of `c` and `sigma_w`.
    """
    k = _check_k(k)
    c, sigma_w = _check_c(c), _check_sigma(sigma_w)
    u, weight = _radial_grid(k)
    scale = np.asarray(sigma_w * np.sqrt(2.0 * c / k))[..., None]
    return np.sum(weight * activation(u * scale) ** 2, axis=-1)


def c_trajectory(c0, sigma_w, depth, k=2, activation=np.tanh):
    """`[c^0, c^1, ..., c^depth]` by iterating `c_map` (Iqbal et al. 2026, eq. 35): the theory curve of
    Iqbal et al. 2026, Fig. 2."""
    if not isinstance(depth, (int, np.integer)) or depth < 0:
        raise ValueError(f"depth must be a non-negative integer; got {depth!r}.")
    values = [_check_c(c0)]
    for _ in range(depth):
        values.append(c_map(values[-1], sigma_w, k, activation))
    return np.stack(values)


def c_star(sigma_w, k=2, activation=np.tanh, tol=1e-12):
    """Fixed point `c*(sigma_w)` of `c = F_k(c)` (Iqbal et al. 2026, eqs. 8, 35; Fig. 2); 0 in the symmetric phase.

    For `sigma_w <= 1` the only fixed point is `c* = 0`. Above the transition
    `F_k(c) - c` is positive at small `c` and negative at `c = sup f^2 = 1`, and
    the nonzero root is found by bisection (robust even next to the transition,
    where plain iteration slows down critically).

    Args:
        sigma_w: weight scale(s), scalar or array.
        k: capsule size; `k=2` is U(1).
        activation: radial function `f` with `|f| < 1`; default `np.tanh`.
        tol: absolute tolerance on `c*`.

    Returns:
        `c*` with the shape of `sigma_w`.
    """
    k = _check_k(k)
    sigma_w = _check_sigma(sigma_w)
    broken = sigma_w > 1.0
    lo = np.full(sigma_w.shape, 1e-14)
    hi = np.ones(sigma_w.shape)
    while np.any(hi - lo > tol):
        mid = 0.5 * (lo + hi)
        above = c_map(mid, sigma_w, k, activation) > mid
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    return np.where(broken, 0.5 * (lo + hi), 0.0)


def c_star_small(sigma_w, k=2):
    """Near-transition fixed point `c* ~ 3k / (2(k+2)) (sigma_w^2 - 1)` for tanh
    (Iqbal et al. 2026, eq. 37; `3/4` at k=2).

    From the small-c expansion `F_k(c) = sigma_w^2 c - (2/3)(1 + 2/k) sigma_w^4 c^2`
    (eq. 36 for k=2); clipped at 0 below the transition.
    """
    k = _check_k(k)
    sigma_w = _check_sigma(sigma_w)
    return np.maximum(0.0, 1.5 * k / (k + 2) * (sigma_w**2 - 1.0))


def c_map_small(c, sigma_w, k=2):
    """The second-order expansion `sigma_w^2 c - (2/3)(1 + 2/k) sigma_w^4 c^2` of `c_map` for tanh
    (Iqbal et al. 2026, eq. 36)."""
    k = _check_k(k)
    c, sigma_w = _check_c(c), _check_sigma(sigma_w)
    return sigma_w**2 * c - 2.0 / 3.0 * (1.0 + 2.0 / k) * sigma_w**4 * c**2


def bessel_i1e(x, points=256):
    """Exponentially scaled modified Bessel function `I_1(x) e^{-x}` for `x >= 0`
    (the kernel of Iqbal et al. 2026, eq. 49).

    For `x <= 50` from `I_1(x) = (1/pi) int_0^pi e^{x cos t} cos t dt` by the
    trapezoidal rule, which converges geometrically for this smooth periodic
    integrand; above, the asymptotic series
    `e^{-x} I_1(x) = (2 pi x)^{-1/2} (1 - 3/(8x) - 15/(128 x^2) - 315/(3072 x^3))`,
    whose next term is below `1e-8` relative there.
    """
    x = np.asarray(x, dtype="float64")
    if np.any(x < 0):
        raise ValueError("bessel_i1e is implemented for x >= 0.")
    out = np.empty(x.shape)
    small = x <= 50.0
    t = np.linspace(0.0, np.pi, points + 1)
    weight = np.full(points + 1, 1.0 / points)
    weight[[0, -1]] *= 0.5
    cos = np.cos(t)
    out[small] = np.exp(x[small][:, None] * (cos - 1.0)) * cos @ weight
    big = x[~small]
    out[~small] = (1 - 3 / (8 * big) - 15 / (128 * big**2) - 315 / (3072 * big**3)) / np.sqrt(2 * np.pi * big)
    return out


def delta_map(c, delta, sigma_w, activation=np.tanh, step=0.1):
    """One layer of the two-input recursion for `Delta` (Iqbal et al. 2026, eq. 49 / eq. 12), U(1) networks.

    `Delta^{l+1} = 4 (c^2 - Delta^2) / c^2 int du1 du2 u1 u2 e^{-u1^2 - u2^2}
    I_1(2 u1 u2 Delta / c) f(u1 / a) f(u2 / a)`, `a = sqrt(c) / (sigma_w sqrt(c^2 - Delta^2))`,
    everything on the right at layer `l` (`c`, `Delta` are the post-activation
    covariances of eq. 10 with `C_11 = C_22 = c`). The phase `varphi` of the
    off-diagonal entry does not enter and is returned unchanged by the
    recursion (eq. 43), so it has no function here.

    The double integral runs on a square grid of spacing `step` in `u`, out to
    `u = 7 / sqrt(1 - (Delta/c)^2)` (the Gaussian weight is narrow across the
    diagonal and wide along it); `Delta / c` must be below 1.

    Args:
        c: `c^l > 0` (scalar).
        delta: `Delta^l`, `0 <= Delta^l < c^l` (scalar).
        sigma_w: weight scale.
        activation: radial function `f`; default `np.tanh`.
        step: grid spacing in `u`.

    Returns:
        `Delta^{l+1}` (float).
    """
    c, delta, sigma_w = float(c), float(delta), float(sigma_w)
    if not c > 0:
        raise ValueError(f"delta_map needs c > 0; got c={c}.")
    rho = delta / c
    if not 0 <= rho < 1:
        raise ValueError(f"delta_map needs 0 <= Delta < c (a non-degenerate pair); got Delta/c = {rho}.")
    _check_sigma(sigma_w)
    u_max = 7.0 / math.sqrt(1.0 - rho * rho)
    u = np.arange(0.0, u_max + step, step)
    a = math.sqrt(c) / (sigma_w * math.sqrt(c * c - delta * delta))
    u1, u2 = u[:, None], u[None, :]
    x = 2.0 * u1 * u2 * rho
    kernel = u1 * u2 * np.exp(-((u1 - u2) ** 2) - 2.0 * u1 * u2 * (1.0 - rho)) * bessel_i1e(x)
    f = activation(u / a)
    weight = np.full(u.shape, step)
    weight[0] *= 0.5
    integral = np.einsum("i,j,ij,i,j->", weight, weight, kernel, f, f)
    return 4.0 * (1.0 - rho * rho) * integral


def delta_trajectory(c0, delta0, sigma_w, depth, activation=np.tanh):
    """`(c^l, Delta^l)` for `l = 0..depth` from eqs. 35 and 49 together (the phase is constant, eq. 43)."""
    c, delta = [float(c0)], [float(delta0)]
    for _ in range(depth):
        delta.append(delta_map(c[-1], delta[-1], sigma_w, activation))
        c.append(float(c_map(c[-1], sigma_w, 2, activation)))
    return np.array(c), np.array(delta)


def chi_delta(sigma_w, c=None):
    """Small-Delta slope `chi_Delta = Delta^{l+1} / Delta^l` of eq. 49 at `c` (default `c*(sigma_w)`), tanh, U(1).

    `chi_Delta = (4/c) [int_0^inf u^2 e^{-u^2} tanh(sigma_w sqrt(c) u) du]^2`
    (the `I_1(x) ~ x/2` limit of eq. 49); `sigma_w^2` at `c = 0`.
    """
    sigma_w = float(_check_sigma(sigma_w))
    c = float(c_star(sigma_w) if c is None else _check_c(c))
    if c == 0.0:
        return sigma_w**2
    u, _ = _radial_grid(1)
    du = u[1] - u[0]
    g = u * u * np.exp(-u * u) * np.tanh(sigma_w * math.sqrt(c) * u)
    integral = du * (np.sum(g) - 0.5 * (g[0] + g[-1]))
    return 4.0 / c * integral**2


def xi_delta(sigma_w, c=None):
    """Depth scale `xi_Delta = -1 / log chi_Delta` of the decay `Delta^l ~ exp(-l / xi_Delta)`
    (Iqbal et al. 2026, §2.3, eq. 49).

    Infinite (`inf`) where `chi_Delta >= 1`, i.e. where `Delta` does not decay.
    """
    chi = chi_delta(sigma_w, c)
    return math.inf if chi >= 1.0 else -1.0 / math.log(chi)
