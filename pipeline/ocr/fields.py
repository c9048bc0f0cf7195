"""The number (`Số: 24/KH-UBND`) and date (`ngày 26 tháng 01 năm 2026`) re-read as digit fields.

Offices print `Số:    /KH-UBND` and `ngày    tháng    năm 2026` and write the digits by
hand, often in blue, sometimes under a stamp.  Full-page OCR reads such digits badly,
and a wrong number is worse than none.  Here, after the page's OCR, the two header
lines are found in Tesseract's words (`Số…` followed by a word with `/`; `ngày … tháng
… năm`), the place of each digit group is cropped, and the crop is read again as a short
digit field: coloured pen ink alone (`pipeline.ocr.ink.ink_mask`) when the crop has
any, else the gray crop binarised; Tesseract's single-line mode, then single-word mode,
with a digit whitelist; and, for hand-written digits Tesseract cannot read, glyph by glyph
with the digit model of `pipeline.ocr.handwriting` (`hand_digits=False` turns it off).
When Tesseract and the digit model both read a crop and disagree, neither is trusted.
Digits that pass the check (length, day ≤ 31, month ≤ 12,
confidence) replace what the page read; otherwise the page's text keeps the printed
part only (`Số: /KH-UBND`, `ngày tháng 01 năm 2026`) and the field is marked
incomplete.  Printed digits that the page read confidently are kept as they are, with
no second pass.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from pipeline.ocr import handwriting, ink, preprocess, tesseract
from pipeline.ocr.tesseract import Word

log = logging.getLogger(__name__)

HEADER_SHARE = 0.4
"""The number and date lines sit in the header: the top 40 % of the page."""
PRINT_CONFIDENCE = 80.0
"""Digits read on the page with at least this confidence (every word) are kept as print."""
MIN_DIGIT_CONFIDENCE = 60.0
"""A re-read digit field below this confidence is not trusted (the field stays empty)."""
HAND_CONFIDENCE = 90.0
"""Digits re-read from pen ink (handwriting) below this confidence are not trusted.  Tesseract
is no handwriting reader: on real scans it read a written `280` as `240` at 81 and `294`
as `9` at 72, while clean pen-like digits on generated pages read at 92–96."""
HAND_HEIGHT = 1.3
"""Digits in a gray crop taller than this × the printed line's height are written, not
printed, and their Tesseract reading must reach `HAND_CONFIDENCE`: a generated page's
black-pen `5856` (1.5–1.6 ×) read as `556` at 62 was kept as print.  Print digits stand
within the line's boxes, which hold its accents too (real scans: 0.8–1.1 ×); written ones
on real scans stand 0.8–1.36 ×, so this catches only large writing, and the rest keeps its
other checks."""
AGREEING_READINGS = 3
"""Readings of a printed digit crop (of up to eight: two modes, whitelisted or free, two
sizes) that decide it by agreeing even at low confidence: Tesseract reads a clean italic
`06` at 47–53 in every mode, and the free reading's `0ó` at 85."""
MIN_INK_PIXELS = 40
"""Fewer pen pixels than this in a digit crop (at 300 dpi) are JPEG fringes, not writing."""
MIN_DARK_PIXELS = 60
"""A gray digit crop with fewer dark pixels than this is blank: nothing was written."""
CROP_ABOVE, CROP_BELOW = 0.9, 0.6
"""Line heights added above and below the line for the crop: hand-written digits are
larger than print and ride above the line."""
MAX_DIGIT_WORDS = 3
"""At most this many words (OCR's pieces of the written digits) lie between `Số:` and the
word with the slash."""
BESIDE = 1.5
"""Line heights past a digit crop's right end the digit model looks at for more writing."""
BEFORE = 0.6
"""Line heights before a digit crop's left end the digit model sees: a written digit starts
right at the end of `Số:` or `ngày` as Tesseract boxed them, or inside the box."""
COLUMN_GAP_HEIGHTS = 2.0
"""A gap of this many text heights before `Số` means it opens the header's left column."""
DIGITS = "0123456789"
_WHITELIST = (("tessedit_char_whitelist", DIGITS),)
_MAX_DIGITS = {"number": 5, "day": 2, "month": 2}
_RANGES = {"day": (1, 31), "month": (1, 12), "number": (1, 99999)}


