"""A small convolutional network over 32 × 32 glyph boxes, in numpy (inference).

The layers, shared with the training script (`pipeline.ocr.training.convnet`, which adds
the gradients): 3 × 3 convolutions with zero padding as one matrix product each over the
image's 3 × 3 neighbourhoods (`neighbourhoods`, "im2col"), ReLU, 2 × 2 max-pooling
(`pool`); then dense layers (ReLU between them) to the class logits.  Arrays are NHWC
float32.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KERNEL = 3
"""Convolution kernels are 3 × 3: two stacked see 5 × 5, a pen stroke's bend."""


def neighbourhoods(x: np.ndarray) -> np.ndarray:
    """(N, H, W, C) → (N, H, W, 9·C): each pixel's 3 × 3 neighbourhood (zero beyond the
    edge), offset by offset, so that a convolution is one product with a (9·C, F) matrix."""
    n, h, w, c = x.shape
    padded = np.zeros((n, h + 2, w + 2, c), dtype=x.dtype)
    padded[:, 1:-1, 1:-1] = x
    return np.concatenate(
        [padded[:, dy : dy + h, dx : dx + w] for dy in range(KERNEL) for dx in range(KERNEL)],
        axis=3,
    )


def pool(x: np.ndarray) -> np.ndarray:
    """2 × 2 max-pooling of (N, H, W, C), H and W even."""
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


def convolve(x: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """The 3 × 3 convolution of (N, H, W, C) with `weights` (9·C, F): (N, H, W, F)."""
    n, h, w, _ = x.shape
    cols = neighbourhoods(x).reshape(n * h * w, -1)
    return (cols @ weights + bias).reshape(n, h, w, -1)


@dataclass(frozen=True)
class ConvNet:
    """Convolution blocks (3 × 3 conv → ReLU → 2 × 2 pool) and dense layers to 11 logits."""

    convs: list[tuple[np.ndarray, np.ndarray]]
    """Per block, weights (9·C_in, C_out) and bias (C_out,)."""
    dense: list[tuple[np.ndarray, np.ndarray]]
    """Per dense layer, weights and bias; ReLU between them, none after the last."""

    def logits(self, boxes: np.ndarray) -> np.ndarray:
        """(N, 11) class logits of (N, 32, 32) glyph boxes."""
        x = boxes[..., None].astype(np.float32)
        for w, b in self.convs:
            x = pool(np.maximum(convolve(x, w, b), 0.0))
        x = x.reshape(len(x), -1)
        for k, (w, b) in enumerate(self.dense):
            x = x @ w + b
            if k < len(self.dense) - 1:
                x = np.maximum(x, 0.0)
        return x

    def probabilities(self, boxes: np.ndarray) -> np.ndarray:
        """(N, 11) class probabilities (softmax of `logits`)."""
        x = self.logits(boxes)
        x = np.exp(x - x.max(axis=1, keepdims=True))
        return x / x.sum(axis=1, keepdims=True)
