"""Pre-Unicode Vietnamese encodings: TCVN3 (ABC) and VNI, detected and converted.

Archives keep documents typed before Unicode with the fonts that carried these
encodings: `.VnTime`, `.VnArial` … (TCVN 5712:1993, the VN3 "ABC" set) and `VNI-Times`,
`VNI-Helve` … (VNI Windows).  Both are single-byte sets read through the Windows code
page: a TCVN3 `Kế hoạch số 12` shows as `KÕ ho¹ch sè 12` in any Unicode font, a VNI
`Việt Nam` as `Vieät Nam`.  Word files and PDF text layers keep those code points as
Latin-1 characters, plain text files as the bytes.

The tables below are written from the published code charts:
- TCVN3 gives each lowercase vowel-with-marks one code in 0xA8-0xFE and only the seven
  marked capitals without a tone (`Ă Â Ê Ô Ơ Ư Đ`, 0xA1-0xA7).  Capitals with a tone are
  typed with the lowercase codes in a capitals font (`.VnTimeH`), which draws every
  letter as a capital.
- VNI writes a base letter followed by a mark character: a tone (`ù ø û õ ï` = sắc,
  huyền, hỏi, ngã, nặng), a circumflex with or without a tone (`â á à å ã ä`), or a
  breve (`ê é è ú ü ë`, after `a` only); `ô ö ñ` are ơ ư đ, and the tones of `i` and
  the dotted `ỵ` are single characters (`í ì æ ó ò`, `î`).  Capitals use the capital
  marks (`AÙ` = Á).

Which encoding a run is in comes from its font name where one is known
(`font_encoding`), otherwise from the text itself (`detect`): the reading whose words are
Vietnamese syllables far more often wins.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from pipeline.vietnamese import is_syllable, nfc

UNICODE, TCVN3, VNI = "unicode", "tcvn3", "vni"
ENCODINGS = (UNICODE, TCVN3, VNI)
"""Values of `Source.encoding` (`mixed` when a document holds both legacy sets)."""

# --- TCVN3 (TCVN 5712:1993, VN3) -------------------------------------------------------

_TCVN3_CAPITALS = {0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ"}
_TCVN3_SMALL = {0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ"}
_TCVN3_TONED = {
    # each row: the vowel's huyền, hỏi, ngã, sắc, nặng forms and their codes
    "a": ("àảãáạ", (0xB5, 0xB6, 0xB7, 0xB8, 0xB9)),
    "ă": ("ằẳẵắặ", (0xBB, 0xBC, 0xBD, 0xBE, 0xC6)),
    "â": ("ầẩẫấậ", (0xC7, 0xC8, 0xC9, 0xCA, 0xCB)),
    "e": ("èẻẽéẹ", (0xCC, 0xCE, 0xCF, 0xD0, 0xD1)),
    "ê": ("ềểễếệ", (0xD2, 0xD3, 0xD4, 0xD5, 0xD6)),
    "i": ("ìỉĩíị", (0xD7, 0xD8, 0xDC, 0xDD, 0xDE)),
    "o": ("òỏõóọ", (0xDF, 0xE1, 0xE2, 0xE3, 0xE4)),
    "ô": ("ồổỗốộ", (0xE5, 0xE6, 0xE7, 0xE8, 0xE9)),
    "ơ": ("ờởỡớợ", (0xEA, 0xEB, 0xEC, 0xED, 0xEE)),
    "u": ("ùủũúụ", (0xEF, 0xF1, 0xF2, 0xF3, 0xF4)),
    "ư": ("ừửữứự", (0xF5, 0xF6, 0xF7, 0xF8, 0xF9)),
    "y": ("ỳỷỹýỵ", (0xFA, 0xFB, 0xFC, 0xFD, 0xFE)),
}
TCVN3_TABLE: dict[int, str] = {**_TCVN3_CAPITALS, **_TCVN3_SMALL}
for _letters, _codes in _TCVN3_TONED.values():
    TCVN3_TABLE.update(zip(_codes, _letters, strict=True))
"""TCVN3 code → Unicode letter (codes below 0xA1 are ASCII)."""

_TCVN3_DECODE = {chr(code): letter for code, letter in TCVN3_TABLE.items()}
_TCVN3_TONED_CODES = frozenset(chr(c) for _, codes in _TCVN3_TONED.values() for c in codes)
"""Small letters with a tone: their capitals have no code outside the capitals fonts."""
_TCVN3_ENCODE = {letter: chr(code) for code, letter in TCVN3_TABLE.items()}

# --- VNI Windows ------------------------------------------------------------------------

_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE = "\u0302", "\u0306"
_VNI_TONES = {"ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT}
_VNI_CIRCUMFLEX = {"â": "", "á": _ACUTE, "à": _GRAVE, "å": _HOOK, "ã": _TILDE, "ä": _DOT}
_VNI_BREVE = {"ê": "", "é": _ACUTE, "è": _GRAVE, "ú": _HOOK, "ü": _TILDE, "ë": _DOT}
_VNI_SINGLE = {"í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}
_VNI_LETTERS = {"ô": "ơ", "ö": "ư", "ñ": "đ"}
"""VNI characters that are letters of their own (and may take a tone mark after them)."""


def _both_cases(table: dict[str, str]) -> dict[str, str]:
    return {**table, **{k.upper(): v.upper() if v else v for k, v in table.items()}}


_VNI_TONE_MARKS = _both_cases(_VNI_TONES)
_VNI_CIRCUMFLEX_MARKS = {k: v for k, v in _both_cases(_VNI_CIRCUMFLEX).items()}
_VNI_BREVE_MARKS = {k: v for k, v in _both_cases(_VNI_BREVE).items()}
_VNI_SINGLES = _both_cases(_VNI_SINGLE)
_VNI_OWN_LETTERS = _both_cases(_VNI_LETTERS)
_VNI_TONE_BASES = frozenset("aeiouyAEIOUY")
_VNI_CIRCUMFLEX_BASES = frozenset("aeoAEO")
_VNI_BREVE_BASES = frozenset("aA")

# --- font names -------------------------------------------------------------------------

_SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")
_TCVN3_FONT = re.compile(r"^\.?Vn[A-Z][A-Za-z0-9]*", re.ASCII)
_VNI_FONT = re.compile(r"^VNI[-_ ]?[A-Z][A-Za-z0-9]*", re.ASCII | re.IGNORECASE)
_STYLE_SUFFIX = re.compile(r"(?:[-, ]?(?:Bold|Italic|Oblique|BoldItalic|Regular|PS|MT))+$")

MIN_DETECT_WORDS = 4
"""Fewer words than this say nothing about an encoding (a date, a name)."""
DETECT_MARGIN = 0.15
"""A legacy reading must make this much larger a share of the words syllables."""
DETECT_FLOOR = 0.6
"""…and at least this share: a text that is not Vietnamese in any reading stays as it is."""
_LEGACY_CHARS = re.compile("[\u00a1-\u00fe]")
_WORD = re.compile(r"\S+")
_EDGE_PUNCT = re.compile(r"^[\"'“”‘’(\[«]+|[\"'“”‘’)\].,;:!?»…]+$")


@dataclass(frozen=True)
class FontEncoding:
    """What a font name says about its text."""

    encoding: str
    """`tcvn3` or `vni`."""
    capitals: bool = False
    """A TCVN3 capitals font (`.VnTimeH`): every letter is drawn as a capital."""


@functools.lru_cache(maxsize=1024)
def font_encoding(font_name: str | None) -> FontEncoding | None:
    """The legacy encoding a font name announces (`.VnTimeH`, `ABCDEF+VNI-Times`), or None.

    Example:
        >>> font_encoding("EKLPQA+.VnTimeH,Bold")
        FontEncoding(encoding='tcvn3', capitals=True)
        >>> font_encoding("VNI-Times") == FontEncoding("vni")
        True
        >>> font_encoding("TimesNewRomanPSMT") is None
        True
    """
    if not font_name:
        return None
    name = _SUBSET_PREFIX.sub("", font_name.strip())
    if _VNI_FONT.match(name):
        return FontEncoding(VNI)
    match = _TCVN3_FONT.match(name)
    if match:
        family = _STYLE_SUFFIX.sub("", match.group(0))
        return FontEncoding(TCVN3, capitals=family.endswith("H"))
    return None


def decode_tcvn3(text: str, capitals: bool = False) -> str:
    """TCVN3 code points (as Latin-1 characters) → Unicode NFC; `capitals` for `.Vn…H` fonts.

    Example:
        >>> decode_tcvn3("KÕ ho¹ch sè 12")
        'Kế hoạch số 12'
    """
    out = "".join(_TCVN3_DECODE.get(ch, ch) for ch in text)
    return nfc(out.upper() if capitals else out)


def decode_vni(text: str) -> str:
    """VNI Windows code points (as Latin-1 characters) → Unicode NFC.

    Example:
        >>> decode_vni("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam")
        'Cộng hòa xã hội chủ nghĩa Việt Nam'
    """
    out: list[str] = []
    for ch in text:
        prev = out[-1] if out else ""
        base = unicodedata.normalize("NFD", prev)[:1] if prev else ""
        combined = _vni_mark(prev, base, ch)
        if combined is not None:
            out[-1] = combined
        elif ch in _VNI_SINGLES:
            out.append(_VNI_SINGLES[ch])
        else:
            out.append(_VNI_OWN_LETTERS.get(ch, ch))
    return nfc("".join(out))


def _vni_mark(prev: str, base: str, mark: str) -> str | None:
    """`prev` with the VNI `mark` applied, or None when `mark` is not a mark for it."""
    if not prev:
        return None
    marks = unicodedata.normalize("NFD", prev)[1:]
    if mark in _VNI_TONE_MARKS and not any(
        m in marks for m in (_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT)
    ):
        if base in _VNI_TONE_BASES:
            return unicodedata.normalize("NFC", prev + _VNI_TONE_MARKS[mark])
        return None
    if marks:
        return None
    if mark in _VNI_CIRCUMFLEX_MARKS and base in _VNI_CIRCUMFLEX_BASES:
        return unicodedata.normalize("NFC", prev + _CIRCUMFLEX + _VNI_CIRCUMFLEX_MARKS[mark])
    if mark in _VNI_BREVE_MARKS and base in _VNI_BREVE_BASES:
        return unicodedata.normalize("NFC", prev + _BREVE + _VNI_BREVE_MARKS[mark])
    return None


def decode(text: str, encoding: str, capitals: bool = False) -> str:
    """`text` read in `encoding` (`unicode` leaves it as it is, NFC)."""
    if encoding == TCVN3:
        return decode_tcvn3(text, capitals)
    if encoding == VNI:
        return decode_vni(text)
    return nfc(text)


def encode_tcvn3(text: str) -> str:
    """Unicode → TCVN3 code points; capitals with a tone become their small codes (type
    such text in a capitals font).  For tests and samples."""
    out = []
    for ch in nfc(text):
        code = _TCVN3_ENCODE.get(ch) or _TCVN3_ENCODE.get(ch.lower())
        out.append(code if code is not None else ch)
    return "".join(out)


_VNI_ENCODE_TONE = {v: k for k, v in _VNI_TONES.items()}
_VNI_ENCODE_CIRCUMFLEX = {v: k for k, v in _VNI_CIRCUMFLEX.items()}
_VNI_ENCODE_BREVE = {v: k for k, v in _VNI_BREVE.items()}
_VNI_ENCODE_SINGLE = {v: k for k, v in _VNI_SINGLE.items()}
_VNI_ENCODE_LETTER = {v: k for k, v in _VNI_LETTERS.items()}


def encode_vni(text: str) -> str:
    """Unicode → VNI Windows code points.  For tests and samples."""
    out = []
    for ch in nfc(text):
        lower = ch.lower()
        upper = ch != lower
        if lower in _VNI_ENCODE_SINGLE:
            code = _VNI_ENCODE_SINGLE[lower]
            out.append(code.upper() if upper else code)
            continue
        parts = unicodedata.normalize("NFD", lower)
        base, marks = parts[0], parts[1:]
        tone = next((m for m in marks if m in _VNI_ENCODE_TONE), "")
        shape = "".join(m for m in marks if m not in _VNI_ENCODE_TONE)
        if lower == "đ":
            piece = _VNI_ENCODE_LETTER["đ"]
        elif shape == "\u031b":  # horn: ơ ư are letters of their own
            piece = _VNI_ENCODE_LETTER[unicodedata.normalize("NFC", base + shape)]
            piece += _VNI_ENCODE_TONE.get(tone, "")
        elif shape == _CIRCUMFLEX:
            piece = base + _VNI_ENCODE_CIRCUMFLEX[tone]
        elif shape == _BREVE:
            piece = base + _VNI_ENCODE_BREVE[tone]
        elif not shape and tone and base.isascii():
            piece = base + _VNI_ENCODE_TONE[tone]
        else:
            out.append(ch)
            continue
        out.append(piece.upper() if upper else piece)
    return "".join(out)


def encode(text: str, encoding: str) -> str:
    """Unicode → `encoding`'s code points (for tests and samples)."""
    if encoding == TCVN3:
        return encode_tcvn3(text)
    if encoding == VNI:
        return encode_vni(text)
    return text


