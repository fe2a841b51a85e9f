"""Train the zoo's Kuramoto networks on shapes transmogrification (Iqbal & Welling 2025, §2.2, A.1) through the Python API.

    python recipes/train_shapes.py                                # both entries, one after another
    python recipes/train_shapes.py z2-kuramoto-shapes             # one entry, the zoo's recorded arguments
    python recipes/train_shapes.py z2-kuramoto-shapes --smoke     # tiny sizes: the whole path in seconds
    python recipes/train_shapes.py z2-kuramoto-shapes --epochs 5  # kill it at any moment; the same command resumes

The task: 64x64 images of circles, squares and triangles (outlines, pixels +-0.5); the target turns every
circle into a square, every square into a triangle and every triangle into a circle, in place. The model:
pixels -> N=16 oscillators (no bias: black <-> white is x -> -x), 30 Kuramoto steps with a symmetric 5x5
coupling (gamma 0.25), then a pointwise readout; 28,000 training pairs, 20 epochs, MSE loss (Iqbal & Welling 2025 does
not state the optimiser: Adam 1e-3, batch 32 here); test RMSE on 1,000 pairs from seed 10,000.

| entry | model | note |
| --- | --- | --- |
| `z2-kuramoto-shapes` | the Z2-equivariant network (Iqbal & Welling 2025, eqs. 4-7, 12) | black <-> white symmetric: domain walls (Iqbal & Welling 2025, Fig. 5) |
| `kuramoto-shapes` | its symmetry-broken twin: a constant bias c in every step (Iqbal & Welling 2025, eq. 8) | the comparison of Iqbal & Welling 2025 |

Every argument of an entry, with its source: `keras-symmetry train NAME --help`. The recipe itself is
`keras_symmetry/experiments/shapes.py`. At the end this script writes input | target | output of a fresh
pair as `RUN/shapes.png`, as `keras-symmetry demo` does for the zoo's checkpoint.
"""  # noqa: E501 (Markdown table rows)

import keras_symmetry as ks
from keras_symmetry import demo

RECIPE = ks.experiments.shapes.RECIPE
ENTRIES = ks.training.family.entries(RECIPE)


def main(argv=None):
    # each entry with its recorded arguments, resuming runs/NAME; then the trained model at work
    return ks.training.train_family(RECIPE, __doc__, argv, show=show)


def show(result, args):
    print(*demo.shapes_task(result.folder, name=str(result.preset)), sep="\n")


if __name__ == "__main__":
    main()
