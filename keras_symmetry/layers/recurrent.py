"""Recurrent layers with the calling conventions of `keras.layers.GRU`.

`U1SimpleRNN`, `U1GRU`, `OkSimpleRNN` and `U1ConvRNN2D` wrap the cells of
`keras_symmetry.layers.cells` in `keras.layers.RNN`: inputs `(batch, time,
features)`, `return_sequences`, `return_state`, `initial_state`, `go_backwards`,
`stateful`, `unroll`, masking. The layer's arguments are its cell's plus
these; `get_config` holds them all flat, like Keras' own RNN layers.
"""

import contextlib
import re

import keras
from keras import ops
from keras.src import backend as keras_backend  # backend.rnn: the loop keras.layers.RNN itself runs

from keras_symmetry import capsules, performance
from keras_symmetry.layers import cells

_LAYER_ARGS = ("name", "trainable", "dtype", "activity_regularizer")


def _advance(cell, structure):
    """The step `(x_t, h, *kernels) -> h'` of a cell, `kernels` flattened from `structure` (what gets compiled)."""

    def advance(x_t, h, *kernels):
        return cell.loop_step(x_t, h, keras.tree.pack_sequence_as(structure, kernels))

    return advance


def under_xla():
    """Whether the code being traced is compiled by XLA: always on JAX; on TensorFlow inside `jit_compile=True`."""
    backend = keras.backend.backend()
    if backend == "jax":
        return True
    if backend != "tensorflow":
        return False
    try:
        import tensorflow as tf
        from tensorflow.python.ops import control_flow_util
    except ImportError:  # pragma: no cover - a TensorFlow without the internal module
        return False
    return bool(control_flow_util.GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph()))


class CapsuleRNN(keras.layers.RNN):
    """Base class: a `keras.layers.RNN` around one capsule cell (`cell_class`)."""

    cell_class = None

    def __init__(
        self,
        *args,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        zero_output_for_mask=False,
        **kwargs,
    ):
        layer_kwargs = {key: kwargs.pop(key) for key in _LAYER_ARGS if key in kwargs}
        cell_name = re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", self.cell_class.__name__).lower()
        cell = self.cell_class(
            *args,
            dtype=layer_kwargs.get("dtype"),
            trainable=layer_kwargs.get("trainable", True),
            name=cell_name,
            **kwargs,
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            zero_output_for_mask=zero_output_for_mask,
            **layer_kwargs,
        )
        self.input_spec = keras.layers.InputSpec(ndim=3)

    @property
    def units(self):
        return self.cell.units

    @property
    def k(self):
        return self.cell.k

    @property
    def _where(self):
        return f"{type(self).__name__} {self.name!r}"

    def _check_initial_state(self, sequences, initial_state):
        """Accept `h0` or `[h0]` of shape `(batch, units*k)`; raise a clear error otherwise."""
        if isinstance(initial_state, (list, tuple)):
            if len(initial_state) != 1:
                raise ValueError(f"{self._where} has one state; initial_state holds {len(initial_state)} tensors.")
            initial_state = initial_state[0]
        initial_state = self._flat_state(ops.convert_to_tensor(initial_state))
        capsules.check_float(initial_state, f"{self._where} (initial_state)")
        expected = (sequences.shape[0], self.cell.state_size)
        shape = tuple(initial_state.shape)
        batch = shape[0] if shape else None
        batch_mismatch = None not in (batch, expected[0]) and batch != expected[0]
        if len(shape) != 2 or shape[-1] != expected[1] or batch_mismatch:
            raise ValueError(
                f"{self._where}: initial_state must have shape (batch, units*k) = {expected}, "
                f"matching the inputs {tuple(sequences.shape)}; got {shape}."
            )
        return initial_state

    def _flat_state(self, state):
        """The state as the cell holds it (the grid layer flattens a grid state)."""
        return state

    def inner_loop(self, sequences, initial_state, mask, training=False):
        """Keras' RNN loop, calling the cell's step as a plain function of the input, the state and
        the weights, built once per sequence (instead of a layer call that rebuilds them at every
        step), on the cell's loop layout (`CapsuleCell.loop_layout`: the O(k) RNN keeps its state
        component-major). Under XLA a cell with `remat_under_xla` has its step recomputed in the
        backward pass (`keras.remat`) rather than its intermediates stored; on torch the step can
        be compiled (`ks.performance`). On JAX the other cells keep Keras' own loop: XLA
        already hoists their kernels out of its scan, and the plain loop measured as fast or
        faster there."""
        cell = self.cell
        xla = under_xla()
        remat = cell.remat_under_xla and xla
        if keras.backend.backend() == "jax" and not (cell.loop_layout or remat):
            return super().inner_loop(sequences, initial_state, mask, training=training)
        structure = keras.tree.map_structure(ops.convert_to_tensor, cell.loop_kernels())
        kernels = keras.tree.flatten(structure)
        if performance.torch_compile():
            advance = self._compiled_step(structure)
        else:
            advance = keras.remat(_advance(cell, structure)) if remat else _advance(cell, structure)

        def step(x_t, states):
            h = advance(x_t, states[0], *kernels)
            return h, [h]

        states = initial_state if isinstance(initial_state, (list, tuple)) else [initial_state]
        custom_gradient = performance.custom_radial_gradient(xla)
        with cell.custom_radial_gradient() if custom_gradient else contextlib.nullcontext():
            last_output, outputs, states = keras_backend.rnn(
                step,
                sequences,
                [cell.to_loop_layout(state) for state in states],
                go_backwards=self.go_backwards,
                mask=mask,
                unroll=self.unroll,
                input_length=sequences.shape[1],
                zero_output_for_mask=self.zero_output_for_mask,
                return_all_outputs=self.return_sequences,
            )
        back = cell.from_loop_layout
        return back(last_output), back(outputs), [back(state) for state in states]

    def _compiled_step(self, structure):
        if getattr(self, "_torch_step", None) is None:
            import torch

            self._torch_step = torch.compile(_advance(self.cell, structure), dynamic=False)
        return self._torch_step

    def call(self, sequences, initial_state=None, mask=None, training=False):
        capsules.check_float(sequences, self._where)
        if initial_state is not None:
            initial_state = self._check_initial_state(sequences, initial_state)
        return super().call(sequences, initial_state=initial_state, mask=mask, training=training)

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        cell_config = {
            key: value for key, value in self.cell.get_config().items() if key not in ("name", "trainable", "dtype")
        }
        return {**config, **cell_config}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


