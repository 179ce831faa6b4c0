import dataclasses

import numpy as np
import pytest

from conftest import ROOT
from digits import augment, checkpoint, config, neighbours, penlift, training


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


@pytest.mark.parametrize("formats", [0.0, 0.5])
def test_the_plain_epochs_read_the_digits_undistorted(mnist, formats):
    x, y = mnist["x_train"][:300, ..., None], mnist["y_train"][:300]
    aug = dataclasses.replace(config.load(ROOT / "params.yaml").augment,
                              small_probability=formats, sixteen_probability=0.0)
    kwargs = dict(batch_size=64, seed=5, epochs=3, augment_cfg=aug, cuts=np.full_like(x, 7))
    augmented = _batches(training.train_dataset(x, y, first_epoch=0, **kwargs))
    mixed = _batches(training.train_dataset(x, y, first_epoch=0, plain_from=2, **kwargs))
    resumed = _batches(training.train_dataset(x, y, first_epoch=2, plain_from=2, **kwargs))
    steps = training.steps_per_epoch(300, 64)
    assert len(mixed) == 3 * steps
    for (xa, ya), (xb, yb) in zip(augmented[:2 * steps], mixed):  # augmented until then
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    originals = {d.tobytes() for d in x.astype(np.float32)}
    untouched = []
    for (xa, ya), (xb, yb), (xc, _) in zip(augmented[2 * steps:], mixed[2 * steps:], resumed):
        np.testing.assert_array_equal(ya, yb)  # the same digits, in the same order
        assert not np.array_equal(xa, xb)
        np.testing.assert_array_equal(xb, xc)
        untouched += [d.tobytes() in originals for d in xb]
    # Without small scans every digit is a training digit as it is (no copy, no distortion);
    # with them, that share of the digits comes back as 8×8 round trips.
    assert abs((1 - np.mean(untouched)) - formats) < 0.1


@pytest.mark.parametrize("fraction, epochs, first", [(0.125, 32, 28), (0.125, 20, 18),
                                                     (0.125, 2, 2), (0.5, 3, 1), (0.0, 32, 32)])
def test_the_plain_epochs_are_the_last_share_of_them(fraction, epochs, first):
    aug = dataclasses.replace(config.load(ROOT / "params.yaml").augment, plain_fraction=fraction)
    assert augment.plain_from(aug, epochs) == first


@pytest.mark.parametrize("copies", ["cuts", "rows"])
@pytest.mark.parametrize("probability, share", [(0.0, 0.0), (0.5, 0.5), (1.0, 1.0)])
def test_copies_replace_that_share_of_the_batch(mnist, copies, probability, share):
    x, y = mnist["x_train"][:512, ..., None], mnist["y_train"][:512]
    aug = config.load(ROOT / "params.yaml").augment
    chance = "cut_probability" if copies == "cuts" else "neighbour_probability"
    off = dataclasses.replace(aug, rotation_degrees=0, shear_degrees=0, scale=0, translate=0,
                              elastic_alpha=0, stroke_probability=0, blur_probability=0,
                              noise_std=0, small_probability=0, lift_probability=0,
                              **{chance: probability})
    marked = np.full_like(x, 7)  # stands for the copies: every pixel 7
    kwargs = dict(batch_size=512, seed=3, first_epoch=0, epochs=1, augment_cfg=off)
    (xb, _), = _batches(training.train_dataset(x, y, **{copies: marked}, **kwargs))
    taken = (xb == 7).all(axis=(1, 2, 3)).mean()
    assert abs(taken - share) < 0.08
    (plain, _), = _batches(training.train_dataset(x, y, **kwargs))
    kept = ~(xb == 7).all(axis=(1, 2, 3))
    np.testing.assert_array_equal(xb[kept], plain[kept])  # the rest as they were


def test_the_two_kinds_of_copy_are_drawn_apart(mnist):
    x, y = mnist["x_train"][:512, ..., None], mnist["y_train"][:512]
    aug = config.load(ROOT / "params.yaml").augment
    off = dataclasses.replace(aug, rotation_degrees=0, shear_degrees=0, scale=0, translate=0,
                              elastic_alpha=0, stroke_probability=0, blur_probability=0,
                              noise_std=0, small_probability=0, lift_probability=0,
                              cut_probability=0.5, neighbour_probability=0.5)
    kwargs = dict(batch_size=512, seed=3, first_epoch=0, epochs=1, augment_cfg=off)
    (xb, _), = _batches(training.train_dataset(x, y, cuts=np.full_like(x, 7),
                                               rows=np.full_like(x, 9), **kwargs))
    rows = (xb == 9).all(axis=(1, 2, 3))
    cuts = (xb == 7).all(axis=(1, 2, 3))
    # Independent draws: a quarter keep their cut copy, half take the row copy over anything
    assert abs(rows.mean() - 0.5) < 0.08 and abs(cuts.mean() - 0.25) < 0.08


