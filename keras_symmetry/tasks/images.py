"""MNIST and Fashion-MNIST as flat float images, split and batched (the deep MLPs of Iqbal et al. 2026, §2.4).

```python
sets = ks.tasks.images.datasets("mnist", batch_size=256, path="../shared/data/mnist.npz")
model.fit(sets["train"], validation_data=sets["test"], epochs=5)
```
"""

import numpy as np

from keras_symmetry.tasks import data
from keras_symmetry.tasks.pipeline import ArrayDataset

PIXELS = 28 * 28
CLASSES = 10


def split_indices(count, val_size, split_seed=0):
    """`(train, val)` index arrays: `val_size` random indices from `split_seed`, the rest sorted."""
    if not 0 <= val_size < count:
        raise ValueError(f"val_size must be in [0, {count}); got {val_size}.")
    order = np.random.default_rng(split_seed).permutation(count)
    return np.sort(order[val_size:]), order[:val_size]


def splits(name="mnist", path=None, val_size=0, split_seed=0, num_classes=None):
    """`{"train", "test"[, "val"]}: (x (N, 784) float32 in [0, 1], y (N,) int32)`.

    With `val_size > 0`, that many training images drawn at random (from
    `split_seed`) form `"val"` and are removed from `"train"`. With
    `num_classes`, every split keeps only the images of classes `0..num_classes-1`
    (after the split, so the validation images are the same ones).
    """
    if num_classes is not None and not 2 <= num_classes <= CLASSES:
        raise ValueError(f"num_classes must be between 2 and {CLASSES}; got {num_classes}.")
    (x_train, y_train), (x_test, y_test) = data.load(name, path)

    def flat(x):
        return (x.reshape(len(x), PIXELS) / np.float32(255.0)).astype("float32")

    x_train, x_test = flat(x_train), flat(x_test)
    train, val = split_indices(len(x_train), val_size, split_seed)
    out = {"train": (x_train[train], y_train[train]), "test": (x_test, y_test)}
    if val_size:
        out["val"] = (x_train[val], y_train[val])
    if num_classes is not None:
        out = {split: (x[y < num_classes], y[y < num_classes]) for split, (x, y) in out.items()}
    return out


def datasets(name="mnist", batch_size=128, seed=0, path=None, val_size=0, split_seed=0):
    """The splits as `PyDataset`s: training shuffled every epoch from `seed`, the others in order."""
    return {
        split: ArrayDataset(x, y, batch_size=batch_size, shuffle=split == "train", seed=seed)
        for split, (x, y) in splits(name, path, val_size, split_seed).items()
    }
