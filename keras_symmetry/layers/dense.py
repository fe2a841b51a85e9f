"""Equivariant linear layers: complex-linear U(1) and isotropic O(k)."""

import keras
from keras import ops

from keras_symmetry import capsules, initializers


class _CapsuleDense(keras.layers.Layer):
    """Shared plumbing of `U1Dense` and `OkDense`; subclasses define the kernel."""

    def __init__(
        self,
        units,
        k,
        use_bias=False,
        kernel_initializer=None,
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units < 1:
            raise ValueError(f"{type(self).__name__}: units must be a positive integer; got {units!r}.")
        self.units = units
        self.k = k
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer or initializers.SigmaW(1.0))
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.input_spec = keras.layers.InputSpec(min_ndim=2)

    def build(self, input_shape):
        fan_in = capsules.check_capsule_shape(input_shape, self.k, self._where)
        self.kernel = self.add_weight(
            name="kernel",
            shape=self._kernel_shape(fan_in),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.units * self.k,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
            )

    @property
    def _where(self):
        return f"{type(self).__name__} {self.name!r}"

    def call(self, inputs):
        capsules.check_float(inputs, self._where)
        outputs = self._linear(inputs)
        if self.bias is not None:
            outputs = outputs + self.bias
        return outputs

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units * self.k)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer),
        }


@keras.saving.register_keras_serializable(package="keras_symmetry")
class U1Dense(_CapsuleDense):
    """Complex-linear layer `z_i -> sum_j W_ij z_j` on (Re, Im) capsules (001, eqs. 4, 21).

    `W` is an unconstrained complex matrix, stored as `kernel` of shape
    `(2, fan_in, units)` = (Re W, Im W) in Keras' `(in, out)` orientation, and
    applied as one real block matmul. It commutes with every phase rotation
    `z -> e^{i theta} z`. A bias breaks that symmetry (it is the explicitly
    symmetry-broken variant), so `use_bias` defaults to `False`.

    Args:
        units: number of output complex capsules (the output has `2 * units` reals).
        use_bias: add a complex bias; breaks U(1) equivariance. Default `False`.
        kernel_initializer: default `SigmaW(1.0)`: `E|W_ij|^2 = sigma_w^2 / fan_in`
            (001, eq. 35), the transition at `sigma_w = 1`.
        bias_initializer, kernel_regularizer, bias_regularizer: as in `keras.layers.Dense`.

    Input shape `(..., 2 * fan_in)`; output shape `(..., 2 * units)`.
    """

    def __init__(self, units, **kwargs):
        super().__init__(units, 2, **kwargs)

    def _kernel_shape(self, fan_in):
        return (2, fan_in, self.units)

    def _linear(self, inputs):
        return ops.matmul(inputs, capsules.complex_block_kernel(self.kernel))


@keras.saving.register_keras_serializable(package="keras_symmetry")
class OkDense(_CapsuleDense):
    """O(k)-equivariant linear layer `W = w (x) I_k` (001, eq. 19).

    Mixes capsules with a real `w` of shape `(fan_in, units)` and acts as the
    identity inside each k-vector, so it commutes with every `O in O(k)`
    applied to all capsules. By Schur's lemma this is the most general such
    map for `k > 2`. A bias breaks the symmetry; `use_bias` defaults to `False`.

    Args:
        units: number of output capsules (the output has `k * units` reals).
        k: capsule size.
        use_bias: add a bias; breaks O(k) equivariance. Default `False`.
        kernel_initializer: default `SigmaW(1.0)`: `E w_ij^2 = sigma_w^2 / fan_in`
            (transition at `sigma_w = 1`).
        bias_initializer, kernel_regularizer, bias_regularizer: as in `keras.layers.Dense`.

    Input shape `(..., k * fan_in)`; output shape `(..., k * units)`.
    """

    def __init__(self, units, k, **kwargs):
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"OkDense: k must be a positive integer; got {k!r}.")
        super().__init__(units, k, **kwargs)

    def _kernel_shape(self, fan_in):
        return (fan_in, self.units)

    def _linear(self, inputs):
        return capsules.isotropic_matmul(inputs, self.kernel, self.k)

    def get_config(self):
        return {**super().get_config(), "k": self.k}