# --- detection by content -------------------------------------------------------------


def syllable_share(text: str) -> tuple[float, int]:
    """Share of the words that are Vietnamese syllables (digits and codes left out), and
    the number of words counted."""
    words = 0
    good = 0
    for token in _WORD.findall(text):
        core = _EDGE_PUNCT.sub("", _EDGE_PUNCT.sub("", token))
        if (
            not core
            or not any(ch.isalpha() for ch in core)
            or core.isascii()
            and not core.isalpha()
        ):
            continue  # numbers, codes such as 24/KH-UBND
        words += 1
        if is_syllable(core):
            good += 1
    return good / max(words, 1), words


def detect(text: str) -> str:
    """`tcvn3` or `vni` when `text` reads as Vietnamese far better in that encoding than as
    it is; `unicode` otherwise (also for text without a character a legacy set uses).

    Example:
        >>> detect("KÕ ho¹ch triÓn khai c«ng t¸c thi ®ua n¨m 2026")
        'tcvn3'
        >>> detect("Kế hoạch triển khai công tác thi đua năm 2026")
        'unicode'
    """
    sample = text[:20000]
    if not _LEGACY_CHARS.search(sample):
        return UNICODE
    as_is, words = syllable_share(sample)
    if words < MIN_DETECT_WORDS:
        return UNICODE
    best, best_share = UNICODE, as_is
    for encoding in (TCVN3, VNI):
        share, _ = syllable_share(decode(sample, encoding))
        if share > best_share:
            best, best_share = encoding, share
    if best != UNICODE and best_share >= DETECT_FLOOR and best_share >= as_is + DETECT_MARGIN:
        return best
    return UNICODE