@dataclass
class Reading:
    """What one field of a page gave (the Document keeps it as `PageField`)."""

    name: str
    """`number` or `date`."""
    text: str
    """The field as the page's text now carries it: `24/KH-UBND`, `/KH-UBND`,
    `ngày 26 tháng 01 năm 2026`, `ngày tháng 01 năm 2026`."""
    complete: bool
    """False when digits that belong there could not be read (left out, never guessed)."""
    source: str
    """`print` (the page's own reading kept), `ink` (pen ink re-read), `gray` (the
    binarised crop re-read), or `none` (nothing readable)."""
    confidence: float | None = None


def _fold(text: str) -> str:
    """Lower case without marks: `Số:` → `so:` (OCR drops or swaps Vietnamese marks)."""
    decomposed = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


_SO = re.compile(r"^s[o0]\s*:?")
_SUFFIX = re.compile(r"/[^\s/]")
_KIND_CODE = re.compile(r"-[^\W\d_]+$")
"""The type code of a Party number before its slash (`05-HD/VPTW`, `12-CT/TU`)."""
_SLASHED_DIGITS = re.compile(r"/(\d+)/")
"""Digits between two slashes before the code: a year (`12/2024/NĐ-CP`), or a digit OCR
read as a slash (`2/94/KH-UBND` for a written `2794`), which leaves the number unread."""
_YEAR = re.compile(r"(?:19|20)\d\d")


def _lines(words: list[Word], height: int) -> list[list[Word]]:
    """Tesseract's lines in the header, each sorted left to right."""
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        if word.top < HEADER_SHARE * height:
            lines.setdefault((word.block, word.par, word.line), []).append(word)
    return [sorted(line, key=lambda w: w.left) for line in lines.values()]


def _zone(line: list[Word], x0: float, x1: float) -> tuple[int, int, int, int]:
    """The crop box between x0 and x1 around the line, with room above and below."""
    top = int(np.median([w.top for w in line]))
    bottom = int(np.median([w.bottom for w in line]))
    h = max(bottom - top, 10)
    return int(x0), int(top - CROP_ABOVE * h), int(x1), int(bottom + CROP_BELOW * h)


