"""The radial nonlinearity: a function of each capsule's length, its direction kept."""

import keras

from keras_symmetry import capsules
from keras_symmetry.layers.cells import read_only


@keras.saving.register_keras_serializable(package="keras_symmetry")
class RadialActivation(keras.layers.Layer):
    """Radial activation `phi(v) = f(|v|) / (|v| + eps) * v` on every capsule of size `k`.

    With `f = tanh` this is the radial tanh of Iqbal et al. 2026, eqs. 5, 20, 61 and 65: it maps the length of
    each capsule to `tanh(|v|)` and keeps its direction, so it commutes with U(1) (`k = 2`) and O(k) acting on
    every capsule. Any Keras activation can be used for `f` (e.g. `"softsign"`, `"sigmoid"`, `"linear"`);
    equivariance holds for all. At `v = 0` the output is 0 with a finite gradient.

    Args:
        k: Positive integer, capsule size (2 for U(1)).
        activation: The radial function `f`, a Keras activation name or callable. Default: `"tanh"`.
        epsilon: The `eps` of eq. 61. Default: `1e-8`.
        **kwargs: Base layer arguments (`name`, `dtype`, `trainable`).

    Call arguments:
        inputs: A real tensor `(..., units * k)` of capsules, capsule-major.

    Input shape:
        N-D tensor `(..., units * k)`, N >= 2.

    Output shape:
        Same as the input.

    Example:

    ```python
    import keras
    import numpy as np
    import keras_symmetry as ks

    v = np.array([[3.0, 4.0, 0.0, 0.0]], dtype="float32")  # two U(1) capsules, lengths 5 and 0
    y = keras.ops.convert_to_numpy(ks.layers.RadialActivation(2)(v))
    np.testing.assert_allclose(y, [[0.6 * np.tanh(5.0), 0.8 * np.tanh(5.0), 0.0, 0.0]], rtol=1e-5)
    ```

    Reference:

    - [Iqbal et al., 2026](https://arxiv.org/abs/2605.14685): Spontaneous symmetry breaking and Goldstone modes
      for deep information propagation (N. Iqbal, T. A. Keller, Y. Song, T. Miyato, M. Welling).
    """

    def __init__(self, k, activation="tanh", epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"RadialActivation: k must be a positive integer; got {k!r}.")
        self._k = k
        self._activation = keras.activations.get(activation)
        self._epsilon = float(epsilon)
        self.input_spec = keras.layers.InputSpec(min_ndim=2)

    k = read_only("k")
    activation = read_only("activation")
    epsilon = read_only("epsilon")

    def build(self, input_shape):
        capsules.check_capsule_shape(input_shape, self.k, f"RadialActivation(k={self.k})")

    def call(self, inputs):
        capsules.check_float(inputs, f"RadialActivation {self.name!r}")
        return capsules.radial(inputs, self.k, self.activation, self.epsilon)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "k": self.k,
            "activation": keras.activations.serialize(self.activation),
            "epsilon": self.epsilon,
        }
