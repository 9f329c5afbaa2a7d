"""Read YAML while remembering the line on which every key and list item stands.

Validation errors must name the file, the line and the field; PyYAML's composed node
tree carries the marks, so we build plain Python data from it and keep a side table
from each path (a tuple of keys and list indexes) to its 1-based line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]
#: libyaml's parser when PyYAML was built with it (several times faster), else pure Python.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlProblem:
    """Something wrong found while reading the YAML text itself."""

    line: int
    path: PathKey
    message: str


@dataclass
class YamlDocument:
    """Data read from one YAML file, with the line of every path in it."""

    file: Path
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)

    def line_of(self, path: PathKey) -> int:
        """The line of `path`, or of its nearest ancestor present in the file."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), 1)


def read_yaml(file: Path) -> YamlDocument:
    """Parse `file`; syntax errors and duplicate keys become problems, not exceptions."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        doc = YamlDocument(file=file, data=None)
        doc.problems.append(YamlProblem(1, (), f"not UTF-8 text ({exc.reason})"))
        return doc
    return parse_yaml(text, file)


def parse_yaml(text: str, file: Path) -> YamlDocument:
    doc = YamlDocument(file=file, data=None)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            doc.problems.append(YamlProblem(1, (), "the file is empty"))
            return doc
        doc.lines[()] = node.start_mark.line + 1
        doc.data = _build(loader, node, (), doc)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        doc.problems.append(YamlProblem(line, (), f"YAML syntax: {exc.problem or exc}"))
        doc.data = None
    finally:
        loader.dispose()
    return doc


def _build(loader: Any, node: yaml.Node, path: PathKey, doc: YamlDocument) -> Any:
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                doc.problems.append(
                    YamlProblem(key_node.start_mark.line + 1, path, "a key must be a scalar")
                )
                continue
            child_key: str | int = key if isinstance(key, str) else str(key)
            child = (*path, child_key)
            line = key_node.start_mark.line + 1
            if child_key in result:
                doc.problems.append(
                    YamlProblem(line, child, f"duplicate key '{child_key}' (first on line "
                                f"{doc.lines[child]})")
                )
                continue
            doc.lines[child] = line
            result[child_key] = _build(loader, value_node, child, doc)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            doc.lines[child] = item.start_mark.line + 1
            items.append(_build(loader, item, child, doc))
        return items
    return loader.construct_object(node, deep=True)
