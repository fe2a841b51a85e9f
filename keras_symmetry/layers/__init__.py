"""Equivariant Keras layers: Z2, U(1) and O(k).

| layer | group | equations |
| --- | --- | --- |
| `RadialActivation` | U(1), O(k) | Iqbal et al. 2026, eqs. 5, 20, 61, 65 |
| `U1Dense`, `OkDense` | U(1), O(k) | Iqbal et al. 2026, eqs. 4, 19, 21 |
| `U1SimpleRNN(Cell)`, `OkSimpleRNN(Cell)` | U(1), O(k) | Iqbal et al. 2026, eqs. 13, 58-65 |
| `U1GRU(Cell)` | U(1) | Iqbal et al. 2026, eqs. 14, 67 |
| `U1ConvRNN2D(Cell)` | U(1) | Iqbal et al. 2026, D.3 |
| `KuramotoConv2D` | Z2 | Iqbal & Welling 2025, eqs. 4-9, 12 |

Iqbal et al. 2026: *Spontaneous symmetry breaking and Goldstone modes for deep information propagation*,
https://arxiv.org/abs/2605.14685. Iqbal & Welling 2025: *Topological defects propagate information in deep neural
networks*, https://openreview.net/forum?id=fM5s2Tqe0t.
"""

from keras_symmetry.layers.activations import RadialActivation
from keras_symmetry.layers.cells import (
    OkSimpleRNNCell,
    U1ConvRNN2DCell,
    U1GRUCell,
    U1SimpleRNNCell,
)
from keras_symmetry.layers.dense import OkDense, U1Dense
from keras_symmetry.layers.kuramoto import KuramotoConv2D
from keras_symmetry.layers.recurrent import (
    U1GRU,
    OkSimpleRNN,
    U1ConvRNN2D,
    U1SimpleRNN,
)

__all__ = [
    "KuramotoConv2D",
    "OkDense",
    "OkSimpleRNN",
    "OkSimpleRNNCell",
    "RadialActivation",
    "U1ConvRNN2D",
    "U1ConvRNN2DCell",
    "U1Dense",
    "U1GRU",
    "U1GRUCell",
    "U1SimpleRNN",
    "U1SimpleRNNCell",
]
