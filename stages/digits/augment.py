"""Augmentation for real handwriting, as TensorFlow ops inside the `tf.data` input pipeline.

Every draw is stateless and keyed by (seed, batch number), so a batch's distortions do not
depend on what ran before it: a resumed run sees exactly the batches an unbroken one would.
Geometry (rotation, shear, scale, translation) and the elastic field are composed into one
sampling grid, so each digit is resampled once.
"""

import dataclasses
import functools
import math

import numpy as np
import tensorflow as tf

from digits import blocks

SIDE = 28
CENTRE = (SIDE - 1) / 2


def _uniform(seed, shape, low, high):
    return tf.random.stateless_uniform(shape, seed, low, high)


def _mix(x, target, amount):
    """Moves `x` towards `target` by `amount` per sample, (B,) in [0, 1]."""
    return x + amount[:, None, None, None] * (target - x)


def _stroke_width(x, seed, probability: float):
    # Soft dilation or erosion by a 3×3 neighbourhood: thicker or thinner strokes, by a
    # fraction of a pixel up to a whole one.
    b = tf.shape(x)[0]
    seeds = tf.random.experimental.stateless_split(seed, 3)
    thick = tf.nn.max_pool2d(x, 3, 1, "SAME")
    thin = -tf.nn.max_pool2d(-x, 3, 1, "SAME")
    amount = _uniform(seeds[0], [b], 0.0, 1.0)
    apply = _uniform(seeds[1], [b], 0.0, 1.0) < probability
    thicker = _uniform(seeds[2], [b], 0.0, 1.0) < 0.5
    target = tf.where(thicker[:, None, None, None], thick, thin)
    # Erosion removes whole strokes at full strength; keep thinning to at most 60%.
    amount = tf.where(thicker, amount, 0.6 * amount)
    return _mix(x, target, tf.where(apply, amount, 0.0))


def _sampling_grid(b, seed, cfg):
    """Source coordinates (B, 28, 28) of rows and columns for every output pixel."""
    seeds = tf.random.experimental.stateless_split(seed, 7)
    angle = _uniform(seeds[0], [b], -1.0, 1.0) * math.radians(cfg.rotation_degrees)
    shear = _uniform(seeds[1], [b], -1.0, 1.0) * math.radians(cfg.shear_degrees)
    zoom = _uniform(seeds[2], [b, 2], 1 - cfg.scale, 1 + cfg.scale)  # rows, columns
    shift = _uniform(seeds[3], [b, 2], -cfg.translate, cfg.translate) * SIDE
    cos, sin, tan = tf.cos(angle), tf.sin(angle), tf.tan(shear)
    # Inverse map, output -> source: rotate, shear, then divide by the zoom.
    a = tf.stack([cos, -sin + cos * tan, sin, cos + sin * tan], axis=-1)
    a = tf.reshape(a, [b, 2, 2]) / zoom[:, :, None]
    idx = tf.range(SIDE, dtype=tf.float32) - CENTRE
    rows, cols = tf.meshgrid(idx, idx, indexing="ij")
    grid = tf.stack([rows, cols], axis=0)  # (2, 28, 28)
    src = tf.einsum("bij,jhw->bihw", a, grid) + CENTRE - shift[:, :, None, None]
    if cfg.elastic_alpha > 0:
        # A random displacement on a coarse grid every `elastic_sigma` pixels, interpolated:
        # smooth like Simard et al.'s Gaussian-filtered field, for a fraction of the cost.
        coarse = max(2, math.ceil(SIDE / cfg.elastic_sigma) + 1)
        field = tf.random.stateless_normal([b, coarse, coarse, 2], seeds[4])
        up = tf.constant(_bicubic_matrix(coarse))  # (28, coarse)
        src += cfg.elastic_alpha * tf.einsum("hi,bijk,wj->bkhw", up, field, up)
    return src[:, 0], src[:, 1]


