"""Hugging Face model cards, generated from a preset's metadata and `card_template.md` (beside this module).

The YAML front matter (`library_name: keras`, tags, datasets, license and a
`model-index` of the measured metrics) is built with `huggingface_hub`'s own
`ModelCardData` / `EvalResult`; the body is the Jinja template. Nothing on a
card is typed in: every number comes from the metadata, which comes from the
eval code.
"""

import pathlib

from keras_symmetry import papers
from keras_symmetry.papers import DOMAIN_WALLS, GOLDSTONE_MODES

TEMPLATE = pathlib.Path(__file__).resolve().parent / "card_template.md"

TASKS = {  # name: (Hub task type, dataset, label, the paper the task comes from)
    "copy": (
        "sequence-modeling",
        "synthetic-copy-task",
        "Variable-delay copy task (Iqbal et al. 2026, D.2.4)",
        GOLDSTONE_MODES,
    ),
    "psmnist": (
        "image-classification",
        "mnist",
        "Permuted sequential MNIST (Iqbal et al. 2026, D.2.4)",
        GOLDSTONE_MODES,
    ),
    "mnist": ("image-classification", "mnist", "MNIST, flattened images (Iqbal et al. 2026, §2, D.1)", GOLDSTONE_MODES),
    "fashion_mnist": (
        "image-classification",
        "fashion_mnist",
        "Fashion-MNIST, flattened images (Iqbal et al. 2026, §2, D.1)",
        GOLDSTONE_MODES,
    ),
    "shapes": (
        "image-to-image",
        "synthetic-shapes",
        "Shapes transmogrification (Iqbal & Welling 2025, §2.2, A.1)",
        DOMAIN_WALLS,
    ),
}
METRIC_TYPES = {
    "test_accuracy": "accuracy",
    "test_cross_entropy": "cross_entropy",
    "test_rmse": "rmse",
    "test_f1": "f1",
    "test_images_right": "accuracy",
    "test_recall_accuracy": "accuracy",
    "test_sequences_recalled": "accuracy",
}
LOWER_IS_BETTER = ("cross_entropy", "rmse")


def _percent(metric):
    return METRIC_TYPES.get(metric, metric) == "accuracy" or "accuracy" in metric


def _format(value, metric):
    return f"{100 * value:.2f}%" if _percent(metric) else f"{value:.4g}"


def _task(name):
    """`(Hub task type, dataset, label, paper)` of a task name; unknown (custom) tasks get neutral values."""
    return TASKS.get(name, ("other", name, name, None))


def _task_text(task):
    label = _task(task["name"])[2]
    details = ", ".join(f"{k}={v}" for k, v in task.items() if k != "name")
    return f"{label}" + (f" ({details})" if details else "")


def _verdict(metrics, paper):
    if not paper:
        return ""
    metric, target = paper["metric"], paper["value"]
    if metric not in metrics:
        return f"The paper's {metric} was not measured for this checkpoint."
    value = metrics[metric]
    lower_is_better = any(part in metric for part in LOWER_IS_BETTER)
    meets = value <= target if lower_is_better else value >= target
    scores = f"{metric} {_format(value, metric)} vs {_format(target, metric)}"
    if meets:
        return f"**Meets the paper's target** ({scores}, {paper['source']})."
    gap = f"{100 * abs(value - target):.2f} percentage points" if _percent(metric) else f"{abs(value - target):.4g}"
    spread = ""
    if paper.get("std"):
        side = "within" if abs(value - target) <= paper["std"] else "outside"
        spread = f"; {side} one standard deviation of the paper's seeds, ± {_format(paper['std'], metric)}"
    return f"**Falls short of the paper's target** by {gap} ({scores}, {paper['source']}{spread})."


def _paper_value(paper, metric):
    """The paper's number for the Results table: mean ± std where given, and the printed value it was converted from."""
    text = _format(paper["value"], metric) + (f" ± {_format(paper['std'], metric)}" if paper.get("std") else "")
    printed = f"; printed as {paper['printed']:.3g}: {paper['conversion']}" if "printed" in paper else ""
    return f"{text} ({_paper_source(paper)}{printed})"


def _paper_source(paper):
    return paper["source"] + (f", mean of {paper['seeds']} seeds" if paper.get("seeds") else "")


