"""Deep MLP recipe (Iqbal et al. 2026, §2, D.1; Figs. 3, 4, 11): 100 layers on MNIST or Fashion-MNIST.

Adam at 1e-3, batch 256, 5 epochs (Iqbal et al. 2026, D.1). The weight scale `sigma_w` sets
the phase: the symmetric phase below 1, spontaneously broken above (eq. 35);
`keras-symmetry sweep mlp` runs the recipe over a grid of `sigma_w` and groups (Figs. 3, 11):

```text
keras-symmetry sweep mlp --grid sigma_w=0.5,1,1.5,2 --grid group=u1,ok,generic --seeds 3
keras-symmetry sweep mlp --grid sigma_w=0.4,1.1,1.8,2.8 --features 64 --seeds 3 \\
    --grid group:baseline_kind=u1:ours,ok:ours,generic:ours,generic:dense-radial
```
The authors' code (`std_scan.py` of github nabiliqbal/ssb-goldstone-deep-info-prop) differs from this recipe's
defaults in two ways that matter for the figure, both options here: `--features 64` real features for every
group (32 U(1) capsules, 16 O(4) capsules; the recipe's `--units 64` is 64 capsules of each), and the O(4)
panel's generic baseline, `--baseline-kind dense-radial` (std `sigma_w / sqrt(N / k)` before the O(4) radial
tanh, where ours is `sigma_w / sqrt(N)`, the scale of their U(1) panel's baseline).
"""

from keras_symmetry import models
from keras_symmetry.experiments.classification import NUM_CLASSES, image_classification, image_task
from keras_symmetry.tasks import images
from keras_symmetry.training.spec import Option, Recipe, positive_int

VALIDATION_SIZE = 5000


GROUP_K = {"u1": 2, "ok": 4, "generic": 2}
"""Capsule size a sweep gives each group unless `k` is given: U(1) pairs, O(4) 4-vectors, and the generic baseline
with U(1)'s radial tanh (with O(4)'s when its kind is `dense-radial`, the authors' O(4) panel)."""

SWEEP_GRID = {"sigma_w": [0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0], "group": ["u1", "ok", "generic"]}
"""What `keras-symmetry sweep mlp` sweeps when given no `--grid`: Iqbal et al. 2026, Figs. 3, 11."""


def sweep_links(args):
    """The options a sweep point takes from its others unless they are given: `k` follows `group` (`GROUP_K`)."""
    dense_radial = args["group"] == "generic" and args["baseline_kind"] == "dense-radial"
    return {"k": 4 if dense_radial else GROUP_K.get(args["group"], args["k"])}


def units(args):
    """Capsules per hidden layer: `features / k` when `features` is given, else `units`."""
    if args["features"] is None:
        return args["units"]
    if args["features"] % args["k"]:
        raise ValueError(f"--features {args['features']} is not a whole number of capsules of k={args['k']}.")
    return args["features"] // args["k"]


def setup(args, data_path=None):
    model = models.mlp_model(
        args["group"],
        units(args),
        depth=args["depth"],
        sigma_w=args["sigma_w"],
        k=args["k"],
        num_classes=args["num_classes"],
        baseline=args["baseline_kind"],
    )
    task = image_task(args["dataset"], args)
    return image_classification(model, args, task, args["dataset"], data_path, VALIDATION_SIZE, 1000, (images.PIXELS,))


RECIPE = Recipe(
    name="mlp",
    summary="deep U(1), O(k) or generic MLP on MNIST / Fashion-MNIST at a chosen sigma_w",
    paper="Iqbal et al. 2026, §2, D.1; Figs. 3, 4, 11",
    options=(
        Option(
            "group", None, "u1 (complex layers), ok (w (x) I_k layers) or generic (baseline)", str, models.MLP_GROUPS
        ),
        Option("units", 64, "capsules per layer (U(1): 64 complex = 128 real)", positive_int),
        Option("k", 2, "capsule size of the radial nonlinearity (U(1): 2; O(4): 4)", positive_int),
        Option(
            "features",
            None,
            "real features per hidden layer, replacing --units: features/k capsules (the authors' code: 64 for "
            "every group, i.e. 32 U(1) or 16 O(4) capsules)",
            positive_int,
        ),
        Option(
            "baseline_kind",
            "ours",
            "the generic baseline's weight std: ours sigma_w/sqrt(N), N = units*k; dense-radial sigma_w/sqrt(N/k), "
            "the authors' O(k) panel (Iqbal et al. 2026, Figs. 3, 11)",
            str,
            models.MLP_BASELINES,
        ),
        Option("depth", 100, "hidden layers", positive_int),
        Option("sigma_w", 1.5, "weight scale; the transition is at 1 (Iqbal et al. 2026, eq. 35)", float),
        Option("dataset", "mnist", "mnist or fashion_mnist", str, ("mnist", "fashion_mnist")),
        Option("train_examples", None, "train on only the first n training images (quick runs)", positive_int),
        Option("test_limit", None, "score only the first n test images (quick runs)", positive_int),
        NUM_CLASSES,
    ),
    defaults={"epochs": 5, "batch_size": 256, "learning_rate": 1e-3, "clipnorm": 0.0, "lr_decay_epoch": 0},
    smoke={"units": 4, "depth": 3, "train_examples": 256, "test_limit": 200, "epochs": 2, "batch_size": 64},
    setup=setup,
)
