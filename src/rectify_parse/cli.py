"""Command line: ``rectify-parse batch``, ``parse``, ``lines``, ``schema``, ``export`` and ``report``.

Thin by design: argument parsing and exit codes here, the work in the library. ``main(argv)`` returns
the exit code so tests can call it in-process.

Exit codes: 0 every input parsed; 1 some input could not be parsed (its error is printed as a JSON
line with an ``error`` object, the other inputs still are); 2 bad command line; 3 (batch) the run itself
failed, see batch/command.py. ``export`` and ``report``: 1 a line of the JSONL is not an output line (its number is
printed); 2 also for an unreadable input, an unwritable output, or Parquet without pyarrow.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from . import COMPILED, __version__
from .batch import (
    add_batch_parser,
    add_max_chars_argument,
    add_record_arguments,
    error_dict,
    exit_process,
    stdout_closed,
)
from .batch.sources import max_bytes, read_input
from .errors import InputRecordError, RectifyError
from .export import FORMATS, export
from .html import source_text
from .pipeline import explain_lines, explain_units, parse
from .records import shape_record
from .report import MEMBERS, TOP, write_report
from .schema import line_schema, record_schema

EXIT_OK = 0
EXIT_INPUT_FAILED = 1
EXIT_USAGE = 2
_BUILD = "compiled" if COMPILED else "pure Python"

_EPILOG_PARSE = """examples:
  rectify-parse parse notice.txt --pretty        one record, indented
  rectify-parse parse fixtures/*.txt > out.jsonl one JSON line per file, in argument order
  cat notice.txt | rectify-parse parse -         read standard input (bytes, any supported encoding)
  rectify-parse parse page.html --with-source    a saved page, with the extracted text its spans index
  rectify-parse parse page.html.gz               compressed (gzip, bzip2, xz, zstd): the notice inside
"""


def _parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="rectify-parse",
        description="Turn scraped Chinese government notices into clean structured records (JSON).",
        epilog="examples:\n  rectify-parse batch fixtures -o out/records.jsonl --summary out/summary.json\n"
        "  rectify-parse parse notice.txt --pretty",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__} ({_BUILD})")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "parse",
        help="parse notice files and print their records as JSON",
        description="Parse each FILE (text or a saved HTML page; UTF-8, UTF-8 or UTF-16 with BOM, GBK or GB18030; "
        "compressed or not: gzip, bzip2, xz, zstd) and print one JSON "
        'line per file, as batch does: {"id", "record"} or {"id", "error"}; \'-\' reads standard input.',
        epilog=_EPILOG_PARSE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="notice file to parse, or '-' for standard input")
    p.add_argument(
        "--pretty",
        action="store_true",
        help="indent the JSON, spans kept on one line; several files give one JSON array (example: --pretty)",
    )
    p.add_argument(
        "--with-source",
        action="store_true",
        help="add the text spans index as 'source' (the decoded input, or the text extracted from an HTML page) "
        "so spans can be checked (example: --with-source)",
    )
    add_record_arguments(p)

    ln = sub.add_parser(
        "lines",
        help="show what the parser decided about every line of one page (chrome and its rule, header, title …)",
        description="Print one tab-separated row per line of FILE ('-' for standard input): its number, its kind "
        "(chrome:RULE, header, title, content, empty), its class from its own features (good, short, "
        "bad:RULE), the document form it has (date, contact, marker …), its heading level, its source "
        "span and its text. For finding out why a line was kept or removed.",
        epilog="examples:\n  rectify-parse lines notice.txt\n  rectify-parse lines page.html | grep chrome",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ln.add_argument("file", metavar="FILE", help="the page to explain, or '-' for standard input")
    ln.add_argument(
        "--format",
        choices=("auto", "text", "html"),
        default="auto",
        help="input format (default auto: told apart by the content)",
    )
    ln.add_argument(
        "--units",
        action="store_true",
        help="show the body's units as the line-role model saw them instead: number, marker family, the rule "
        "that took it, the model's probability of a problem, whether the record has one there (yes/no), span, "
        "text and the features that weighed most (example: --units)",
    )
    add_max_chars_argument(ln)

    s = sub.add_parser(
        "schema",
        help="print the JSON Schema of the record (or of an output line)",
        description="Print the JSON Schema (draft 2020-12) generated from the record types.",
        epilog="examples:\n  rectify-parse schema > record.schema.json\n"
        "  rectify-parse schema --line > line.schema.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("--line", action="store_true", help="the schema of an output line, record included")
    s.set_defaults(pretty=True)
    add_batch_parser(sub)

    e = sub.add_parser(
        "export",
        help="write the notices, problems, measures, variants and group_variants tables of a batch output as CSV "
        "or Parquet",
        description="Read a batch output (JSONL) and write DIR/notices, DIR/problems, DIR/measures, DIR/variants "
        "and DIR/group_variants (a --dedup run's cross-site differences) as CSV (UTF-8 with BOM) or Parquet "
        "(needs pyarrow: pip install -e '.[parquet]' in a checkout, pip install 'rectify-parse[parquet]' "
        "otherwise). Columns: see the README.",
        epilog="examples:\n  rectify-parse export out.jsonl tables/                 CSV\n"
        "  rectify-parse export out.jsonl --to parquet tables/\n"
        "  rectify-parse export out.jsonl --to parquet --with-text tables/   notices.text: each clean text",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    e.add_argument("output", metavar="OUT.jsonl", help="the JSONL a batch (or parse) wrote")
    e.add_argument(
        "--to",
        choices=FORMATS,
        default="csv",
        help="table format (default csv, which needs no extra and opens in Excel; example: --to parquet)",
    )
    e.add_argument("directory", metavar="DIR", help="where the tables go (created when missing)")
    e.add_argument(
        "--with-text",
        action="store_true",
        help="fill notices.text with each notice's clean text, about the size of the input (empty without it; "
        "example: --with-text)",
    )

    r = sub.add_parser(
        "report",
        help="write one self-contained HTML page on a batch output: totals, problems, copies, groups",
        description="Read a batch output (JSONL, best from --dedup) and write one static HTML page: totals, "
        "problems by status kind and publisher, warnings and errors, and side-by-side views of the pages with "
        "copies and of the near-duplicate groups with every variant highlighted.",
        epilog="examples:\n  rectify-parse report out.jsonl -o report.html\n"
        "  rectify-parse report out.jsonl -o report.html --top 100",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument("output", metavar="OUT.jsonl", help="the JSONL a batch (or parse) wrote")
    r.add_argument("-o", "--out", required=True, metavar="HTML", help="the page to write (example: -o report.html)")
    r.add_argument(
        "--top", type=int, default=TOP, help=f"pages with copies and groups shown side by side (default {TOP})"
    )
    r.add_argument(
        "--members",
        type=int,
        default=MEMBERS,
        help=f"members of a group compared with its representative (default {MEMBERS})",
    )
    return top


# An indented span ([\n 12,\n 34\n]) is put back on one line: a record's spans would fill screens.
_INDENTED_PAIR = re.compile(r"\[\s+(-?\d+),\s+(-?\d+)\s+\]")


def _dump(obj: Any, pretty: bool, out: TextIO) -> None:
    if pretty:
        out.write(_INDENTED_PAIR.sub(r"[\1, \2]", json.dumps(obj, ensure_ascii=False, indent=2)))
    else:
        out.write(json.dumps(obj, ensure_ascii=False))
    out.write("\n")


def _read(name: str, max_chars: int) -> bytes:
    """The bytes of a file, or of standard input for ``-``; a file larger than ``max_chars`` characters can
    take is refused unread, as the batch does."""
    if name == "-":
        return sys.stdin.buffer.read()
    return read_input(Path(name), max_bytes(max_chars))


def _cmd_parse(args: argparse.Namespace, out: TextIO) -> int:
    code = EXIT_OK
    lines: list[dict[str, Any]] = []
    for name in args.files:
        try:
            raw = _read(name, args.max_chars)
            notice = parse(raw, format=args.format, max_chars=args.max_chars)
        except (OSError, RectifyError) as exc:
            line = error_dict(name, type(exc).__name__, str(exc))
            code = EXIT_INPUT_FAILED
        else:
            line = {"id": name, "record": shape_record(notice, args.fields, args.compact)}
            if args.with_source:
                line["source"] = source_text(raw, format=args.format)
        if args.pretty and len(args.files) > 1:
            lines.append(line)  # several files, indented: one JSON array, not objects one after another
        else:
            _dump(line, args.pretty, out)
    if lines:
        _dump(lines, True, out)
    return code


def _failed(command: str, exc: RectifyError) -> int:
    """Print a library error as one line; 1 when the input's content is at fault, 2 for usage."""
    print(f"rectify-parse {command}: error: {exc}", file=sys.stderr)
    return EXIT_INPUT_FAILED if isinstance(exc, InputRecordError) else EXIT_USAGE


def _explained(args: argparse.Namespace, explain: Callable[..., list[Any]]) -> list[Any] | int:
    """``explain``'s rows of the page ``lines`` names, or the exit code of the error that stopped it."""
    try:
        return explain(_read(args.file, args.max_chars), format=args.format, max_chars=args.max_chars)
    except OSError as exc:
        print(f"rectify-parse lines: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RectifyError as exc:
        return _failed("lines", exc)


def _cmd_units(args: argparse.Namespace, out: TextIO) -> int:
    rows = _explained(args, explain_units)
    if isinstance(rows, int):
        return rows
    out.write("unit\tfamily\trule\tprobability\tproblem\tspan\ttext\tweighed\n")
    for row in rows:
        weighed = " ".join(f"{name}:{weight:+.2f}" for name, weight in row.weighed)
        out.write(
            f"{row.number}\t{row.family}\t{row.rule or ''}\t{row.probability:.3f}\t{'yes' if row.problem else 'no'}\t"
            f"{row.span[0]}-{row.span[1]}\t{row.text.replace(chr(9), ' ')}\t{weighed}\n"
        )
    return EXIT_OK


def _cmd_lines(args: argparse.Namespace, out: TextIO) -> int:
    if args.units:
        return _cmd_units(args, out)
    rows = _explained(args, explain_lines)
    if isinstance(rows, int):
        return rows
    out.write("line\tkind\tclass\tform\tlevel\tspan\ttext\tmodel\tchrome\tweighed\n")
    for row in rows:
        kind = f"chrome:{row.rule}" if row.kind == "chrome" else row.kind
        level = "" if row.marker is None else str(row.marker.level)
        text = row.text.replace("\t", " ")
        # The line model's role and its probability, its probability of chrome, what weighed most for the role.
        model = "" if row.role is None else f"{row.role}:{row.probability:.3f}"
        chrome = "" if row.chrome_probability is None else f"{row.chrome_probability:.3f}"
        weighed = " ".join(f"{name}:{weight:+.2f}" for name, weight in row.weighed)
        out.write(
            f"{row.number}\t{kind}\t{row.line_class}\t{row.form or ''}\t{level}\t{row.span[0]}-{row.span[1]}\t{text}"
            f"\t{model}\t{chrome}\t{weighed}\n"
        )
    return EXIT_OK


def _cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    try:
        counts = export(args.output, args.directory, args.to, text=args.with_text)
    except RectifyError as exc:
        return _failed("export", exc)
    out.write(", ".join(f"{name}: {n} rows" for name, n in counts.items()) + f" ({args.to} in {args.directory})\n")
    return EXIT_OK


def _cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    try:
        stats = write_report(args.output, args.out, top=args.top, members=args.members)
    except RectifyError as exc:
        return _failed("report", exc)
    out.write(
        f"{args.out}: {stats.size / 1e6:.2f} MB, {stats.notices:,} notices; side by side: {stats.pages_shown} of "
        f"{stats.pages_with_copies:,} pages with copies, {stats.groups_shown} of {stats.groups:,} groups\n"
    )
    return EXIT_OK


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line with ``argv``; return the exit code (141 when the reader of standard output
    closed it early, ``… | head``, as for a process that SIGPIPE ended)."""
    stream = out if out is not None else sys.stdout
    try:
        return _main(argv, stream)
    except BrokenPipeError:
        if stream is not sys.stdout:
            raise
        return stdout_closed()


def _main(argv: Sequence[str] | None, stream: TextIO) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help, --version and usage errors
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_USAGE
    if args.command == "batch":
        return int(args.handler(args, out=stream))
    if args.command == "export":
        return _cmd_export(args, stream)
    if args.command == "lines":
        return _cmd_lines(args, stream)
    if args.command == "report":
        return _cmd_report(args, stream)
    if args.command == "schema":
        _dump(line_schema() if args.line else record_schema(), True, stream)
        return EXIT_OK
    return _cmd_parse(args, stream)


def main_entry() -> None:
    """Console-script entry point."""
    code = main()
    try:
        sys.stdout.flush()  # what is still buffered: a reader that left after the last write is found here
    except BrokenPipeError:
        code = stdout_closed()
    exit_process(code)
