"""The radial nonlinearity: a function of each capsule's length, its direction kept."""

import keras

from keras_symmetry import capsules


@keras.saving.register_keras_serializable(package="keras_symmetry")
class RadialActivation(keras.layers.Layer):
    """`phi(v) = f(|v|) / (|v| + eps) * v` on every capsule of size `k`.

    With `f = tanh` this is the radial tanh of 001 eqs. 5, 20, 61 and 65: it maps
    the length of each capsule to `tanh(|v|)` and keeps its direction, so it
    commutes with U(1) (`k = 2`) and O(k). Any Keras activation can be used for
    `f` (e.g. `"softsign"`, `"sigmoid"`, `"linear"`); equivariance holds for all.

    Args:
        k: capsule size (2 for U(1)).
        activation: the radial function `f`, a Keras activation name or callable.
            Default `"tanh"`.
        epsilon: the `eps` of 001 eq. 61; default `1e-8`.

    Input and output shape: `(..., units * k)`.
    """

    def __init__(self, k, activation="tanh", epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"RadialActivation: k must be a positive integer; got {k!r}.")
        self.k = k
        self.activation = keras.activations.get(activation)
        self.epsilon = float(epsilon)
        self.input_spec = keras.layers.InputSpec(min_ndim=2)

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
