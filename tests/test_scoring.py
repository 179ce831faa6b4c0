import numpy as np
import pytest

from digits import scoring


def test_per_class_on_a_known_confusion_matrix():
    y_true = np.array([0, 0, 0, 1, 1, 2])
    y_pred = np.array([0, 0, 1, 1, 2, 2])
    cm = scoring.confusion_matrix(y_true, y_pred, num_classes=3)
    assert cm.tolist() == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    pc = scoring.per_class(cm)
    assert pc["0"] == {"precision": 1.0, "recall": pytest.approx(2 / 3, abs=1e-6),
                       "f1": pytest.approx(0.8, abs=1e-6)}
    assert pc["1"]["precision"] == 0.5 and pc["1"]["recall"] == 0.5
    assert pc["2"]["precision"] == 0.5 and pc["2"]["recall"] == 1.0


def test_ece_of_known_cases():
    # Confident and always right: no gap. 0.6 confident and right half the time: gap 0.1.
    perfect = np.eye(10)[[1, 2, 3]]
    assert scoring.expected_calibration_error(perfect, [1, 2, 3], 15) == 0.0
    p = np.full((4, 10), 0.4 / 9)
    p[:, 0] = 0.6
    assert scoring.expected_calibration_error(p, [0, 0, 1, 1], 15) == pytest.approx(0.1)


def test_summarize():
    probs = np.eye(10)[[0, 1, 2, 3]] * 0.9 + 0.01
    metrics = scoring.summarize(probs, np.array([0, 1, 2, 4]), 15)
    assert metrics["accuracy"] == 0.75 and metrics["errors"] == 1
    assert metrics["loss"] == pytest.approx(-np.mean(np.log([0.91, 0.91, 0.91, 0.01])), abs=1e-6)
    assert set(metrics["per_class"]) == {str(c) for c in range(10)}
