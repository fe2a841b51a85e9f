"""Group axioms and the action on capsule tensors."""

import math

import numpy as np
import pytest
from conftest import to_numpy

from keras_symmetry import groups

ALL_GROUPS = [groups.Z2(), groups.U1(), groups.O(2), groups.O(3), groups.O(8)]


@pytest.mark.parametrize("group", ALL_GROUPS, ids=repr)
def test_elements_are_orthogonal_and_form_a_group(group):
    g, h = group.sample(seed=1), group.sample(seed=2)
    eye = np.eye(group.k)
    assert np.allclose(g.matrix @ g.matrix.T, eye)
    assert g.inverse().compose(g).allclose(group.identity())
    assert (g @ h).inverse().allclose(h.inverse() @ g.inverse())
    assert (g @ group.identity()).allclose(g)


@pytest.mark.parametrize("group", ALL_GROUPS, ids=repr)
def test_action_is_a_representation(group, rng):
    x = rng.normal(size=(3, 5 * group.k)).astype("float32")
    g, h = group.sample(seed=3), group.sample(seed=4)
    np.testing.assert_allclose(to_numpy(g.act(h.act(x))), to_numpy((g @ h).act(x)), atol=1e-5)
    np.testing.assert_allclose(to_numpy(g.inverse().act(g.act(x))), x, atol=1e-5)
    np.testing.assert_allclose(to_numpy(group.identity().act(x)), x)


@pytest.mark.parametrize("group", ALL_GROUPS, ids=repr)
def test_action_preserves_capsule_norms_and_acts_capsulewise(group, rng):
    x = rng.normal(size=(2, 4 * group.k))
    y = to_numpy(group.sample(seed=5).act(x))
    norms = lambda v: np.linalg.norm(v.reshape(2, 4, group.k), axis=-1)  # noqa: E731
    np.testing.assert_allclose(norms(y), norms(x), rtol=1e-5)
    # Capsule j of the output depends on capsule j of the input alone.
    x2 = x.copy()
    x2[:, : group.k] = 0
    y2 = to_numpy(group.sample(seed=5).act(x2))
    np.testing.assert_allclose(y2[:, group.k :], y[:, group.k :], rtol=1e-5)


def test_sampling_is_seeded():
    assert groups.O(5).sample(seed=7).allclose(groups.O(5).sample(seed=7))
    assert not groups.O(5).sample(seed=7).allclose(groups.O(5).sample(seed=8))


def test_u1_rotation_is_complex_multiplication(rng):
    z = rng.normal(size=3) + 1j * rng.normal(size=3)
    x = np.stack([z.real, z.imag], -1).reshape(1, 6)
    y = to_numpy(groups.U1().element(0.7).act(x)).reshape(3, 2)
    np.testing.assert_allclose(y[:, 0] + 1j * y[:, 1], np.exp(0.7j) * z, rtol=1e-6)


def test_ok_sampling_covers_both_components():
    dets = {round(np.linalg.det(groups.O(3).sample(seed=s).matrix)) for s in range(20)}
    assert dets == {-1, 1}


def test_u1_samples_spread_over_the_circle():
    angles = [math.atan2(g.matrix[1, 0], g.matrix[0, 0]) for g in (groups.U1().sample(seed=s) for s in range(200))]
    hist, _ = np.histogram(angles, bins=4, range=(-math.pi, math.pi))
    assert hist.min() > 30


def test_z2_flips_sign_and_test_elements_hold_minus_one(rng):
    x = rng.normal(size=(2, 7))
    np.testing.assert_allclose(to_numpy(groups.Z2().element(-1).act(x)), -x)
    assert [int(g.matrix[0, 0]) for g in groups.Z2().test_elements(3)] == [-1]


def test_get_by_zoo_prefix():
    assert groups.get("u1") == groups.U1()
    assert groups.get("O8") == groups.O(8)
    assert groups.get("z2") == groups.Z2()
    with pytest.raises(ValueError, match="Unknown group"):
        groups.get("su3")


def test_bad_uses_raise_clear_errors(rng):
    with pytest.raises(ValueError, match="multiple of 3"):
        groups.O(3).sample(seed=0).act(rng.normal(size=(2, 7)))
    with pytest.raises(ValueError, match="orthogonal"):
        groups.O(2).element([[1.0, 1.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="compose"):
        groups.O(2).identity() @ groups.U1().identity()
