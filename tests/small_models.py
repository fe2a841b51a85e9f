"""Small models that hold every layer, for the serialization and cross-backend tests."""

import keras
import numpy as np

import keras_symmetry as ks

STANDARD = {"embedding_initializer": "standard", "recurrent_initializer": "standard"}


def _models():
    return {
        "dense_mlp": (
            keras.Sequential(
                [
                    keras.Input((8,)),
                    ks.layers.U1Dense(6, kernel_initializer=ks.initializers.SigmaW(1.5)),
                    ks.layers.RadialActivation(2),
                    ks.layers.OkDense(3, 4),
                    ks.layers.RadialActivation(4, activation="softsign"),
                ]
            ),
            (4, 8),
        ),
        "u1_rnn": (
            keras.Sequential(
                [keras.Input((7, 5)), ks.layers.U1SimpleRNN(4, return_sequences=True, blank_channel=0, **STANDARD)]
            ),
            (3, 7, 5),
        ),
        "u1_gru": (
            keras.Sequential([keras.Input((7, 5)), ks.layers.U1GRU(4, **STANDARD), keras.layers.Dense(3)]),
            (3, 7, 5),
        ),
        "ok_rnn": (
            keras.Sequential([keras.Input((7, 5)), ks.layers.OkSimpleRNN(3, 4, return_sequences=True, **STANDARD)]),
            (3, 7, 5),
        ),
        "u1_conv_rnn": (
            keras.Sequential(
                [
                    keras.Input((5, 3)),
                    ks.layers.U1ConvRNN2D(2, (4, 4), padding_mode="circular", embedding_initializer="standard"),
                ]
            ),
            (2, 5, 3),
        ),
        "kuramoto": (
            keras.Sequential(
                [
                    keras.Input((8, 8, 1)),
                    keras.layers.Dense(6, use_bias=False),
                    ks.layers.KuramotoConv2D(kernel_size=3, steps=8, symmetry_breaking=True),
                    keras.layers.Dense(1),
                ]
            ),
            (2, 8, 8, 1),
        ),
    }


def build(seed=0):
    """`{name: (model, inputs)}` with seeded weights and inputs."""
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    return {name: (model, rng.normal(size=shape).astype("float32")) for name, (model, shape) in _models().items()}