class _Reader:
    """Re-reads digit crops of one page (colour original and prepared gray image)."""

    def __init__(
        self,
        gray: Image.Image,
        colour: Image.Image | None,
        dpi: int,
        languages: str,
        hand: bool = True,
    ):
        self.gray, self.colour, self.dpi, self.languages = gray, colour, dpi, languages
        self.hand = hand

    def read(self, box: tuple[int, int, int, int], kind: str) -> tuple[str | None, str, float]:
        """(digits or None, source, confidence) of the crop `box` (made by `_zone`)."""
        x0, y0, x1, y1 = box
        # The printed line's band inside the crop, for the digit model's segmentation.
        height = (y1 - y0) / (1 + CROP_ABOVE + CROP_BELOW)
        band = (CROP_ABOVE * height - max(0, -y0), (CROP_ABOVE + 1) * height - max(0, -y0))
        box = (max(0, x0), max(0, y0), min(self.gray.width, x1), min(self.gray.height, y1))
        if box[2] - box[0] < 8 or box[3] - box[1] < 8:
            return None, "none", 0.0
        scale = self.dpi / 300
        # The digit model sees past the crop's ends: a digit crossing a word's box is seen
        # whole, print beside the field is told by how little of it lies inside, and pen ink
        # rising above the print past the end means the writing runs on (a fourth digit
        # over `/KH`), not that it ends.
        left = max(0, box[0] - round(BEFORE * height))
        wide = (left, box[1], min(self.gray.width, box[2] + round(BESIDE * height)), box[3])
        inner = (box[0] - left, box[2] - left)
        wide_dark = np.asarray(preprocess.binarise(self.gray.crop(wide))) == 0
        if self.colour is not None:
            crop = self.colour.crop(wide)
            best: tuple[str | None, str, float] = (None, "none", 0.0)
            for colour in ("blue", "red"):
                wide_mask = ink.ink_mask(crop, colour)
                mask = wide_mask[:, inner[0] : inner[1]]
                if mask.sum() < MIN_INK_PIXELS * scale * scale:
                    continue
                pen = Image.fromarray(np.where(mask, 0, 255).astype(np.uint8))
                # Tesseract reads the pen pixels as they are; the digit model the strokes
                # with their dark cores (`ink.with_cores`: dark blue pen is outlines).
                whole = ink.with_cores(wide_mask, wide_dark, self.dpi)
                digits, conf = self._checked(self._digits(pen, kind, HAND_CONFIDENCE),
                                             mask, whole, inner, band, kind, True)  # fmt: skip
                if (digits is not None and self.hand
                        and handwriting.contradicts(wide_dark, *band, digits, inner)):  # fmt: skip
                    # The gray crop holds the same strokes whole: where the digit model
                    # reads other digits there (a looped `2` read as `9` from the pen
                    # mask, as `not a digit` from the gray), neither view is trusted.
                    log.debug("fields: pen ink read %s, the gray crop not: not kept", digits)
                    digits = None
                if digits is not None and conf > best[2]:
                    best = (digits, "ink", conf)
                elif best[1] == "none":
                    best = (None, "ink", conf)
            if best[1] == "ink" and (best[0] is not None or not self.hand):
                return best
        crop = preprocess.binarise(self.gray.crop(box))
        dark = np.asarray(crop) == 0
        if dark.sum() < MIN_DARK_PIXELS * scale * scale:
            return None, "none", 0.0
        if self.colour is not None and best[1] == "ink":
            # Dark blue pen is saturated only at its edges: its mask is broken outlines,
            # the gray crop has the whole strokes.  Only the digit model reads it here.
            hand = handwriting.read(wide_dark, *band, _MAX_DIGITS[kind], inner=inner,
                                    date=kind != "number")  # fmt: skip
            if hand is not None and _valid(hand.digits, kind):
                return hand.digits, "gray", 100 * hand.confidence
            return best
        marks = handwriting.segment(dark, *band, cut=True)
        # Black pen has no colour of its own: only its size tells it from print.
        least = HAND_CONFIDENCE if _hand_sized(marks, band) else MIN_DIGIT_CONFIDENCE
        digits, conf = self._checked(self._digits(crop, kind, least), dark, wide_dark, inner,
                                     band, kind, marks=marks)  # fmt: skip
        return digits, "gray", conf

    def _checked(
        self,
        tess: tuple[str | None, float],
        mask: np.ndarray,
        wide: np.ndarray,
        inner: tuple[int, int],
        band: tuple[float, float],
        kind: str,
        pen: bool = False,
        marks: list[handwriting.Glyph] | None = None,
    ) -> tuple[str | None, float]:
        """Tesseract's reading of a crop (`mask`: its ink) set against the digit model's
        (when on; the model sees `wide`, the crop with `BEFORE` more to its left and
        `BESIDE` more to its right, the crop at its columns `inner`): the model's reading
        where Tesseract has none, none where the two disagree, also where the model's
        glyphs, too unsure to read, name other digits (`pen` ink: or `not a digit`;
        print digits in a gray crop are no pen's, the model may doubt them).  `pen`: the
        masks are pen ink (any ink past the crop is more writing, `handwriting.runs_on`).
        `marks`: `mask` already cut by `handwriting.segment(..., cut=True)`, when at hand."""
        if not self.hand:
            return tess
        digits, conf = tess
        if digits is not None and handwriting.runs_on(wide, *band, inner[1], pen):
            log.debug("fields: pen writing runs on past the crop: %s not kept", digits)
            return None, conf
        if marks is None:
            marks = handwriting.segment(mask, *band, cut=True)
        if digits is not None and marks and len(marks) != len(digits):
            # The ink holds more (or fewer) digit-sized marks than Tesseract gave digits
            # (those cut by the crop's edge too): a written `05` cut after the `0` read
            # as `8`, a `24` as `4`.
            log.debug("fields: %d marks, Tesseract read %s: not kept", len(marks), digits)
            return None, conf
        # Pen ink holds no print: a digit crossing the crop's end is read whole from the
        # wider mask (ink reaching the mask's end still refuses the reading).
        field = (inner[0], wide.shape[1]) if pen else inner
        hand = handwriting.read(wide, *band, _MAX_DIGITS[kind], inner=field, pen=pen,
                                date=kind != "number")  # fmt: skip
        if hand is None or not _valid(hand.digits, kind):
            if digits is not None and handwriting.contradicts(
                wide, *band, digits, field, strict=pen
            ):
                log.debug("fields: Tesseract read %s, the digit model's glyphs not", digits)
                return None, conf
            return tess
        if digits is not None and digits != hand.digits:
            log.debug("fields: Tesseract read %s, the digit model %s: neither kept", digits,
                      hand.digits)  # fmt: skip
            return None, min(conf, 100 * hand.confidence)
        if digits is not None:
            return digits, max(conf, 100 * hand.confidence)
        return hand.digits, 100 * hand.confidence

    def _digits(self, crop: Image.Image, kind: str, least: float) -> tuple[str | None, float]:
        """Digits of a crop and their confidence, or (None, best confidence seen).

        The crop is read in single-line and single-word mode, each with a digit whitelist
        and freely (the free text stripped of the punctuation a cut slash or comma leaves:
        `24,`), at its size and (print only) doubled for small print and raised e-office
        fields.  A
        reading stands when two of these agree and the better confidence reaches `least`,
        or, for print (`least` below `HAND_CONFIDENCE`), when `AGREEING_READINGS` agree
        whatever their confidence.  Neither reading alone decides: the whitelist forces
        every mark into a digit (a pen stroke becomes `1`), and with it Tesseract's LSTM
        often reports confidence 0 for a right reading (`24` of a clean `24 /`).
        """
        votes: dict[str, list[float]] = {}
        best = 0.0
        # Pen ink is read at its own size only: doubled, a written `9` read as `3` at 97.
        for scale in (1,) if least >= HAND_CONFIDENCE else (1, 2):
            image = crop if scale == 1 else crop.resize(
                (crop.width * scale, crop.height * scale), Image.Resampling.LANCZOS
            )  # fmt: skip
            padded = Image.new("L", (image.width + 40, image.height + 40), 255)
            padded.paste(image, (20, 20))
            for psm in (7, 8):
                for variables in (_WHITELIST, ()):
                    text, conf = self._recognise(padded, psm, variables)
                    text = text.strip(_EDGE_MARKS)
                    best = max(best, conf)
                    if _valid(text, kind):
                        votes.setdefault(text, []).append(conf)
            for text, confs in sorted(votes.items(), key=lambda kv: -len(kv[1])):
                agreed = len(confs) >= 2 and max(confs) >= least
                if agreed or (least < HAND_CONFIDENCE and len(confs) >= AGREEING_READINGS):
                    return text, max(confs)
        return None, best

    def _recognise(self, image: Image.Image, psm: int, variables: tuple) -> tuple[str, float]:
        """The crop's text (words joined) and its weakest word's confidence."""
        words = tesseract.recognise(
            image, languages=self.languages, dpi=self.dpi, psm=psm, variables=variables
        )
        words = [w for w in words or [] if w.text.strip()]
        return "".join(w.text for w in words), min((w.conf for w in words), default=0.0)


