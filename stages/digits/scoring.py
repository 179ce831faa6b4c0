"""Metrics of predicted probabilities against labels."""

import numpy as np

NUM_CLASSES = 10


def confusion_matrix(y_true, y_pred, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """(num_classes, num_classes) counts; rows are the true class, columns the predicted."""
    return np.bincount(num_classes * np.asarray(y_true) + np.asarray(y_pred),
                       minlength=num_classes ** 2).reshape(num_classes, num_classes)


def per_class(confusion: np.ndarray) -> dict:
    """Precision, recall and F1 of each class; 0 where a class is never predicted or seen."""
    tp = np.diag(confusion).astype(float)
    predicted, actual = confusion.sum(axis=0), confusion.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    return {str(c): {"precision": round(float(precision[c]), 6),
                     "recall": round(float(recall[c]), 6),
                     "f1": round(float(f1[c]), 6)} for c in range(len(tp))}


def cross_entropy(probs: np.ndarray, y_true) -> float:
    p = probs[np.arange(len(probs)), np.asarray(y_true)]
    return float(-np.mean(np.log(np.clip(p, 1e-7, 1.0))))


def calibration_bins(probs: np.ndarray, y_true, bins: int):
    """Equal-width confidence bins: (count, mean confidence, accuracy) of each."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == np.asarray(y_true)
    # Bin i holds confidences in (i/bins, (i+1)/bins]; the top bin includes 1.0.
    which = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
    count = np.bincount(which, minlength=bins)
    safe = np.maximum(count, 1)
    mean_conf = np.bincount(which, weights=confidence, minlength=bins) / safe
    accuracy = np.bincount(which, weights=correct, minlength=bins) / safe
    return count, mean_conf, accuracy


def expected_calibration_error(probs: np.ndarray, y_true, bins: int = 15) -> float:
    """ECE: the count-weighted mean gap between confidence and accuracy over the bins."""
    count, mean_conf, accuracy = calibration_bins(probs, y_true, bins)
    return float(np.sum(count * np.abs(mean_conf - accuracy)) / count.sum())


def summarize(probs: np.ndarray, y_true, ece_bins: int) -> dict:
    """Test metrics as written to reports/metrics.json."""
    y_pred = probs.argmax(axis=1)
    confusion = confusion_matrix(y_true, y_pred)
    return {
        "accuracy": round(float(np.mean(y_pred == np.asarray(y_true))), 6),
        "loss": round(cross_entropy(probs, y_true), 6),
        "ece": round(expected_calibration_error(probs, y_true, ece_bins), 6),
        "errors": int(np.sum(y_pred != np.asarray(y_true))),
        "per_class": per_class(confusion),
    }


def accuracy_where_found(probs: np.ndarray, found: np.ndarray, y_true) -> dict:
    """Accuracy on an outside set; a picture where preprocessing found no digit counts as
    wrong, whatever the model said of its blank stand-in.

    Returns:
        {"n", "accuracy", "no_digit"}.
    """
    y_true = np.asarray(y_true)
    right = int(np.sum((np.asarray(probs).argmax(axis=1) == y_true) & found))
    return {"n": len(y_true), "accuracy": round(right / max(len(y_true), 1), 6),
            "no_digit": int(np.sum(~np.asarray(found)))}


def exact_numbers(read: list[str], texts) -> dict:
    """How many numbers are read exactly: every digit found, none added, each one right.

    Args:
        read: each number as read, "" where no digit was found.
        texts: the numbers written.

    Returns:
        {"n", "exact", "no_digit"}.
    """
    right = sum(r == t for r, t in zip(read, texts))
    return {"n": len(texts), "exact": round(right / max(len(texts), 1), 6),
            "no_digit": sum(r == "" for r in read)}
