"""The digit CNNs (`pipeline.ocr.convnet`, trained by `pipeline.ocr.training.convnet`) in the
digit model of `pipeline.ocr.handwriting`, and the cut between run-together digits."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.errors import ModelError
from pipeline.ocr import convnet, handwriting
from pipeline.ocr.training import convnet as training

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))
sys.path.insert(0, str(ROOT))

from benchmarks import bench_digits  # noqa: E402


def _tiny(seed: int = 0) -> convnet.ConvNet:
    """An untrained CNN of two blocks (4 and 6 channels)."""
    params = training._init((4, 6), 8, handwriting.REJECT + 1, np.random.default_rng(seed))
    return convnet.ConvNet([tuple(p) for p in params[:2]], [tuple(p) for p in params[2:]])


def test_the_layers_keep_their_shapes() -> None:
    x = np.random.default_rng(0).random((2, 32, 32, 3), dtype=np.float32)
    assert convnet.neighbourhoods(x).shape == (2, 32, 32, 27)
    assert convnet.pool(x).shape == (2, 16, 16, 3)
    # The neighbourhood of a pixel holds its 3 × 3 surroundings, offset by offset.
    cols = convnet.neighbourhoods(x)
    np.testing.assert_array_equal(cols[0, 5, 7, 4 * 3 : 5 * 3], x[0, 5, 7])  # the centre
    np.testing.assert_array_equal(cols[0, 5, 7, 0:3], x[0, 4, 6])  # up and left
    np.testing.assert_array_equal(cols[0, 0, 0, 0:3], 0.0)  # beyond the edge
    probs = _tiny().probabilities(np.zeros((5, 32, 32), np.float32))
    assert probs.shape == (5, handwriting.REJECT + 1)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_the_gradients_match_finite_differences() -> None:
    rng = np.random.default_rng(1)
    params = [[p.astype(np.float64) for p in layer] for layer in
              training._init((3, 4), 6, 11, rng)]  # fmt: skip
    x, y = rng.random((2, 32, 32)), np.array([1, 10])
    _, grads = training._step(params, x, y, 2)
    for layer, g_layer in zip(params, grads, strict=True):
        for p, g in zip(layer, g_layer, strict=True):
            idx = tuple(int(rng.integers(0, n)) for n in p.shape)
            old, eps = p[idx], 1e-5
            p[idx] = old + eps
            up = training._step(params, x, y, 2)[0] + training.WEIGHT_DECAY / 2 * _l2(params)
            p[idx] = old - eps
            down = training._step(params, x, y, 2)[0] + training.WEIGHT_DECAY / 2 * _l2(params)
            p[idx] = old
            assert (up - down) / (2 * eps) == pytest.approx(g[idx], rel=1e-4, abs=1e-7)


def _l2(params: list) -> float:
    return float(sum((w**2).sum() for w, _ in params))


def test_training_learns_shapes_and_is_deterministic(monkeypatch) -> None:
    monkeypatch.setattr(training, "BATCH", 16)  # enough steps on a few glyphs
    rng = np.random.default_rng(2)
    boxes = np.zeros((192, 32, 32), np.float32)
    labels = np.arange(192) % 2
    for box, label in zip(boxes, labels, strict=True):
        x = int(rng.integers(6, 20))
        if label:  # a bar
            box[4:28, x : x + 5] = 1.0
        else:  # a ring
            box[6:26, x - 2 : x + 10] = 1.0
            box[10:22, x + 2 : x + 6] = 0.0
    net = training.train(boxes, labels, (4, 8), 16, 5, seed=0)
    assert (net.probabilities(boxes).argmax(axis=1) == labels).mean() > 0.95
    again = training.train(boxes, labels, (4, 8), 16, 5, seed=0)
    np.testing.assert_array_equal(net.dense[-1][0], again.dense[-1][0])


def _digit_glyph(digit: str, seed: int = 0) -> np.ndarray:
    """The ink of one pen digit of the benchmark's stroke hand (unseen in training)."""
    mask, top, bottom = bench_digits._crop(random.Random(seed), digit, False)
    glyphs = handwriting.segment(mask, top, bottom)
    assert glyphs is not None and len(glyphs) == 1
    return glyphs[0].pixels


def test_each_shipped_cnn_reads_a_pen_digit() -> None:
    model = handwriting.load_model()
    assert len(model.convnets) >= 1
    for digit in "023589":
        features, boxes = handwriting.glyph_inputs([_digit_glyph(digit)])
        for net in model.convnets:
            assert int(net.probabilities(boxes).argmax()) == int(digit)
        cls, p = model.classify(features, boxes)[0]
        assert cls == int(digit) and p >= model.threshold