def _seeds_text(seeds, paper):
    """How many runs stand behind this checkpoint's number, against the paper's mean over seeds; for a checkpoint
    chosen from a sweep over seeds (`keras-symmetry sweep ENTRY --seeds N --to-zoo`), which seed it is and why."""
    seeds = seeds or {}
    sweep = seeds.get("sweep")
    if sweep:
        chosen = sweep["chosen"]
        values = ", ".join(
            f"seed {seed} {_format(value, chosen['metric'])}" for seed, value in chosen["values"].items()
        )
        return (
            f"This checkpoint is seed {seeds['seed']} of {sweep['n']} trained alike by `{sweep['command']}`: the seed "
            f"with the median final {chosen['metric']} ({values}). The column over seeds gives their mean ± sample "
            "standard deviation (n - 1)"
            + (f", beside the paper's over {paper['seeds']} seeds." if paper and paper.get("seeds") else ".")
        )
    if not paper or not paper.get("seeds"):
        return ""
    seed = f" (seed {seeds['seed']})" if "seed" in seeds else ""
    return f"This checkpoint is one training run{seed}; the paper's number is the mean over {paper['seeds']} seeds."


def _over_seeds(stats, metric):
    """`mean ± std (n seeds)` of one metric over a sweep's seeds, in the card's number format."""
    if not stats:
        return "—"
    if stats.get("std") is None:
        return f"{_format(stats['mean'], metric)} ({stats['n']} seed)"
    if _percent(metric):
        return f"{100 * stats['mean']:.2f} ± {100 * stats['std']:.2f}% ({stats['n']} seeds)"
    return f"{stats['mean']:.4g} ± {stats['std']:.2g} ({stats['n']} seeds)"


def _citation(task_name, paper):
    """The paper the entry's target comes from, else the paper its task comes from, else Iqbal et al. 2026."""
    default = _task(task_name)[3] or GOLDSTONE_MODES
    return papers.cited_in((paper or {}).get("source", ""), default).markdown()


def _scores(metrics):
    """`metric value, metric value` in the card's number format."""
    return ", ".join(f"{metric} {_format(value, metric)}" for metric, value in metrics.items())


def _baseline(baseline, recipe):
    """The zoo's generic network for the same task, as measured when this card was written, and its budget."""
    if not baseline:
        return ""
    scores = _scores(dict(sorted(baseline["metrics"].items())))
    epochs, own = baseline.get("epochs"), ((recipe or {}).get("args") or {}).get("epochs")
    if epochs and epochs == own:
        budget = "the same number of epochs as this model"
    elif epochs and own:
        budget = f"{epochs} epoch{'s' * (epochs != 1)} against this model's {own}"
    else:
        budget = "its own budget"
    return (
        f"The generic baseline in the zoo, `{baseline['name']}`, scores {scores} (its export of {baseline['created']}, "
        f"trained by `{baseline['command']}`: {budget})."
    )


def _reference(reference):
    """'For scale: ...': the input-ignoring answer (all its `metrics` where recorded), then the answers under `also`."""
    if not reference:
        return ""
    parts = []
    for answer in [reference, *reference.get("also", [])]:
        metrics = answer.get("metrics") or {answer["metric"]: answer["value"]}
        parts.append(f"{answer['what']} scores {_scores(metrics)}")
    return f"For scale: {'; '.join(parts)} on the same test data."


def card_data(metadata):
    """The card's YAML front matter as a `huggingface_hub.ModelCardData`."""
    from huggingface_hub import EvalResult, ModelCardData  # imported here: `import keras_symmetry` stays light

    task_type, dataset, _, _ = _task(metadata["task"]["name"])
    results = [
        EvalResult(
            task_type=task_type,
            dataset_type=dataset,
            dataset_name=dataset,
            dataset_split="test",
            metric_type=METRIC_TYPES.get(name, name),
            metric_name=name,
            metric_value=float(value),
        )
        for name, value in sorted(metadata.get("metrics", {}).items())
    ]
    group = metadata.get("equivariance", {}).get("group") if metadata.get("equivariance") else None
    tags = ["keras", "keras-symmetry", "equivariant" if group else "baseline", metadata["task"]["name"]]
    if group:
        tags.append(group.lower().replace("(", "").replace(")", ""))
    return ModelCardData(
        library_name="keras",
        license="apache-2.0",
        tags=tags,
        datasets=[dataset],
        model_name=metadata["name"],
        eval_results=results or None,
    )


