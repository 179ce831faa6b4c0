"""`params.yaml`, read once into a typed, frozen config.

Every setting of the project lives in `params.yaml`; nothing here has a default. A missing,
unknown or ill-typed key raises `ParamsError` naming the key, and `run_stage` turns that into
one readable line and exit status 2 instead of a traceback.
"""

import dataclasses
import functools
import sys
import typing
from pathlib import Path

import yaml

PARAMS_FILE = Path("params.yaml")
RECIPES = ("reference", "keras-example", "fast", "best")


class ParamsError(ValueError):
    """A bad value in `params.yaml`; the message names the key."""


@dataclasses.dataclass(frozen=True)
class DownloadConfig:
    local_file: str | None  # Keras's mnist.npz, or a folder with the four IDX .gz files
    cache_dir: str  # outside the repository, shared by experiments and tests
    timeout_seconds: float


@dataclasses.dataclass(frozen=True)
class PreprocessConfig:
    val_size: int  # digits carved from the 60,000 training digits, stratified
    # Training digits kept (stratified, seeded) for a quick trial run; 0 keeps them all.
    train_subset: int


@dataclasses.dataclass(frozen=True)
class AugmentConfig:
    rotation_degrees: float
    shear_degrees: float
    scale: float  # zoom factor drawn from [1 - scale, 1 + scale]
    translate: float  # fraction of the image side
    elastic_alpha: float  # displacement in pixels; 0 turns elastic distortion off
    elastic_sigma: float  # spacing of the random displacement grid, in pixels
    stroke_probability: float  # chance of a thinner or thicker stroke
    blur_probability: float
    noise_std: float  # on the 0..1 intensity scale
    small_probability: float  # chance of an 8×8 round trip like scikit-learn's digits
    sixteen_probability: float  # chance of a 16×16 one-bit scan stretched to fill its box
    lift_probability: float  # chance of a gap where a writer lifted the pen
    cut_probability: float  # chance of a digit with strokes cut as `penlift` cuts them
    neighbour_probability: float  # chance of a digit cut from a neighbour (`neighbours`)
    plain_fraction: float  # share of the epochs, the last, that read the digits as they are


@dataclasses.dataclass(frozen=True)
class RecipeConfig:
    optimizer: str  # adam, adamw, adadelta, sgd
    learning_rate: float  # peak value for the one-cycle schedule
    schedule: str  # constant, onecycle
    warmup_fraction: float  # of all steps, for onecycle
    weight_decay: float
    label_smoothing: float
    width: int  # filters in the first convolution; later blocks double it
    dropout: float
    augment: bool
    # "train", or "train+val": once the settings are chosen on validation, the final fit on
    # all 60,000 training digits (no validation figures then).
    train_on: str
    # float32, bfloat16 (mixed: bfloat16 arithmetic, float32 weights), or auto: bfloat16 where
    # the CPU multiplies bfloat16 in hardware (AMX or AVX512_BF16), float32 elsewhere.
    precision: str


@dataclasses.dataclass(frozen=True)
class EvaluateConfig:
    ece_bins: int
    misclassified_shown: int
    uncertain_below: float  # confidence under which a prediction is flagged uncertain
    photo_count: int  # photo-like renderings of test digits, for the robustness metric
    photo_seed: int  # seeds every rendered outside set: photos, pen lifts, numbers
    penlift_count: int  # test digits drawn with pen lifts (and unbroken, to compare)
    number_count: int  # numbers of 2–8 test digits, read exactly or not
    segmenter_numbers: int  # numbers of training digits the "one whole digit" model learns on


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int
    epochs: int
    batch_size: int
    recipe: str
    threads: int  # CPU threads for TensorFlow; 0 lets it choose
    download: DownloadConfig
    preprocess: PreprocessConfig
    augment: AugmentConfig
    recipes: dict[str, RecipeConfig]
    evaluate: EvaluateConfig

    @property
    def hyper(self) -> RecipeConfig:
        """The hyperparameters of the selected recipe."""
        return self.recipes[self.recipe]


_CHOICES = {
    "recipe": RECIPES,
    "optimizer": ("adam", "adamw", "adadelta", "sgd"),
    "schedule": ("constant", "onecycle"),
    "train_on": ("train", "train+val"),
    "precision": ("float32", "bfloat16", "auto"),
}
_POSITIVE = {"epochs", "batch_size", "val_size", "learning_rate", "width", "ece_bins",
             "timeout_seconds", "elastic_sigma", "photo_count", "penlift_count",
             "number_count", "segmenter_numbers"}
