"""Page layout before structure: headings that run inline on a page that lost its newlines, and where a
second, different document starts."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz.distance import Indel

from .markers import MAX_INLINE_HEADING, LineMarkers, is_title, match_marker, trim_end
from .patterns import BARE_ATTACHMENT, DATE_LINE, PUBLIC_NOTE
from .repeats import MIN_SIMILARITY, line_keys

Line = tuple[int, int]  # view offsets of a stripped, non-empty line


def second_document_start(text: str, lines: Sequence[Line], after_download: Sequence[bool]) -> int | None:
    """Index of the line where a different document starts, or None.

    A new document starts with a title line that follows a sign-off (date line, 此件公开发布), a bare
    ``附件`` line, or a ``下载地址`` chrome line, and is followed by a body of its own.
    """
    for i in range(1, len(lines) - 2):
        ps, pe = lines[i - 1]
        if not after_download[i] and text[pe - 1] not in "日)）件:：0123456789":
            continue  # cheap test first: what may precede a second document ends like this
        after_signoff = DATE_LINE.fullmatch(text, ps, pe) is not None or PUBLIC_NOTE.fullmatch(text, ps, pe) is not None
        # 附件 on a line of its own, then the title of the document the notice issues.
        after_attachment = BARE_ATTACHMENT.fullmatch(text, ps, pe) is not None
        if (after_signoff or after_attachment or after_download[i]) and is_title(text[slice(*lines[i])]):
            if after_signoff and _pasted_again(text, lines, i):
                continue  # the body pasted again with its sign-off: copies, not a second document
            return i
    return None


_COMPARED_LINES = 12


def _pasted_again(text: str, lines: Sequence[Line], i: int) -> bool:
    """Whether the lines from ``i`` on repeat the lines before it (whole, or cut off before their end)."""
    # The first lines of each copy tell: a second document differs from its first line on.
    before = "".join(line_keys([text[s:e] for s, e in lines[: min(i, _COMPARED_LINES)]]))
    after = "".join(line_keys([text[s:e] for s, e in lines[i : i + _COMPARED_LINES]]))
    if not before or not after:
        return False
    return Indel.normalized_similarity(before[: len(after)], after[: len(before)]) >= MIN_SIMILARITY


_INLINE_CANDIDATE = re.compile(
    r"[一二三四五六七八九十]{1,3}[、.]|\([一二三四五六七八九十]{1,3}\)|\d{1,2}[.、]|\(\d{1,2}\)"
    r"|第[一二三四五六七八九十百\d]{1,4}[章节条]"
)
# A candidate after a sentence end and up to three spaces (group 1): found by searching for the stop
# character, which the stdlib engine does fast, rather than by a lookbehind tried at every position.
_STOP_CANDIDATE = re.compile(r"[。;；:：!！?？][ \t]{0,3}(" + _INLINE_CANDIDATE.pattern + ")")
_STOP_REACH = 4  # the stop character and the spaces before a candidate
_MIN_INLINE_LINE = 120
# A title run into the first sentence of the body: …情况的报告按照区委统一部署…
_GLUED_TITLE = re.compile(
    r"(?P<title>[^。;；:：!！?？\n]{4,60}?(?:通知|通报|报告|公告|公示|决定|意见|办法|方案|规定|细则))"
    r"(?=按照|根据|为了|为进一步|近日|现将|经|依据|各|\d{4}年|[一二]〇|今年|去年)"
    # or a title printed twice, or a document-sharing site's file name and its _ before the text (no comma:
    # a sentence that names a notice is no title)
    r"|(?P<twice>[^。;；:：!！?？,，\n]{4,60}?(?:通知|通报|报告|公告|公示|决定|意见|办法|方案|规定|细则))(?=(?P=twice)|_)"
)
# An addressee run in after a glued title: 各… up to its colon, a list of bodies with no sentence in it.
_GLUED_ADDRESSEE = re.compile(r"各[^。;；:：!！?？\n]{1,60}[:：]")
_GLUED_SIGNOFF = re.compile(
    r"[。!！?？](?P<signoff>[^。!！?？:：;；,，]{2,40}?(?:\d{4}年\d{1,2}月\d{1,2}日|\d{4}(?P<sep>[.\-/])\d{1,2}(?P=sep)\d{1,2}|[〇○O零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日))\s*$"
)


# The stop character, 40 characters of signer and the longest date (二〇二三年十二月三十一日).
_MAX_SIGNOFF = 1 + 40 + 13


def _after_stop(text: str, pos: int, end: int) -> tuple[int, int] | None:
    """The first inline candidate at or after ``pos`` that follows a sentence end (which may lie before
    ``pos``), as ``(start, end)``."""
    at = max(0, pos - _STOP_REACH)
    while (m := _STOP_CANDIDATE.search(text, at, end)) is not None:
        if m.start(1) >= pos:
            return m.start(1), m.end(1)
        at = m.start() + 1
    return None


def split_inline_headings(text: str, lines: Sequence[Line], markers: LineMarkers | None = None) -> list[Line]:
    """Split long lines where headings run inline because the page lost its newlines.

    A marker splits a line when it follows a sentence end (…如下：一、…, …。（二）…) or directly follows a
    short heading (一、整改工作开展情况（一）…), and its number starts or continues its family's sequence;
    so 1.5万元 or a （一） quoted mid-sentence stays where it is.
    """
    markers = LineMarkers(text) if markers is None else markers
    out: list[Line] = []
    last: dict[str, int] = {}
    for index, (start, end) in enumerate(lines):
        if index == 0 and end - start >= _MIN_INLINE_LINE:
            glued = _GLUED_TITLE.match(text, start, end)
            if glued is not None:
                cut = glued.end()
                out.append((start, cut))
                start = cut
                addressee = _GLUED_ADDRESSEE.match(text, start, end)
                if addressee is not None:  # …的通知各乡镇人民政府，县直有关单位：为深刻吸取…
                    out.append((start, addressee.end()))
                    start = addressee.end()
        head = markers.at(start, end)
        if head is not None:
            last[head.family] = head.number
        if end - start < _MIN_INLINE_LINE:
            out.append((start, end))
            continue
        piece = start
        pos = start + 1
        piece_is_heading = head is not None
        while pos < end:
            # Candidates: a marker after a sentence end anywhere, or any marker just after a short heading.
            window = min(end, piece + MAX_INLINE_HEADING + 8)
            m = _INLINE_CANDIDATE.search(text, pos, window) if piece_is_heading and pos < window else None
            at = (m.start(), m.end()) if m is not None else _after_stop(text, pos, end)
            if at is None:
                break
            pos = at[1]
            found = match_marker(text, at[0], end)
            if found is None or found.number not in (1, last.get(found.family, 0) + 1):
                continue
            stop = trim_end(text, piece, at[0])  # no slicing: a long line has many candidates
            if stop == piece:
                continue
            after_stop = text[stop - 1] in "。;；:：!！?？"
            after_heading = stop - piece <= MAX_INLINE_HEADING and piece_is_heading
            if not (after_stop or after_heading):
                continue
            out.append((piece, stop))
            piece, pos, piece_is_heading = at[0], at[0] + 1, True
            last[found.family] = found.number
        # A glued sign-off ends the line and is at most _MAX_SIGNOFF long: only the tail is searched.
        tail = max(piece, end - _MAX_SIGNOFF)
        signoff = _GLUED_SIGNOFF.search(text, tail, end) if end - start >= _MIN_INLINE_LINE else None
        if signoff is not None:
            # …请及时向我们反映。中共某局党组2023年2月20日: the sign-off glued to the last sentence.
            cut = signoff.start("signoff")
            out += [(piece, cut), (cut + len(text[cut:end]) - len(text[cut:end].lstrip(" \t")), end)]
        else:
            out.append((piece, end))
    return out
