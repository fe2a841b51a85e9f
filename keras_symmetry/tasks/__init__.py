"""Tasks and data of the papers, as seeded `keras.utils.PyDataset` pipelines.

| module | task | paper |
| --- | --- | --- |
| `copy` | variable-delay (and fixed-delay) copy task | Iqbal et al. 2026, D.2.4, D.3 |
| `psmnist` | permuted sequential MNIST, `PermutePixels` | Iqbal et al. 2026, D.2.4 |
| `shapes` | shapes transmogrification | Iqbal & Welling 2025, §2.2, A.1 |
| `images` | MNIST / Fashion-MNIST for the deep MLPs | Iqbal et al. 2026, §2.4 |
| `data` | finding or downloading MNIST / Fashion-MNIST | |
"""

from keras_symmetry.tasks import copy, data, images, pipeline, psmnist, shapes

__all__ = ["copy", "data", "images", "pipeline", "psmnist", "shapes"]
