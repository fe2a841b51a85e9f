"""Train the zoo's permuted sequential MNIST models (001 D.2.4-D.2.5, Tables 1 and 3) through the Python API.

    python recipes/train_psmnist.py --data mnist.npz                          # every psMNIST entry
    python recipes/train_psmnist.py u1-gru-psmnist --data mnist.npz           # one entry, the zoo's recorded arguments
    python recipes/train_psmnist.py u1-gru-psmnist --data mnist.npz --smoke   # tiny sizes: the whole path in seconds
    python recipes/train_psmnist.py u1-gru-psmnist --epochs 10                # resumes; MNIST from $KERAS_SYMMETRY_DATA

The task: the 784 pixels of an MNIST digit, one per step, in one fixed random order (the permutation is a
layer of the model, so a trained model takes raw 28x28 images); the class is read from the last hidden
state. Adam, batch 128, clipnorm 1.0, 120 epochs with the learning rate divided by 10 after 100;
validation on 3,000 training images held out at random.

| entry | model (001 Table 1) | paper's test accuracy |
| --- | --- | --- |
| `u1-gru-psmnist` | U(1) GRU, N=64 complex capsules, low-variance read-in (18,058 parameters) | 93.51% |
| `gru-psmnist` | Keras GRU(64), ReLU candidate, standard read-in | 91.35% |
| `o8-rnn-psmnist` | O(8) RNN, N=128 capsules of 8, low-variance read-in, learning rate 1e-4 | 88.98% |

Every argument of an entry, with its source: `keras-symmetry train NAME --help`. The recipe itself is
`keras_symmetry/recipes/psmnist.py`; MNIST comes from `--data`, else `$KERAS_SYMMETRY_DATA/mnist.npz`,
else a download (online only). At the end this script shows the trained model on the first test digits.
"""

import argparse

import keras_symmetry as ks
from keras_symmetry import demo

ENTRIES = [name for name, entry in ks.recipes.ENTRIES.items() if entry.recipe == "psmnist"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"entries to train (default: all): {', '.join(ENTRIES)}")
    parser.add_argument("--data", default=None, help="path of mnist.npz (else $KERAS_SYMMETRY_DATA, else download)")
    parser.add_argument("--epochs", type=int, default=None, help="epochs in all (default: the entry's recorded budget)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes and a few steps: the whole path in seconds")
    parser.add_argument("--out", default="runs", help="folder of the run folders, one per entry (default: runs)")
    args = parser.parse_args(argv)
    results = {}
    for name in args.names or ENTRIES:
        options = {"smoke": args.smoke, "out": f"{args.out}/{name}", "data": args.data}
        if args.epochs:
            options["epochs"] = args.epochs
        result = ks.training.train(name, **options)  # the recipe with the entry's arguments; resumes runs/NAME
        print(*demo.psmnist_task(args.data, name=str(result.preset)), sep="\n")
        results[name] = result
    return results


if __name__ == "__main__":
    main()
