"""Train the zoo's 100-layer MLPs on MNIST (Iqbal et al. 2026, §2, D.1; Figs. 3, 4, 11) through the Python API.

    python recipes/train_mlp.py --data mnist.npz                       # the three entries, then their comparison
    python recipes/train_mlp.py u1-mlp-mnist --data mnist.npz          # one entry
    python recipes/train_mlp.py u1-mlp-mnist --data mnist.npz --smoke  # tiny sizes: the whole path in seconds

The task: MNIST digits as flat 784-vectors through 100 hidden layers `z <- W phi(z)` (phi the radial tanh
of each capsule), with the weights drawn at sigma_w = 1.5, above the transition at 1 (Iqbal et al. 2026, eq. 35), where
the symmetry is spontaneously broken and the Goldstone modes carry the input through depth. Adam 1e-3,
batch 256, 5 epochs, no clipping (Iqbal et al. 2026, D.1).

| entry | hidden layers | the point |
| --- | --- | --- |
| `u1-mlp-mnist` | U(1): 64 complex features, complex weights | a continuous symmetry: Goldstone modes |
| `o4-mlp-mnist` | O(4): 32 capsules of 4, weights w (x) I_4 | a larger continuous symmetry |
| `mlp-mnist` | generic: 128 real units, unconstrained weights, the same nonlinearity | the baseline of Fig. 11 |

Every argument of an entry, with its source: `keras-symmetry train NAME --help`; the recipe itself is
`keras_symmetry/experiments/mlp.py`. Test accuracy against sigma_w for all three (Iqbal et al. 2026, Figs. 3 and 11):
`keras-symmetry sweep`. At the end this script prints the entries' test accuracies side by side.
"""

import keras_symmetry as ks

RECIPE = ks.experiments.mlp.RECIPE
ENTRIES = ks.training.family.entries(RECIPE)


def main(argv=None):
    # each entry with its recorded arguments, resuming runs/NAME
    results = ks.training.train_family(RECIPE, __doc__, argv)
    print(f"\n{'entry':16s} {'group':8s} {'test accuracy':>13s}")
    for name, result in results.items():
        print(f"{name:16s} {ks.zoo.get(name).args['group']:8s} {result.metrics['test_accuracy']:13.2%}")
    return results


if __name__ == "__main__":
    main()
