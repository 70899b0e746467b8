"""JSON Schema of the record, generated from the record dataclasses (never written by hand).

``python -m rectify_parse.schema`` prints it; ``rectify-parse schema`` does the same. The field
documentation in records.py becomes each property's ``description``.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from typing import Any, Literal, Union

from . import records
from .records import SCHEMA_VERSION, Notice

_PRIMITIVES: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
}


def _type_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if tp in _PRIMITIVES:
        return dict(_PRIMITIVES[tp])
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (Union, types.UnionType):
        return {"anyOf": [_type_schema(a, defs) for a in args]}
    if origin is Literal:
        return {"enum": list(args)}
    if origin is list:
        return {"type": "array", "items": _type_schema(args[0], defs)}
    if origin is tuple:
        # Spans: two non-negative integers.
        return {
            "type": "array",
            "prefixItems": [_type_schema(a, defs) for a in args],
            "minItems": len(args),
            "maxItems": len(args),
            "items": False,
        }
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(args[1], defs)}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion (Section holds Sections)
            defs[name] = _object_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON Schema mapping for {tp!r}")


def _object_schema(cls: Any, defs: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls, vars(records))
    props: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        prop = _type_schema(hints[f.name], defs)
        if "doc" in f.metadata:
            prop["description"] = f.metadata["doc"]
        props[f.name] = prop
    return {
        "type": "object",
        "description": (cls.__doc__ or "").strip().splitlines()[0],
        "properties": props,
        "required": [f.name for f in dataclasses.fields(cls)],
        "additionalProperties": False,
    }


def record_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every ``Notice.to_dict()`` validates against."""
    defs: dict[str, Any] = {}
    root = _object_schema(Notice, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"rectify_parse/record/{SCHEMA_VERSION}",
        "title": "rectify_parse notice record",
        **root,
        "$defs": defs,
    }


def line_schema() -> dict[str, Any]:
    """The JSON Schema of one output object of ``batch``, ``parse`` and ``parse_many``: ``{"id", "record"}``
    or ``{"id", "error"}``, with ``near_duplicate_of``, ``group``, ``same_template_as``, ``script`` and
    ``rewritten`` under ``--dedup`` and ``source`` under
    ``parse --with-source``. The record part is :func:`record_schema`."""
    record = record_schema()
    defs = record.pop("$defs")
    defs["Notice"] = {k: v for k, v in record.items() if k not in ("$schema", "$id", "title")}
    common: dict[str, Any] = {
        "id": {"type": "string", "description": "The input's id: its path, or the JSONL line's id field."},
        "near_duplicate_of": {
            "anyOf": [{"type": "string"}, {"type": "null"}],
            "description": "(--dedup) The id of the representative of the input's near-duplicate group; "
            "null for the representative itself and for inputs in no group.",
        },
        "group": {
            "anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}],
            "description": "(--dedup) Index of the input's group in the summary's groups; null when in none.",
        },
        "same_template_as": {
            "anyOf": [
                {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string", "description": "The representative it was kept apart from."},
                        "differs": {
                            "type": "array",
                            "items": {"enum": ["doc_number", "title", "signature", "date"]},
                            "description": "The identity fields that disagree.",
                        },
                    },
                    "required": ["id", "differs"],
                    "additionalProperties": False,
                },
                {"type": "null"},
            ],
            "description": "(--dedup) A template sibling: the input is as alike as a copy to a group's "
            "representative, but its identity fields disagree, so it is another document and stays out of "
            "that group; null otherwise.",
        },
        "script": {
            "anyOf": [{"enum": ["simplified", "traditional", "mixed"]}, {"type": "null"}],
            "description": "(--dedup) The script the input's text is written in; null when it does not tell "
            "or the input gave no record.",
        },
        "rewritten": {
            "anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, {"type": "null"}],
            "description": "(--dedup) For a synonym-rewritten copy in a group: the share of the "
            "representative's words changed; null otherwise.",
        },
        "source": {
            "type": "string",
            "description": "(parse --with-source) The text spans index: the decoded input, or the text "
            "extracted from an HTML page.",
        },
    }
    error = {
        "type": "object",
        "description": "Why the input gave no record.",
        "properties": {
            "type": {"type": "string", "description": "The error's type, e.g. DecodeError, InputRecordError."},
            "message": {"type": "string", "description": "What went wrong, naming the input."},
        },
        "required": ["type", "message"],
        "additionalProperties": False,
    }
    variants = [("record", {"$ref": "#/$defs/Notice"}), ("error", error)]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"rectify_parse/line/{SCHEMA_VERSION}",
        "title": "rectify_parse output line",
        "oneOf": [
            {
                "type": "object",
                "properties": {"id": common["id"], key: value, **{k: common[k] for k in common if k != "id"}},
                "required": ["id", key],
                "additionalProperties": False,
            }
            for key, value in variants
        ],
        "$defs": defs,
    }


def main() -> None:
    print(json.dumps(record_schema(), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
