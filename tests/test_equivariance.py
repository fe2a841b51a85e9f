"""escnn/e3nn-style equivariance: every layer passes, every symmetry-broken variant fails."""

import pytest

from keras_symmetry import checks, testing

CASE_IDS = [case.name for case in checks.CASES]


@pytest.mark.parametrize("case", checks.CASES, ids=CASE_IDS)
def test_layer_is_equivariant(case, rng):
    fn, args = case.make(False, rng)
    testing.assert_equivariant(fn, case.group, args, samples=3, atol=case.atol)


@pytest.mark.parametrize("case", checks.CASES, ids=CASE_IDS)
def test_symmetry_broken_variant_fails_the_same_check(case, rng):
    fn, args = case.make(True, rng)
    with pytest.raises(AssertionError, match="Not .*-equivariant"):
        testing.assert_equivariant(fn, case.group, args, samples=3, atol=case.atol)


def test_run_case_reports_small_and_large_errors():
    case = checks.CASES[0]
    assert checks.run_case(case) < case.atol < checks.run_case(case, broken=True)
