"""Bad input raises a ValueError that says what is wrong."""

import numpy as np
import pytest

import keras_symmetry as ks

RECURRENT = {
    "U1SimpleRNN": lambda: ks.layers.U1SimpleRNN(3),
    "U1GRU": lambda: ks.layers.U1GRU(3),
    "OkSimpleRNN": lambda: ks.layers.OkSimpleRNN(3, 4),
    "U1ConvRNN2D": lambda: ks.layers.U1ConvRNN2D(2, (3, 3)),
}
CAPSULE = {
    "RadialActivation": lambda: ks.layers.RadialActivation(3),
    "U1Dense": lambda: ks.layers.U1Dense(4),
    "OkDense": lambda: ks.layers.OkDense(4, 3),
}


@pytest.mark.parametrize("name", list(RECURRENT))
def test_recurrent_wrong_rank(name):
    with pytest.raises(ValueError, match="ndim=3"):
        RECURRENT[name]()(np.zeros((2, 5), "float32"))


@pytest.mark.parametrize("name", list(RECURRENT))
@pytest.mark.parametrize("dtype", ["int32", "complex64"])
def test_recurrent_rejects_integer_and_complex_inputs(name, dtype):
    with pytest.raises(ValueError, match=f"floating-point inputs; got dtype {dtype}"):
        RECURRENT[name]()(np.ones((2, 4, 3), dtype))


@pytest.mark.parametrize("name", list(RECURRENT))
def test_recurrent_mismatched_initial_state(name):
    layer = RECURRENT[name]()
    size = layer.cell.state_size
    x = np.zeros((2, 4, 3), "float32")
    for bad in (np.zeros((2, size + 1), "float32"), np.zeros((3, size), "float32"), np.zeros((2, 1, size), "float32")):
        with pytest.raises(ValueError, match=r"initial_state must have shape \(batch, units\*k\)"):
            layer(x, initial_state=bad)
    with pytest.raises(ValueError, match="one state"):
        layer(x, initial_state=[np.zeros((2, size), "float32")] * 2)


@pytest.mark.parametrize("name", list(CAPSULE))
def test_last_dimension_must_be_a_multiple_of_k(name):
    layer = CAPSULE[name]()
    with pytest.raises(ValueError, match=f"multiple of {layer.k}"):
        layer(np.zeros((2, 7), "float32"))


@pytest.mark.parametrize("name", list(CAPSULE))
def test_capsule_layers_wrong_rank_and_dtype(name):
    with pytest.raises(ValueError, match="ndim"):
        CAPSULE[name]()(np.zeros((12,), "float32"))
    with pytest.raises(ValueError, match="floating-point inputs; got dtype int32"):
        CAPSULE[name]()(np.zeros((2, 12), "int32"))


def test_kuramoto_bad_inputs():
    with pytest.raises(ValueError, match="ndim=4"):
        ks.layers.KuramotoConv2D()(np.ones((2, 8, 8), "float32"))
    with pytest.raises(ValueError, match="floating-point inputs; got dtype int32"):
        ks.layers.KuramotoConv2D()(np.ones((1, 8, 8, 4), "int32"))


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: ks.layers.KuramotoConv2D(kernel_size=4), "odd positive integer"),
        (lambda: ks.layers.KuramotoConv2D(padding_mode="reflect"), "padding_mode"),
        (lambda: ks.layers.KuramotoConv2D(eta0=-1.0), "eta0"),
        (lambda: ks.layers.U1ConvRNN2D(2, (3,)), "grid_shape"),
        (lambda: ks.layers.U1GRU(0), "positive integer"),
        (lambda: ks.layers.OkSimpleRNN(3, 0), "positive integer"),
        (lambda: ks.layers.U1SimpleRNN(3, blank_channel=-1), "blank_channel"),
        (lambda: ks.initializers.SigmaW(0.0), "sigma_w"),
    ],
)
def test_bad_arguments(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_blank_channel_out_of_range():
    with pytest.raises(ValueError, match="blank_channel=5 is not one of the 3 input channels"):
        ks.layers.U1SimpleRNN(3, blank_channel=5)(np.zeros((1, 2, 3), "float32"))
