"""Draws the hand-made pictures in this folder: digits written the way people write them,
with the pen lifted between strokes, and numbers made of such digits.

    python tests/handwritten/draw.py

Each digit is a list of strokes, each stroke a polyline in a 100×120 box (y down), drawn with
a round pen 9 units wide at 4× and scaled down (anti-aliased edges), dark on light paper.
`joined/` holds the same digits with the gaps closed (one stroke where the pen was lifted).
The pictures are committed; this script says how they were made.
"""

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
PEN = 9
ZOOM = 4


def _arc(cx, cy, rx, ry, start, stop, n=24):
    """Points along an ellipse, angles in degrees (0 = right, 90 = down)."""
    t = np.radians(np.linspace(start, stop, n))
    return list(zip(cx + rx * np.cos(t), cy + ry * np.sin(t)))


DIGITS = {  # name: (digit, strokes); a gap of a pen's width or so between strokes
    "open-4-two-strokes": (4, [[(34, 8), (22, 72), (58, 72)], [(70, 18), (68, 112)]]),
    "seven-lifted-bar": (7, [[(16, 14), (80, 12)], [(78, 26), (42, 112)]]),
    "seven-bar-out-left": (7, [[(12, 13), (66, 12)], [(80, 14), (76, 112)]]),
    "nine-separate-stem": (9, [_arc(44, 36, 24, 24, -20, 330), [(78, 30), (74, 112)]]),
    "five-lifted-bar": (5, [[(30, 16), (26, 54)] + _arc(46, 76, 28, 26, -120, 150),
                            [(40, 12), (82, 10)]]),
    "one-lifted-flag": (1, [[(30, 34), (46, 14)], [(58, 8), (58, 112)]]),
    "three-two-arcs": (3, [_arc(48, 34, 28, 24, -160, 80), _arc(48, 84, 30, 26, -80, 160)]),
    "eight-two-loops": (8, [_arc(50, 32, 22, 22, 0, 360), _arc(50, 86, 27, 25, -75, 265)]),
    "three-arcs-apart": (3, [_arc(48, 28, 28, 20, -160, 80), _arc(48, 96, 30, 18, -80, 160)]),
}
BRIDGES = {  # the same digits written without lifting the pen: strokes that close each gap
    "open-4-two-strokes": [[(58, 72), (70, 72)]],
    "seven-lifted-bar": [[(80, 12), (78, 26)]],
    "seven-bar-out-left": [[(66, 12), (80, 14)]],
    "nine-separate-stem": [[(66, 30), (78, 30)]],
    "five-lifted-bar": [[(30, 16), (40, 12)]],
    "one-lifted-flag": [[(46, 14), (58, 8)]],
    "three-arcs-apart": [[(53, 48), (53, 78)]],
}
NUMBERS = {"9241": ["nine-separate-stem", "two", "open-4-two-strokes", "one-lifted-flag"],
           "743": ["seven-lifted-bar", "open-4-two-strokes", "three-two-arcs"],
           "1259": ["one-lifted-flag", "two", "five-lifted-bar", "nine-separate-stem"]}
PLAIN = {"two": [[(20, 30)] + _arc(50, 38, 30, 28, -170, 40) + [(18, 108), (86, 106)]]}


def draw(strokes_at: list[tuple[list, float]], width: float, height: float = 120,
         margin: float = 40) -> Image.Image:
    """Strokes (each shifted right by its offset) dark on light paper, as a grey picture."""
    w, h = int((width + 2 * margin) * ZOOM), int((height + 2 * margin) * ZOOM)
    canvas = Image.new("L", (w, h), 232)
    pen = ImageDraw.Draw(canvas)
    for strokes, dx in strokes_at:
        for stroke in strokes:
            points = [((x + dx + margin) * ZOOM, (y + margin) * ZOOM) for x, y in stroke]
            pen.line(points, fill=40, width=PEN * ZOOM, joint="curve")
            for x, y in (points[0], points[-1]):  # round pen ends
                r = PEN * ZOOM / 2
                pen.ellipse((x - r, y - r, x + r, y + r), fill=40)
    return canvas.resize((w // ZOOM, h // ZOOM), Image.Resampling.LANCZOS)


def main():
    (HERE / "joined").mkdir(exist_ok=True)
    shapes = {name: strokes for name, (_, strokes) in DIGITS.items()} | PLAIN
    for name, (digit, strokes) in DIGITS.items():
        draw([(strokes, 0)], 100).save(HERE / f"{digit}-{name}.png")
        if name in BRIDGES:
            draw([(strokes + BRIDGES[name], 0)], 100).save(HERE / f"joined/{digit}-{name}.png")
    for text, names in NUMBERS.items():
        step = 125  # a digit's box and a quarter of it between digits
        draw([(shapes[n], i * step) for i, n in enumerate(names)],
             step * (len(names) - 1) + 100).save(HERE / f"number-{text}.png")


if __name__ == "__main__":
    main()
