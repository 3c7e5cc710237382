"""A rule text is compiled once and reused; errors keep each caller's context."""

from __future__ import annotations

import pytest

from matchkit.errors import RuleError
from matchkit.rules import compile_rule


def test_the_same_text_gives_the_same_compiled_rule():
    a = compile_rule("age <= 64 and wants_paid_work", context="approach a, rules[0] (r)")
    b = compile_rule("age <= 64 and wants_paid_work", context="approach b, rules[3] (s)")
    assert a is b


def test_a_bad_rule_names_each_callers_context_every_time():
    for where in ("approach a, rules[0] (r)", "approach b, target[1] (p)"):
        with pytest.raises(RuleError, match=r"approach [ab]") as exc:
            compile_rule("age <= 'old'", context=where)
        assert where in str(exc.value)


def test_a_sensitive_rule_compiled_with_permission_is_not_reused_without_it():
    assert compile_rule("gender == 'female'", allow_sensitive=True).fields == {"gender"}
    with pytest.raises(RuleError, match="sensitive"):
        compile_rule("gender == 'female'")
