"""Bytes to a checked shape: size, UTF-8, NUL, nesting, duplicate keys, then pydantic."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from .schema import (
    FORMAT,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_PROBLEMS,
    VERSION,
    ClientFile,
    TransferError,
    show,
)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {show(key)} appears twice in one object")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _where(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":  # pydantic's mark for a dictionary key that is wrong
            out += " (key)"
        else:
            out += f".{part}" if out else part
    return out or "the file"


def parse(raw: bytes) -> Any:
    """Bytes to JSON values, refusing what is too big, not UTF-8, or not plain JSON."""
    if len(raw) > MAX_FILE_BYTES:
        raise TransferError([f"the file is {len(raw) / 2**20:.1f} MiB; at most "
                             f"{MAX_FILE_BYTES / 2**20:g} MiB can be imported"])
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    if not raw or raw.isspace():
        raise TransferError(["the file is empty"])
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise TransferError([f"the file contains a NUL byte (at byte {nul}): it is not a "
                             "JSON text file"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TransferError([f"the file is not UTF-8 text (invalid byte at position "
                             f"{exc.start})"]) from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except RecursionError:
        raise TransferError([f"the file nests deeper than the format ({MAX_DEPTH} levels)"]
                            ) from None
    except json.JSONDecodeError as exc:
        raise TransferError([f"not valid JSON: {exc.msg} (line {exc.lineno}, column "
                             f"{exc.colno})"]) from None
    except ValueError as exc:
        raise TransferError([f"not valid JSON: {exc}"]) from None


def _check_values(data: Any) -> list[str]:
    """Nesting depth, and text that cannot be stored: NUL characters, lone surrogates."""
    problems: list[str] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack and len(problems) < MAX_PROBLEMS:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            problems.append(f"{_where(path)}: nested deeper than the format allows")
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                problems.extend(f"{_where(path)}: a key {p}" for p in _bad_text(key))
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(value))
        elif isinstance(value, str):
            problems.extend(f"{_where(path)}: {p}" for p in _bad_text(value))
    return problems


def _bad_text(text: str) -> list[str]:
    if "\x00" in text:
        return ["contains a NUL character"]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return ["contains a lone surrogate (not a character)"]
    return []


def shape(data: Any) -> ClientFile:
    if not isinstance(data, dict):
        raise TransferError([f"the file holds a JSON {type(data).__name__}, not an object: "
                             "it is not a crm-maturity client file"])
    if data.get("format") != FORMAT:
        raise TransferError([f"format: {show(data.get('format'))} is not '{FORMAT}': this is "
                             "not a crm-maturity client file"])
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        raise TransferError([f"version: {version} comes from a newer crm-maturity; this one "
                             f"reads version {VERSION}"])
    problems = _check_values(data)
    if problems:
        raise TransferError(problems)
    try:
        return ClientFile.model_validate(data)
    except PydanticValidationError as exc:
        raise TransferError([_pydantic_problem(e) for e in exc.errors()]) from None


def _pydantic_problem(error: Any) -> str:
    where = _where(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{where}: unknown field (not part of the format)"
    if kind == "missing":
        return f"{where}: missing"
    message = str(error["msg"])
    if kind in ("literal_error", "string_pattern_mismatch", "string_type", "int_type",
                "bool_type", "list_type", "dict_type", "model_type"):
        message += f", not {show(error.get('input'))}"
    return f"{where}: {message}"
