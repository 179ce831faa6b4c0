"""Training: a deterministic input pipeline, the recipe's optimizer, and `model.fit`.

Randomness is a pure function of (seed, epoch, batch): the shuffle order, the augmentation and
the dropout masks of epoch e are the same whether the run started at epoch 0 or resumed at e.
"""

import math
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from digits import augment, models, neighbours, penlift


def setup_runtime(seed: int, threads: int):
    """Seeds Python, NumPy and the backend, and turns on deterministic ops."""
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        tf.config.experimental.enable_op_determinism()
        if threads:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)


def steps_per_epoch(n: int, batch_size: int) -> int:
    return math.ceil(n / batch_size)


def one_hot(y: np.ndarray) -> np.ndarray:
    return np.eye(models.NUM_CLASSES, dtype="float32")[y]


def train_dataset(x, y, *, batch_size, seed, first_epoch, epochs, augment_cfg=None, cuts=None,
                  rows=None, plain_from=None):
    """Batches for epochs `first_epoch`..`epochs - 1`, one after another.

    Args:
        x: (N, 28, 28, 1) uint8 digits.
        y: (N,) labels.
        augment_cfg: an `AugmentConfig`, or None for the digits as they are.
        cuts: x with pen-lift cuts (`penlift.cut_set`), taken in place of a digit with
            `augment_cfg.cut_probability` before the other distortions; or None.
        rows: x cut from neighbours (`neighbours.row_set`), taken likewise with
            `augment_cfg.neighbour_probability`; or None.
        plain_from: the epoch from which the digits are read undistorted, without the
            copies, only the small scans' share of them (`augment.formats_only`) changed;
            None augments every epoch.

    Returns:
        A `tf.data.Dataset` of ((B, 28, 28, 1) float32, (B, 10) one-hot) batches.
    """
    n = len(x)
    steps = steps_per_epoch(n, batch_size)
    x_all, y_all = tf.constant(x), tf.constant(one_hot(y))
    cuts_all = None if cuts is None else tf.constant(cuts)
    rows_all = None if rows is None else tf.constant(rows)

    def loader(augment_cfg, cuts_all, rows_all):
        def load(epoch, step, idx):
            xb = tf.gather(x_all, idx)
            batch_seed = tf.stack([seed, epoch * steps + step])
            if cuts_all is not None:
                xb = augment.pick_copy(xb, tf.gather(cuts_all, idx), batch_seed,
                                       augment_cfg.cut_probability)
            if rows_all is not None:
                xb = augment.pick_copy(xb, tf.gather(rows_all, idx), batch_seed,
                                       augment_cfg.neighbour_probability, key=8)
            xb = tf.cast(xb, tf.float32)
            if augment_cfg is not None:
                xb = augment.augment_batch(xb, batch_seed, augment_cfg)
            return xb, tf.gather(y_all, idx)

        return load

    def epochs_of(first, last, batch):
        def one_epoch(epoch):
            order = tf.random.experimental.stateless_shuffle(tf.range(n),
                                                             seed=tf.stack([seed, epoch]))
            batches = tf.data.Dataset.from_tensor_slices(order).batch(batch_size).enumerate()
            return batches.map(lambda step, idx: batch(epoch, step, idx),
                               num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)

        return tf.data.Dataset.range(first, last).flat_map(one_epoch)

    split = epochs if plain_from is None else min(max(plain_from, first_epoch), epochs)
    data = epochs_of(first_epoch, split, loader(augment_cfg, cuts_all, rows_all))
    if split < epochs:
        formats = None if augment_cfg is None else augment.formats_only(augment_cfg)
        data = data.concatenate(epochs_of(split, epochs, loader(formats, None, None)))
    return data.prefetch(tf.data.AUTOTUNE)


def recipe_dataset(x, y, cfg, first_epoch: int = 0):
    """The batches `cfg`'s recipe trains on from `first_epoch`, as the `train` stage reads
    them: its augmentation, the copies of the digits it draws from (made here, once), its
    last epochs undistorted.

    Args:
        x: (N, 28, 28, 1) uint8 digits.
        y: (N,) labels.
        cfg: a `config.Config`.

    Returns:
        The `tf.data.Dataset` of `train_dataset`, and the seconds spent making the copies
        (None when the recipe uses none).
    """
    augment_cfg = cfg.augment if cfg.hyper.augment else None
    start = time.perf_counter()
    cuts = rows = None
    if augment_cfg is not None and augment_cfg.cut_probability > 0:
        cuts = penlift.cut_set(x, cfg.seed)
    if augment_cfg is not None and augment_cfg.neighbour_probability > 0:
        rows = neighbours.row_set(x, cfg.seed)
    copy_seconds = time.perf_counter() - start if cuts is not None or rows is not None else None
    data = train_dataset(
        x, y, batch_size=cfg.batch_size, seed=cfg.seed, first_epoch=first_epoch,
        epochs=cfg.epochs, augment_cfg=augment_cfg, cuts=cuts, rows=rows,
        plain_from=None if augment_cfg is None else augment.plain_from(augment_cfg, cfg.epochs))
    return data, copy_seconds