def test_the_recipe_reads_its_copies_and_plain_epochs_as_the_stage_does(mnist):
    x, y = mnist["x_train"][:200, ..., None], mnist["y_train"][:200]
    cfg = config.load(ROOT / "params.yaml")
    # Resumed at epoch 1 of 3: epoch 1 draws from the copies, epoch 2 is the plain one.
    best = dataclasses.replace(cfg, seed=4, epochs=3, batch_size=100, recipe="best",
                               augment=dataclasses.replace(cfg.augment, cut_probability=0.3,
                                                           plain_fraction=0.34))
    data, copy_seconds = training.recipe_dataset(x, y, best, first_epoch=1)
    expected = training.train_dataset(
        x, y, batch_size=100, seed=4, first_epoch=1, epochs=3, augment_cfg=best.augment,
        cuts=penlift.cut_set(x, 4), rows=neighbours.row_set(x, 4), plain_from=2)
    for (xa, ya), (xb, yb) in zip(_batches(data), _batches(expected), strict=True):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    assert copy_seconds > 0
    plain = dataclasses.replace(best, recipe="keras-example")  # no augmentation, no copies
    data, copy_seconds = training.recipe_dataset(x, y, plain)
    assert copy_seconds is None
    originals = {d.tobytes() for d in x.astype(np.float32)}
    assert all(d.tobytes() in originals for xb, _ in _batches(data) for d in xb)


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


@pytest.mark.parametrize("recipe", config.RECIPES)
def test_every_recipe_learns_in_a_few_steps(recipe, mnist):
    # Each recipe's optimizer and schedule as params.yaml sets them, on a narrow network: a
    # broken optimizer or schedule shows here in seconds, not after a 20-minute run.
    cfg = config.load(ROOT / "params.yaml")
    narrow = dataclasses.replace(cfg.recipes[recipe], width=8)
    cfg = dataclasses.replace(cfg, recipe=recipe, epochs=3, batch_size=64,
                              recipes={**cfg.recipes, recipe: narrow})
    training.setup_runtime(cfg.seed, threads=0)
    x, y = mnist["x_train"][:1024, ..., None], training.one_hot(mnist["y_train"][:1024])
    model = training.compile_model(cfg, n_train=len(x))
    # Training loss, not a fresh evaluation: batch normalization's running statistics need
    # more than 48 steps to settle.
    loss = model.fit(x, y, batch_size=64, epochs=3, verbose=0).history["loss"]
    assert np.isfinite(loss).all()
    assert loss[-1] < 0.9 * loss[0], (recipe, loss)  # a broken one stays at ~2.30


@pytest.mark.parametrize("flags, units", [
    ("fpu avx2 avx512f avx512_bf16 amx_bf16 amx_tile", True),  # AMX's tiles
    ("fpu avx2 avx512f avx512_bf16", True),  # AVX512_BF16's dot products
    ("fpu avx2 avx512f avx512_fp16", False),  # half precision is not bfloat16
    ("fpu avx2 fma", False),  # bfloat16 emulated: slower than float32
])
def test_auto_precision_takes_bfloat16_only_where_the_cpu_multiplies_it(tmp_path, flags, units):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nmodel name\t: x\nflags\t\t: {flags}\n\n")
    assert training.bfloat16_units(cpuinfo) is units
    assert not training.bfloat16_units(tmp_path / "no such file")


def test_a_network_trained_in_bfloat16_is_saved_computing_in_float32(mnist):
    cfg = config.load(ROOT / "params.yaml")
    mixed = dataclasses.replace(cfg.recipes["best"], width=8, precision="bfloat16")
    cfg = dataclasses.replace(cfg, recipe="best", epochs=1, recipes={**cfg.recipes, "best": mixed})
    training.setup_runtime(cfg.seed, threads=0)
    x, y = mnist["x_train"][:256, ..., None], training.one_hot(mnist["y_train"][:256])
    model = training.compile_model(cfg, n_train=len(x))
    model.fit(x, y, batch_size=64, epochs=1, verbose=0)
    assert training.computes_in(model) == "bfloat16"
    assert model.layers[-1].compute_dtype == "float32"  # the softmax and the loss
    plain = training.in_float32(model, cfg)
    assert training.computes_in(plain) == "float32"
    for a, b in zip(model.get_weights(), plain.get_weights()):
        np.testing.assert_array_equal(a, b)
    # Only the arithmetic's rounding differs: bfloat16 keeps 8 bits of mantissa.
    np.testing.assert_allclose(model.predict(x, verbose=0), plain.predict(x, verbose=0),
                               atol=0.05)


def test_the_one_cycle_schedule_warms_up_to_its_peak_then_decays_to_zero():
    cfg = config.load(ROOT / "params.yaml")
    hyper = dataclasses.replace(cfg.recipes["best"], schedule="onecycle",
                                learning_rate=0.01, warmup_fraction=0.2)
    schedule = training._learning_rate(hyper, total_steps=1000)
    at = {step: float(schedule(step)) for step in (0, 100, 200, 600, 1000)}
    assert at[0] == pytest.approx(0.01 / 25)
    assert at[0] < at[100] < at[200] == pytest.approx(0.01)
    assert at[200] > at[600] > at[1000] and at[1000] == pytest.approx(0, abs=1e-9)
    constant = dataclasses.replace(hyper, schedule="constant")
    assert training._learning_rate(constant, 1000) == 0.01


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "adadelta", "sgd"])
def test_each_optimizer_gets_its_settings(optimizer):
    cfg = config.load(ROOT / "params.yaml")
    hyper = dataclasses.replace(cfg.recipes["best"], optimizer=optimizer, schedule="constant",
                                learning_rate=0.02, weight_decay=0.01)
    opt = training.make_optimizer(hyper, total_steps=100)
    expected = {"adam": "Adam", "adamw": "AdamW", "adadelta": "Adadelta", "sgd": "SGD"}
    assert type(opt).__name__ == expected[optimizer]
    assert float(opt.learning_rate) == pytest.approx(0.02)
    if optimizer != "adadelta":
        assert opt.weight_decay == pytest.approx(0.01)
