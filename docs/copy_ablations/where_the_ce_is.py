"""Where a copy-task checkpoint loses its cross-entropy: per recall position, per delay, exact sequences.

    KERAS_BACKEND=jax python docs/copy_ablations/where_the_ce_is.py
"""
import numpy as np, keras, keras_symmetry as ks
from keras_symmetry.tasks import copy
for name in ["u1-rnn-copy", "rnn-copy"]:
    m = ks.load(name)
    test = copy.test_set(t_max=25)
    ce_pos = np.zeros(46); n = 0
    rows = []
    for i in range(len(test)):
        x, y = test[i]
        logits = keras.ops.convert_to_numpy(m(x))
        logp = logits - np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1, keepdims=True)) - logits.max(-1, keepdims=True)
        ce = -np.take_along_axis(logp, y[..., None], -1)[..., 0]   # (B, T)
        go = np.argmax(x[..., 9], axis=1)
        for b in range(len(y)):
            rows.append((go[b] - 10, ce[b].sum(), ce[b, go[b]+1:go[b]+11], ce[b, :go[b]+1].sum(), ce[b, go[b]+11:].sum(), (logits[b].argmax(-1) == y[b]).all()))
    rows_delay = np.array([r[0] for r in rows]); tot = np.array([r[1] for r in rows])
    recall = np.stack([r[2] for r in rows]); before = np.array([r[3] for r in rows]); after = np.array([r[4] for r in rows])
    print(name, "test CE", tot.sum() / (len(rows) * 46))
    print("  share of CE: before/at go %.3f recall %.3f after %.3f" % (before.sum()/tot.sum(), recall.sum()/tot.sum(), after.sum()/tot.sum()))
    print("  recall CE by position 1..10:", np.round(recall.mean(0), 3))
    for lo, hi in [(0,5),(6,10),(11,15),(16,20),(21,25)]:
        sel = (rows_delay >= lo) & (rows_delay <= hi)
        print(f"  delay {lo:2d}-{hi:2d}: mean CE/step {tot[sel].mean()/46:.4f}  exact-seq {np.mean([rows[i][5] for i in np.where(sel)[0]]):.3f}  n={sel.sum()}")
    print("  fraction of sequences all-correct:", np.mean([r[5] for r in rows]))
