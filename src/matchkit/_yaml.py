"""A bounded, strict YAML loader for catalog files.

``yaml.safe_load`` builds no Python objects from tags, but it still expands aliases (a 6 KB
"billion laughs" file grows to gigabytes), recurses without limit on deep nesting, and keeps
the last of two equal keys without a word. This loader refuses all three before any large
value exists: an approach file needs no anchors or aliases, nests a few levels deep and never
repeats a key.
"""

from __future__ import annotations

from typing import Any, Final

import yaml
from yaml.nodes import MappingNode, Node

__all__ = ["MAX_DEPTH", "MAX_NODES", "YamlLimitError", "load_yaml"]

MAX_DEPTH: Final = 32
"""Deepest nesting of mappings and lists allowed in a catalog file."""

MAX_NODES: Final = 100_000
"""Most YAML nodes (scalars, lists, mappings) allowed in one catalog file."""


class YamlLimitError(yaml.YAMLError):
    """A YAML document this loader refuses: aliases, deep nesting, duplicate keys, size."""


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and anchors, deep or huge documents, duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise YamlLimitError(
                f"line {event.start_mark.line + 1}: aliases (*name) are not allowed in a catalog"
            )
        event = self.peek_event()  # type: ignore[no-untyped-call]
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise YamlLimitError(
                f"line {event.start_mark.line + 1}: anchors (&name) are not allowed in a catalog"
            )
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise YamlLimitError(f"more than {MAX_NODES:,} values; a catalog file is far smaller")
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


def load_yaml(text: str) -> Any:
    """Parse one YAML document with the limits of this module.

    Raises
    ------
    yaml.YAMLError
        For invalid YAML, and (as :class:`YamlLimitError`) for aliases, anchors, nesting
        deeper than :data:`MAX_DEPTH`, more than :data:`MAX_NODES` values or a repeated key.
    """
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
