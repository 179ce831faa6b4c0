import numpy as np
import pytest

from digits import models


@pytest.mark.parametrize("recipe", sorted(models.BUILDERS))
def test_every_recipe_maps_bytes_to_probabilities(recipe):
    model = models.make_model(recipe, width=8, dropout=0.25)
    assert model.input_shape == (None, 28, 28, 1)
    x = np.random.default_rng(0).integers(0, 256, (3, 28, 28, 1)).astype("uint8")
    probs = np.asarray(model.predict(x, verbose=0))
    assert probs.shape == (3, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_rescaling_lives_in_the_model():
    model = models.make_model("keras-example", width=8, dropout=0.5)
    assert model.layers[1].__class__.__name__ == "Rescaling"
