"""Cut a line of text into the decoder's slots and runs.

A *slot* is one syllable position (`Rịa-Vũng` gives two); a *run* is the slots between
punctuation, numbers and codes — the same cuts `train.word_runs` makes, so training and
decoding see the same contexts.  Numbers, abbreviations and codes become fixed slots:
context for the LM, written back unchanged (or with a stripped abbreviation restored).
Text outside slots is never touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.restore.lexicon import abbreviation, joined_abbreviation
from pipeline.restore.lm import COMMA
from pipeline.vietnamese import is_numbered_code, is_syllable, split_token, word_skeleton

_TOKEN = re.compile(r"\S+")
_PIECE = re.compile(r"[^\W_]+|[\W_]+")
_CODE = re.compile(r"/|\d[-.]\d|^\d+[-/.]|@|://")
_NUMBER = re.compile(r"^\d+(?:[/.,-]\d+)*$")
_ROMAN = re.compile(r"^[IVXLC]+$")
_GARBLE_CORE = re.compile(r"^(?=.*[^\W\d_])(?=.*[^\w\s])[^\s/\-.,;:]{2,10}$")
_LETTER_LIKE = frozenset("&¢€@§©")
HOOK_LOOKALIKES = "?’"
"""What Tesseract-eng reads for the hook of `ử`, `ữ` or the horn of `ơ` at a word's end
(`st?` for *sử*, `co’` for *cơ*): glued to the word, where no real question mark (the
sentence goes on after it) or closing quote (none was opened before it on the line) fits."""
_MARKER_LOOKALIKES = {"¢": "c", "©": "c", "€": "e", "@": "a"}
"""Symbols Tesseract-eng reads for the letter of a list marker."""
_GARBLED_ROMAN = re.compile(r"^[IVX][IVXil1]{0,4}$")
_QUARTER_WORDS = frozenset({"quy", "qui"})
_GARBLED_QUARTER = re.compile(r"^[IVl1|][IVil1|'’]{0,3}$")
_QUARTERS = ("I", "II", "III", "IV")
_I_LIKE = str.maketrans({"l": "I", "1": "I", "|": "I", "i": "I"})
_GARBLE_WORD = re.compile(r"^(?=.*[^\W\d_])[^\W_]{1,9}$")
_NUMBER_CODE = re.compile(r"^\d+[A-Z]+$")
"""A number with capitals after it is a code (`5G`, `Quốc lộ 1A`, `mục 3C`), kept as written
in garble too, where a digit can stand for a letter (`6` for `ở`) only inside a word."""


@dataclass
class Slot:
    """One syllable position: where it is, what was read, what to write."""

    line: int
    start: int
    end: int
    read: str
    out: str = ""
    confidence: float = 1.0
    fixed: bool = False
    """Numbers and abbreviations: context for the LM, written back unchanged."""
    column: int = -1
    """Where `out` starts in the restored line (set when the text is written)."""


def quarter_numeral(previous: str, core: str) -> str | None:
    """The Roman numeral of a quarter that OCR garbled (`Quy Il` → `II`, `Quý I'V` → `IV`).

    Plans date their tasks by quarter, and a quarter is only ever I–IV, so after `Quý` a
    token of I-like strokes (`l`, `1`, `|`, a stray apostrophe) and `V` can be read back.
    """
    if word_skeleton(previous.lower()) not in _QUARTER_WORDS or not _GARBLED_QUARTER.match(core):
        return None
    if not any(ch in "IVl" for ch in core):
        return None  # `Quý 1` is written with digits too
    roman = re.sub(r"['’]", "", core).translate(_I_LIKE)
    return roman if roman in _QUARTERS and roman != core else None


def number_label(core: str) -> str | None:
    """`số` in the case of `core` when `core` is that word without (or with other) marks
    (`So`, `SO`, `sở`), else None: the word before a number's colon (`Số:`)."""
    if not core.isalpha() or word_skeleton(core.lower()) != "so":
        return None
    if core.isupper() and len(core) > 1:
        return "SỐ"
    return "Số" if core[0].isupper() else "số"


