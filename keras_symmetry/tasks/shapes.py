"""Shapes transmogrification (Iqbal & Welling 2025, §2.2 and A.1).

Binary `H x W` images of randomly placed circles, squares and triangles, pixels
`+0.5` (shape) and `-0.5` (background). The target replaces, in place and at
the same size, every circle by a square, every square by a triangle and every
triangle by a circle. Every shape is described by its centre `(cy, cx)` and
half-size `s`: a circle of radius `s`, an axis-aligned square of half-side `s`,
an upright isosceles triangle with apex `(cy - s, cx)` and base corners
`(cy + s, cx +- s)`; all three have the same `2s x 2s` bounding box.

The image size `L` and the largest number of shapes scale together
(`max_shapes = round(4 (L/64)^2)` by default) so that the density of shapes is
the same at every size, as the finite-size scaling of Iqbal & Welling 2025, §3.2 needs.

Model contract: `(batch, H, W, 1)` in, `(batch, H, W, 1)` out, any `H` and `W`.

```python
train = ks.tasks.shapes.ShapesDataset(num_examples=28_000, size=64, seed=0)
x, y = train[0]                        # (32, 64, 64, 1) each, values +-0.5
x, y, layout = ks.tasks.shapes.make_pair(np.random.default_rng(0), size=64, filled=True)
```
"""

import math

import numpy as np

from keras_symmetry.tasks.pipeline import EpochSeeded

KINDS = ("circle", "square", "triangle")
TRANSFORM = {"circle": "square", "square": "triangle", "triangle": "circle"}
ON, OFF = 0.5, -0.5
BASE_SIZE, BASE_MAX_SHAPES = 64, 4


def max_shapes_for(size):
    """The largest number of shapes at image size `size`: `round(4 (size / 64)^2)`, at least 1."""
    return max(1, round(BASE_MAX_SHAPES * (size / BASE_SIZE) ** 2))


def signed_distance(kind, py, px, cy, cx, s):
    """Distance of points to the shape's boundary, positive inside (in pixels)."""
    dy, dx = py - cy, px - cx
    if kind == "circle":
        return s - np.hypot(dy, dx)
    if kind == "square":
        return s - np.maximum(np.abs(dy), np.abs(dx))
    if kind == "triangle":
        # Base y = cy + s; the two sides join (cy - s, cx) to (cy + s, cx +- s): |dx| = (dy + s) / 2.
        base = s - dy
        side = (dy + s - 2 * np.abs(dx)) / math.sqrt(5.0)
        return np.minimum(base, side)
    raise ValueError(f"Unknown shape {kind!r}; expected one of {KINDS}.")


def count_at_density(size, density=1.0):
    """The number of shapes that holds `density` shapes per 32 x 32 pixels on an `L x L` image: `density (L/32)^2`.

    With a fixed count per size (1, 4, 9 at L = 32, 64, 96 for the default) every size has the same mean density
    of shapes and of foreground pixels (the finite-size scaling of Iqbal & Welling 2025, §3.2 compares sizes at
    one density). `sample_layout`'s default count, uniform in `1..max_shapes_for(L)`, does not: its mean grows
    as `L^2 / 2` plus a constant.
    """
    count = density * (size / 32) ** 2
    if count < 1 or abs(count - round(count)) > 1e-9:
        raise ValueError(
            f"density {density} shapes per 32x32 gives {count:g} shapes on a {size}x{size} image; "
            "choose sizes and a density that give a whole number of shapes, at least 1."
        )
    return round(count)


def foreground_fraction(images):
    """The share of shape pixels (`> 0`) of each image, `(batch, H, W[, 1])` -> `(batch,)`."""
    images = np.asarray(images)
    return (images > 0).reshape(len(images), -1).mean(axis=1)


def _fits(box, boxes):
    """Whether the bounding box `(y0, y1, x0, x1)` overlaps none of `boxes`."""
    return all(box[1] <= b[0] or b[1] <= box[0] or box[3] <= b[2] or b[3] <= box[2] for b in boxes)


