"""Options shared by the recurrent recipes (copy task, psMNIST): the core and its initialisation
(Iqbal et al. 2026, D.2.2)."""

from keras_symmetry import models
from keras_symmetry.tasks import copy
from keras_symmetry.training.spec import Option, positive_int


def core_options(units):
    return (
        Option("arch", None, "recurrent core", str, models.ARCHS),
        Option("units", units, "hidden capsules N (U(1): N complex; O(k): N k-vectors) or real units", positive_int),
        Option("k", None, "capsule size k of an ok-rnn core", positive_int),
        Option(
            "activation", None, "nonlinearity (radial for the equivariant cores); default per core: tanh, GRU relu", str
        ),
        Option(
            "recurrent_init",
            "identity",
            "recurrent initialisation: identity or standard (U(+-1/sqrt N))",
            str,
            ("identity", "standard"),
        ),
        Option(
            "input_init",
            "low_variance",
            "read-in initialisation: standard, low_variance (N(0, 0.001), 0.001 "
            "the variance) or low_stddev (0.001 the standard deviation, as torch's normal_ reads it)",
            str,
            ("standard", "low_variance", "low_stddev"),
        ),
        Option(
            "pin_blank", False, "keep the blank token's read-in at zero (equivariant cores, Iqbal et al. 2026, D.2.2)"
        ),
    )


def core_kwargs(args):
    """Keyword arguments of `ks.models` core builders from the recipe options."""
    baseline = args["arch"] in ("rnn", "gru")
    if baseline and args["pin_blank"]:
        raise ValueError(
            "--pin-blank applies to the equivariant cores only (Keras' RNN and GRU have no blank channel)."
        )
    if args["arch"] == "ok-rnn" and args["k"] is None:
        raise ValueError("--arch ok-rnn needs --k, the capsule size.")
    init = "kernel_initializer" if baseline else "embedding_initializer"
    kwargs = {init: args["input_init"], "recurrent_initializer": args["recurrent_init"]}
    if args["activation"]:
        kwargs["activation"] = args["activation"]
    if args["pin_blank"]:
        kwargs["blank_channel"] = copy.BLANK
    return kwargs
