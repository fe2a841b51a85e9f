"""Continue a committed copy-task run from its checkpoint with one change, logging test CE every `--every` epochs.

The optimizer state (moments, step count) is restored from the checkpoint; only the learning rate and the
clipping may change, so the experiment asks what that change does from the same point of training.

    KERAS_BACKEND=jax python docs/copy_ablations/continue_run.py --run runs/u1-rnn-copy \
        --lr 1e-4 --epochs 20 --every 5 --out docs/copy_ablations/u1-rnn-lr1e-4.json
"""
import argparse, json, time
import keras
from keras_symmetry import evaluate
from keras_symmetry.recipes import copy as copy_recipe

p = argparse.ArgumentParser()
p.add_argument("--run", required=True); p.add_argument("--lr", type=float, required=True)
p.add_argument("--clip", default="variable", choices=("variable", "global", "none")); p.add_argument("--epochs", type=int, default=20)
p.add_argument("--every", type=int, default=5); p.add_argument("--out", required=True)
a = p.parse_args()
state = json.load(open(f"{a.run}/state.json")); args = state["args"]
keras.utils.set_random_seed(args["seed"] + 1)
setup = copy_recipe.setup(args)
clip = {"variable": {"clipnorm": 1.0}, "global": {"global_clipnorm": 1.0}, "none": {}}[a.clip]
opt = keras.optimizers.Adam(args["learning_rate"], **clip)
setup.model.compile(optimizer=opt, loss=setup.loss, metrics=setup.metrics)
opt.build(setup.model.trainable_variables)
setup.model.load_weights(f"{a.run}/{state['weights']}")
assert int(opt.iterations.numpy()) == state["history"][-1]["step"], "optimizer state not restored"
opt.learning_rate.assign(a.lr)
log = [{"epoch": state["epoch"], "step": int(opt.iterations.numpy()), **evaluate.evaluate(setup.model, setup.task)}]
print(json.dumps(log[-1]), flush=True)
setup.train.epoch = state["epoch"]
t0 = time.time()
for start in range(state["epoch"], state["epoch"] + a.epochs, a.every):
    h = setup.model.fit(setup.train, epochs=start + a.every, initial_epoch=start, shuffle=False, verbose=0)
    log.append({"epoch": start + a.every, "step": int(opt.iterations.numpy()), "train_loss": h.history["loss"][-1],
                **evaluate.evaluate(setup.model, setup.task), "seconds": round(time.time() - t0)})
    print(json.dumps(log[-1]), flush=True)
    json.dump({"change": vars(a), "log": log}, open(a.out, "w"), indent=1)
