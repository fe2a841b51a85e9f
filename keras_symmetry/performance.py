"""Performance switches of the recurrent layers: one settings object; environment variables only override it.

The layers compute the same numbers whichever way these are set; they choose how. Each switch's default was
measured fastest on a CPU (docs/PERFORMANCE.md):

- `torch_compile` (environment override `KERAS_SYMMETRY_TORCH_COMPILE=1` / `0`): default `False`, each recurrent
  step runs eagerly on torch. `True` compiles it with `torch.compile` (1.7-2.6x faster steps, tens of seconds of
  compilation first); the recipes turn it on for the entries measured faster.
- `im2col` (environment override `KERAS_SYMMETRY_IM2COL=1` / `0`): default `None`, on JAX only, `U1ConvRNN2D`
  computes its convolution as one matmul over shifted grids (JAX's convolution inside a time loop is 15x slower on
  a CPU).
- `radial_gradient` (environment override `KERAS_SYMMETRY_RADIAL_GRADIENT=custom` / `autodiff`): default `None`,
  `"custom"` (the written-out gradient of the radial tanh) on TensorFlow without XLA, `"autodiff"` elsewhere.

```python
import keras_symmetry as ks

with ks.performance.settings(torch_compile=True):   # for one block
    model.fit(...)
ks.performance.configure(im2col=False)               # from now on
```
An environment variable, where set, wins over both (benchmarks use them to time one choice against the other).
"""

import contextlib
import dataclasses
import os

import keras

ENVIRONMENT = {
    "torch_compile": "KERAS_SYMMETRY_TORCH_COMPILE",
    "im2col": "KERAS_SYMMETRY_IM2COL",
    "radial_gradient": "KERAS_SYMMETRY_RADIAL_GRADIENT",
}
"""The environment variable that overrides each setting."""

_CHOICES = {
    "torch_compile": (True, False),
    "im2col": (None, True, False),
    "radial_gradient": (None, "custom", "autodiff"),
}


@dataclasses.dataclass(frozen=True)
class Performance:
    """How the recurrent layers run (the module's table).

    Attributes:
        torch_compile: compile each recurrent step with `torch.compile` on the torch backend.
        im2col: compute `U1ConvRNN2D`'s convolution as one matmul; `None` chooses per backend.
        radial_gradient: `"custom"` or `"autodiff"` gradient of the radial tanh in the recurrent loop; `None`
            chooses per backend.
    """

    torch_compile: bool = False
    im2col: bool | None = None
    radial_gradient: str | None = None

    def __post_init__(self):
        for name, choices in _CHOICES.items():
            value = getattr(self, name)
            if not any(value is choice or (isinstance(choice, str) and value == choice) for choice in choices):
                raise ValueError(f"ks.performance: {name} must be one of {choices}; got {value!r}.")


_current = Performance()


def current():
    """The `Performance` in force: the innermost `settings` block's, else the last `configure`'s."""
    return _current


def configure(**changes):
    """Change settings from now on, e.g. `configure(torch_compile=True)`; returns the new `Performance`."""
    global _current
    _current = dataclasses.replace(_current, **changes)
    return _current


@contextlib.contextmanager
def settings(**changes):
    """Within the block, the settings with `changes` applied (e.g. `settings(torch_compile=True)`)."""
    global _current
    previous = _current
    _current = dataclasses.replace(previous, **changes)
    try:
        yield _current
    finally:
        _current = previous


def _override(name, values):
    value = os.environ.get(ENVIRONMENT[name])
    return values.get(value) if value in values else None


def torch_compile():
    """Whether recurrent layers compile their step: on torch only, `KERAS_SYMMETRY_TORCH_COMPILE` else the setting."""
    if keras.backend.backend() != "torch":
        return False
    forced = _override("torch_compile", {"1": True, "0": False})
    return current().torch_compile if forced is None else forced


def im2col():
    """Whether `U1ConvRNN2DCell` convolves by one matmul over shifted grids (default: on JAX only)."""
    forced = _override("im2col", {"1": True, "0": False})
    if forced is not None:
        return forced
    chosen = current().im2col
    return keras.backend.backend() == "jax" if chosen is None else chosen


def custom_radial_gradient(xla):
    """Whether the recurrent loop's radial tanh takes its written-out gradient (default: TensorFlow without XLA)."""
    forced = _override("radial_gradient", {"custom": "custom", "autodiff": "autodiff"})
    chosen = forced or current().radial_gradient
    if chosen is None:
        return keras.backend.backend() == "tensorflow" and not xla
    return chosen == "custom"
