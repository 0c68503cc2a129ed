import numpy as np
import pytest

from mlplab.classic.letters import STROKES, letter_images, render_letter
from mlplab.errors import ConfigError


def test_every_letter_renders_a_distinct_image():
    images = {letter: render_letter(letter) for letter in STROKES}
    for letter, image in images.items():
        assert image.shape == (20, 20)
        assert set(np.unique(image)) == {0.0, 1.0}
        assert 20 < image.sum() < 200, letter
    flat = np.array([image.ravel() for image in images.values()])
    assert len(np.unique(flat, axis=0)) == len(STROKES)


def test_letters_known_pixels():
    t = render_letter("T")
    assert t[3, 3:17].all()  # the bar across the top of the 14-pixel box
    assert t[3:17, 9:11].any(axis=1).all()  # the stem down the middle
    assert not t[10, :5].any()


def test_shift_moves_the_image():
    base = render_letter("L")
    moved = render_letter("L", shift=(2, -1))
    np.testing.assert_array_equal(np.roll(np.roll(base, 2, axis=1), -1, axis=0), moved)


def test_letter_images_noise_and_labels():
    x, y = letter_images("HX", per_letter=10, max_shift=0, noise=0.1, seed=3)
    assert x.shape == (20, 400) and sorted(set(y)) == ["H", "X"]
    clean = {letter: render_letter(letter).ravel() for letter in "HX"}
    flipped = np.mean([np.mean(xi != clean[yi]) for xi, yi in zip(x, y, strict=True)])
    assert 0.05 < flipped < 0.15
    x2, y2 = letter_images("HX", per_letter=10, max_shift=0, noise=0.1, seed=3)
    np.testing.assert_array_equal(x, x2)


def test_bad_letter():
    with pytest.raises(ConfigError, match="no strokes"):
        render_letter("Q")
    with pytest.raises(ConfigError, match="noise"):
        letter_images("HX", noise=0.7)
