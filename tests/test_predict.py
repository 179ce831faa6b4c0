"""predict.py as a user runs it: real image files, a real process, a trained model."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, digit_on_paper
from digits import imageprep, loaded, reader

PREDICT = [sys.executable, str(ROOT / "stages" / "predict.py")]


def predict(*args, stdin=None):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([*PREDICT, *map(str, args)], capture_output=True, input=stdin,
                          env=env, cwd=ROOT)


def json_lines(done) -> list[dict]:
    return [json.loads(line) for line in done.stdout.decode().splitlines()]


@pytest.fixture(scope="module")
def onnx_model(tiny_model):
    return tiny_model.with_suffix(".onnx")


@pytest.fixture(scope="module")
def test_pngs(mnist, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pngs")
    for i, digit in enumerate(mnist["x_test"][:300]):
        (folder / str(i % 7)).mkdir(exist_ok=True)  # nested folders, searched recursively
        Image.fromarray(digit).save(folder / str(i % 7) / f"{i:04d}.png")
    return folder


def test_png_files_score_exactly_the_direct_accuracy(onnx_model, test_pngs, mnist):
    done = predict("--model", onnx_model, "--format", "json", test_pngs)
    assert done.returncode == 0, done.stderr
    results = json_lines(done)
    assert len(results) == 300
    index = [int(os.path.basename(r["path"])[:4]) for r in results]
    from_files = np.array([r["digit"] for r in results])
    direct = loaded.load_model(onnx_model)(mnist["x_test"][index][..., None]).argmax(axis=1)
    np.testing.assert_array_equal(from_files, direct)
    truth = mnist["y_test"][index]
    assert np.mean(from_files == truth) == np.mean(direct == truth) > 0.9
    first = results[0]
    assert set(first) == {"path", "digit", "confidence", "probabilities", "uncertain",
                          "one_digit", "error"}
    assert len(first["probabilities"]) == 10 and first["error"] is None
    assert abs(sum(first["probabilities"]) - 1) < 1e-4


def test_the_onnx_path_imports_neither_tensorflow_nor_keras(onnx_model, test_pngs):
    code = ("import sys; sys.argv = ['predict.py', '--model', sys.argv[1], sys.argv[2]]; "
            "sys.path.insert(0, 'stages'); import predict; predict.main(sys.argv[1:]); "
            "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]; "
            "sys.exit(f'imported {bad}' if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code, str(onnx_model),
                           str(test_pngs / "0" / "0000.png")],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def test_formats_top_k_and_show(onnx_model, test_pngs, tmp_path):
    one = test_pngs / "0" / "0000.png"
    table = predict("--model", onnx_model, one).stdout.decode().splitlines()
    assert table[0].split() == ["digit", "confidence", "uncertain", "path"]
    assert table[1].split()[-1] == str(one)
    csv_lines = predict("--model", onnx_model, "--format", "csv", one).stdout.decode()
    assert csv_lines.splitlines()[0] == "path,digit,confidence,uncertain,error"
    [top] = json_lines(predict("--model", onnx_model, "--format", "json", "--top-k", "3", one))
    assert len(top["top_k"]) == 3 and top["top_k"][0][0] == top["digit"]
    assert top["top_k"][0][1] >= top["top_k"][1][1] >= top["top_k"][2][1]
    predict("--model", onnx_model, "--show", tmp_path / "seen", one)
    [seen] = list((tmp_path / "seen").iterdir())
    np.testing.assert_array_equal(np.asarray(Image.open(seen)), np.asarray(Image.open(one)))
    number = Path(__file__).parent / "handwritten" / "number-9241.png"
    predict("--model", onnx_model, "--show", tmp_path / "number", "--number", number)
    assert sorted(p.name for p in (tmp_path / "number").iterdir()) == [
        *(f"00000-number-9241-{i}.png" for i in range(4)), "00000-number-9241-grouping.png"]


def test_a_picture_of_several_digits_read_as_one_is_flagged(onnx_model):
    handwritten = Path(__file__).parent / "handwritten"
    inputs = [handwritten / f"number-{n}.png" for n in (9241, 743, 1259)]
    results = json_lines(predict("--model", onnx_model, "--format", "json", *inputs))
    assert [r["one_digit"] for r in results] == [False] * 3
    assert all(r["uncertain"] for r in results)
    # Without a segmenter a digit is read all the same, unchecked.
    [alone] = reader.read_all(loaded.load_model(onnx_model), [("-", inputs[0])],
                              threshold=0.99, workers=1)
    assert "one_digit" not in alone and alone["digit"] == results[0]["digit"]


def test_bad_inputs_get_their_own_error_and_the_rest_is_read(onnx_model, test_pngs, tmp_path):
    good = test_pngs / "0" / "0000.png"
    (tmp_path / "notes.png").write_text("not pixels")
    (tmp_path / "zero.png").write_bytes(b"")
    (tmp_path / "cut.png").write_bytes(good.read_bytes()[:70])
    Image.new("1", (12_000, 12_000)).save(tmp_path / "bomb.png")
    Image.new("L", (300, 200), 235).save(tmp_path / "blank.png")
    os.mkfifo(tmp_path / "pipe.png")
    inputs = [good, tmp_path / "notes.png", tmp_path / "zero.png", tmp_path / "cut.png",
              tmp_path / "bomb.png", tmp_path / "blank.png", tmp_path / "pipe.png",
              tmp_path / "missing.png", good]
    done = predict("--model", onnx_model, "--format", "json", *inputs)
    assert done.returncode == 1
    results = json_lines(done)
    assert [r["path"] for r in results] == [str(p) for p in inputs]
    errors = [r["error"] for r in results]
    assert errors[0] is None and errors[-1] is None and results[0]["digit"] is not None
    assert all(errors[1:-1]), errors
    assert "empty" in errors[2] and "over the limit" in errors[4]
    assert "no digit" in errors[5] and results[5]["digit"] is None
    assert "not a regular file" in errors[6] and "no such file" in errors[7]


def test_usage_errors_exit_2(onnx_model, test_pngs):
    assert predict("--model", onnx_model, "--top-k", "0", test_pngs).returncode == 2
    assert predict("--model", "nowhere.onnx", test_pngs).returncode == 2
    assert predict().returncode == 2


def test_standard_input(onnx_model, test_pngs):
    data = (test_pngs / "0" / "0000.png").read_bytes()
    [result] = json_lines(predict("--model", onnx_model, "--format", "json", "-", stdin=data))
    assert result["path"] == "-" and result["error"] is None


def test_a_photographed_number(onnx_model, mnist, tmp_path):
    # Digits the model reads confidently when clean, so a wrong number means wrong splitting.
    model = loaded.load_model(onnx_model)
    chosen = []
    for want in (2, 0, 2, 6):
        for i in np.flatnonzero(mnist["y_test"] == want):
            clean = imageprep.to_mnist(digit_on_paper(mnist["x_test"][i]))
            probs = model(clean[None, ..., None])[0]
            if probs.argmax() == want and probs.max() > 0.95 and i not in chosen:
                chosen.append(i)
                break
    row = np.concatenate([np.pad(mnist["x_test"][i], ((0, 0), (2, 2))) for i in chosen], 1)
    photo = digit_on_paper(row, scale=7)
    h, w = photo.shape
    photo *= 1 - 0.35 * np.mgrid[0:h, 0:w][1] / w  # light falling off
    Image.fromarray(np.round(photo * 255).astype(np.uint8)).save(tmp_path / "2026.jpg",
                                                                 quality=85)
    [result] = json_lines(predict("--model", onnx_model, "--format", "json", "--number",
                                  tmp_path / "2026.jpg"))
    assert result["number"] == "2026" and len(result["digits"]) == 4
    assert result["error"] is None
    boxes = np.array([d["box"] for d in result["digits"]])  # x, y, width, height on the photo
    assert (np.diff(boxes[:, 0]) > 0).all() and (boxes[:, :2] >= 0).all()
    assert (boxes[:, 0] + boxes[:, 2] <= w).all() and (boxes[:, 1] + boxes[:, 3] <= h).all()
    assert all(0 <= d["whole"] <= 1 for d in result["digits"])


def _evaluate(*args) -> dict:
    done = subprocess.run([sys.executable, str(ROOT / "stages" / "evaluate.py"),
                           *map(str, args), "--json"], capture_output=True, text=True,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_evaluate_outside_sets_from_folders_and_arrays(onnx_model, mnist, tmp_path):
    x, y = mnist["x_test"][:60], mnist["y_test"][:60]
    for i, (digit, label) in enumerate(zip(x, y)):
        (tmp_path / "set" / str(label)).mkdir(parents=True, exist_ok=True)
        Image.fromarray(digit).save(tmp_path / "set" / str(label) / f"{i}.png")
    direct = np.mean(loaded.load_model(onnx_model)(x[..., None]).argmax(1) == y)
    result = _evaluate("--images", tmp_path / "set", "--model", onnx_model)
    assert result["n"] == 60 and result["accuracy"] == pytest.approx(direct)
    # Other polarity and size: dark digits on light, 56×56.
    big = 255 - np.kron(x, np.ones((2, 2), np.uint8))
    np.savez(tmp_path / "other.npz", x=big, y=y)
    result = _evaluate("--npz", tmp_path / "other.npz", "--model", onnx_model)
    assert result["n"] == 60 and result["accuracy"] > 0.85
