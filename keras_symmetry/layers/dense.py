"""Equivariant linear layers: complex-linear U(1) and isotropic O(k)."""

import keras
from keras import ops

from keras_symmetry import capsules, initializers
from keras_symmetry.layers.cells import read_only


class _CapsuleDense(keras.layers.Layer):
    """Shared plumbing of `U1Dense` and `OkDense`; subclasses define the kernel. Not a public class."""

    def __init__(
        self,
        units,
        k,
        *,
        use_bias,
        kernel_initializer,
        bias_initializer,
        kernel_regularizer,
        bias_regularizer,
        activity_regularizer,
        kernel_constraint,
        bias_constraint,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or units < 1:
            raise ValueError(f"{type(self).__name__}: units must be a positive integer; got {units!r}.")
        self._units = units
        self._k = k
        self._use_bias = use_bias
        self._kernel_initializer = keras.initializers.get(kernel_initializer or initializers.SigmaW(1.0))
        self._bias_initializer = keras.initializers.get(bias_initializer)
        self._kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self._bias_regularizer = keras.regularizers.get(bias_regularizer)
        self._kernel_constraint = keras.constraints.get(kernel_constraint)
        self._bias_constraint = keras.constraints.get(bias_constraint)
        self.input_spec = keras.layers.InputSpec(min_ndim=2)

    units = read_only("units")
    k = read_only("k")
    use_bias = read_only("use_bias")
    kernel_initializer = read_only("kernel_initializer")
    bias_initializer = read_only("bias_initializer")
    kernel_regularizer = read_only("kernel_regularizer")
    bias_regularizer = read_only("bias_regularizer")
    kernel_constraint = read_only("kernel_constraint")
    bias_constraint = read_only("bias_constraint")

    def build(self, input_shape):
        fan_in = capsules.check_capsule_shape(input_shape, self.k, self._where)
        self.kernel = self.add_weight(
            name="kernel",
            shape=self._kernel_shape(fan_in),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.units * self.k,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
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
            "activity_regularizer": keras.regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": keras.constraints.serialize(self.kernel_constraint),
            "bias_constraint": keras.constraints.serialize(self.bias_constraint),
        }


@keras.saving.register_keras_serializable(package="keras_symmetry")
class U1Dense(_CapsuleDense):
    """U(1)-equivariant dense layer: a complex-linear map `z -> W z` on (Re, Im) capsules.

    This is the linear layer of Iqbal et al. 2026, eqs. 4 and 21: `W` is an unconstrained complex matrix, stored
    as `kernel` of shape `(2, fan_in, units)` = (Re W, Im W) in Keras' `(in, out)` orientation and applied as one
    real block matmul. It commutes with every phase rotation `z -> e^{i theta} z`. A bias breaks that symmetry (the
    explicitly symmetry-broken variant), so `use_bias` defaults to `False`. There is no `activation` argument: an
    elementwise activation would break the symmetry; follow the layer with `RadialActivation(2)`, as the papers'
    deep U(1) MLP does (eq. 5).

    Args:
        units: Positive integer, number of output complex capsules (the output has `2 * units` reals).
        use_bias: Boolean, whether to add a complex bias; breaks U(1) equivariance. Default: `False`.
        kernel_initializer: Initializer of the kernel. Default `None`: `SigmaW(1.0)`, which draws
            `E|W_ij|^2 = sigma_w^2 / fan_in` (Iqbal et al. 2026, eq. 35), the transition at `sigma_w = 1`.
        bias_initializer: Initializer of the bias. Default: `"zeros"`.
        kernel_regularizer: Regularizer applied to the kernel. Default: `None`.
        bias_regularizer: Regularizer applied to the bias. Default: `None`.
        activity_regularizer: Regularizer applied to the output of the layer. Default: `None`.
        kernel_constraint: Constraint applied to the kernel. Default: `None`.
        bias_constraint: Constraint applied to the bias. Default: `None`.
        **kwargs: Base layer arguments (`name`, `dtype`, `trainable`).

    Call arguments:
        inputs: A real tensor `(..., 2 * fan_in)` of (Re, Im) capsules.

    Input shape:
        N-D tensor `(..., 2 * fan_in)`, N >= 2.

    Output shape:
        N-D tensor `(..., 2 * units)`.

    Example:

    ```python
    import numpy as np
    import keras_symmetry as ks

    z = np.random.normal(size=(4, 6)).astype("float32")  # 3 complex numbers per example
    layer = ks.layers.U1Dense(5)
    y = layer(z)
    assert tuple(y.shape) == (4, 10)
    assert tuple(layer.kernel.shape) == (2, 3, 5)  # (Re W, Im W)
    ```

    Reference:

    - [Iqbal et al., 2026](https://arxiv.org/abs/2605.14685): Spontaneous symmetry breaking and Goldstone modes
      for deep information propagation (N. Iqbal, T. A. Keller, Y. Song, T. Miyato, M. Welling).
    """

    def __init__(
        self,
        units,
        use_bias=False,
        kernel_initializer=None,
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            units,
            2,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )

    def _kernel_shape(self, fan_in):
        return (2, fan_in, self.units)

    def _linear(self, inputs):
        return ops.matmul(inputs, capsules.complex_block_kernel(self.kernel))


@keras.saving.register_keras_serializable(package="keras_symmetry")
class OkDense(_CapsuleDense):
    """O(k)-equivariant dense layer: `W = w (x) I_k` mixes capsules of size `k`, not their components.

    This is the linear layer of Iqbal et al. 2026, eq. 19: a real `w` of shape `(fan_in, units)` mixes the
    capsules and acts as the identity inside each k-vector, so the layer commutes with every `O in O(k)` applied
    to all capsules. By Schur's lemma this is the most general such map for `k > 2`. A bias breaks the symmetry,
    so `use_bias` defaults to `False`. There is no `activation` argument: an elementwise activation would break
    the symmetry; follow the layer with `RadialActivation(k)` (eq. 20).

    Args:
        units: Positive integer, number of output capsules (the output has `k * units` reals).
        k: Positive integer, capsule size.
        use_bias: Boolean, whether to add a bias; breaks O(k) equivariance. Default: `False`.
        kernel_initializer: Initializer of `w`. Default `None`: `SigmaW(1.0)`, which draws
            `E w_ij^2 = sigma_w^2 / fan_in` (Iqbal et al. 2026, eq. 35), the transition at `sigma_w = 1`.
        bias_initializer: Initializer of the bias. Default: `"zeros"`.
        kernel_regularizer: Regularizer applied to `w`. Default: `None`.
        bias_regularizer: Regularizer applied to the bias. Default: `None`.
        activity_regularizer: Regularizer applied to the output of the layer. Default: `None`.
        kernel_constraint: Constraint applied to `w`. Default: `None`.
        bias_constraint: Constraint applied to the bias. Default: `None`.
        **kwargs: Base layer arguments (`name`, `dtype`, `trainable`).

    Call arguments:
        inputs: A real tensor `(..., k * fan_in)` of capsules, capsule-major.

    Input shape:
        N-D tensor `(..., k * fan_in)`, N >= 2.

    Output shape:
        N-D tensor `(..., k * units)`.

    Example:

    ```python
    import keras
    import numpy as np
    import keras_symmetry as ks

    mlp = keras.Sequential(
        [keras.Input((12,)), ks.layers.OkDense(5, k=4), ks.layers.RadialActivation(4), ks.layers.OkDense(2, k=4)]
    )
    y = mlp(np.random.normal(size=(3, 12)).astype("float32"))
    assert tuple(y.shape) == (3, 8)  # 2 capsules of size 4
    ```

    Reference:

    - [Iqbal et al., 2026](https://arxiv.org/abs/2605.14685): Spontaneous symmetry breaking and Goldstone modes
      for deep information propagation (N. Iqbal, T. A. Keller, Y. Song, T. Miyato, M. Welling).
    """

    def __init__(
        self,
        units,
        k,
        use_bias=False,
        kernel_initializer=None,
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"OkDense: k must be a positive integer; got {k!r}.")
        super().__init__(
            units,
            k,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )

    def _kernel_shape(self, fan_in):
        return (fan_in, self.units)

    def _linear(self, inputs):
        return capsules.isotropic_matmul(inputs, self.kernel, self.k)

    def get_config(self):
        return {**super().get_config(), "k": self.k}