@functools.cache
def _bicubic_matrix(coarse: int) -> np.ndarray:
    """(28, coarse): TensorFlow's bicubic enlargement from `coarse` to 28 samples as a matrix:
    the coarse field is enlarged by two small products, ops that XLA can compile (its
    resize op has no XLA kernel; BENCHMARKS has the XLA trial)."""
    with tf.init_scope():  # eager, even while a graph is being traced
        basis = tf.eye(coarse)[:, :, None, None]  # each coarse sample alone, a 1-wide image
        rows = tf.image.resize(basis, [SIDE, 1], method="bicubic")  # (coarse, 28, 1, 1)
        return rows.numpy().reshape(coarse, SIDE).T


def _bilinear(images, rows, cols):
    """Samples (B, 28, 28) `images` at fractional coordinates; zero outside the image."""
    b = tf.shape(images)[0]
    side = SIDE + 2  # a zero border, so clipped coordinates read zeros
    flat = tf.reshape(tf.pad(images, [[0, 0], [1, 1], [1, 1]]), [b, side * side])
    rows = tf.clip_by_value(rows + 1, 0.0, side - 1.001)
    cols = tf.clip_by_value(cols + 1, 0.0, side - 1.001)
    r0, c0 = tf.floor(rows), tf.floor(cols)
    fr, fc = rows - r0, cols - c0
    r0, c0 = tf.cast(r0, tf.int32), tf.cast(c0, tf.int32)

    def at(r, c):
        idx = tf.reshape(r * side + c, [b, -1])
        return tf.reshape(tf.gather(flat, idx, batch_dims=1), tf.shape(rows))

    top = at(r0, c0) * (1 - fc) + at(r0, c0 + 1) * fc
    bottom = at(r0 + 1, c0) * (1 - fc) + at(r0 + 1, c0 + 1) * fc
    return top * (1 - fr) + bottom * fr


def _warp(x, seed, cfg):
    rows, cols = _sampling_grid(tf.shape(x)[0], seed, cfg)
    return _bilinear(x[..., 0], rows, cols)[..., None]


def _blur(x, seed, probability: float):
    b = tf.shape(x)[0]
    seeds = tf.random.experimental.stateless_split(seed, 2)
    k = tf.constant([1.0, 2.0, 1.0]) / 4
    kernel = tf.reshape(k[:, None] * k[None, :], [3, 3, 1, 1])
    blurred = tf.nn.conv2d(x, kernel, 1, "SAME")
    apply = _uniform(seeds[0], [b], 0.0, 1.0) < probability
    amount = _uniform(seeds[1], [b], 0.3, 1.0)
    return _mix(x, blurred, tf.where(apply, amount, 0.0))


def _noise(x, seed, std: float):
    b = tf.shape(x)[0]
    seeds = tf.random.experimental.stateless_split(seed, 2)
    level = _uniform(seeds[0], [b, 1, 1, 1], 0.0, std * 255)
    return x + level * tf.random.stateless_normal(tf.shape(x), seeds[1])


def _small_view(x, seed, probability: float, render=blocks.block_counts,
                levels=blocks.LEVELS):
    # A few digits as small scans (scikit-learn's 8×8 block counts, or 16×16 stretched one-bit
    # scans), read back by the prediction preprocessing (OpenCV, outside the graph: a few
    # milliseconds a batch).
    b = tf.shape(x)[0]
    seeds = tf.random.experimental.stateless_split(seed, 2)
    apply = _uniform(seeds[0], [b], 0.0, 1.0) < probability
    drawn = _uniform(seeds[1], [b], *levels)
    trip = functools.partial(blocks.round_trip, render=render)
    out = tf.numpy_function(trip, [x, drawn, apply], tf.float32, stateful=False)
    return tf.ensure_shape(out, x.shape)


