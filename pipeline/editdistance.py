"""Edit distance of two strings, for OCR error rates and for pairing OCR readings."""

from __future__ import annotations


def levenshtein(a: str, b: str) -> int:
    """Levenshtein distance of `a` and `b` (unit costs), by Myers/Hyyrö's bit-parallel
    method: one big-int pass per character of `b`, so whole pages compare quickly.

    >>> levenshtein("nhiem", "nhiern")
    2
    """
    if not a:
        return len(b)
    if not b:
        return len(a)
    peq: dict[str, int] = {}
    for i, ch in enumerate(a):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    mask = (1 << len(a)) - 1
    high = 1 << (len(a) - 1)
    pv, mv, score = mask, 0, len(a)
    for ch in b:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
    return score