def _hand_sized(marks: list[handwriting.Glyph] | None, band: tuple[float, float]) -> bool:
    """Whether a gray crop's marks (`handwriting.segment(..., cut=True)`) stand taller than
    print: `HAND_HEIGHT` × the printed line's height (`band`, its top and bottom)."""
    line = band[1] - band[0]
    return any(g.height > HAND_HEIGHT * line for g in marks or [])


_EDGE_MARKS = ",.;:/-|'\"`"
"""Marks a digit crop's edge may carry: the cut-off slash of `/KH`, a comma, a dot."""


def _valid(text: str, kind: str) -> bool:
    if not text.isdigit() or len(text) > _MAX_DIGITS[kind]:
        return False
    lo, hi = _RANGES[kind]
    return lo <= int(text) <= hi


def _printed_digits(words: list[Word], kind: str) -> str | None:
    """The page's own reading when it is confident print digits, else None."""
    text = "".join(w.text for w in words)
    if words and _valid(text, kind) and all(w.conf >= PRINT_CONFIDENCE for w in words):
        return text
    return None


def _word(template: Word, text: str, left: int, right: int) -> Word:
    return replace(template, text=text, left=left, width=max(right - left, 1))


def _number(line: list[Word], reader: _Reader) -> tuple[list[Word], Reading] | None:
    """The `Số: …/XX-YY` line re-read, or None when the line is not one."""
    start = next(
        (
            i
            for i, w in enumerate(line)
            if _SO.match(_fold(w.text)) and _starts(line, i) and not _in_heading(w.text)
        ),
        None,
    )
    if start is None:
        return None
    stop = min(start + MAX_DIGIT_WORDS + 2, len(line))
    end = next((j for j in range(start, stop) if _SUFFIX.search(line[j].text)), None)
    if end is None:
        return None
    so, tail = line[start], line[end]
    slash = tail.text.index("/")
    while (inner := _SLASHED_DIGITS.match(tail.text, slash)) and not _YEAR.fullmatch(inner[1]):
        slash = inner.end() - 1  # `2/94/KH-UBND`: a written `7` read as `/`
    kind_code = _KIND_CODE.search(tail.text[:slash])
    if kind_code:  # a Party number, `05-HD/VPTW`: the digits end at the hyphen
        slash = kind_code.start()
    suffix = tail.text[slash:]
    between = line[start + 1 : end]
    head = re.sub(r"^\S*?:", "", so.text) if end > start else ""
    left_digits = head + "".join(w.text for w in between) + tail.text[:slash]
    if end == start:  # `Số:24/KH-UBND` read as one word
        left_digits = re.sub(r"^\S*?:", "", tail.text[:slash])
    x0 = so.right if end > start else so.left + so.width * 0.3
    x1 = tail.left + tail.width * slash / max(len(tail.text), 1)
    # The page's digit words: those between `Số:` and the suffix, with digits glued to
    # either (`Số:83`, `83/KH-UBND`); a word that is only the suffix does not count (its
    # confidence says nothing of the digits).
    pieces = list(between)
    head = head if any(ch.isdigit() for ch in head) else ""
    if head and end > start:
        pieces.insert(0, _word(so, head, so.left, so.right))
    if tail.text[:slash] and end > start:
        pieces.append(_word(tail, tail.text[:slash], tail.left, int(x1)))
    printed = _printed_digits(pieces, "number")
    if end == start:  # `Số:24/KH-UBND` read as one word
        printed = _printed_digits([_word(tail, left_digits, tail.left, int(x1))], "number")
    if printed is not None:
        # Print read confidently: the page keeps its own words and spacing (`Số:83 /KH`).
        conf = min(w.conf for w in pieces or [tail])
        return line, Reading("number", printed + suffix, True, "print", round(conf, 1))
    # Digits glued to `Số:` lie inside its word: the crop starts after the colon.
    if head and end > start:
        x0 = so.left + so.width * (len(so.text) - len(head)) / max(len(so.text), 1)
    digits, source, conf = reader.read(_zone(line, x0, x1 + 4), "number")
    text = (digits or "") + suffix
    new = [
        *line[:start],
        _word(so, "Số:", so.left, int(x0)),
        _word(tail, text, int(x1), tail.right),
    ]
    reading = Reading("number", text, digits is not None, source, round(conf, 1))
    return [*new, *line[end + 1 :]], reading


