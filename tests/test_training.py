import dataclasses

import numpy as np

from conftest import ROOT
from digits import checkpoint, config, training


def _batches(ds):
    return [(x.numpy(), y.numpy()) for x, y in ds]


def test_resumed_input_pipeline_equals_the_unbroken_one(mnist):
    x, y = mnist["x_train"][:300, ..., None], mnist["y_train"][:300]
    aug = config.load(ROOT / "params.yaml").augment
    kwargs = dict(batch_size=64, seed=5, epochs=3, augment_cfg=aug)
    full = _batches(training.train_dataset(x, y, first_epoch=0, **kwargs))
    tail = _batches(training.train_dataset(x, y, first_epoch=2, **kwargs))
    steps = training.steps_per_epoch(300, 64)
    assert len(full) == 3 * steps
    for (xa, ya), (xb, yb) in zip(full[2 * steps:], tail):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    # Each epoch is a fresh permutation of all digits.
    labels = [np.concatenate([b[1].argmax(1) for b in full[e * steps:(e + 1) * steps]])
              for e in range(2)]
    assert sorted(labels[0]) == sorted(y) and not np.array_equal(labels[0], labels[1])


def test_epoch_seeds_make_dropout_a_function_of_the_epoch():
    cfg = config.load(ROOT / "params.yaml")
    cfg = dataclasses.replace(cfg, recipe="keras-example", epochs=1)
    model = training.compile_model(cfg, n_train=100)
    seeds = training.EpochSeeds(7)
    seeds.set_model(model)
    states = [v for v in model.non_trainable_variables if "seed_generator" in v.path]
    assert states
    seeds.on_epoch_begin(3)
    first = [np.array(s.numpy()) for s in states]
    seeds.on_epoch_begin(4)
    seeds.on_epoch_begin(3)
    assert all(np.array_equal(a, s.numpy()) for a, s in zip(first, states))


def test_resume_point_only_for_an_unfinished_run_with_the_same_fingerprint(tmp_path):
    (tmp_path / "epoch-002.keras").write_bytes(b"model")
    state = {"fingerprint": "abc", "epoch": 2, "checkpoint": "epoch-002.keras",
             "history": [{"loss": 1.0}, {"loss": 0.5}], "complete": False}
    checkpoint.write_state(tmp_path, state)
    path, epoch, history = checkpoint.resume_point(tmp_path, "abc")
    assert path.name == "epoch-002.keras" and epoch == 2 and len(history) == 2
    assert checkpoint.resume_point(tmp_path, "other settings") is None
    checkpoint.finish(tmp_path, "abc", state["history"])
    assert checkpoint.resume_point(tmp_path, "abc") is None
    assert not list(tmp_path.glob("epoch-*.keras"))
