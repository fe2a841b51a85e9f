"""U(1) vortices on a 2D grid: phase field, winding number per plaquette, counts through time (001 D.3, Figs. 12-13).

A `U1ConvRNN2D` state is a grid `(..., H, W, 2C)` of `C` complex channels in
(Re, Im) pairs (DESIGN §2). For one channel the phase `theta = arg z` is a field
on the sites; the winding number of a plaquette (the 2x2 square of sites
`(y, x), (y, x+1), (y+1, x+1), (y+1, x)`, counter-clockwise in the `(x, y)`
plane) is the sum of the four phase differences, each wrapped into
`[-pi, pi)`, divided by `2 pi`: an integer, `+1` for a vortex, `-1` for an
antivortex. On a torus (`periodic=True`) the plaquettes wrap around and their
windings sum to zero: vortices come in pairs.
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


def winding_numbers(theta, periodic=False):
    """Winding number of every plaquette of a phase field `(..., H, W)` (001 D.3): integers in {-2..2}.

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


def vortex_history(states, channel=0, periodic=False):
    """Vortex and antivortex counts through time for states `(time, H, W, 2C)` (001 Figs. 12, 13, bottom).

    Returns:
        dict of NumPy arrays: `theta`, `magnitude` `(time, H, W)`, `winding`
        (plaquettes), `vortices` and `antivortices` `(time,)`.
    """
    theta, magnitude = phase_field(states, channel)
    winding = winding_numbers(theta, periodic)
    vortices, antivortices = vortex_counts(winding)
    return {"theta": theta, "magnitude": magnitude, "winding": winding, "vortices": vortices, "antivortices": antivortices}
