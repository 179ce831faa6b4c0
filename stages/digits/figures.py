"""The evaluation's matplotlib figures, each written whole to a PNG."""

import matplotlib

matplotlib.use("Agg")  # files only; no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from digits import atomic, scoring  # noqa: E402


def _save(fig, path):
    # Fixed metadata, so the same figure gives the same bytes.
    with atomic.target(path, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=100, metadata={"Software": None})
    plt.close(fig)


def training_curves(history: list[dict], path):
    """Loss and accuracy per epoch, training against validation (when there is one)."""
    epochs = np.arange(1, len(history) + 1)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, metric in zip(axes, ("loss", "accuracy")):
        ax.plot(epochs, [h[metric] for h in history], marker="o", label="train")
        if f"val_{metric}" in history[0]:
            ax.plot(epochs, [h[f"val_{metric}"] for h in history], marker="o",
                    label="validation")
        else:
            ax.set_title("trained on train+val: no validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    _save(fig, path)


def confusion(matrix: np.ndarray, path):
    fig, ax = plt.subplots(figsize=(6, 5.5))
    # Log colour scale: the diagonal is ~1000, the errors are single digits.
    image = ax.imshow(np.log1p(matrix), cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        if count:
            colour = "white" if i == j else "black"
            ax.text(j, i, str(count), ha="center", va="center", fontsize=7, color=colour)
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted")
    ax.set_ylabel("actual")
    ax.set_title(f"Test confusion matrix ({matrix.trace()} of {matrix.sum()} right)")
    fig.colorbar(image, ax=ax, label="log(1 + count)")
    fig.tight_layout()
    _save(fig, path)


def misclassified(x: np.ndarray, y_true, probs: np.ndarray, path, shown: int):
    """A grid of the most confidently wrong test digits: true, predicted, confidence."""
    y_pred = probs.argmax(axis=1)
    wrong = np.flatnonzero(y_pred != np.asarray(y_true))
    wrong = wrong[np.argsort(-probs[wrong, y_pred[wrong]], kind="stable")][:shown]
    cols = 6
    rows = max(1, -(-len(wrong) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.6, rows * 1.8), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong):
        ax.imshow(x[i].squeeze(), cmap="gray")
        ax.set_title(f"{y_true[i]}→{y_pred[i]} {probs[i, y_pred[i]]:.2f}", fontsize=9)
    fig.suptitle("Misclassified test digits (true→predicted, confidence)")
    fig.tight_layout()
    _save(fig, path)


def reliability(probs: np.ndarray, y_true, bins: int, path):
    count, mean_conf, accuracy = scoring.calibration_bins(probs, y_true, bins)
    used = count > 0
    ece = scoring.expected_calibration_error(probs, y_true, bins)
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    ax.plot(mean_conf[used], accuracy[used], marker="o", label="model")
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_title(f"Reliability ({bins} bins, ECE {ece:.4f})")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    _save(fig, path)