def _in_heading(text: str) -> bool:
    """`SỐ` in capitals without a colon belongs to an upper-case header line (`THEO QUYẾT
    ĐỊNH SỐ 1050/QĐ-SCT` naming the decision an inspection team works under), not the
    document's `Số:` line."""
    return text.isupper() and ":" not in text


def _starts(line: list[Word], i: int) -> bool:
    """Word i opens its column: first on the line or after a gap of two text heights
    (`Số:` of the header, not `số` inside a sentence: `Chỉ thị số 41-CT/TW`)."""
    if i == 0:
        return True
    return line[i].left - line[i - 1].right > COLUMN_GAP_HEIGHTS * line[i].height


_LABEL_MARKS = ",.;:[](){}|"
"""Marks OCR glues to a date label from the pen digits or dots beside it (`ngày.)`,
`{tháng` on a real scan): the label is found without them."""


def _date(line: list[Word], reader: _Reader) -> tuple[list[Word], Reading] | None:
    """The `ngày … tháng … năm …` line re-read, or None when the line is not one."""
    folded = [_fold(w.text).strip(_LABEL_MARKS) for w in line]
    try:
        i = folded.index("ngay")
        j = folded.index("thang", i + 1)
        k = folded.index("nam", j + 1)
    except ValueError:
        return None
    out = list(line[: i + 1])
    char = _char_width(line)
    parts = []
    complete, sources, confs = True, [], []
    for name, a, b in (("day", i, j), ("month", j, k)):
        between = line[a + 1 : b]
        digits = _printed_digits(between, name)
        x0, x1 = _label_end(line[a], char), _label_start(line[b], char)
        if digits is not None:
            source, conf = "print", min(w.conf for w in between)
        else:
            digits, source, conf = reader.read(_zone(line, x0, x1), name)
        if digits is not None:
            # Between the labels' letters, not their boxes: a label boxed over the digits
            # beside it (`WIDE_LABEL`) ends past the next label's start, and a word put
            # after its box would be read after that label (`ngày tháng 3 20`).
            left = min(int(x0) + 2, line[b].left - 2)
            out.append(_word(line[a], digits, left, max(int(x1) - 2, left + 1)))
        else:
            complete = False
        parts.append(digits)
        sources.append(source)
        confs.append(conf)
        out.append(line[b])
    rest = line[k + 1 :]
    out.extend(rest)
    year = rest[0].text.strip(".,") if rest else ""
    day, month = parts
    text = f"ngày {day or ''} tháng {month or ''} năm {year}".replace("  ", " ")
    if not (year.isdigit() and len(year) == 4):
        complete = False
    source = "print" if set(sources) == {"print"} else next(s for s in sources if s != "print")
    return out, Reading("date", text, complete, source, round(min(confs), 1))


