"""A trained model, loaded as a callable from (B, 28, 28, 1) uint8 digits to (B, 10)
probabilities.

The ONNX model runs with ONNX Runtime alone (no TensorFlow: a process starts in a fraction of
a second); Keras, and TensorFlow with it, are imported only when a `.keras` model is asked for.
"""

from pathlib import Path

import numpy as np


class OnnxModel:
    def __init__(self, path):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), options,
                                            providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0].name

    def __call__(self, x: np.ndarray, batch: int = 1000) -> np.ndarray:
        # In batches: 10,000 digits at once hold ~1 GB per convolution's activations.
        parts = [self.session.run(None, {self.input: x[i:i + batch].astype(np.float32)})[0]
                 for i in range(0, len(x), batch)]
        return np.concatenate(parts) if parts else np.zeros((0, 10), np.float32)


class KerasModel:
    def __init__(self, path):
        from digits import quiet  # noqa: F401  (first: TensorFlow starts without its notices)
        import keras

        self.model = keras.models.load_model(path)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.predict(x, batch_size=256, verbose=0))


def load_model(path):
    """A callable from (B, 28, 28, 1) uint8 digits to (B, 10) probabilities."""
    return OnnxModel(path) if Path(path).suffix == ".onnx" else KerasModel(path)


def default_model(root: Path):
    """The pipeline's model: the ONNX export when there is one."""
    for name in ("model.onnx", "model.keras"):
        if (root / "data/model" / name).is_file():
            return root / "data/model" / name
    return None
