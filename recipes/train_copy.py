"""Train the zoo's copy-task models (Iqbal et al. 2026, D.2.4-D.2.5, Tables 1-2; D.3) through the Python API.

    python recipes/train_copy.py                            # every copy-task entry, one after another
    python recipes/train_copy.py u1-rnn-copy                # one entry, with the arguments the zoo recorded for it
    python recipes/train_copy.py u1-rnn-copy --smoke        # tiny sizes, a few steps: the whole path in seconds
    python recipes/train_copy.py u1-rnn-copy --epochs 500   # kill it at any moment; the same command resumes it

The task: read 10 tokens from 1..8, wait T ~ U{0..T_max} blanks, and after the 'go' token repeat the 10
tokens; the loss is the per-step cross-entropy over the whole sequence. Adam, batch 128, clipnorm 1.0,
fresh batches every step, epochs of 1,000 steps; the papers ran 1M iterations (1,000 epochs).

| entry | model (Iqbal et al. 2026, Table 1) | paper's test cross-entropy: per-step mean (as printed in Table 2) |
| --- | --- | --- |
| `u1-rnn-copy` | U(1) RNN, N=32 complex capsules, identity recurrence, low-variance read-in, blank pinned; T_max=25 | 0.036 (7.26e-4) |
| `rnn-copy` | Keras SimpleRNN(64), tanh, learning rate 1e-4; T_max=25 | 0.104 (2.08e-3) |
| `u1-gru-copy` | U(1) GRU, N=32, standard recurrence, low-variance read-in, blank pinned; T_max=100 | 0.016 (3.14e-4) |
| `gru-copy` | Keras GRU(32), ReLU candidate (Table 1; the zoo's run uses tanh: ReLU diverged here); T_max=100 | 0.106 (2.11e-3) |
| `u1-convrnn-copy` | 2D convolutional U(1) RNN, 16 channels on a 20x20 grid, fixed delay 100 (Iqbal et al. 2026, D.3) | — |

Table 2 prints the per-step mean divided once more by its test batch of 50 (docs/campaigns/copy.md); the
eval code reports the per-step mean, so the targets are Table 2's numbers times 50.

Every argument of an entry, with its source: `keras-symmetry train NAME --help`. The recipe itself (model,
data, loss) is `keras_symmetry/experiments/copy.py`; `ks.training.train` runs it resumably in `runs/NAME/`,
writes logs and learning curves, and exports a preset whose metrics the eval code measured. At the end
this script shows the trained model on a fresh sequence, as `keras-symmetry demo` shows the zoo's.
"""  # noqa: E501 (Markdown table rows)

import keras_symmetry as ks
from keras_symmetry import demo

RECIPE = ks.experiments.copy.RECIPE
ENTRIES = ks.training.family.entries(RECIPE)


def main(argv=None):
    # each entry with its recorded arguments, resuming runs/NAME; then the trained model at work
    return ks.training.train_family(RECIPE, __doc__, argv, show=show)


def show(result, args):
    print(*demo.copy_task(name=str(result.preset)), sep="\n")


if __name__ == "__main__":
    main()
