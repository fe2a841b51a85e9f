"""Where a copy-task checkpoint loses its cross-entropy: per recall position, per delay, whole sequences.

Runs the zoo checkpoints on the recipe's 5,000 test sequences (001 D.2.4: 10 data tokens, a delay of
0..T_max blanks, 'go', 10 recall steps, padded with blanks to 46 steps) and splits the test CE.

    KERAS_BACKEND=jax python docs/copy_ablations/where_the_ce_is.py [NAME ...]
"""

import sys

import keras
import numpy as np

import keras_symmetry as ks
from keras_symmetry.tasks import copy

DELAY_BINS = ((0, 5), (6, 10), (11, 15), (16, 20), (21, 25))


def per_step_ce(model, test):
    """`(ce, go, exact)` over every test sequence: CE per step, the 'go' step, whether every token is right."""
    ce, go, exact = [], [], []
    for i in range(len(test)):
        x, y = test[i]
        logits = keras.ops.convert_to_numpy(model(x)).astype("float64")
        shifted = logits - logits.max(-1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
        ce.append(-np.take_along_axis(log_p, y[..., None], -1)[..., 0])
        go.append(np.argmax(x[..., copy.GO], axis=1))
        exact.append((logits.argmax(-1) == y).all(axis=1))
    return np.concatenate(ce), np.concatenate(go), np.concatenate(exact)


def report(name):
    ce, go, exact = per_step_ce(ks.load(name), copy.test_set(t_max=25))
    steps = ce.shape[1]
    recall = np.stack([ce[b, g + 1 : g + 1 + copy.MEMORY] for b, g in enumerate(go)])
    total = ce.sum()
    print(f"{name}: test CE {ce.mean():.4f} per step ({len(ce)} sequences of {steps} steps)")
    print(f"  share of the CE on the recall steps {recall.sum() / total:.3f}, elsewhere {1 - recall.sum() / total:.3f}")
    print("  recall CE by position 1..10:", np.round(recall.mean(0), 3))
    delay = go - copy.MEMORY
    for low, high in DELAY_BINS:
        chosen = (delay >= low) & (delay <= high)
        print(
            f"  delay {low:2d}-{high:2d}: CE per step {ce[chosen].mean():.4f}, "
            f"sequences all right {exact[chosen].mean():.3f} (n={chosen.sum()})"
        )
    print(f"  sequences recalled without a wrong token: {exact.mean():.3f}")


if __name__ == "__main__":
    for name in sys.argv[1:] or ["u1-rnn-copy", "rnn-copy"]:
        report(name)