def _init_from(source):
    """The sentence naming the pretrained model a fine-tuned checkpoint started from, or `""`."""
    if not source:
        return ""
    revision = f" at revision `{source['revision']}`" if source["revision"] else ""
    weights = source["files"].get("model.weights.h5")
    fresh = f"; fresh: {', '.join(source['fresh'])}" if source["fresh"] else ""
    return (
        f"Fine-tuned from `{source['source']}` (preset `{source['name']}`{revision}; its model.weights.h5 has "
        f"sha256 `{weights}`). Parts copied from it: {', '.join(source['copied'])}{fresh}."
    )


def _loading(name, hub_repo):
    """How the card says to load the model (`load_name`) and what that checks (`trust_text`): a zoo entry by its
    name, against the hashes the package pins; any other repo or folder against its own metadata.json."""
    from keras_symmetry import zoo

    declared = zoo.get(name) if name in zoo.names() else None
    if declared and hub_repo in (None, declared.hub_repo):
        return {
            "load_name": name,
            "trust_text": (
                "`ks.load` checks every file against the sha256 that keras-symmetry pins for this entry before it is "
                "read, wherever the file comes from: a local zoo folder, the Hugging Face cache or the Hub."
            ),
        }
    return {
        "load_name": f"hf://{hub_repo}" if hub_repo else name,
        "trust_text": (
            "Every file is checked against the sha256 in `metadata.json` before it is read. That catches corruption, "
            'not a consistent change of files and metadata: pass `sha256={"model.weights.h5": "..."}` to `ks.load` '
            "to pin the weights you expect."
        ),
    }


def render(metadata):
    """The full `README.md` of a preset."""
    from huggingface_hub import ModelCard

    from keras_symmetry.evaluate import METRIC_NOTES

    metrics = metadata.get("metrics", {})
    paper = metadata.get("paper")
    over_seeds = ((metadata.get("seeds") or {}).get("sweep") or {}).get("metrics")
    rows = [
        {
            "metric": name,
            "value": _format(value, name),
            "seeds": _over_seeds((over_seeds or {}).get(name), name),
            "paper": _paper_value(paper, name) if paper and paper["metric"] == name else "—",
        }
        for name, value in sorted(metrics.items())
    ] or [{"metric": "—", "value": "not measured", "seeds": "—", "paper": "—"}]
    eq = metadata.get("equivariance")
    equivariance_text = "not applicable (non-equivariant baseline)."
    if eq:
        inputs = eq.get("inputs", "zero inputs, random initial state")
        equivariance_text = (
            f"max |f(g·h0) − g·f(h0)| = {eq['error']:.2e} over random {eq['group']} elements ({inputs})."
        )
    hub_repo = metadata.get("hub_repo")
    recipe = metadata.get("recipe") or {}
    card = ModelCard.from_template(
        card_data(metadata),
        template_path=str(TEMPLATE),
        name=metadata["name"],
        description=metadata.get("description", ""),
        task_text=_task_text(metadata["task"]),
        parameters=metadata["parameters"],
        inputs=metadata["inputs"],
        outputs=metadata["outputs"],
        keras_version=metadata["keras_version"],
        keras_symmetry_version=metadata["keras_symmetry_version"],
        backend=metadata["backend"],
        **_loading(metadata["name"], hub_repo),
        init_from_text=_init_from(metadata.get("init_from")),
        recipe_command=recipe.get("command", "(not trained by a recipe)"),
        metrics_command=metadata.get("metrics_command", f"keras-symmetry eval {metadata['name']}"),
        metric_rows=rows,
        over_seeds=bool(over_seeds),
        metric_notes=[METRIC_NOTES[name] for name in sorted(metrics) if name in METRIC_NOTES],
        verdict=" ".join(filter(None, (_verdict(metrics, paper), _seeds_text(metadata.get("seeds"), paper)))),
        baseline=_baseline(metadata.get("baseline"), recipe),
        reference=_reference(metadata.get("reference")),
        equivariance_text=equivariance_text,
        limitations=metadata.get("limitations") or ["Trained on CPU with the budget stated in the recipe."],
        figures=metadata.get("figures", []),
        citation=_citation(metadata["task"]["name"], paper),
    )
    return str(card)
