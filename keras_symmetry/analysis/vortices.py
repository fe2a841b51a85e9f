"""U(1) vortices on a 2D grid: phase field, winding number per plaquette, counts through time
(Iqbal et al. 2026, D.3, Figs. 12-13).

A `U1ConvRNN2D` state is a grid `(..., H, W, 2C)` of `C` complex channels in
(Re, Im) pairs (DESIGN §2). For one channel the phase `theta = arg z` is a field
on the sites; the winding number of a plaquette (the 2x2 square of sites
`(y, x), (y, x+1), (y+1, x+1), (y+1, x)`, counter-clockwise in the `(x, y)`
plane) is the sum of the four phase differences, each wrapped into
`[-pi, pi)`, divided by `2 pi`: an integer, `+1` for a vortex, `-1` for an
antivortex. On a torus (`periodic=True`) the plaquettes wrap around and their
windings sum to zero: vortices come in pairs.

A trained convolutional kernel may order the grid into a spiral, `theta = k.x + const`,
rather than into one uniform phase. Rotating every site by `exp(-i k.x)` maps the
network to an equivalent one (kernel tap `K_d` becomes `K_d exp(i k.d)`, the per-site
read-in and read-out absorb the rest, and the radial nonlinearity commutes with it), so the
vortices that matter are the defects of that order: `vortex_history(...,
wavevector="auto")` finds `k` (`ordering_wavevector`) and winds `theta - k.x`. Counted
on the raw phase, a spiral whose steps are near `pi` turns small fluctuations into
spurious vortex pairs.
"""

import numpy as np
from keras import ops


def _wrap(angle):
    """Angles into `[-pi, pi)`."""
    return (angle + np.pi) % (2 * np.pi) - np.pi


def phase_field(states, channel=0):
    """`theta = arg z` and `|z|` of one complex channel of grid states `(..., H, W, 2C)`.

    Returns:
        `(theta, magnitude)`, NumPy arrays of shape `(..., H, W)`.
    """
    states = ops.convert_to_numpy(states)
    if states.ndim < 3 or states.shape[-1] % 2:
        raise ValueError(
            f"phase_field expects grid states (..., H, W, 2C) of (Re, Im) channels; got shape {states.shape}."
        )
    channels = states.shape[-1] // 2
    if not 0 <= channel < channels:
        raise ValueError(f"channel must be in [0, {channels}); got {channel}.")
    re, im = states[..., 2 * channel], states[..., 2 * channel + 1]
    return np.arctan2(im, re), np.hypot(re, im)


def ordering_wavevector(theta, magnitude=None):
    """The wavevector `k = (k_y, k_x)` of the plane wave `exp(i k.x)` a phase field orders into.

    The peak of the power spectrum of `magnitude * exp(i theta)` over the last two
    axes `(H, W)`, averaged over any leading (time) axes; `k = 0` for uniform order,
    `(pi, pi)` for a staggered one. The peak is a lattice wavevector, `2 pi n / H`.

    Args:
        theta: phases `(..., H, W)`.
        magnitude: optional weights `|z|` of the same shape (default 1).

    Returns:
        `(k_y, k_x)` in radians per site, each in `[-pi, pi)`.
    """
    theta = np.asarray(theta, dtype="float64")
    if theta.ndim < 2:
        raise ValueError(f"ordering_wavevector needs a phase field (..., H, W); got shape {theta.shape}.")
    field = np.exp(1j * theta) * (1.0 if magnitude is None else np.asarray(magnitude))
    power = np.abs(np.fft.fft2(field)) ** 2
    power = power.reshape((-1,) + theta.shape[-2:]).mean(axis=0)
    ny, nx = np.unravel_index(np.argmax(power), power.shape)
    return tuple(float(_wrap(2 * np.pi * np.fft.fftfreq(size)[n])) for n, size in zip((ny, nx), theta.shape[-2:]))


def winding_numbers(theta, periodic=False):
    """Winding number of every plaquette of a phase field `(..., H, W)` (Iqbal et al. 2026, D.3): integers in {-2..2}.

    Args:
        theta: phases in radians, last two axes `(H, W)` = `(y, x)`.
        periodic: wrap the grid into a torus; then the result is `(..., H, W)`,
            otherwise `(..., H-1, W-1)`, plaquette `(y, x)` having its lower-left
            corner at site `(y, x)`.

    Returns:
        integer NumPy array of windings.
    """
    theta = np.asarray(theta, dtype="float64")
    if theta.ndim < 2 or min(theta.shape[-2:]) < 2:
        raise ValueError(f"winding_numbers needs a phase field (..., H, W) with H, W >= 2; got shape {theta.shape}.")
    if periodic:
        right = np.roll(theta, -1, axis=-1)
        up = np.roll(theta, -1, axis=-2)
        diagonal = np.roll(right, -1, axis=-2)
        corners = (theta, right, diagonal, up)
    else:
        corners = (theta[..., :-1, :-1], theta[..., :-1, 1:], theta[..., 1:, 1:], theta[..., 1:, :-1])
    total = sum(_wrap(corners[(i + 1) % 4] - corners[i]) for i in range(4))
    return np.rint(total / (2 * np.pi)).astype(int)


def vortex_counts(winding):
    """`(vortices, antivortices)`: the number of plaquettes of winding > 0 and < 0, per leading index.

    A winding of +-2 counts once (it does not occur for smooth fields).
    """
    winding = np.asarray(winding)
    return np.sum(winding > 0, axis=(-2, -1)), np.sum(winding < 0, axis=(-2, -1))


def vortex_history(states, channel=0, periodic=False, wavevector=None):
    """Vortex and antivortex counts through time for states `(time, H, W, 2C)`
    (Iqbal et al. 2026, Figs. 12, 13, bottom).

    Args:
        states: grid states `(time, H, W, 2C)`.
        channel: the complex channel.
        periodic: see `winding_numbers`.
        wavevector: `None` winds the raw phase; `(k_y, k_x)` or `"auto"`
            (`ordering_wavevector` of this channel over all times) winds the phase
            relative to the spiral order, `theta - k.x`.

    Returns:
        dict: `theta` (the phase that was wound, relative to the order when a
        wavevector is given), `magnitude` `(time, H, W)`, `winding` (plaquettes),
        `vortices` and `antivortices` `(time,)`, and `wavevector` (`(0, 0)` when
        `None`).
    """
    theta, magnitude = phase_field(states, channel)
    if wavevector is None:
        wavevector = (0.0, 0.0)
    elif isinstance(wavevector, str):
        if wavevector != "auto":
            raise ValueError(f'wavevector must be None, "auto" or (k_y, k_x); got {wavevector!r}.')
        wavevector = ordering_wavevector(theta, magnitude)
    y, x = np.mgrid[: theta.shape[-2], : theta.shape[-1]]
    theta = _wrap(theta - wavevector[0] * y - wavevector[1] * x)
    winding = winding_numbers(theta, periodic)
    vortices, antivortices = vortex_counts(winding)
    return {
        "theta": theta,
        "magnitude": magnitude,
        "winding": winding,
        "vortices": vortices,
        "antivortices": antivortices,
        "wavevector": tuple(wavevector),
    }
