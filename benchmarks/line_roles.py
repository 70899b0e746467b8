"""Line roles of the labelled real pages: every line of a page's text gets one role, and a manifest ties each
label to its text by hashes, so a text gathered again on a new machine is checked against its labels.

    python benchmarks/line_roles.py             # derive roles/<id>.tsv for pages without one; write manifest.tsv
    python benchmarks/line_roles.py --check     # validate: hashes against the texts, roles against the labels
    python benchmarks/line_roles.py --show ID   # a page's lines with their roles

Roles (one per line of ``texts/<id>.txt`` split at ``\\n``):

    empty    a blank line
    chrome   site chrome: menus, breadcrumbs, widgets, counters, footers, spam, doc-share notes
    header   a metadata line: label/value pairs, a news meta row (date, source, views)
    title    the notice's title (each line of a wrapped one)
    heading  a heading of the body that is not itself a problem (一、… （一）… 存在问题：)
    problem  the line where a problem starts (its marker and the start of its title)
    closing  the sign-off: issuing body, date, contact, attachment lines, (此件公开发布)
    body     every other line of the document

Roles are derived from the page's label where the label determines them (chrome lines, title, header values,
problem keys) and from the line's own form otherwise (a heading marker, a date under the body); a file whose
first line is ``# checked`` was read by hand against its text and is never derived again. Each row is
``number<TAB>role<TAB>hash``, the hash being the first 10 hex digits of the SHA-1 of the stripped line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

import regex

from rectify_parse.lines import line_form
from rectify_parse.markers import match_marker
from rectify_parse.normalize import PINYIN, fold
from rectify_parse.patterns import HEADER_LABELS

ROOT = Path(__file__).resolve().parent / "real_pages"
LABELS, TEXTS, ROLES = ROOT / "labels", ROOT / "texts", ROOT / "roles"
MANIFEST = ROOT / "manifest.tsv"
ROLE_NAMES = ("empty", "chrome", "header", "title", "heading", "problem", "closing", "body")
CHECKED = "# checked"
_NOISE = regex.compile(r"[\s\p{P}\p{S}]+")
_HEADER_WORDS = regex.compile(
    "|".join(sorted((regex.escape(k) for k in HEADER_LABELS), key=len, reverse=True))
    + r"|来源|发布|日期|时间|浏览|阅读|点击|作者|编辑|字号"
)
_MAX_LEAD = 14
_MAX_HEADING = 40


def key(text: str | None) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", PINYIN.sub("", fold(text or ""))))


def line_hash(line: str) -> str:
    return hashlib.sha1(line.strip().encode("utf-8")).hexdigest()[:10]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _title_lines(lines: list[str], taken: list[str | None], title: str | None) -> list[int]:
    """The first line (or run of two or three lines) that holds the title, site affixes allowed."""
    want = key(title)
    if not want:
        return []
    for i in range(len(lines)):
        for width in (1, 2, 3):
            span = range(i, min(len(lines), i + width))
            if any(taken[j] is not None for j in span):
                break
            got = "".join(key(lines[j]) for j in span)
            if want in got and len(got) <= len(want) + 40 and all(key(lines[j]) for j in span):
                return _trimmed(lines, list(span), want)
    return []


def _trimmed(lines: list[str], span: list[int], want: str) -> list[int]:
    """``span`` without the lines at either end that the title does not need (a short metadata row above a
    title, 文号 浏览量, is not a piece of it)."""
    while len(span) > 1 and want in "".join(key(lines[j]) for j in span[1:]):
        span = span[1:]
    while len(span) > 1 and want in "".join(key(lines[j]) for j in span[:-1]):
        span = span[:-1]
    return span


def derive(label: dict[str, Any], text: str) -> list[str]:
    lines = text.split("\n")
    roles: list[str | None] = ["empty" if not line.strip() else None for line in lines]
    exact = {c.strip() for c in label["chrome"]}
    # A chrome entry matches a line by its key too (spacing, punctuation), but not the title's line: a related
    # article's ·某某标题 in the label's chrome is the title's own line less its bullet (r4928).
    keys = {key(c) for c in label["chrome"]} - {key(label["title"])}
    for i, line in enumerate(lines):
        if roles[i] is None and (line.strip() in exact or key(line) in keys):
            roles[i] = "chrome"
    for i in _title_lines(lines, roles, label["title"]):
        roles[i] = "title"
    values = [key(v) for v in label["header"].values() if len(key(v)) >= 4]
    dates = [v.replace("-", "") for k, v in label["header"].items() if k.startswith("date")]
    for i, line in enumerate(lines):
        if roles[i] is not None:
            continue
        k = key(line)
        has_value = any(v in k for v in values) or any(_has_date(line, d) for d in dates)
        if has_value and _HEADER_WORDS.search(fold(line)) is not None and len(line.strip()) <= 200:
            roles[i] = "header"
    # Header label lines with empty values next to header lines (文 号 | |).
    for i, line in enumerate(lines):
        if roles[i] is None and len(line.strip()) <= 40 and _HEADER_WORDS.search(fold(line)) is not None:
            near = [roles[j] for j in (i - 1, i + 1, i - 2, i + 2) if 0 <= j < len(lines)]
            if "header" in near:
                roles[i] = "header"
    keys = [key(p["title_key"]) for p in label["problems"]]
    for i, line in enumerate(lines):
        if roles[i] is not None:
            continue
        k = key(line)
        if any(kk and kk in k and k.index(kk) <= _MAX_LEAD for kk in keys):
            roles[i] = "problem"
    body = [i for i, r in enumerate(roles) if r is None]
    tail = set(body[len(body) * 2 // 3 :]) if len(body) >= 3 else set()
    for i in body:
        stripped = fold(lines[i]).strip()
        form = line_form(stripped)
        if i in tail and form in ("date", "contact", "attachment", "public_note", "closing"):
            roles[i] = "closing"
        elif (
            match_marker(stripped, 0, len(stripped)) is not None
            and len(stripped) <= _MAX_HEADING
            and not any(ch in stripped[:-1] for ch in "。;；")
        ):
            roles[i] = "heading"
    # A signature right above a closing date.
    for i in body:
        signature = roles[i] is None and len(lines[i].strip()) <= 30 and not any(ch in lines[i] for ch in "。,，;；")
        if signature and i + 1 < len(lines) and roles[i + 1] == "closing":
            roles[i] = "closing" if line_form(fold(lines[i + 1]).strip()) == "date" else roles[i]
    return [r or "body" for r in roles]


def _has_date(line: str, iso: str) -> bool:
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", line) if ch.isdigit())
    y, m, d = iso[:4], iso[4:6], iso[6:8]
    return y in digits and (m + d in digits or str(int(m)) + str(int(d)) in digits or m + str(int(d)) in digits)


def write_roles(pid: str, lines: list[str], roles: list[str]) -> None:
    ROLES.mkdir(exist_ok=True)
    rows = [f"{n}\t{role}\t{line_hash(line)}" for n, (line, role) in enumerate(zip(lines, roles, strict=True), 1)]
    (ROLES / f"{pid}.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def read_roles(pid: str) -> tuple[bool, list[tuple[str, str]]]:
    """(checked by hand, [(role, hash)] per line)."""
    raw = (ROLES / f"{pid}.tsv").read_text(encoding="utf-8").split("\n")
    checked = bool(raw) and raw[0].strip() == CHECKED
    rows = [r.split("\t") for r in raw if r and not r.startswith("#")]
    return checked, [(role, h) for _, role, h in rows]


def check(label: dict[str, Any], text: str) -> list[str]:
    pid = label["id"]
    path = ROLES / f"{pid}.tsv"
    if not path.exists():
        return ["no roles file"]
    _, rows = read_roles(pid)
    lines = text.split("\n")
    errors = []
    if len(rows) != len(lines):
        return [f"{len(rows)} roles for {len(lines)} lines"]
    for n, ((role, h), line) in enumerate(zip(rows, lines, strict=True), 1):
        if role not in ROLE_NAMES:
            errors.append(f"line {n}: unknown role {role!r}")
        if h != line_hash(line):
            errors.append(f"line {n}: hash {h} is not the text's ({line_hash(line)}): the text changed")
        if (role == "empty") != (not line.strip()):
            errors.append(f"line {n}: 'empty' is for blank lines only")
    roles = [r for r, _ in rows]
    for c in label["chrome"]:
        if not any(r == "chrome" and line.strip() == c.strip() for r, line in zip(roles, lines, strict=True)):
            errors.append(f"chrome line {c[:30]!r} has no chrome role")
    # A title run into its body, or glued to the end of a breadcrumb the label names chrome, has no line.
    embedded = any(
        key(label["title"]) in key(line) and (len(key(line)) > len(key(label["title"])) + 40 or role == "chrome")
        for role, line in zip(roles, lines, strict=True)
    )
    if label["title"] and "title" not in roles and not embedded:
        errors.append("the label has a title but no line is a title")
    if not label["title"] and "title" in roles:
        errors.append("the label has no title but a line is a title")
    return errors


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="validate roles and hashes")
    ap.add_argument("--show", metavar="ID", help="print a page's lines with their roles")
    ap.add_argument("--force", action="store_true", help="derive again every roles file not checked by hand")
    args = ap.parse_args(argv)
    labels = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(LABELS.glob("*.json"))]
    if args.show:
        label = next(lb for lb in labels if lb["id"] == args.show)
        text = (TEXTS / f"{args.show}.txt").read_text(encoding="utf-8")
        _, rows = read_roles(args.show)
        for n, ((role, _), line) in enumerate(zip(rows, text.split("\n"), strict=True), 1):
            print(f"{n:4} {role:8} {line[:100]}")
        return 0
    bad = 0
    manifest = ["id\turl\tquery\ttext_sha256\tlines"]
    for label in labels:
        path = TEXTS / f"{label['id']}.txt"
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        if args.check:
            errors = check(label, text)
            if errors:
                bad += 1
                print(f"{label['id']}: " + "; ".join(errors[:4]))
            continue
        roles_path = ROLES / f"{label['id']}.tsv"
        if not roles_path.exists() or (args.force and not read_roles(label["id"])[0]):
            write_roles(label["id"], text.split("\n"), derive(label, text))
        url = label["url"] or ""
        manifest.append(f"{label['id']}\t{url}\t{label['query']}\t{text_hash(text)}\t{text.count(chr(10)) + 1}")
    if args.check:
        print(f"{len(labels)} labels, {bad} with errors")
        return 1 if bad else 0
    MANIFEST.write_text("\n".join(manifest) + "\n", encoding="utf-8")
    print(f"roles in {ROLES}, manifest of {len(manifest) - 1} texts in {MANIFEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