_FRACTIONS = {"dropout", "label_smoothing", "warmup_fraction", "stroke_probability",
              "blur_probability", "small_probability", "sixteen_probability", "lift_probability",
              "cut_probability", "neighbour_probability", "plain_fraction", "scale",
              "translate", "uncertain_below"}


def _check_value(key: str, value, kind):
    name = key.rsplit(".", 1)[-1]
    if kind is bool:
        if not isinstance(value, bool):
            raise ParamsError(f"{key}: expected true or false, got {value!r}")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParamsError(f"{key}: expected an integer, got {value!r}")
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ParamsError(f"{key}: expected a number, got {value!r}")
        value = float(value)
    elif kind is str:
        if not isinstance(value, str):
            raise ParamsError(f"{key}: expected a string, got {value!r}")
    if name in _CHOICES and value not in _CHOICES[name]:
        raise ParamsError(f"{key}: {value!r} is not one of {', '.join(_CHOICES[name])}")
    if name in _POSITIVE and value <= 0:
        raise ParamsError(f"{key}: must be positive, got {value!r}")
    if kind in (int, float) and value < 0:
        raise ParamsError(f"{key}: must not be negative, got {value!r}")
    if name in _FRACTIONS and value >= 1:
        raise ParamsError(f"{key}: must be below 1, got {value!r}")
    return value


def _build(cls, raw, prefix: str):
    """Builds dataclass `cls` from mapping `raw`, checking every key."""
    if not isinstance(raw, dict):
        where = prefix.rstrip(".") or "params.yaml"
        raise ParamsError(f"{where}: expected a mapping, got {raw!r}")
    hints = typing.get_type_hints(cls)
    fields = [f.name for f in dataclasses.fields(cls)]
    for key in raw:
        if key not in fields:
            raise ParamsError(f"{prefix}{key}: unknown key (expected one of {', '.join(fields)})")
    values = {}
    for name in fields:
        key = prefix + name
        if name not in raw:
            raise ParamsError(f"{key}: missing")
        kind, value = hints[name], raw[name]
        if kind == str | None:
            values[name] = None if value is None else _check_value(key, value, str)
        else:
            values[name] = _check_value(key, value, kind)
    return cls(**values)


def parse(raw: dict) -> Config:
    """Validates the contents of `params.yaml` into a `Config`.

    Raises:
        ParamsError: on the first bad key, with a message naming it.
    """
    if not isinstance(raw, dict):
        raise ParamsError("params.yaml: expected a mapping at the top level")
    sections = {"download": DownloadConfig, "preprocess": PreprocessConfig,
                "augment": AugmentConfig, "evaluate": EvaluateConfig}
    scalars = ("seed", "epochs", "batch_size", "recipe", "threads")
    for key in raw:
        if key not in sections and key not in scalars and key not in RECIPES:
            raise ParamsError(f"{key}: unknown key in params.yaml")
    flat = {}
    for key in scalars:
        if key not in raw:
            raise ParamsError(f"{key}: missing")
        kind = typing.get_type_hints(Config)[key]
        flat[key] = _check_value(key, raw[key], kind)
    built = {name: _build(cls, raw.get(name), f"{name}.") for name, cls in sections.items()}
    recipes = {name: _build(RecipeConfig, raw.get(name), f"{name}.") for name in RECIPES}
    return Config(**flat, **built, recipes=recipes)


def load(path: Path = PARAMS_FILE) -> Config:
    """Reads and validates `params.yaml`."""
    try:
        raw = yaml.safe_load(Path(path).read_text())
    except yaml.YAMLError as err:
        raise ParamsError(f"{path}: not valid YAML ({err.__class__.__name__})") from None
    return parse(raw)


def run_stage(main):
    """Decorates a stage's `main`: a bad parameter ends it with one line, not a traceback."""

    @functools.wraps(main)
    def wrapper(*args, **kwargs):
        try:
            return main(*args, **kwargs)
        except ParamsError as err:
            print(f"error: params.yaml: {err}", file=sys.stderr)
            sys.exit(2)

    return wrapper