WIDE_LABEL = 1.6
"""A date label (`ngày`, `tháng`, `năm`) boxed wider than this × its print width holds the
written digits beside it too (Tesseract read `02năm` as `năm` at 43): the digits' place
is measured from the label's other end by its print width."""


def _marks(word: Word) -> tuple[int, int, int]:
    """(marks before, letters, marks after) of a date label: the marks OCR glued to it
    (`_LABEL_MARKS`) are its reading of the writing beside the label (`ngày.)`, `{tháng`)."""
    folded = _fold(word.text)
    letters = folded.strip(_LABEL_MARKS)
    if not letters:
        return 0, len(word.text), 0
    before = len(folded) - len(folded.lstrip(_LABEL_MARKS))
    return before, len(letters), len(folded) - before - len(letters)


def _wide(word: Word, char: float | None, letters: int) -> bool:
    return bool(char) and word.width > WIDE_LABEL * char * letters


def _label_end(word: Word, char: float | None) -> float:
    """Where the print of a label before a digit field ends: after its letters when it is
    boxed wider than their print (`WIDE_LABEL`) or OCR glued marks after it."""
    before, letters, after = _marks(word)
    if char and (after or _wide(word, char, letters)):
        return word.left + char * (before + letters)
    return word.right


def _label_start(word: Word, char: float | None) -> float:
    """Where the print of a label after a digit field starts: before its letters when it
    is boxed wider than their print or OCR glued marks before it (see `_label_end`)."""
    before, letters, after = _marks(word)
    if char and (before or _wide(word, char, letters)):
        return word.right - char * (letters + after)
    return word.left


