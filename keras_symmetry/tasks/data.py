"""MNIST and Fashion-MNIST, found where the user put them or downloaded for users who are online.

Resolution order, the first that applies wins, and a failure is an error (never
a silent fallback to something else):

1. `path=`: an `.npz` file with Keras' keys `x_train (60000, 28, 28) uint8`,
   `y_train (60000,)`, `x_test (10000, 28, 28)`, `y_test (10000,)`;
2. `$KERAS_SYMMETRY_DATA`: a directory holding `mnist.npz` / `fashion_mnist.npz`;
3. online: `tensorflow_datasets` when installed, else `keras.datasets`.

```python
(x_train, y_train), (x_test, y_test) = ks.tasks.data.load("mnist", path="../shared/data/mnist.npz")
```
"""

import os
import pathlib
import zipfile

import numpy as np

ENV_VAR = "KERAS_SYMMETRY_DATA"
DATASETS = {"mnist": 10, "fashion_mnist": 10}
SPLITS = {"train": 60000, "test": 10000}


def _check_name(name):
    if name not in DATASETS:
        raise ValueError(f"Unknown image dataset {name!r}; expected one of {sorted(DATASETS)}.")


def _where_to_put(name):
    return (
        f"Put {name}.npz (Keras' keys x_train, y_train, x_test, y_test) in a directory and set "
        f"{ENV_VAR} to it, or pass path=... ."
    )


def validate(arrays, name, source):
    """Check keys, shapes, dtypes and label range; return `((x_train, y_train), (x_test, y_test))`."""
    out = []
    for split, count in SPLITS.items():
        x_key, y_key = f"x_{split}", f"y_{split}"
        missing = [key for key in (x_key, y_key) if key not in arrays]
        if missing:
            raise ValueError(f"{source}: missing {missing}; a {name} file needs x_train, y_train, x_test, y_test.")
        x, y = np.asarray(arrays[x_key]), np.asarray(arrays[y_key])
        if x.shape != (count, 28, 28) or x.dtype != np.uint8:
            raise ValueError(f"{source}: {x_key} must be ({count}, 28, 28) uint8; got {x.shape} {x.dtype}.")
        if y.shape != (count,) or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"{source}: {y_key} must be ({count},) integers; got {y.shape} {y.dtype}.")
        if y.min() < 0 or y.max() >= DATASETS[name]:
            raise ValueError(f"{source}: {y_key} holds labels outside 0..{DATASETS[name] - 1}.")
        out.append((x, y.astype("int32")))
    return tuple(out)


def load_npz(path, name="mnist"):
    """Read and validate a Keras-style `.npz` file (no pickles are ever loaded)."""
    _check_name(name)
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No {name} file at {path}. {_where_to_put(name)}")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is not a readable .npz file (not a zip archive). {_where_to_put(name)}")
    try:
        with np.load(path, allow_pickle=False) as arrays:
            contents = {key: arrays[key] for key in arrays.files}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
        raise ValueError(f"{path} is corrupted ({err}). {_where_to_put(name)}") from err
    return validate(contents, name, str(path))


def _download(name):
    try:
        import tensorflow_datasets as tfds
    except ImportError:
        tfds = None
    try:
        if tfds is not None:
            arrays = {}
            for split in SPLITS:
                x, y = tfds.as_numpy(tfds.load(name, split=split, batch_size=-1, as_supervised=True))
                arrays[f"x_{split}"], arrays[f"y_{split}"] = x.reshape(-1, 28, 28), y
            return validate(arrays, name, f"tensorflow_datasets {name}")
        import keras

        (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, name).load_data()
        arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
        return validate(arrays, name, f"keras.datasets.{name}")
    except Exception as err:  # keras.utils.get_file raises a bare Exception when offline
        raise FileNotFoundError(f"Could not download {name} ({err}). {_where_to_put(name)}") from err


def load(name="mnist", path=None):
    """`((x_train, y_train), (x_test, y_test))` as uint8 images and int32 labels."""
    _check_name(name)
    if path is not None:
        return load_npz(path, name)
    folder = os.environ.get(ENV_VAR)
    if folder:
        return load_npz(pathlib.Path(folder) / f"{name}.npz", name)
    return _download(name)
