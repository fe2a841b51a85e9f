"""Does float32 cost the U(1) RNN its copy-task CE? The same weights evaluated in float32 and in float64.

The radial tanh `tanh(|z|) / (|z| + 1e-8) z` (001 eq. 61) divides by a capsule's length; if float32 lost
information in the recurrence (small capsules, or rounding over the 46 steps), the float64 forward pass of
the same weights would score a lower test CE. Prints both test CEs (001 D.2.5's, 5,000 held-out sequences).

    JAX_ENABLE_X64=1 KERAS_BACKEND=jax python docs/copy_ablations/precision.py --run runs/u1-rnn-copy

(jax keeps float32 unless `JAX_ENABLE_X64=1`; the script prints the weights' dtype so a silent float32 shows.)
"""

import argparse
import json

import keras

from keras_symmetry import evaluate
from keras_symmetry.experiments import copy as copy_recipe


def test_ce(run, state, floatx):
    keras.config.set_floatx(floatx)
    keras.config.set_dtype_policy(floatx)
    setup = copy_recipe.setup(state["args"])
    setup.model.load_weights(f"{run}/{state['weights']}")
    dtypes = {variable.dtype for variable in setup.model.weights}
    return evaluate.evaluate(setup.model, setup.task)["test_cross_entropy"], dtypes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", default="runs/u1-rnn-copy")
    run = parser.parse_args().run
    state = json.load(open(f"{run}/state.json"))
    for floatx in ("float32", "float64"):
        ce, dtypes = test_ce(run, state, floatx)
        print(
            f"{run} step {state['history'][-1]['step']}: {floatx} forward (weights {sorted(dtypes)}): test CE {ce:.6f}"
        )


if __name__ == "__main__":
    main()
