"""Run in a subprocess with HF_HUB_OFFLINE=1 and HF_HUB_CACHE set: load hf:// URIs, report as JSON.

Usage: python tests/hf_offline_check.py REPO_ID COMMIT INPUTS.npz
"""

import json
import sys

import keras
import numpy as np

import keras_symmetry as ks

repo_id, commit, data_path = sys.argv[1:4]
x = np.load(data_path)["inputs"]
report = {}
for label, revision in (("main", None), ("pinned", commit)):
    report[label] = keras.ops.convert_to_numpy(ks.load(f"hf://{repo_id}", revision=revision)(x)).tolist()
for label, uri, revision in (
    ("missing_revision", f"hf://{repo_id}", "v9.9"),
    ("missing_repo", "hf://owner/absent", None),
):
    try:
        ks.load(uri, revision=revision)
        report[label] = "loaded"
    except FileNotFoundError as err:
        report[label] = str(err)
print(json.dumps(report))
