"""The variable-delay copy task (Iqbal et al. 2026, D.2.4), and its fixed-delay variant (Iqbal et al. 2026, D.3).

Each example: 10 data tokens drawn from 1..8, a delay of `T ~ U{0..T_max}`
blanks (token 0), the 'go' token (9), then 10 recall steps; padded with blanks
to the longest length `T_max + 21`. Targets are blank everywhere except the 10
steps after 'go', which hold the data tokens in order.

Model contract: inputs `(batch, time, 10)` one-hot floats, outputs logits
`(batch, time, 10)`; the loss is the per-step cross-entropy averaged over time
and batch (`keras.losses.SparseCategoricalCrossentropy(from_logits=True)`).

```python
train = ks.tasks.copy.CopyTask(t_max=25, batch_size=128, seed=0)   # fresh batches every step
x, y = train[0]                                   # (128, 46, 10) float32, (128, 46) int32
test = ks.tasks.copy.test_set(t_max=25, seed=10_000)
ks.tasks.copy.baseline_cross_entropy(25)          # 10 log 8 / 46 = 0.452
```
"""

import math

import numpy as np

from keras_symmetry.tasks.pipeline import EpochSeeded

CHANNELS = 10
BLANK, GO = 0, 9
DATA_TOKENS = 8
MEMORY = 10


def sequence_length(t_max):
    """`T_max + 21`: 10 data tokens, up to `T_max` blanks, 'go', 10 recall steps."""
    return MEMORY + t_max + 1 + MEMORY


def baseline_cross_entropy(t_max):
    """Per-step cross-entropy of the memoryless baseline, `10 log 8 / (T_max + 21)`.

    A model that knows where the recall steps are but not the data guesses
    uniformly among the 8 data tokens on 10 steps and is right everywhere else.
    """
    return MEMORY * math.log(DATA_TOKENS) / sequence_length(t_max)


def make_batch(batch_size, t_max, rng, fixed_delay=None):
    """One batch `(x, y)`: one-hot inputs `(B, T_max+21, 10)` float32 and targets `(B, T_max+21)` int32.

    With `fixed_delay=T` every example has delay `T` and length `T + 21`.
    """
    if fixed_delay is not None:
        t_max = fixed_delay
        delays = np.full(batch_size, fixed_delay)
    else:
        delays = rng.integers(0, t_max + 1, size=batch_size)
    length = sequence_length(t_max)
    data = rng.integers(1, DATA_TOKENS + 1, size=(batch_size, MEMORY))
    rows = np.arange(batch_size)[:, None]
    tokens = np.full((batch_size, length), BLANK)
    tokens[:, :MEMORY] = data
    go = MEMORY + delays
    tokens[rows[:, 0], go] = GO
    targets = np.full((batch_size, length), BLANK, dtype="int32")
    targets[rows, go[:, None] + 1 + np.arange(MEMORY)] = data
    return np.eye(CHANNELS, dtype="float32")[tokens], targets


class CopyTask(EpochSeeded):
    """Fresh seeded copy-task batches every step, as a `keras.utils.PyDataset`.

    Args:
        t_max: largest delay `T_max` (Iqbal et al. 2026: 25 for RNNs, 100 for GRUs).
        batch_size: default 128 (Iqbal et al. 2026, D.2.5).
        steps_per_epoch: batches per epoch (the task has no epochs; this sets
            how often Keras reports and validates). Default 1000.
        seed: seed; batch `i` of epoch `e` is a pure function of `(seed, e, i)`.
        fixed_delay: use this delay for every example (Iqbal et al. 2026, D.3: 100) instead of
            drawing `T ~ U{0..T_max}`.
        **kwargs: `workers`, `use_multiprocessing`, `max_queue_size` of `PyDataset`.
    """

    def __init__(self, t_max=25, batch_size=128, steps_per_epoch=1000, seed=0, fixed_delay=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if fixed_delay is None and (not isinstance(t_max, int) or t_max < 0):
            raise ValueError(f"t_max must be an integer >= 0; got {t_max!r}.")
        if fixed_delay is not None and (not isinstance(fixed_delay, int) or fixed_delay < 0):
            raise ValueError(f"fixed_delay must be an integer >= 0; got {fixed_delay!r}.")
        self.t_max = t_max
        self.fixed_delay = fixed_delay
        self.batch_size = int(batch_size)
        self.steps_per_epoch = int(steps_per_epoch)

    @property
    def length(self):
        return sequence_length(self.fixed_delay if self.fixed_delay is not None else self.t_max)

    def __len__(self):
        return self.steps_per_epoch

    def batch(self, index, rng):
        return make_batch(self.batch_size, self.t_max, rng, self.fixed_delay)


def test_set(t_max=25, batches=100, batch_size=50, seed=10_000, fixed_delay=None):
    """The copy-task test set: `batches` fixed batches of `batch_size` from a seed not used in training.

    Returns a `CopyTask` that yields the same batches every epoch.
    """
    return CopyTask(
        t_max=t_max,
        batch_size=batch_size,
        steps_per_epoch=batches,
        seed=seed,
        fixed_delay=fixed_delay,
        reshuffle=False,
    )
