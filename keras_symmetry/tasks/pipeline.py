"""Seeded `keras.utils.PyDataset` pipelines shared by the tasks."""

import math

import keras
import numpy as np


class EpochSeeded(keras.utils.PyDataset):
    """A `PyDataset` whose randomness is a pure function of `(seed, epoch, index)`.

    Subclasses implement `__len__` and `batch(index, rng)`; `__getitem__` hands
    them a generator seeded from the dataset seed, the epoch and the batch index,
    so the same seed gives the same batches on every backend and every run, and
    a new epoch gives new ones (when `reshuffle=True`).
    """

    def __init__(self, seed=0, reshuffle=True, **kwargs):
        super().__init__(**kwargs)
        self.seed = int(seed)
        self.reshuffle = reshuffle
        self.epoch = 0

    def rng(self, index):
        return np.random.default_rng([self.seed, self.epoch if self.reshuffle else 0, int(index)])

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} out of range for {len(self)} batches")
        return self.batch(index, self.rng(index))

    def on_epoch_end(self):
        self.epoch += 1


class ArrayDataset(EpochSeeded):
    """Batches of `(x, y)` arrays, shuffled per epoch from the seed (or in order).

    Args:
        x, y: arrays with the same first dimension.
        batch_size: examples per batch; the last batch may be smaller.
        shuffle: reshuffle the order every epoch (training); `False` keeps the
            order (evaluation).
        seed: shuffling seed.
        **kwargs: `workers`, `use_multiprocessing`, `max_queue_size` of `PyDataset`.
    """

    def __init__(self, x, y, batch_size=128, shuffle=True, seed=0, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if len(x) != len(y):
            raise ValueError(f"x and y differ in length: {len(x)} vs {len(y)}.")
        self.x, self.y = x, y
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self._order = None

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def batch(self, index, rng):
        if self.shuffle:
            if self._order is None or self._order[0] != self.epoch:
                self._order = (self.epoch, np.random.default_rng([self.seed, self.epoch]).permutation(len(self.x)))
            picked = self._order[1][index * self.batch_size : (index + 1) * self.batch_size]
        else:
            picked = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[picked], self.y[picked]