def test_printed_letters_do_not_pass_the_gate() -> None:
    model = handwriting.load_model()
    font = ImageFont.truetype(
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf", 54
    )
    glyphs = []
    for letter in "KHNM":
        image = Image.new("L", (80, 80), 255)
        ImageDraw.Draw(image).text((10, 5), letter, font=font, fill=0)
        glyphs.append(np.asarray(image) < 128)
    for cls, p in model.classify(*handwriting.glyph_inputs(glyphs)):
        assert cls == handwriting.REJECT or p < model.threshold


def test_a_model_with_cnns_round_trips_and_needs_the_boxes(tmp_path: Path) -> None:
    mlp = [[(np.eye(handwriting.FEATURES, 11, dtype=np.float32), np.zeros(11, np.float32))]]
    ones = np.ones(handwriting.FEATURES, np.float32)
    model = handwriting.DigitModel(mlp, 0 * ones, ones, 0.97, (_tiny(0), _tiny(1)))
    handwriting.save_model(tmp_path / "m.npz", model)
    again = handwriting.load_model(tmp_path / "m.npz")
    assert len(again.convnets) == 2 and again.threshold == 0.97
    features, boxes = handwriting.glyph_inputs([_digit_glyph("4")])
    np.testing.assert_allclose(model.probabilities(features, boxes),
                               again.probabilities(features, boxes), rtol=1e-6)  # fmt: skip
    assert model.probabilities(features, boxes).shape == (3, 1, 11)
    with pytest.raises(ValueError, match="boxes"):
        model.probabilities(features)


def test_a_damaged_cnn_in_the_model_file_is_a_model_error(tmp_path: Path) -> None:
    ones = np.ones(handwriting.FEATURES, np.float32)
    model = handwriting.DigitModel([], 0 * ones, ones, 0.97, (_tiny(0),))
    handwriting.save_model(tmp_path / "m.npz", model)
    with np.load(tmp_path / "m.npz") as data:
        arrays = {k: data[k] for k in data.files if k != "c0_conv1_w"}
    np.savez(tmp_path / "damaged.npz", **arrays)
    with pytest.raises(ModelError, match="make models"):
        handwriting.load_model(tmp_path / "damaged.npz")
    (tmp_path / "garbage.npz").write_bytes(b"not a zip file")
    with pytest.raises(ModelError, match="make models"):
        handwriting.load_model(tmp_path / "garbage.npz")


def test_the_cut_between_run_together_digits_goes_round_an_overhang() -> None:
    left = np.zeros((60, 80), dtype=bool)
    left[5:55, 8:14] = True  # the stem of the left digit
    left[5:17, 8:40] = True  # its thick top stroke, over the right digit's left side
    left[50:55, 8:36] = True  # its foot, run into the right digit
    right = np.zeros_like(left)
    right[22:55, 36:72] = True  # a ring below the overhang
    right[28:49, 42:66] = False
    glyph = handwriting._components(left | right)[0]
    pieces = handwriting._split(glyph)
    assert len(pieces) == 2
    placed = []
    for piece in pieces:
        whole = np.zeros_like(left)
        whole[piece.top : piece.top + piece.height, piece.left : piece.right] = piece.pixels
        placed.append(whole)
    # The ring whole in the right piece (a straight cut would halve it, or leave the
    # overhang's tip with it), the top stroke whole in the left.
    assert not (right & ~placed[1]).any()
    assert not (left[:22] & ~placed[0][:22]).any()


def test_a_broken_off_piece_of_stroke_under_a_glyph_refuses_the_reading() -> None:
    mask, top, bottom = bench_digits._crop(random.Random(0), "88", False)
    glyphs = handwriting.segment(mask, top, bottom)
    assert glyphs is not None and len(glyphs) == 2
    line = bottom - top
    last = glyphs[-1]
    broken = mask.copy()
    # A short low stroke (the foot of a `3` apart from its bowl) below the last glyph.
    y = last.top + last.height + 3
    broken[y : y + 4, last.left + 2 : last.left + 2 + round(0.5 * line)] = True
    assert handwriting.segment(broken, top, bottom) is None
    assert len(handwriting.segment(broken, top, bottom, cut=True)) == 2  # marks still counted
    # Round dots of a leader are no stroke: the glyphs stand.
    dotted = mask.copy()
    for x in range(last.left, last.right, 9):
        dotted[y : y + 4, x : x + 4] = True
    assert len(handwriting.segment(dotted, top, bottom)) == 2


def test_a_short_print_stroke_beside_the_digits_refuses_the_reading() -> None:
    mask, top, bottom = bench_digits._crop(random.Random(0), "88", False)
    glyphs = handwriting.segment(mask, top, bottom)
    assert glyphs is not None and len(glyphs) == 2
    tallest = max(g.height for g in glyphs)
    wide = np.pad(mask, ((0, 0), (0, 40)))
    x, bottom_row = glyphs[-1].right + 8, glyphs[-1].top + glyphs[-1].height
    # A print-height slash after the digits: 0.6 × the digits' height, within the line.
    wide[bottom_row - round(0.6 * tallest) : bottom_row, x : x + 5] = True
    assert handwriting.read(wide, top, bottom, 5) is None
