"""The recipes' networks. Each takes raw bytes (B, 28, 28, 1) and rescales them itself, so a
saved model carries its own input contract; each ends in a softmax over the 10 digits."""

import keras
from keras import layers

INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10


def _inputs():
    inputs = keras.Input(INPUT_SHAPE, name="digits")  # (B, 28, 28, 1), values 0..255
    return inputs, layers.Rescaling(1 / 255)(inputs)


def _softmax(x):
    # In float32 even when the network computes in bfloat16: the probabilities and the loss
    # keep their precision (Keras's mixed-precision guide).
    return layers.Dense(NUM_CLASSES, activation="softmax", dtype="float32")(x)


def reference(width: int, dropout: float) -> keras.Model:
    """Keras 2's `mnist_cnn.py` (99.25% after 12 epochs): two convolutions, one pool."""
    inputs, x = _inputs()
    x = layers.Conv2D(width, 3, activation="relu")(x)  # (B, 26, 26, w)
    x = layers.Conv2D(2 * width, 3, activation="relu")(x)  # (B, 24, 24, 2w)
    x = layers.MaxPooling2D(2)(x)  # (B, 12, 12, 2w)
    x = layers.Dropout(dropout)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(128, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    outputs = _softmax(x)
    return keras.Model(inputs, outputs, name="reference")


def keras_example(width: int, dropout: float) -> keras.Model:
    """keras-io's "Simple MNIST convnet" (about 99.1% after 15 epochs)."""
    inputs, x = _inputs()
    x = layers.Conv2D(width, 3, activation="relu")(x)  # (B, 26, 26, w)
    x = layers.MaxPooling2D(2)(x)  # (B, 13, 13, w)
    x = layers.Conv2D(2 * width, 3, activation="relu")(x)  # (B, 11, 11, 2w)
    x = layers.MaxPooling2D(2)(x)  # (B, 5, 5, 2w)
    x = layers.Flatten()(x)
    x = layers.Dropout(dropout)(x)
    outputs = _softmax(x)
    return keras.Model(inputs, outputs, name="keras_example")


def _conv_bn(x, filters: int, kernel: int, padding: str = "same", pool: bool = False):
    """Convolution, then (optionally) 2×2 max pooling, BatchNorm and ReLU.

    Pooling comes before the normalisation: max pooling commutes with ReLU and with
    BatchNorm's per-channel increasing map, so this is the usual conv-BN-ReLU-pool block,
    with batch statistics taken over the pooled maps, at a quarter of the normalisation's
    cost (on this CPU the full-size BatchNorm and ReLU cost more than the convolution).
    """
    # The bias is redundant before BatchNorm's own shift.
    x = layers.Conv2D(filters, kernel, padding=padding, use_bias=False)(x)
    if pool:
        x = layers.MaxPooling2D(2)(x)
    x = layers.BatchNormalization()(x)
    return layers.ReLU()(x)


def fast(width: int, dropout: float) -> keras.Model:
    """keras-io's network with BatchNorm and a hidden dense layer, for a one-cycle run of a
    few epochs: BatchNorm lets the learning rate peak high, so three epochs do what fifteen
    do without it."""
    inputs, x = _inputs()
    x = _conv_bn(x, width, 3, padding="valid", pool=True)  # (B, 13, 13, w)
    x = _conv_bn(x, 2 * width, 3, padding="valid", pool=True)  # (B, 5, 5, 2w)
    x = layers.Flatten()(x)
    x = layers.Dense(4 * width, activation="relu")(x)  # as in Keras 2's reference network
    if dropout:
        x = layers.Dropout(dropout)(x)
    outputs = _softmax(x)
    return keras.Model(inputs, outputs, name="fast")


def best(width: int, dropout: float) -> keras.Model:
    """BatchNorm VGG-style blocks made for augmentation: one narrow convolution at 28×28
    (the costliest resolution), two at 14×14, two at 7×7."""
    inputs, x = _inputs()
    x = _conv_bn(x, width, 3, pool=True)  # (B, 14, 14, w)
    for filters in (width * 3 // 2, width * 3):
        x = _conv_bn(x, filters, 3)
        x = _conv_bn(x, filters, 3, pool=True)  # (B, 7, 7, 1.5w), then (B, 3, 3, 3w)
    x = layers.Flatten()(x)  # (B, 27w)
    x = layers.Dropout(dropout)(x)
    outputs = _softmax(x)
    return keras.Model(inputs, outputs, name="best")


BUILDERS = {"reference": reference, "keras-example": keras_example, "fast": fast, "best": best}


def make_model(recipe: str, width: int, dropout: float, dtype: str = "float32") -> keras.Model:
    """The network of `recipe`, uncompiled; `dtype` "bfloat16" builds it for mixed precision
    (bfloat16 arithmetic, float32 weights)."""
    policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_bfloat16" if dtype == "bfloat16" else "float32")
    try:
        return BUILDERS[recipe](width, dropout)
    finally:
        keras.config.set_dtype_policy(policy)