_RNN_ARGS = """
    Plus the arguments of `keras.layers.RNN`: `return_sequences`, `return_state`,
    `go_backwards`, `stateful`, `unroll`, `zero_output_for_mask`.

    Call arguments:
        sequences: real `(batch, time, features)`.
        initial_state: `(batch, {size})` (default zeros, h^0 = 0 as in 001 D.2.1).
        mask, training: as in `keras.layers.RNN`.

    Output: the last state `(batch, {size})` or, with `return_sequences`, every
    state `(batch, time, {size})`, in the capsule layout; with `return_state`
    also the final state.
"""


def _layer_doc(cell_class, size, example=""):
    """A layer's docstring: its cell's, the RNN arguments, and an example."""
    return cell_class.__doc__.replace("Cell of the", "The", 1) + _RNN_ARGS.format(size=size) + example


@keras.saving.register_keras_serializable(package="keras_symmetry")
class U1SimpleRNN(CapsuleRNN):
    cell_class = cells.U1SimpleRNNCell
    __doc__ = _layer_doc(
        cells.U1SimpleRNNCell,
        "2*units",
        """
    Example:
    ```python
    rnn = ks.layers.U1SimpleRNN(32, blank_channel=0, return_sequences=True)
    h = rnn(x)                      # x: (batch, time, 10) -> (batch, time, 64)
    ```
""",
    )


@keras.saving.register_keras_serializable(package="keras_symmetry")
class OkSimpleRNN(CapsuleRNN):
    cell_class = cells.OkSimpleRNNCell
    __doc__ = _layer_doc(cells.OkSimpleRNNCell, "k*units")


@keras.saving.register_keras_serializable(package="keras_symmetry")
class U1GRU(CapsuleRNN):
    cell_class = cells.U1GRUCell
    __doc__ = _layer_doc(
        cells.U1GRUCell,
        "2*units",
        """
    Example:
    ```python
    gru = ks.layers.U1GRU(64)       # psMNIST: 64 complex capsules
    h = gru(pixels)                 # (batch, 784, 1) -> (batch, 128)
    logits = keras.layers.Dense(10)(h)
    ```
""",
    )


@keras.saving.register_keras_serializable(package="keras_symmetry")
class U1ConvRNN2D(CapsuleRNN):
    cell_class = cells.U1ConvRNN2DCell
    __doc__ = _layer_doc(
        cells.U1ConvRNN2DCell,
        "H, W, 2*filters",
        """
    The states are returned on the grid, `(batch, H, W, 2*filters)`; an
    `initial_state` may be given on the grid or flat.
""",
    )

    @property
    def filters(self):
        return self.cell.filters

    def _flat_state(self, state):
        if tuple(state.shape[1:]) == self.cell.grid_state_shape:
            return ops.reshape(state, (-1, self.cell.state_size))
        return state

    def call(self, sequences, initial_state=None, mask=None, training=False):
        result = super().call(sequences, initial_state=initial_state, mask=mask, training=training)
        grid = self.cell.grid_state_shape

        def to_grid(x):
            return ops.reshape(x, (*ops.shape(x)[:-1], *grid))

        if self.return_state:
            return tuple(to_grid(x) for x in result)
        return to_grid(result)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        flat = super().compute_output_shape(sequences_shape, initial_state_shape)
        grid = self.cell.grid_state_shape
        if self.return_state:
            return tuple((*shape[:-1], *grid) for shape in flat)
        return (*flat[:-1], *grid)
