"""Equivariance checks in the style of escnn / e3nn's `assert_equivariant`.

Draw a random group element `g`, transform the inputs, run the function, and
compare with the transformed outputs:

```python
err = ks.testing.assert_equivariant(layer, ks.groups.U1(), x)   # raises if err > atol
```
"""

import numpy as np
from keras import ops


def _as_tuple(x):
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


def equivariance_error(fn, element, inputs, outputs=None):
    """`max |fn(g x) - g fn(x)|` over all outputs, for one group element `g`.

    `inputs` is a tensor or a tuple of tensors, all transformed by `g`; every
    output of `fn(*inputs)` is expected to transform by `g` too. `outputs`:
    `fn(*inputs)` when already computed (one call less per element).
    """
    inputs = _as_tuple(inputs)
    outputs = _as_tuple(fn(*inputs) if outputs is None else outputs)
    moved = _as_tuple(fn(*(element.act(x) for x in inputs)))
    return max(
        float(np.max(np.abs(ops.convert_to_numpy(a) - ops.convert_to_numpy(element.act(b)))))
        for a, b in zip(moved, outputs)
    )


def assert_equivariant(fn, group, inputs, samples=3, atol=1e-5, seed=0):
    """Check `fn(g x) == g fn(x)` for `samples` random elements of `group` (for Z2: for -1).

    Returns the largest error seen; raises `AssertionError` naming the element
    when an error exceeds `atol`.
    """
    worst = 0.0
    outputs = fn(*_as_tuple(inputs))
    for element in group.test_elements(samples, seed=seed):
        error = equivariance_error(fn, element, inputs, outputs)
        if not error <= atol:
            raise AssertionError(
                f"Not {group.name}-equivariant: max |f(g x) - g f(x)| = {error:.3e} > atol={atol:.1e} "
                f"for g = {element!r}."
            )
        worst = max(worst, error)
    return worst