_CAPITALS_EVIDENCE = re.compile("[A-Z][\u00a1-\u00fe]+[A-Z]")


def decode_plain_tcvn3(text: str) -> str:
    """TCVN3 text without its fonts: lines typed in a capitals font come back capitalised.

    A plain file cannot say which letters were set in `.VnTimeH`.  A line whose ASCII
    letters are all capitals and that has a TCVN3 small code between two capitals
    (`HO¹CH`) was; a line that starts with a small code (`ñy ban` for `Ủy ban`) began
    with a capital, as lines of these documents do.  A capital with a tone inside a
    sentence cannot be told from a small letter and stays small.
    """
    out = []
    for line in text.split("\n"):
        letters = [ch for ch in line if ch.isascii() and ch.isalpha()]
        capitals = (
            len(letters) >= 3
            and all(ch.isupper() for ch in letters)
            and _CAPITALS_EVIDENCE.search(line) is not None
        )
        decoded = decode_tcvn3(line, capitals)
        start = len(line) - len(line.lstrip())
        if not capitals and line[start : start + 1] in _TCVN3_TONED_CODES:
            decoded = decoded[:start] + decoded[start : start + 1].upper() + decoded[start + 1 :]
        out.append(decoded)
    return "\n".join(out)


def decode_bytes(data: bytes) -> str:
    """Bytes of a legacy text file as the Latin-1 characters the tables read."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # the few codes cp1252 leaves undefined
        return data.decode("latin-1")
