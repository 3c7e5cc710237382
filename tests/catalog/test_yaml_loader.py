"""The catalog YAML loader gives the same values and errors through libyaml as in pure Python."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from matchkit import _yaml
from matchkit._yaml import YamlLimitError, load_yaml

APPROACHES = Path(__file__).resolve().parents[2] / "profiles/approaches"

needs_libyaml = pytest.mark.skipif(_yaml._FastLoader is None, reason="PyYAML without libyaml")

ODD_DOCUMENTS = [
    "a: 1\nb: [1, 2.5, .inf, -.inf, null, ~, true, no, on]\nc: '0x10'\nd: 0x10\ne: 1_000\n",
    "when: 2024-01-05\nat: 2024-01-05 10:00:00\nsix: 1:20\n",
    "base: &b {x: 1, y: [a, b]}\nsame: *b\nagain: *b\n",
    'text: |\n  line one\n  line two\nfolded: >\n  a\n  b\nquoted: "\\u00e9\\t"\n',
    "tagged: !!str 12\nbinary: !!binary aGVsbG8=\nset: !!set {a, b}\n",
    "",
    "# only a comment\n",
    "- 1\n- - 2\n  - {k: v}\n",
    "1: a\ntrue: b\n~: c\n2.5: d\n'1': e\n",
    "=: a\nx: !!python/none ''\n",
    "? [a, b]\n: c\n",
    "a: !local x\n",
    "---\na: 1\n...\n",
]


def _pure(text: str) -> object:
    return _yaml._load(_yaml._BoundedLoader(text))


def _outcome(load, text: str) -> tuple[object, ...]:
    try:
        return ("value", load(text))
    except yaml.YAMLError as exc:
        return ("error", type(exc).__name__, str(exc))


@needs_libyaml
@pytest.mark.parametrize("text", ODD_DOCUMENTS)
def test_the_c_parser_path_builds_or_refuses_what_the_python_parser_does(text):
    assert _outcome(load_yaml, text) == _outcome(_pure, text)


@needs_libyaml
def test_generated_approach_files_are_built_straight_from_events_with_the_same_values(tmp_path):
    from matchkit.synth._catalog import _approach

    rng = np.random.default_rng(3)
    for i in range(40):
        text = yaml.safe_dump(_approach(i, rng), allow_unicode=True, sort_keys=False)
        plain = _yaml._plain_document(text)
        assert plain is not _yaml._NOT_PLAIN
        assert plain == _pure(text) == yaml.safe_load(text)


@needs_libyaml
@pytest.mark.parametrize(
    "text",
    ["a: &x 1\nb: *x\n", "a: !!str 1\n", "<<: {a: 1}\n", "? [a]\n: b\n", "a: 1\na: 2\n"],
)
def test_documents_that_are_not_plain_are_left_to_the_composer(text):
    assert _yaml._plain_document(text) is _yaml._NOT_PLAIN


@needs_libyaml
def test_every_built_in_approach_file_loads_the_same_through_both_parsers():
    files = sorted(APPROACHES.glob("*.yaml"))
    assert files
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert load_yaml(text) == _pure(text) == yaml.safe_load(text)


@needs_libyaml
@pytest.mark.parametrize(
    "text",
    [
        "a: [1, 2\nb: 3\n",
        "b: &b {x: 1}\nm:\n  <<: *b\n",
        "a: b: c\n",
        "key: 'unclosed\n",
        "- a\nb: c\n",
        "a:\n\t- b\n",
    ],
)
def test_a_syntax_error_is_reported_in_the_python_parsers_words(text):
    with pytest.raises(yaml.YAMLError) as fast:
        load_yaml(text)
    with pytest.raises(yaml.YAMLError) as pure:
        _pure(text)
    assert str(fast.value) == str(pure.value)


@needs_libyaml
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\na: 2\n", "duplicate key"),
        ("[" * 40 + "]" * 40, "nested more than"),
        ("a: &a [*a]\n", "containing itself"),
    ],
)
def test_the_limits_hold_on_the_c_parser_path(text, message):
    with pytest.raises(YamlLimitError, match=message):
        _yaml._load(_yaml._FastLoader(text))


@needs_libyaml
def test_scalars_built_once_and_shared_keep_their_quoting_and_types():
    # Built scalars are cached by text and quoting across files: a quoted '1' stays a string
    # and a plain 1 an integer, however often and in whichever order they come.
    _yaml._SCALAR_CACHE.clear()
    text = "a: '1'\nb: 1\nc: 'true'\nd: true\ne: '1'\nf: 1\ng: 2024-01-05\nh: '2024-01-05'\n"
    for _ in range(3):
        got = load_yaml(text)
        assert got == _pure(text) == yaml.safe_load(text)
        pure = _pure(text)
        assert isinstance(got, dict) and isinstance(pure, dict)
        assert [type(v) for v in got.values()] == [type(v) for v in pure.values()]
    assert ("1", (False, True)) in _yaml._SCALAR_CACHE
    assert ("1", (True, False)) in _yaml._SCALAR_CACHE


def test_the_scalar_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(_yaml, "_SCALAR_CACHE_SIZE", 5)
    _yaml._SCALAR_CACHE.clear()
    text = "".join(f"k{i}: v{i}\n" for i in range(20))
    assert load_yaml(text) == yaml.safe_load(text)
    assert len(_yaml._SCALAR_CACHE) <= 5
