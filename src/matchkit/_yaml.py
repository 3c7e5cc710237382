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
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
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
            plain = _plain_document(text)
            if plain is not _NOT_PLAIN:
                return plain
            return _load(_FastLoader(text))
        except YamlLimitError:
            raise
        except yaml.YAMLError:
            pass  # reported below in the pure-Python parser's words
    return _load(_BoundedLoader(text))


_NOT_PLAIN: Final = object()
"""What :func:`_plain_document` returns for a document it leaves to the composer."""

_STR_TAG: Final = "tag:yaml.org,2002:str"


class _Scalars(SafeConstructor, Resolver):
    """Resolves and builds plain scalars as the safe loader does (it keeps no state)."""


_SCALARS: Final = _Scalars()


def _plain_document(text: str) -> Any:
    """Build a plain document straight from libyaml's events, without composing nodes.

    Plain means: one document of mappings, lists and scalars without anchors, aliases,
    explicit tags, merge keys or keys that are lists or mappings, within the limits and
    without a repeated key; what every approach file is. The values are those the safe
    loader builds (each scalar resolved and constructed by PyYAML's own resolver and safe
    constructor). Anything else, and every error, returns :data:`_NOT_PLAIN`, so the
    composer builds it or reports it, as before.
    """
    parser = _CParser(text)
    try:
        return _build_plain(parser)
    except yaml.YAMLError:
        return _NOT_PLAIN
    finally:
        parser.dispose()


def _build_plain(parser: Any) -> Any:
    get = parser.get_event
    get()  # StreamStartEvent
    event = get()
    if isinstance(event, yaml.StreamEndEvent):
        return None
    constructors = _SCALARS.yaml_constructors
    scalars = _SCALAR_CACHE
    # Each open container: [the list or dict, the pending key or _NOT_PLAIN].
    stack: list[list[Any]] = []
    nodes = 0
    root: Any = _NOT_PLAIN
    while True:
        event = get()
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                return _NOT_PLAIN
            key = (event.value, event.implicit)
            value: Any = scalars.get(key, _NOT_PLAIN)
            if value is _NOT_PLAIN:
                value = _scalar(event, constructors)
                if value is _NOT_PLAIN:  # a merge key "<<" or a value key "="
                    return _NOT_PLAIN
                if len(scalars) >= _SCALAR_CACHE_SIZE:
                    scalars.clear()
                scalars[key] = value
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.anchor is not None or event.tag is not None or len(stack) >= MAX_DEPTH:
                return _NOT_PLAIN
            nodes += 1
            stack.append([{} if kind is yaml.MappingStartEvent else [], _NOT_PLAIN])
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            value = stack.pop()[0]
        elif kind is yaml.DocumentEndEvent:
            break
        else:  # an alias
            return _NOT_PLAIN
        nodes += 1
        if nodes > MAX_NODES:
            return _NOT_PLAIN
        if not stack:
            root = value
            continue
        top = stack[-1]
        container = top[0]
        if type(container) is list:
            container.append(value)
        elif top[1] is _NOT_PLAIN:
            if isinstance(value, list | dict) or value in container:
                return _NOT_PLAIN
            top[1] = value
        else:
            container[top[1]] = value
            top[1] = _NOT_PLAIN
    if not isinstance(get(), yaml.StreamEndEvent):
        return _NOT_PLAIN  # more than one document: the composer says so
    return root


_SCALAR_CACHE: dict[tuple[str, Any], Any] = {}
"""Built scalars by (text, implicit flags), shared across files: catalogs repeat keys and values.

Every value the safe constructor builds from an untagged scalar (None, bool, int, float, str,
bytes, date, datetime) is immutable, so one object can stand for every occurrence."""

_SCALAR_CACHE_SIZE: Final = 50_000


def _scalar(event: Any, constructors: dict[Any, Any]) -> Any:
    """Build one untagged scalar as the safe loader does, or return :data:`_NOT_PLAIN`."""
    tag = _SCALARS.resolve(ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
    if tag == _STR_TAG:
        return event.value
    if tag in constructors:
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        return constructors[tag](_SCALARS, node)
    return _NOT_PLAIN


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
