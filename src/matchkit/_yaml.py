"""A bounded, strict YAML loader for catalog files.

``yaml.safe_load`` builds no Python objects from tags, but a 6 KB "billion laughs" file of
aliases repeating aliases expands to billions of values as soon as anything walks it (a
validator, an error message), deep nesting recurses without limit, and of two equal keys the
last wins without a word. This loader refuses all three before the document is built: an
approach file expands to a few hundred values, nests a few levels deep and never repeats a
key. Plain aliases, as ``yaml.safe_dump`` writes for shared values, stay allowed.

Scanning and parsing (most of the work) run in libyaml's C parser when PyYAML has it; the
document is still composed by PyYAML's Python composer, so the limits above apply the same
way. A text the C parser refuses is parsed again by the pure-Python parser, so a problem is
reported in PyYAML's own words whichever parser is installed.
"""

from __future__ import annotations

import importlib
from typing import Any, Final

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, SequenceNode
from yaml.resolver import Resolver

__all__ = ["MAX_DEPTH", "MAX_NODES", "YamlLimitError", "load_yaml"]

MAX_DEPTH: Final = 32
"""Deepest nesting of mappings and lists allowed in a catalog file."""

MAX_NODES: Final = 100_000
"""Most YAML nodes (scalars, lists, mappings) allowed in one catalog file."""


class YamlLimitError(yaml.YAMLError):
    """A YAML document this loader refuses: too large once expanded, too deep, duplicate keys."""


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses deep documents and duplicate keys (size is checked after)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        nested = self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent)
        if nested:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise YamlLimitError(
                    f"line {event.start_mark.line + 1}: nested more than {MAX_DEPTH} levels deep"
                )
        try:
            return super().compose_node(parent, index)
        finally:
            if nested:
                self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key; the base class reports it
                break
            if duplicate:
                raise YamlLimitError(
                    f"line {key_node.start_mark.line + 1}: duplicate key {str(key)[:80]!r}"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_CParser: Any = getattr(importlib.import_module("yaml.cyaml"), "CParser", None)


def _fast_loader() -> Any:
    """Return the bounded loader over libyaml's C parser (None when PyYAML has no libyaml)."""
    if _CParser is None:  # pragma: no cover - PyYAML built without libyaml
        return None

    class FastLoader(_CParser, _BoundedLoader):  # type: ignore[misc]
        # Events come from the C parser (first in the order); nodes are composed by
        # PyYAML's Python composer, through _BoundedLoader.compose_node and its limits,
        # and built by the safe constructor, through _BoundedLoader.construct_mapping.
        get_single_node = Composer.get_single_node
        check_node = Composer.check_node
        get_node = Composer.get_node

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            Composer.__init__(self)
            self._depth = 0

    return FastLoader


_FastLoader: Any = _fast_loader()


def load_yaml(text: str) -> Any:
    """Parse one YAML document with the limits of this module.

    Raises
    ------
    yaml.YAMLError
        For invalid YAML, and (as :class:`YamlLimitError`) for nesting deeper than
        :data:`MAX_DEPTH`, more than :data:`MAX_NODES` values once aliases are expanded, an
        alias cycle, or a repeated key.
    """
    if _FastLoader is not None:
        try:
            return _load(_FastLoader(text))
        except YamlLimitError:
            raise
        except yaml.YAMLError:
            pass  # reported below in the pure-Python parser's words
    return _load(_BoundedLoader(text))


def _load(loader: Any) -> Any:
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_size(root: Node) -> None:
    """Refuse a document whose aliases expand it past :data:`MAX_NODES` or into a cycle.

    An alias is a reference to a node composed once, so a "billion laughs" file is small
    until something walks it; its expanded size is counted here, once per distinct node.
    """
    size: dict[int, int] = {}
    active: set[int] = set()

    def expanded(node: Node) -> int:
        key = id(node)
        if key in size:
            return size[key]
        if key in active:
            raise YamlLimitError(
                f"line {node.start_mark.line + 1}: an alias refers to a value containing itself"
            )
        active.add(key)
        total = 1
        if isinstance(node, MappingNode):
            for k, v in node.value:
                total += expanded(k) + expanded(v)
                if total > MAX_NODES:
                    break
        elif isinstance(node, SequenceNode):
            for item in node.value:
                total += expanded(item)
                if total > MAX_NODES:
                    break
        active.discard(key)
        if total > MAX_NODES:
            raise YamlLimitError(
                f"line {node.start_mark.line + 1}: expands to more than {MAX_NODES:,} values "
                "(aliases repeating aliases); a catalog file is far smaller"
            )
        size[key] = total
        return total

    expanded(root)
