"""Symmetry groups and their action on capsule tensors.

One convention everywhere (DESIGN §2): a tensor of `units` capsules of size `k`
has shape `(..., units * k)`, capsule-major, so capsule `j` is
`x[..., j*k:(j+1)*k]`. A group element acts on every capsule alike:

* `Z2`: `x -> -x` on the whole oscillator vector (Iqbal & Welling 2025, eq. 7); it does
  not care about capsules, so its `k` is only used for bookkeeping.
* `U1`: rotation of every `(Re, Im)` pair by the same angle, `z -> e^{i theta} z`
  (Iqbal et al. 2026, eq. 3); `k = 2`.
* `O(k)`: `x_alpha -> O x_alpha` with one orthogonal `O` for every capsule
  `alpha` (Iqbal et al. 2026, eqs. 18 and 63).

Elements are small immutable objects holding a NumPy `k x k` matrix; they act on
NumPy arrays and on tensors of the active Keras backend alike (the action is a
Keras op). Sampling is seeded and Haar-distributed.

```python
g = ks.groups.U1().sample(seed=0)
y = g.act(x)                  # or g(x)
g.inverse() @ g               # identity
```
"""

import math

import numpy as np
from keras import ops


class GroupElement:
    """One element of a group acting on capsules of size `k`.

    Args:
        group: the `Group` the element belongs to.
        matrix: the `k x k` orthogonal matrix of the element.
    """

    def __init__(self, group, matrix):
        matrix = np.asarray(matrix, dtype="float64")
        if matrix.shape != (group.k, group.k):
            raise ValueError(f"A {group.name} element needs a {group.k}x{group.k} matrix; got shape {matrix.shape}.")
        self.group = group
        self.matrix = matrix
        self.matrix.setflags(write=False)

    @property
    def k(self):
        return self.group.k

    def inverse(self):
        """The inverse element (the transposed orthogonal matrix)."""
        return GroupElement(self.group, self.matrix.T)

    def compose(self, other):
        """`self.compose(other)` acts as `other` first, then `self`."""
        if other.group != self.group:
            raise ValueError(f"Cannot compose elements of {self.group.name} and {other.group.name}.")
        return GroupElement(self.group, self.matrix @ other.matrix)

    __matmul__ = compose

    def act(self, x):
        """Apply the element to a capsule tensor of shape `(..., units * k)`."""
        x = ops.convert_to_tensor(x)
        last = x.shape[-1]
        if last is None or last % self.k:
            raise ValueError(
                f"{self.group.name} acts on capsules of size {self.k}: the last "
                f"dimension must be a multiple of {self.k}; got shape {tuple(x.shape)}."
            )
        if self.group.is_scalar:
            return x * ops.cast(self.matrix[0, 0], x.dtype)
        shape = ops.shape(x)
        capsules = ops.reshape(x, (*shape[:-1], last // self.k, self.k))
        rotated = ops.matmul(capsules, ops.cast(self.matrix.T, x.dtype))
        return ops.reshape(rotated, shape)

    __call__ = act

    def allclose(self, other, atol=1e-12):
        return self.group == other.group and np.allclose(self.matrix, other.matrix, atol=atol)

    def __repr__(self):
        return f"{self.group.name}Element({self.group.describe(self.matrix)})"


class Group:
    """Base class: a compact group acting on capsules of size `k`."""

    name = "Group"
    is_scalar = False

    def __init__(self, k):
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"Capsule size k must be a positive integer; got {k!r}.")
        self.k = k

    def identity(self):
        """The identity element."""
        return GroupElement(self, np.eye(self.k))

    def sample(self, seed=None):
        """A Haar-random element, reproducible for an integer `seed`."""
        return GroupElement(self, self._sample(np.random.default_rng(seed)))

    def _sample(self, rng):
        raise NotImplementedError

    def test_elements(self, samples, seed=0):
        """Elements for an equivariance check: `samples` random ones, never only the identity."""
        rng = np.random.default_rng(seed)
        return [self.sample(seed=int(rng.integers(2**31))) for _ in range(samples)]

    def describe(self, matrix):
        return np.array2string(matrix, precision=4)

    def __eq__(self, other):
        return type(self) is type(other) and self.k == other.k

    def __hash__(self):
        return hash((type(self).__name__, self.k))

    def __repr__(self):
        return f"{self.name}()"


class Z2(Group):
    """The group {+1, -1} acting as `x -> -x` (Iqbal & Welling 2025, eq. 7).

    Args:
        k: capsule size the tensors are checked against (default 1: any
            last dimension).
    """

    name = "Z2"
    is_scalar = True

    def __init__(self, k=1):
        super().__init__(k)

    def element(self, sign):
        """The element `+1` or `-1`."""
        if sign not in (1, -1):
            raise ValueError(f"A Z2 element is +1 or -1; got {sign!r}.")
        return GroupElement(self, sign * np.eye(self.k))

    def _sample(self, rng):
        return rng.choice([-1.0, 1.0]) * np.eye(self.k)

    def test_elements(self, samples, seed=0):
        """The one non-trivial element, -1: checking it checks the whole group."""
        return [self.element(-1)]

    def describe(self, matrix):
        return f"{int(matrix[0, 0]):+d}"


class U1(Group):
    """Phase rotations `z -> e^{i theta} z` of every (Re, Im) capsule (Iqbal et al. 2026, eq. 3)."""

    name = "U1"

    def __init__(self):
        super().__init__(2)

    def element(self, theta):
        """The rotation by angle `theta` (radians)."""
        c, s = math.cos(theta), math.sin(theta)
        return GroupElement(self, np.array([[c, -s], [s, c]]))

    def _sample(self, rng):
        return self.element(rng.uniform(0.0, 2.0 * math.pi)).matrix

    def describe(self, matrix):
        return f"theta={math.atan2(matrix[1, 0], matrix[0, 0]):.4f}"

    def __repr__(self):
        return "U1()"


class O(Group):
    """The orthogonal group O(k) acting on every k-vector capsule (Iqbal et al. 2026, eq. 18).

    Sampling includes reflections (determinant -1) with probability 1/2.
    """

    def element(self, matrix):
        """The element with the given orthogonal `k x k` matrix."""
        matrix = np.asarray(matrix, dtype="float64")
        if matrix.shape != (self.k, self.k) or not np.allclose(matrix @ matrix.T, np.eye(self.k), atol=1e-8):
            raise ValueError(f"Not an orthogonal {self.k}x{self.k} matrix: {matrix}")
        return GroupElement(self, matrix)

    def _sample(self, rng):
        # QR of a Gaussian matrix with the sign fix of Mezzadri (2007) is Haar on O(k).
        q, r = np.linalg.qr(rng.standard_normal((self.k, self.k)))
        return q * np.sign(np.diag(r))

    def __repr__(self):
        return f"O({self.k})"

    @property
    def name(self):
        return f"O({self.k})"


def get(name):
    """A group from its zoo prefix: `"z2"`, `"u1"` or `"o<k>"` (e.g. `"o8"`)."""
    key = str(name).lower()
    if key == "z2":
        return Z2()
    if key == "u1":
        return U1()
    if key.startswith("o") and key[1:].isdigit():
        return O(int(key[1:]))
    raise ValueError(f"Unknown group {name!r}; expected 'z2', 'u1' or 'o<k>' such as 'o8'.")
