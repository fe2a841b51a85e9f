"""How far Fig. 7's crossing and collapse move with the noise draw (000 eqs. 9-11).

Repeats the Z2 panel's scan of `figures/figures.py 000-fig7` (L = 32, 64, 96; 9 noise levels in [0, 0.4];
the same 32 shapes images per L, data seed 0) with the noise of eq. 9 drawn from different seeds of
`criticality.noisy_predictor`, and prints `eta_c` (crossing_point), the best collapse `alpha` and the Ising `alpha = 1`
collapse quality (collapse_at_crossing) for each, then their mean and standard deviation.

    KERAS_BACKEND=jax python docs/criticality/noise_seeds.py [NAME] [--seeds 0 1 2 3]

About 3 minutes a seed on one core for the zoo's z2-kuramoto-shapes.
"""

import argparse

import numpy as np

import keras_symmetry as ks
from keras_symmetry.analysis import criticality

SIZES, ETAS, EXAMPLES = (32, 64, 96), np.linspace(0.0, 0.4, 9), 32


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", nargs="?", default="z2-kuramoto-shapes")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3])
    args = parser.parse_args()
    model = ks.load(args.name)
    found = []
    for seed in args.seeds:
        predict = criticality.noisy_predictor(model, seed=seed)
        mean, stderr = criticality.noise_scan(predict, SIZES, ETAS, examples=EXAMPLES, seed=0, progress=False)
        cross = criticality.crossing_point(ETAS, mean, stderr)
        fit = criticality.collapse_at_crossing(SIZES, ETAS, mean, cross)
        found.append((cross["eta_c"], fit["alpha"]))
        print(
            f"noise seed {seed}: eta_c {cross['eta_c']:.3f} +- {cross['uncertainty']:.3f}, "
            f"alpha {fit['alpha']:.3f} (quality {fit['quality']:.4f}), "
            f"Ising alpha=1 quality {fit['ising_quality']:.3f}",
            flush=True,
        )
    if len(found) < 2:
        return
    eta_c, alpha = np.array(found).T
    print(
        f"over {len(found)} noise seeds: eta_c {np.nanmean(eta_c):.3f} +- {np.nanstd(eta_c, ddof=1):.3f}, "
        f"alpha {np.mean(alpha):.3f} +- {np.std(alpha, ddof=1):.3f}"
    )


if __name__ == "__main__":
    main()