def garbled_marker(token: str) -> str | None:
    """`c` for a line-opening list marker garbled by a look-alike symbol (`¢)`, `c¢)`)."""
    body = token[:-1]
    if token[-1:] != ")" or not 1 <= len(body) <= 2:
        return None
    if not any(ch in _MARKER_LOOKALIKES for ch in body):
        return None
    letters = {_MARKER_LOOKALIKES.get(ch, ch.lower()) for ch in body}
    return letters.pop() if len(letters) == 1 else None


def kept_as_written(text: str, names: frozenset[str] = frozenset()) -> bool:
    """Capitals that are no syllable: Roman numerals (`XIV`), abbreviations the lexicon does
    not know (`PCT`, `HCC`: at most one vowel), single initials (`K`).  `names` holds the
    skeletons of the model's place-name syllables (`dak`, `lak`): `TỈNH DAK LAK` is a
    heading to restore, not two abbreviations."""
    if not text.isupper() or not text.isalpha() or abbreviation(text) not in (None, text):
        return False
    if len(text) == 1:
        return True
    if is_syllable(text) or word_skeleton(text.lower()) in names:
        return False
    return bool(_ROMAN.match(text)) or sum(ch in "AEIOUY" for ch in text) <= 1


def parenthesised_acronym(core: str) -> bool:
    """Whether `core`, standing alone in parentheses, is an acronym to keep as written:
    two or more capitals (digits allowed: `IC15`) that are no abbreviation the lexicon
    restores (`HDND` → `HĐND`)."""
    return (
        len(core) >= 2
        and core.isupper()
        and core.isalnum()
        and core[0].isalpha()
        and abbreviation(core) in (None, core)
    )


def slots_of_line(
    line_no: int,
    line: str,
    garbled: bool,
    commas: bool = False,
    names: frozenset[str] = frozenset(),
) -> tuple[list[list[Slot]], list[Slot]]:
    """Runs of slots in one line, and abbreviations restored inside codes.

    With `commas` (a model that has the comma token) a comma ending a word or number is
    a fixed slot inside the run, as `train.word_runs` counts it; otherwise it cuts.
    Text outside slots is never touched.  `names`: see `kept_as_written`.
    """
    cutter = _LineCutter(line_no, line, garbled, commas, names)
    previous = ""
    for match in _TOKEN.finditer(line):
        token = match.group(0)
        cutter.token(token, match.start(), previous)
        previous = token
    cutter.cut()
    return cutter.runs, cutter.in_codes


