"""How long each task's pipeline takes per batch, beside a training step of the model it feeds.

    KERAS_BACKEND=jax python benchmarks/bench_data.py [--mnist PATH] [--repeats N]

Prints milliseconds per batch (median of `--repeats`) and the ratio to one training
step of the papers' model at the papers' batch size; a ratio well below 1 means
training never waits on data (PyDataset prefetches in a worker thread too).
"""

import argparse
import statistics
import time

import keras
import numpy as np

import keras_symmetry as ks
from keras_symmetry.tasks import copy, psmnist, shapes


def median_ms(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def step_ms(model, loss, batch, repeats):
    model.compile(optimizer="adam", loss=loss)
    x, y = batch
    return median_ms(lambda: model.train_on_batch(x, y), repeats)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mnist", default="../shared/data/mnist.npz", help="path of mnist.npz")
    parser.add_argument("--repeats", type=int, default=5, help="timed repetitions (median is reported)")
    args = parser.parse_args()
    sce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    rows = []

    for t_max, core in (
        (25, ks.layers.U1SimpleRNN(32, return_sequences=True)),
        (100, ks.layers.U1GRU(32, return_sequences=True)),
    ):
        ds = copy.CopyTask(t_max=t_max, batch_size=128)
        model = keras.Sequential([keras.Input((None, 10)), core, keras.layers.Dense(10)])
        counter = iter(range(10**6))
        rows.append(
            (
                f"copy T_max={t_max}, B=128",
                median_ms(lambda ds=ds, counter=counter: ds[next(counter)], args.repeats),
                f"{type(core).__name__}(32)",
                step_ms(model, sce, ds[0], args.repeats),
            )
        )

    sets = psmnist.datasets(batch_size=128, path=args.mnist)
    train = sets["train"]
    model = keras.Sequential(
        [
            keras.Input((784,)),
            psmnist.PermutePixels(psmnist.permutation(0)),
            ks.layers.U1GRU(64),
            keras.layers.Dense(10),
        ]
    )
    counter = iter(range(10**6))
    rows.append(
        (
            "psMNIST B=128",
            median_ms(lambda: train[next(counter) % len(train)], args.repeats),
            "U1GRU(64)",
            step_ms(model, sce, train[0], max(2, args.repeats // 2)),
        )
    )

    ds = shapes.ShapesDataset(batch_size=32, size=64)
    model = keras.Sequential(
        [
            keras.Input((64, 64, 1)),
            keras.layers.Dense(16, use_bias=False),
            ks.layers.KuramotoConv2D(),
            keras.layers.Dense(1),
        ]
    )
    counter = iter(range(10**6))
    rows.append(
        (
            "shapes 64x64, B=32",
            median_ms(lambda: ds[next(counter) % len(ds)], args.repeats),
            "KuramotoConv2D N=16 T=30",
            step_ms(model, "mse", ds[0], max(2, args.repeats // 2)),
        )
    )

    print(f"backend {keras.backend.backend()}, keras {keras.__version__}, numpy {np.__version__}")
    print(f"{'pipeline':24s} {'batch ms':>9s}  {'model':26s} {'step ms':>9s}  data/step")
    for name, data_ms, model_name, train_ms in rows:
        print(f"{name:24s} {data_ms:9.2f}  {model_name:26s} {train_ms:9.1f}  {data_ms / train_ms:8.3f}")


if __name__ == "__main__":
    main()