def sample_layout(rng, size, max_shapes=None, min_half=4, max_half=9, margin=2, tries=200, count=None):
    """Random non-overlapping shapes: a list of `(kind, cy, cx, s)` inside the image.

    By default the number of shapes is uniform in `1..max_shapes` (default `max_shapes_for(size)`), and a shape
    that overlaps the ones placed is redrawn, size included (the training sets). With `count`, exactly `count`
    shapes are drawn first, kinds and sizes independent of the image size, and only their positions are
    redrawn until they fit, so the mean foreground fraction is the same at every size: redrawing the size
    as well would favour small shapes on crowded images (an error when a shape finds no place in `tries`).
    """
    max_shapes = max_shapes_for(size) if max_shapes is None else max_shapes
    if 2 * (min_half + margin) > size:
        raise ValueError(f"Image size {size} is too small for shapes of half-size >= {min_half}.")
    largest = min(max_half, size // 2 - margin)
    layout, boxes = [], []
    if count is not None:
        halves = sorted((int(h) for h in rng.integers(min_half, largest + 1, size=int(count))), reverse=True)
        for s in halves:  # the largest first: the same shapes, placed more easily
            kind = KINDS[int(rng.integers(3))]
            for _ in range(tries):
                cy, cx = (float(rng.integers(s + margin, size - s - margin + 1)) for _ in range(2))
                box = (cy - s - margin, cy + s + margin, cx - s - margin, cx + s + margin)
                if _fits(box, boxes):
                    boxes.append(box)
                    layout.append((kind, cy, cx, s))
                    break
            else:
                raise ValueError(f"Could place only {len(layout)} of {count} shapes on a {size}x{size} image.")
        return layout
    wanted = int(rng.integers(1, max_shapes + 1))
    for _ in range(tries):
        if len(layout) == wanted:
            break
        s = int(rng.integers(min_half, largest + 1))
        cy, cx = (float(rng.integers(s + margin, size - s - margin + 1)) for _ in range(2))
        box = (cy - s - margin, cy + s + margin, cx - s - margin, cx + s + margin)
        if _fits(box, boxes):
            boxes.append(box)
            layout.append((KINDS[int(rng.integers(3))], cy, cx, s))
    return layout


def render(layout, size, filled=False, width=1.5):
    """Draw a layout: `(size, size)` float32 with `+0.5` on the shapes, `-0.5` elsewhere.

    Outlines (the default) are the pixels within `width` of the boundary
    inside the shape; `filled=True` draws solid shapes (Iqbal & Welling 2025, Fig. 5).
    """
    image = np.full((size, size), OFF, dtype="float32")
    for kind, cy, cx, s in layout:
        y0, y1 = int(cy - s - 1), int(cy + s + 2)
        x0, x1 = int(cx - s - 1), int(cx + s + 2)
        py, px = np.mgrid[y0:y1, x0:x1] + 0.5
        d = signed_distance(kind, py, px, cy, cx, s)
        inside = d >= 0 if filled else (d >= 0) & (d < width)
        image[y0:y1, x0:x1][inside] = ON
    return image


def transform(layout):
    """The target layout: each shape replaced by its image under circle->square->triangle->circle."""
    return [(TRANSFORM[kind], cy, cx, s) for kind, cy, cx, s in layout]


def make_pair(rng, size=64, max_shapes=None, filled=False, count=None):
    """One `(input, target, layout)` example, images `(size, size)`; `count` fixes the number of shapes."""
    layout = sample_layout(rng, size, max_shapes, count=count)
    return render(layout, size, filled), render(transform(layout), size, filled), layout


class ShapesDataset(EpochSeeded):
    """A fixed set of `num_examples` shape pairs, generated on the fly from the seed.

    Batch `i` is the same in every epoch (a fixed training set, Iqbal & Welling 2025, A.1: 28K
    pairs); with `shuffle=True` the order of the full batches changes per epoch.

    Args:
        num_examples: pairs in the set; default 28,000.
        batch_size: default 32.
        size: image side `L`; default 64.
        max_shapes: largest number of shapes; default scales with `L`.
        filled: solid shapes instead of outlines.
        seed: the set's seed (use another seed for a test set).
        shuffle: visit the batches in a new order every epoch.
    """

    def __init__(
        self, num_examples=28_000, batch_size=32, size=64, max_shapes=None, filled=False, seed=0, shuffle=True, **kwargs
    ):
        super().__init__(seed=seed, **kwargs)
        self.num_examples = int(num_examples)
        self.batch_size = int(batch_size)
        self.size = int(size)
        self.max_shapes = max_shapes_for(self.size) if max_shapes is None else int(max_shapes)
        self.filled = filled
        self.shuffle = shuffle

    def __len__(self):
        return math.ceil(self.num_examples / self.batch_size)

    def batch(self, index, rng):
        full = self.num_examples // self.batch_size
        if self.shuffle and index < full:  # a short last batch stays last
            index = int(np.random.default_rng([self.seed, self.epoch]).permutation(full)[index])
        rng = np.random.default_rng([self.seed, index])
        count = min(self.batch_size, self.num_examples - index * self.batch_size)
        pairs = [make_pair(rng, self.size, self.max_shapes, self.filled)[:2] for _ in range(count)]
        x, y = (np.stack(images)[..., None] for images in zip(*pairs))
        return x, y
