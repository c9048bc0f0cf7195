"""Training of the digit CNNs (`pipeline.ocr.convnet.ConvNet`) in numpy: hand-written
gradients of the layers there, softmax cross-entropy, Adam.

Deterministic for a seed (its own generator for the initial weights and the batch order);
one epoch over ~45 000 glyph boxes takes well under a minute on one core.
"""

from __future__ import annotations

import logging
import math

import numpy as np

from pipeline.ocr.convnet import KERNEL, ConvNet, neighbourhoods, pool
from pipeline.ocr.handwriting import GLYPH_BOX

log = logging.getLogger(__name__)

BATCH = 128
"""Glyphs per Adam step."""
LEARNING_RATE = 2e-3
"""Adam's step size at the start, decayed along a half cosine to `LEARNING_RATE_END`."""
LEARNING_RATE_END = 5e-5
"""Adam's step size at the end of training: the last epoch settles the weights."""
WEIGHT_DECAY = 1e-4
"""L2 penalty on the weights (not the biases): smaller weights, softer overconfidence."""
BETAS = (0.9, 0.999)
"""Adam's moment decay rates (the usual ones)."""
MAX_SHIFT = 2
"""Training boxes are moved by up to this many pixels each way per epoch: the glyph's
centring at run time varies with a stray pixel of ink."""


def _unpool(grad: np.ndarray, before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """The gradient of `pool` at its input `before` (output `after`): to the maxima."""
    up = np.repeat(np.repeat(after, 2, axis=1), 2, axis=2)
    g = np.repeat(np.repeat(grad, 2, axis=1), 2, axis=2)
    return g * (before == up)


def _fold(grad_cols: np.ndarray, channels: int) -> np.ndarray:
    """The gradient of `neighbourhoods` at its input: each offset's share summed back."""
    n, h, w, _ = grad_cols.shape
    padded = np.zeros((n, h + 2, w + 2, channels), dtype=grad_cols.dtype)
    k = 0
    for dy in range(KERNEL):
        for dx in range(KERNEL):
            padded[:, dy : dy + h, dx : dx + w] += grad_cols[..., k * channels : (k + 1) * channels]
            k += 1
    return padded[:, 1:-1, 1:-1]


def _init(channels: tuple[int, ...], hidden: int, classes: int, rng: np.random.Generator):
    """He-initialised parameters: a list of (weights, bias), convolutions then dense."""
    params = []
    c_in = 1
    for c in channels:
        fan_in = KERNEL * KERNEL * c_in
        params.append([rng.normal(0, math.sqrt(2 / fan_in), (fan_in, c)).astype(np.float32),
                       np.zeros(c, np.float32)])  # fmt: skip
        c_in = c
    flat = c_in * (GLYPH_BOX // 2 ** len(channels)) ** 2
    for a, b in ((flat, hidden), (hidden, classes)):
        params.append([rng.normal(0, math.sqrt(2 / a), (a, b)).astype(np.float32),
                       np.zeros(b, np.float32)])  # fmt: skip
    return params


def _step(params: list, x: np.ndarray, y: np.ndarray, convs: int) -> tuple[float, list]:
    """The mean cross-entropy of a batch and its gradients by parameter."""
    cache = []
    a = x[..., None]
    for w, b in params[:convs]:
        n, h, wd, c = a.shape
        cols = neighbourhoods(a)
        z = (cols.reshape(n * h * wd, -1) @ w + b).reshape(n, h, wd, -1)
        r = np.maximum(z, 0.0)
        p = pool(r)
        cache.append((cols, z, r, p, c))
        a = p
    shape = a.shape
    flat = a.reshape(len(a), -1)
    (w1, b1), (w2, b2) = params[convs], params[convs + 1]
    z1 = flat @ w1 + b1
    h1 = np.maximum(z1, 0.0)
    logits = h1 @ w2 + b2
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    prob = e / e.sum(axis=1, keepdims=True)
    n = len(y)
    loss = float(-np.log(prob[np.arange(n), y] + 1e-12).mean())
    d = prob
    d[np.arange(n), y] -= 1.0
    d /= n
    grads: list = [None] * len(params)
    grads[convs + 1] = [h1.T @ d, d.sum(axis=0)]
    dh = (d @ w2.T) * (z1 > 0)
    grads[convs] = [flat.T @ dh, dh.sum(axis=0)]
    da = (dh @ w1.T).reshape(shape)
    for k in range(convs - 1, -1, -1):
        cols, z, r, p, c = cache[k]
        dz = _unpool(da, r, p) * (z > 0)
        nn, h, wd, f = dz.shape
        dz2 = dz.reshape(-1, f)
        w = params[k][0]
        grads[k] = [cols.reshape(nn * h * wd, -1).T @ dz2, dz2.sum(axis=0)]
        if k > 0:
            da = _fold((dz2 @ w.T).reshape(nn, h, wd, -1), c)
    for (w, _), g in zip(params, grads, strict=True):
        g[0] = g[0] + WEIGHT_DECAY * w
    return loss, grads


def _shifted(boxes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The boxes each moved by up to `MAX_SHIFT` pixels (`glyph_box` leaves a margin that
    wide, so rolling moves only blank pixels round)."""
    out = np.empty_like(boxes)
    shifts = rng.integers(-MAX_SHIFT, MAX_SHIFT + 1, (len(boxes), 2))
    for dy in range(-MAX_SHIFT, MAX_SHIFT + 1):
        for dx in range(-MAX_SHIFT, MAX_SHIFT + 1):
            sel = (shifts[:, 0] == dy) & (shifts[:, 1] == dx)
            out[sel] = np.roll(boxes[sel], (dy, dx), axis=(1, 2))
    return out


def train(
    boxes: np.ndarray,
    labels: np.ndarray,
    channels: tuple[int, ...],
    hidden: int,
    epochs: int,
    seed: int,
    classes: int = 11,
) -> ConvNet:
    """A ConvNet trained on (N, 32, 32) float boxes and their labels."""
    rng = np.random.default_rng(seed)
    params = _init(channels, hidden, classes, rng)
    moments = [[np.zeros_like(p) for p in layer] for layer in params]
    squares = [[np.zeros_like(p) for p in layer] for layer in params]
    steps = epochs * math.ceil(len(labels) / BATCH)
    t = 0
    for epoch in range(epochs):
        order = rng.permutation(len(labels))
        data = _shifted(boxes[order], rng)
        total = 0.0
        for start in range(0, len(order), BATCH):
            x = data[start : start + BATCH]
            y = labels[order[start : start + BATCH]]
            loss, grads = _step(params, x, y, len(channels))
            total += loss * len(y)
            t += 1
            lr = LEARNING_RATE_END + 0.5 * (LEARNING_RATE - LEARNING_RATE_END) * (
                1 + math.cos(math.pi * t / steps)
            )
            b1, b2 = BETAS
            for layer, g_layer, m_layer, v_layer in zip(params, grads, moments, squares,
                                                        strict=True):  # fmt: skip
                for p, g, m, v in zip(layer, g_layer, m_layer, v_layer, strict=True):
                    m *= b1
                    m += (1 - b1) * g
                    v *= b2
                    v += (1 - b2) * g * g
                    p -= lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + 1e-8)
        log.info("convnet %s: epoch %d, loss %.4f", channels, epoch + 1, total / len(labels))
    convs = [(w, b) for w, b in params[: len(channels)]]
    dense = [(w, b) for w, b in params[len(channels) :]]
    return ConvNet(convs, dense)