def _lift(x, seed, probability: float):
    """Gaps where a writer lifted the pen: a soft disk (radius 1–1.8 pixels, about a stroke's
    width) erased on the ink of a share of the digits, twice for some."""
    b = tf.shape(x)[0]
    seeds = tf.random.experimental.stateless_split(seed, 6)
    idx = tf.range(SIDE, dtype=tf.float32)
    rows, cols = tf.meshgrid(idx, idx, indexing="ij")
    for cut, chance in enumerate((probability, 0.4 * probability)):
        # A random point on the strokes: the highest random score among the inked pixels.
        scores = _uniform(seeds[3 * cut], [b, SIDE * SIDE], 0.0, 1.0)
        inked = tf.cast(tf.reshape(x, [b, -1]) > 127.5, tf.float32)
        at = tf.argmax(scores * inked, axis=1, output_type=tf.int32)
        r = tf.cast(at // SIDE, tf.float32)[:, None, None]
        c = tf.cast(at % SIDE, tf.float32)[:, None, None]
        radius = _uniform(seeds[3 * cut + 1], [b], 1.0, 1.8)[:, None, None]
        hole = tf.clip_by_value(radius + 0.5 - tf.sqrt((rows - r) ** 2 + (cols - c) ** 2),
                                0.0, 1.0)
        apply = tf.cast(_uniform(seeds[3 * cut + 2], [b], 0.0, 1.0) < chance, tf.float32)
        x = x * (1.0 - (apply[:, None, None] * hole)[..., None])
    return x


def pick_copy(x, copy, seed, probability: float, key: int = 6):
    """Each digit of `x` replaced by `copy`, a copy of it made once before training (with
    strokes cut where a writer lifts the pen, `penlift.cut_set`, or cut from a neighbour,
    `neighbours.row_set`), with `probability`; drawn from a seed of its own (`key`), so that
    every other distortion stays as it was."""
    draw = _uniform(tf.random.experimental.stateless_fold_in(seed, key), [tf.shape(x)[0]],
                    0.0, 1.0)
    return tf.where((draw < probability)[:, None, None, None], copy, x)


def formats_only(cfg):
    """`cfg` without its distortions (geometry, elastic field, stroke width, gaps, blur,
    noise, the copies): the digits as written, of which `small_probability` and
    `sixteen_probability` still come as other writers' small scans, which are formats a
    digit arrives in rather than distortions of it."""
    return dataclasses.replace(
        cfg, rotation_degrees=0.0, shear_degrees=0.0, scale=0.0, translate=0.0,
        elastic_alpha=0.0, stroke_probability=0.0, blur_probability=0.0, noise_std=0.0,
        lift_probability=0.0, cut_probability=0.0, neighbour_probability=0.0)


def plain_from(cfg, epochs: int) -> int:
    """The first of the last epochs, `cfg.plain_fraction` of `epochs` (rounded), that read the
    digits as `formats_only` leaves them."""
    return epochs - round(cfg.plain_fraction * epochs)


def augment_batch(x, seed, cfg):
    """Distorts a batch of digits.

    Args:
        x: (B, 28, 28, 1) float32 digits, 0..255, light on dark.
        seed: (2,) int tensor; the same seed gives the same distortions.
        cfg: an `AugmentConfig`.

    Returns:
        (B, 28, 28, 1) float32, clipped to 0..255.
    """
    seeds = tf.random.experimental.stateless_split(seed, 5)
    x = _stroke_width(x, seeds[0], cfg.stroke_probability)
    x = _warp(x, seeds[1], cfg)
    if cfg.lift_probability > 0:  # its own seed: the other draws stay as they were without it
        x = _lift(x, tf.random.experimental.stateless_fold_in(seed, 5), cfg.lift_probability)
    if cfg.sixteen_probability > 0:  # its own seed too
        x = _small_view(tf.clip_by_value(x, 0.0, 255.0),
                        tf.random.experimental.stateless_fold_in(seed, 7),
                        cfg.sixteen_probability, blocks.stretched_sixteen, blocks.SIXTEEN_LEVELS)
    if cfg.small_probability > 0:
        x = _small_view(tf.clip_by_value(x, 0.0, 255.0), seeds[4], cfg.small_probability)
    x = _blur(x, seeds[2], cfg.blur_probability)
    if cfg.noise_std > 0:
        x = _noise(x, seeds[3], cfg.noise_std)
    return tf.clip_by_value(x, 0.0, 255.0)
