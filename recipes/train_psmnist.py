"""Train the zoo's permuted sequential MNIST models (Iqbal et al. 2026, D.2.4-D.2.5, Tables 1 and 3) through the Python API.

    python recipes/train_psmnist.py --data mnist.npz                          # every psMNIST entry
    python recipes/train_psmnist.py u1-gru-psmnist --data mnist.npz           # one entry, the zoo's recorded arguments
    python recipes/train_psmnist.py u1-gru-psmnist --data mnist.npz --smoke   # tiny sizes: the whole path in seconds
    python recipes/train_psmnist.py u1-gru-psmnist --epochs 10                # resumes; MNIST from $KERAS_SYMMETRY_DATA

The task: the 784 pixels of an MNIST digit, one per step, in one fixed random order (the permutation is a
layer of the model, so a trained model takes raw 28x28 images); the class is read from the last hidden
state. Adam, batch 128, clipnorm 1.0, 120 epochs with the learning rate divided by 10 after 100;
validation on 3,000 training images held out at random.

| entry | model (Iqbal et al. 2026, Table 1) | paper's test accuracy |
| --- | --- | --- |
| `u1-gru-psmnist` | U(1) GRU, N=64 complex capsules, low-variance read-in (18,058 parameters) | 93.51% |
| `gru-psmnist` | Keras GRU(64), ReLU candidate (Table 1; the zoo's run uses tanh: ReLU diverged here), standard read-in | 91.35% |
| `o8-rnn-psmnist` | O(8) RNN, N=128 capsules of 8, low-variance read-in, learning rate 1e-4 | 88.98% |

Every argument of an entry, with its source: `keras-symmetry train NAME --help`. The recipe itself is
`keras_symmetry/experiments/psmnist.py`; MNIST comes from `--data`, else `$KERAS_SYMMETRY_DATA/mnist.npz`,
else a download (online only). At the end this script shows the trained model on the first test digits.
"""  # noqa: E501 (Markdown table rows)

import keras_symmetry as ks
from keras_symmetry import demo

RECIPE = ks.experiments.psmnist.RECIPE
ENTRIES = ks.training.family.entries(RECIPE)


def main(argv=None):
    # each entry with its recorded arguments, resuming runs/NAME; then the trained model at work
    return ks.training.train_family(RECIPE, __doc__, argv, show=show)


def show(result, args):
    print(*demo.psmnist_task(args.data, name=str(result.preset)), sep="\n")


if __name__ == "__main__":
    main()
