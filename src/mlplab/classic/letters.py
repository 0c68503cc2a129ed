"""20×20 binary images of letters, like the Mark I Perceptron's 400 photocells saw them.

Each letter is a few straight strokes in a unit box; an image draws them ``thickness`` pixels wide
on a 20×20 grid, shifted by a few pixels and with some pixels flipped at random.
"""

import numpy as np

from mlplab.errors import ConfigError

#: strokes ((u0, v0), (u1, v1)) in a unit box, u to the right and v up.
STROKES = {
    "A": [((0, 0), (0.5, 1)), ((0.5, 1), (1, 0)), ((0.25, 0.45), (0.75, 0.45))],
    "E": [((0, 0), (0, 1)), ((0, 1), (1, 1)), ((0, 0.5), (0.75, 0.5)), ((0, 0), (1, 0))],
    "F": [((0, 0), (0, 1)), ((0, 1), (1, 1)), ((0, 0.5), (0.75, 0.5))],
    "H": [((0, 0), (0, 1)), ((1, 0), (1, 1)), ((0, 0.5), (1, 0.5))],
    "I": [((0.5, 0), (0.5, 1)), ((0.2, 1), (0.8, 1)), ((0.2, 0), (0.8, 0))],
    "K": [((0, 0), (0, 1)), ((0, 0.45), (1, 1)), ((0.3, 0.65), (1, 0))],
    "L": [((0, 0), (0, 1)), ((0, 0), (1, 0))],
    "M": [((0, 0), (0, 1)), ((0, 1), (0.5, 0.4)), ((0.5, 0.4), (1, 1)), ((1, 1), (1, 0))],
    "N": [((0, 0), (0, 1)), ((0, 1), (1, 0)), ((1, 0), (1, 1))],
    "T": [((0, 1), (1, 1)), ((0.5, 1), (0.5, 0))],
    "V": [((0, 1), (0.5, 0)), ((0.5, 0), (1, 1))],
    "W": [
        ((0, 1), (0.25, 0)),
        ((0.25, 0), (0.5, 0.6)),
        ((0.5, 0.6), (0.75, 0)),
        ((0.75, 0), (1, 1)),
    ],
    "X": [((0, 0), (1, 1)), ((0, 1), (1, 0))],
    "Y": [((0, 1), (0.5, 0.5)), ((1, 1), (0.5, 0.5)), ((0.5, 0.5), (0.5, 0))],
    "Z": [((0, 1), (1, 1)), ((1, 1), (0, 0)), ((0, 0), (1, 0))],
}

SIZE = 20


def render_letter(letter: str, shift=(0, 0), box: int = 14, thickness: float = 1.6) -> np.ndarray:
    """A (20, 20) array of 0/1: ``letter`` drawn in a ``box``-pixel square, centred, then moved
    ``shift`` = (right, down) pixels. A pixel is on when its centre lies within ``thickness``/2
    of a stroke."""
    if letter not in STROKES:
        raise ConfigError(f"letter {letter!r} has no strokes; choose from {''.join(STROKES)}")
    segments = np.array(STROKES[letter], dtype=np.float64)  # (S, 2 ends, 2 coords)
    left = (SIZE - box) / 2 + shift[0]
    top = (SIZE - box) / 2 + shift[1]
    cols = left + 0.5 + segments[..., 0] * (box - 1)
    rows = top + 0.5 + (1 - segments[..., 1]) * (box - 1)
    start = np.stack([cols[:, 0], rows[:, 0]], axis=1)  # (S, 2)
    end = np.stack([cols[:, 1], rows[:, 1]], axis=1)
    centre_rows, centre_cols = np.mgrid[0:SIZE, 0:SIZE] + 0.5
    points = np.stack([centre_cols.ravel(), centre_rows.ravel()], axis=1)  # (400, 2)
    along = end - start
    t = ((points[:, None, :] - start) * along).sum(axis=2) / (along * along).sum(axis=1)
    nearest = start + np.clip(t, 0, 1)[..., None] * along  # (400, S, 2)
    distance = np.linalg.norm(points[:, None, :] - nearest, axis=2).min(axis=1)
    return (distance <= thickness / 2).astype(np.float64).reshape(SIZE, SIZE)


def letter_images(
    letters: str = "AEFHLTXZ",
    per_letter: int = 50,
    max_shift: int = 2,
    noise: float = 0.05,
    seed: int = 0,
):
    """Images and labels: ``per_letter`` renderings of each letter, each shifted by up to
    ``max_shift`` pixels in both directions and with each pixel flipped with probability ``noise``.

    Returns x (N, 400) of 0/1 and y (N,) of one-letter strings, in random order.
    """
    if not 0 <= noise < 0.5:
        raise ConfigError(f"letter images: noise must lie in [0, 0.5), got {noise}")
    if per_letter < 1 or max_shift < 0:
        raise ConfigError(
            f"letter images: need per_letter ≥ 1 and max_shift ≥ 0, got {per_letter}, {max_shift}"
        )
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for letter in letters:
        for _ in range(per_letter):
            shift = rng.integers(-max_shift, max_shift + 1, size=2)
            image = render_letter(letter, shift=shift)
            flip = rng.random(image.shape) < noise
            images.append(np.where(flip, 1 - image, image).ravel())
            labels.append(letter)
    order = rng.permutation(len(images))
    return np.array(images)[order], np.array(labels)[order]


def ascii_image(image) -> str:
    """A 20×20 image as 20 lines of '#' (on) and '.' (off)."""
    grid = np.asarray(image).reshape(SIZE, SIZE)
    return "\n".join("".join("#" if v > 0.5 else "." for v in row) for row in grid)
