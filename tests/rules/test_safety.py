"""Rules are data: nothing in a rule is executed, and the implementation has no way to."""

from __future__ import annotations

import builtins
import doctest
import importlib
import os
import tokenize
from pathlib import Path

import pytest

import matchkit.rules
from matchkit.errors import RuleSyntaxError, UnknownFieldError
from matchkit.rules import ArraySource, compile_rule, parse_rule

PACKAGE = Path(matchkit.rules.__file__).parent
MODULES = sorted(path.stem for path in PACKAGE.glob("*.py"))

SYNTAX_PAYLOADS = [
    "__import__('os').system('x')",
    "().__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "age == __import__('os')",
    "exec('1')",
    "eval('1') == 1",
    "open('/etc/passwd')",
    "lambda: 1",
    "[c for c in ()]",
    "age; import os",
    "age == 1 if True else 2",
    "age == 50 or __import__('os').system('touch pwned')",
    "age == (1).real",
    "age @ 5",
    "f'{age}'",
    "age == 1_000",
    "age == 0x10",
    "age == 1e3",
    "age == None",
    "age\\\n > 5",
]
FIELD_PAYLOADS = ["age.__class__", "__builtins__", "os.system", "self"]


@pytest.mark.parametrize("text", SYNTAX_PAYLOADS)
def test_python_code_is_a_syntax_error(text):
    with pytest.raises(RuleSyntaxError):
        parse_rule(text)


@pytest.mark.parametrize("text", FIELD_PAYLOADS)
def test_python_names_are_unknown_fields(text):
    with pytest.raises(UnknownFieldError):
        compile_rule(text)


def test_parsing_compiling_and_evaluating_call_nothing_dynamic(monkeypatch):
    calls = []

    def record(name):
        return lambda *args, **kwargs: calls.append(name)

    for name in ("eval", "exec"):
        monkeypatch.setattr(builtins, name, record(name))
    monkeypatch.setattr(os, "system", record("os.system"))
    for text in SYNTAX_PAYLOADS:
        with pytest.raises(RuleSyntaxError):
            parse_rule(text)
    rule = compile_rule("(age >= 50 or zrm.housing < 3) and interests contains 'care'")
    rule.evaluate(ArraySource({"age": [60], "zrm_housing": [2], "interests": [["care"]]}))
    assert calls == []


FORBIDDEN = {
    "eval",
    "exec",
    "compile",
    "literal_eval",
    "__import__",
    "getattr",
    "globals",
    "locals",
    "vars",
    "query",
}


@pytest.mark.parametrize("module", MODULES)
def test_the_implementation_names_no_dynamic_execution(module):
    with tokenize.open(PACKAGE / f"{module}.py") as source:
        names = {
            tok.string
            for tok in tokenize.generate_tokens(source.readline)
            if tok.type == tokenize.NAME
        }
    assert not names & FORBIDDEN


@pytest.mark.parametrize(
    "module", ["", "._compile", "._flat", "._parser", "._printer", "._source", "._tri"]
)
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module("matchkit.rules" + module))
    assert result.attempted > 0
    assert result.failed == 0
