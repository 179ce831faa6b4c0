"""Renders `dvc plots diff` of some experiments to one PNG (for README).

DVC draws its plots with Vega-Lite in a browser; vl-convert renders the same specs without
one. It is not a dependency of the project: `pip install vl-convert-python` first.

    python bench/plots_diff.py OUT.png REV...
"""

import io
import json
import subprocess
import sys

import vl_convert
from PIL import Image

PLOTS = ["reports/train/plots/metrics/eval/accuracy.tsv",
         "reports/train/plots/metrics/eval/loss.tsv", "Confusion matrix"]


def render(revs: list[str]) -> list[Image.Image]:
    out = subprocess.run(["dvc", "plots", "diff", *revs, "--json"], capture_output=True,
                         text=True, check=True).stdout
    data = json.loads(out)["data"]
    images = []
    for name in PLOTS:
        spec = data[name][0]["content"]
        images.append(Image.open(io.BytesIO(vl_convert.vegalite_to_png(spec, scale=1.5))))
    return images


def tile(images: list[Image.Image]) -> Image.Image:
    width = sum(im.width for im in images)
    sheet = Image.new("RGB", (width, max(im.height for im in images)), "white")
    x = 0
    for im in images:
        sheet.paste(im.convert("RGB"), (x, 0))
        x += im.width
    return sheet


if __name__ == "__main__":
    tile(render(sys.argv[2:])).save(sys.argv[1])