def _learning_rate(hyper, total_steps: int):
    if hyper.schedule == "constant":
        return hyper.learning_rate
    # One cycle: linear warm-up from 1/25 of the peak, then cosine decay to zero.
    warmup = int(hyper.warmup_fraction * total_steps)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=hyper.learning_rate / 25, decay_steps=total_steps - warmup,
        warmup_target=hyper.learning_rate, warmup_steps=warmup)


def make_optimizer(hyper, total_steps: int) -> keras.optimizers.Optimizer:
    lr = _learning_rate(hyper, total_steps)
    if hyper.optimizer == "adadelta":
        return keras.optimizers.Adadelta(learning_rate=lr, rho=0.95)
    if hyper.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=lr, momentum=0.9, nesterov=True,
                                    weight_decay=hyper.weight_decay or None)
    if hyper.optimizer == "adamw":
        return keras.optimizers.AdamW(learning_rate=lr, weight_decay=hyper.weight_decay)
    return keras.optimizers.Adam(learning_rate=lr, weight_decay=hyper.weight_decay or None)


def bfloat16_units(cpuinfo: str = "/proc/cpuinfo") -> bool:
    """Whether the CPU multiplies bfloat16 in hardware: AMX's tiles, or AVX512_BF16's dot
    products, where mixed precision took a third (Intel Xeon, AMX) and a quarter (AMD EPYC
    Zen 4) off `best`'s network steps (BENCHMARKS). Without them bfloat16 is emulated (AVX2),
    slower than float32."""
    try:
        flags = next((line for line in Path(cpuinfo).read_text().splitlines()
                      if line.startswith("flags")), "").split()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def compute_dtype(precision: str) -> str:
    """What a recipe's `precision` setting computes in on this machine."""
    if precision == "auto":
        return "bfloat16" if bfloat16_units() else "float32"
    return precision


def compile_model(cfg, n_train: int) -> keras.Model:
    """The selected recipe's network, compiled for `cfg.epochs` epochs."""
    hyper = cfg.hyper
    model = models.make_model(cfg.recipe, hyper.width, hyper.dropout,
                              compute_dtype(hyper.precision))
    total_steps = cfg.epochs * steps_per_epoch(n_train, cfg.batch_size)
    model.compile(
        optimizer=make_optimizer(hyper, total_steps),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=hyper.label_smoothing),
        metrics=["accuracy"])
    return model


def computes_in(model: keras.Model) -> str:
    """"bfloat16" for a network built for mixed precision, else "float32"."""
    mixed = any(layer.compute_dtype == "bfloat16" for layer in model.layers)
    return "bfloat16" if mixed else "float32"


def in_float32(model: keras.Model, cfg) -> keras.Model:
    """The trained network computing in float32, as evaluation, export and prediction read it:
    a network trained in mixed precision is rebuilt in float32 and given its float32 weights."""
    if computes_in(model) == "float32":
        return model
    copy = models.make_model(cfg.recipe, cfg.hyper.width, cfg.hyper.dropout)
    copy.set_weights(model.get_weights())
    return copy


class EpochSeeds(keras.callbacks.Callback):
    """Re-seeds the model's own random layers (dropout) at each epoch from (seed, epoch).

    Keras does not save seed-generator state with a model, so without this a resumed run
    would draw other dropout masks than an unbroken one.
    """

    def __init__(self, seed: int):
        super().__init__()
        self.seed = seed

    def on_epoch_begin(self, epoch, logs=None):
        states = [v for v in self.model.non_trainable_variables
                  if v.path.endswith("seed_generator_state")]
        for i, state in enumerate(states):
            base = np.random.default_rng([self.seed, epoch, i]).integers(1, 2**31)
            state.assign(np.array([base, 0], dtype=state.dtype))