_GLUED_DATE = re.compile(r"^(?:(\S*\d\S*?)(thang|nam)|(ngay|thang)(\S*\d\S*))$")
"""A date label with digits (or what OCR made of them: `,#3`) run into it: `26tháng`,
`ngày,#3`.  Apart, the digits' place is re-read, or left out when unreadable."""
_GLUED_CODE = re.compile(r"^(\d+)([A-ZĐ]+(?:-[A-ZĐ0-9()]+)+)$")
"""`24KH-UBND`: digits run into the code, the slash between them lost (phone photos)."""
_BARE_CODE = re.compile(r"^[A-ZĐ]+(?:-[A-ZĐ0-9()]+)+$")
"""`KH-TCTLNTW-C04` right after `Số:` and its digits: the code, its slash lost."""


def _split(word: Word, cut: float, first: str, second: str) -> list[Word]:
    """The word as two at x = `cut`."""
    cut = int(min(max(cut, word.left + 1), word.right - 1))
    return [_word(word, first, word.left, cut), _word(word, second, cut, word.right)]


def _char_width(line: list[Word]) -> float | None:
    """The width of one printed character on the line: the median over its confident words."""
    widths = [w.width / len(w.text) for w in line if w.conf >= PRINT_CONFIDENCE and w.text]
    return float(np.median(widths)) if widths else None


def _split_glued(line: list[Word]) -> list[Word]:
    """Words OCR ran together in the header fields, apart: `26tháng` → `26` `tháng`,
    `ngày26` → `ngày` `26`, and after `Số:` `24KH-UBND` → `24` `/KH-UBND`, `KH-UBND` →
    `/KH-UBND` (the code of a number always follows a slash).

    The cut is placed by the printed part's width (characters × the line's print width):
    written digits are wider than print, and a cut by character count would crop them
    short (`24` read as `2`).  Without a confident word to measure, nothing is cut.
    """
    char = _char_width(line)
    out: list[Word] = []
    for word in line:
        folded = _fold(word.text)
        date = _GLUED_DATE.match(folded) if len(folded) == len(word.text) else None
        code = _GLUED_CODE.match(word.text)
        if date and char:
            if date.group(1):  # digits first: `26tháng`
                at = len(date.group(1))
                cut = word.right - char * (len(word.text) - at)
            else:  # `ngày26`
                at = len(date.group(3))
                cut = word.left + char * at
            out.extend(_split(word, cut, word.text[:at], word.text[at:]))
        elif code and char and out and _SO.match(_fold(out[-1].text)):
            cut = word.right - char * (len(code.group(2)) + 1)
            out.extend(_split(word, cut, code.group(1), "/" + code.group(2)))
        elif _BARE_CODE.match(word.text) and any(_SO.match(_fold(w.text)) for w in out[-2:]):
            out.append(replace(word, text="/" + word.text))
        else:
            out.append(word)
    return out


def reread(
    words: list[Word],
    gray: Image.Image,
    colour: Image.Image | None,
    dpi: int,
    languages: str = "vie",
    hand_digits: bool = True,
) -> tuple[list[Word], list[Reading]]:
    """The page's words with the number and date fields re-read, and what each gave.

    `gray` is the image the words were read on; `colour` the same page in colour
    (same size and orientation) when the scan has colour, else None.  `hand_digits`
    adds the digit model's reading (`Config.ocr_handwriting`).  A page without such
    lines comes back unchanged with no readings.
    """
    reader = _Reader(gray, colour if colour is not None and colour.mode == "RGB" else None,
                     dpi, languages, hand_digits)  # fmt: skip
    readings: list[Reading] = []
    replaced: dict[tuple[int, int, int], list[Word]] = {}
    for line in _lines(words, gray.height):
        key = (line[0].block, line[0].par, line[0].line)
        line = _split_glued(line)
        for parse in (_number, _date):
            if any(r.name == parse.__name__.strip("_") for r in readings):
                continue
            found = parse(line, reader)
            if found is not None:
                replaced[key] = found[0]
                readings.append(found[1])
                line = found[0]
    if not readings:
        return words, []
    out = [w for w in words if (w.block, w.par, w.line) not in replaced]
    for ws in replaced.values():
        out.extend(ws)
    return out, readings