class _LineCutter:
    """The state of `slots_of_line`: the runs closed so far, the open run, and the fixed
    slots inside codes; one method per kind of token."""

    def __init__(
        self, line_no: int, line: str, garbled: bool, commas: bool, names: frozenset[str]
    ) -> None:
        self.line_no, self.line, self.garbled, self.commas = line_no, line, garbled, commas
        self.names = names
        self.runs: list[list[Slot]] = []
        self.in_codes: list[Slot] = []
        self.run: list[Slot] = []

    def cut(self) -> None:
        """Close the open run (if any)."""
        if self.run:
            self.runs.append(self.run)
        self.run = []

    def close(self, trail: str, at: int) -> None:
        """End a word followed by `trail` (its first character at `at`)."""
        if self.commas and trail == COMMA and self.run:
            self.run.append(Slot(self.line_no, at, at + 1, COMMA, COMMA, fixed=True))
        elif trail:
            self.cut()

    def _add(self, start: int, end: int, read: str, out: str = "", fixed: bool = False) -> None:
        self.run.append(Slot(self.line_no, start, end, read, out, fixed=fixed))

    def token(self, token: str, offset: int, before: str) -> None:
        """Cut one whitespace-delimited `token` at `offset`, `before` being the token
        that preceded it on the line."""
        if self._list_marker(token, offset):
            return
        lead, core, trail = split_token(token)
        start = offset + len(lead)
        if self._joined_abbreviation(lead, core, trail, start):
            return
        if self.garbled and core:
            # `L&`, `K&`: a symbol Tesseract put for a marked letter is part of the word.
            while trail[:1] in _LETTER_LIKE and trail:
                core, trail = core + trail[0], trail[1:]
            while lead[-1:] in _LETTER_LIKE and lead:
                core, lead = lead[-1] + core, lead[:-1]
            if core.isalpha() and self._hook_glued(trail, offset, offset + len(token)):
                core, trail = core + trail[0], trail[1:]
            start = offset + len(lead)
            if lead == "‘" and core.isalpha() and "’" not in self.line[offset:]:
                # A mark read as an opening quote that nothing closes: the word overwrites it.
                self._add(offset, start + len(core), core)
                self.close(trail, start + len(core))
                return
        if (
            self._number_label(core, trail, start, offset + len(token))
            or self._acronym(lead, core, trail, start)
            or self._quarter(before, lead, core, trail, start)
            or self._number(lead, core, trail, start)
            or self._noisy_word(lead, core, trail, start)
        ):
            return
        pieces = list(_PIECE.finditer(token))
        if _CODE.search(core) or lead.endswith("/") or trail.startswith("/"):
            self._code(pieces, lead, core, trail, offset)
            return
        self._pieces(pieces, offset)

    def _hook_glued(self, trail: str, offset: int, end: int) -> bool:
        """Whether `trail`'s first character, ending the token at `offset`…`end`, is a
        letter's hook Tesseract read as punctuation (`HOOK_LOOKALIKES`)."""
        mark = trail[:1]
        if not mark or mark not in HOOK_LOOKALIKES:
            return False
        if mark == "’":
            return "‘" not in self.line[:offset]
        following = self.line[end:].lstrip()
        return trail[1:] in ("", ",") and following[:1].isalpha()

    def _list_marker(self, token: str, offset: int) -> bool:
        """A list marker read as or with a symbol (`¢)`, `c¢)` for `c)`): the letter only."""
        at_start = not self.line[:offset].strip()
        marker = garbled_marker(token) if self.garbled and at_start else None
        if not marker:
            return False
        self.cut()
        end = offset + len(token) - 1
        self.in_codes.append(Slot(self.line_no, offset, end, token[:-1], marker, fixed=True))
        return True

    def _joined_abbreviation(self, lead: str, core: str, trail: str, start: int) -> bool:
        """`KH&CN`: one department name, context for the LM, `GD&DT` written `GD&ĐT`."""
        compound = joined_abbreviation(core)
        if not compound:
            return False
        if lead:
            self.cut()
        self._add(start, start + len(core), core, compound, fixed=True)
        self.close(trail, start + len(core))
        return True

    def _acronym(self, lead: str, core: str, trail: str, start: int) -> bool:
        """Capitals alone in parentheses (`trí tuệ nhân tạo (AI)`, `(PPP)`) introduce an
        acronym: kept as written even when they spell a syllable (`AI`, not `ÁI`); a known
        stripped abbreviation (`(HDND)`) is still restored by the usual path."""
        if not (lead.endswith("(") and trail.startswith(")") and parenthesised_acronym(core)):
            return False
        self.cut()
        self._add(start, start + len(core), core, core, fixed=True)
        self.close(trail, start + len(core))
        return True

    def _number_label(self, core: str, trail: str, start: int, end: int) -> bool:
        """`So:` before a number is the label `Số:` (`Số: 12/QĐ-UBND`, `Mã số: 0301`):
        the colon cuts the run, so the LM alone never sees the number it labels and
        may write `Sở:`.  `end`: where the token ends on the line."""
        if trail != ":" or not self.line[end:].lstrip()[:1].isdigit():
            return False
        label = number_label(core)
        if label is None:
            return False
        self._add(start, start + len(core), core, label, fixed=True)
        self.close(trail, start + len(core))
        return True

    def _quarter(self, before: str, lead: str, core: str, trail: str, start: int) -> bool:
        """A garbled quarter numeral after `Quý` (`quarter_numeral`)."""
        quarter = quarter_numeral(before, core) if self.garbled and not lead else None
        if not quarter:
            return False
        self._add(start, start + len(core), core, quarter, fixed=True)
        self.close(trail, start + len(core))
        return True

    def _number(self, lead: str, core: str, trail: str, start: int) -> bool:
        """A number or date (`12`, `05/8/2026`): `<num>` context, kept as written."""
        if not _NUMBER.match(core):
            return False
        if lead:
            self.cut()
        self._add(start, start + len(core), core, core, fixed=True)
        if trail not in ("/", "-"):
            self.close(trail, start + len(core))
        return True

    def _noisy_word(self, lead: str, core: str, trail: str, start: int) -> bool:
        """OCR noise inside a word (`nhi€êm`, `gà‘in`) belongs to the word."""
        if not (
            self.garbled
            and _GARBLE_CORE.match(core)
            and not core.isdigit()
            and not kept_as_written(core, self.names)
        ):
            return False
        if lead:
            self.cut()
        self._add(start, start + len(core), core)
        self.close(trail, start + len(core))
        return True

    def _code(
        self, pieces: list[re.Match[str]], lead: str, core: str, trail: str, offset: int
    ) -> None:
        """Document codes, dates, URLs are kept; only a stripped abbreviation inside is
        restored (`74/NQ-HDND` → `74/NQ-HĐND`)."""
        numbered = is_numbered_code(core)
        if lead or not numbered:
            self.cut()
        for piece in pieces:
            abbr = abbreviation(piece.group(0))
            if abbr is not None and abbr != piece.group(0):
                start = offset + piece.start()
                self.in_codes.append(
                    Slot(
                        self.line_no, start, offset + piece.end(), piece.group(0), abbr, fixed=True
                    )
                )
        if numbered:
            # `số 41-CT/TW ngày`: a number to the LM, as in training.  The slot is
            # zero-width and writes nothing; the code's own slots above do.
            start = offset + len(lead)
            self._add(start, start, core, "", fixed=True)
            self.close(trail, start + len(core))

    def _pieces(self, pieces: list[re.Match[str]], offset: int) -> None:
        """An ordinary token, piece by piece: letters, digits and the marks between."""
        for k, piece in enumerate(pieces):
            text = piece.group(0)
            start, end = offset + piece.start(), offset + piece.end()
            if not text[0].isalnum():
                # Hyphens inside a word (`Rịa-Vũng`) keep the run; a final comma is context;
                # other marks cut it.
                if k == len(pieces) - 1 and k > 0:
                    self.close(text, start)
                elif not (text == "-" and 0 < k < len(pieces) - 1):
                    self.cut()
                continue
            after = pieces[k + 1].group(0) if k + 1 < len(pieces) else ""
            self._letters_or_digits(text, start, end, after)

    def _letters_or_digits(self, text: str, start: int, end: int, after: str) -> None:
        """One alphanumeric piece of a token, `after` being the piece that follows it."""
        if text.isdigit() or _NUMBER_CODE.match(text):
            self._add(start, end, text, text, fixed=True)
        elif self.garbled and after[:1] == "." and _GARBLED_ROMAN.match(text):
            # `Il.`, `Iii.`: Tesseract reads the I of a heading numeral as l, i or 1.
            self.cut()
            roman = text.upper().replace("L", "I").replace("1", "I")
            if roman != text:
                self.in_codes.append(Slot(self.line_no, start, end, text, roman, fixed=True))
        elif (_ROMAN.match(text) and after[:1] in (".", ")")) or (
            len(text) == 1 and after[:1] == ")"
        ):
            self.cut()  # headings `II.` and list markers `a)`
        elif kept_as_written(text, self.names):
            # Context for the LM like any unknown word, written back unchanged.
            self._add(start, end, text, text, fixed=True)
        elif text.isalpha() or (self.garbled and _GARBLE_WORD.match(text)):
            self._add(start, end, text)
        else:
            self.cut()
