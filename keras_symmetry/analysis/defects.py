"""Z2 domains and domain walls of Kuramoto oscillator fields (Iqbal & Welling 2025, §2.2, Figs. 1, 5, 9).

A state of the Z2 network is a field of unit oscillators `x_i in S^{N-1}` on an
`H x W` lattice, `(..., H, W, N)` (`KuramotoConv2D(return_trajectory=True)`
gives one per time step). Its two degenerate ground states are related by
`x -> -x` (Iqbal & Welling 2025, eq. 7); a domain wall joins them.

Domains are read off along the field's order-parameter axis `m`: the leading
right singular vector of the `(H W, N)` matrix of oscillators, i.e. the
direction the two ground states `+-m` share. Each site gets the label
`s_i = sign(x_i . m)`, and a site is on a wall when a nearest neighbour has the
other label. The construction is Z2-covariant (`x -> -x` flips `m` or every
label, never a wall) and finds smooth walls too, where neighbouring
oscillators are never anti-aligned. The energy density of the wall is
`KuramotoConv2D.energy_density` (Iqbal & Welling 2025, eq. 6); `wall_energy_contrast` compares
it on and off the walls.
"""

import numpy as np
from keras import ops


def _field(x):
    x = np.asarray(ops.convert_to_numpy(x), dtype="float64")
    if x.ndim != 3:
        raise ValueError(f"Expected one oscillator field (H, W, N); got shape {x.shape}.")
    return x


def order_axis(x):
    """Unit vector `m` along which the field's two domains `+-m` lie (leading singular vector), `(N,)`."""
    x = _field(x)
    _, _, vt = np.linalg.svd(x.reshape(-1, x.shape[-1]), full_matrices=False)
    m = vt[0]
    return m if m[np.argmax(np.abs(m))] > 0 else -m


def domains(x, axis=None):
    """Domain labels `s_i = sign(x_i . m)` in {-1, +1}, `(H, W)`, and the overlap `x_i . m`
    (Iqbal & Welling 2025, Fig. 5, right).

    Args:
        x: oscillator field `(H, W, N)`.
        axis: the order-parameter axis `m`; default `order_axis(x)`.

    Returns:
        `(labels, overlap)`, NumPy arrays of shape `(H, W)`.
    """
    x = _field(x)
    m = order_axis(x) if axis is None else np.asarray(axis, dtype="float64")
    if m.shape != (x.shape[-1],):
        raise ValueError(f"axis must have the oscillator dimension ({x.shape[-1]},); got shape {m.shape}.")
    overlap = x @ m
    return np.where(overlap >= 0, 1, -1), overlap


def domain_walls(x, axis=None):
    """Boolean `(H, W)` map of the sites on a Z2 domain wall: a nearest neighbour lies in the other domain.

    Both sites of every link that crosses the wall are marked, so a straight
    wall between columns `j` and `j+1` marks those two columns.
    """
    labels, _ = domains(x, axis)
    flip_x = labels[:, 1:] != labels[:, :-1]
    flip_y = labels[1:, :] != labels[:-1, :]
    wall = np.zeros(labels.shape, dtype=bool)
    wall[:, 1:] |= flip_x
    wall[:, :-1] |= flip_x
    wall[1:, :] |= flip_y
    wall[:-1, :] |= flip_y
    return wall


def wall_energy_contrast(density, wall):
    """Mean energy density on the walls minus that off them
    (Iqbal & Welling 2025, Figs. 5, 9: the energy sits on the walls).

    Args:
        density: per-site energy `(H, W)` (`KuramotoConv2D.energy_density` of one example).
        wall: boolean `(H, W)` from `domain_walls`.

    Returns:
        float; `nan` when there is no wall or nothing but wall.
    """
    density = np.asarray(ops.convert_to_numpy(density), dtype="float64")
    wall = np.asarray(wall, dtype=bool)
    if density.shape != wall.shape:
        raise ValueError(f"density {density.shape} and wall {wall.shape} must have one (H, W) shape.")
    if wall.all() or not wall.any():
        return float("nan")
    return float(density[wall].mean() - density[~wall].mean())
