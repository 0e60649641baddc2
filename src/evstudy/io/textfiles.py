"""Reading UTF-8 text and YAML files with errors that say where and how to fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from evstudy.errors import InputError

__all__ = ["entry_lines", "load_yaml", "read_utf8"]


def read_utf8(path: Path, name: str, *, fix: str = "re-save it as UTF-8 in a text editor") -> str:
    """The text of ``path`` (a byte-order mark is allowed), or an InputError naming the line.

    Parameters
    ----------
    path : Path
        The file.
    name : str
        How messages name the file.
    fix : str
        What to tell the user when the file is not UTF-8.
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(
            name, "", "the file does not exist", "check the path and the file name"
        ) from None
    except OSError as exc:
        raise InputError(
            name, "", f"the file cannot be read ({exc.strerror or exc})", "check the path"
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(name, f"line {line}", "the file is not UTF-8 text", fix) from None


def load_yaml(path: Path, name: str) -> tuple[Any, yaml.Node | None]:
    """The parsed YAML and its node tree (the tree gives line numbers for messages)."""
    text = read_utf8(path, name)
    try:
        return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        # Where the broken construct began (an unclosed bracket) beats where parsing gave up.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "the YAML cannot be parsed"
        raise InputError(
            name, where, f"it is not valid YAML ({problem})", "fix the syntax"
        ) from None
    except RecursionError:  # PyYAML's parser recurses once per level of nesting
        raise InputError(
            name,
            "",
            "the YAML nests lists or mappings too deeply to read (unclosed brackets?)",
            "fix the syntax: every [ and { needs its closing ] or }",
        ) from None


def entry_lines(tree: yaml.Node | None, key: str) -> list[int]:
    """The 1-based line of each entry of the top-level ``key`` list, for messages.

    Parameters
    ----------
    tree : yaml.Node or None
        The node tree :func:`load_yaml` returns.
    key : str
        The top-level key whose list is wanted ("overrides", "recommendations").

    Returns
    -------
    list of int
        One line per entry; empty when the file has no such list.
    """
    if not isinstance(tree, yaml.MappingNode):
        return []
    for name, value in tree.value:
        if getattr(name, "value", None) == key and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []
