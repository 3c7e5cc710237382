"""Issue 9: the FIP bonus names the pilot subgroup(s) the client fits, not all of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import matchkit as mk
from tests.catalog.test_corrections import rec

BUILTIN = Path(__file__).parents[2] / "profiles" / "approaches"
ALL_NL = ("minimaregelingen", "ontheven", "deeltijdwerk", "15 jaar", "27-45", "kind onder de 4")


def _subgroup_reason(r: mk.Recommendation) -> str:
    (line,) = [x for x in r.reasons if "groep waar" in x or "group the approach" in x]
    return line


def test_a_part_time_earner_is_told_only_about_part_time_work_footnote_12():
    line = _subgroup_reason(rec("fip", "nl", age=50, part_time_income_eur=3000.0))
    assert "inkomsten uit deeltijdwerk" in line
    assert [w for w in ALL_NL if w in line] == ["deeltijdwerk"]
    assert "footnote" not in line and "voetnoot" not in line


def test_a_client_in_several_subgroups_hears_each_of_them_footnote_12():
    r = rec("fip", "en", age=35, part_time_income_eur=3000.0, uses_minimum_schemes=False)
    line = _subgroup_reason(r)
    assert "not using minimum-income schemes" in line
    assert "income from part-time work" in line
    assert "aged 27-45 with 50-100% work capacity" in line
    assert "over 60" not in line and "child under 4" not in line


def test_a_client_in_no_subgroup_gets_no_subgroup_line_footnote_12():
    r = rec("fip", "nl", age=50)
    assert not [x for x in r.reasons if "groep waar" in x]


def _fip() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((BUILTIN / "fip.yaml").read_text("utf-8"))
    return data


def _entry(data: dict[str, Any]) -> dict[str, Any]:
    return next(t for t in data["target"] if t["id"] == "pilot-subgroups")


def test_subgroups_that_do_not_add_up_to_the_rule_are_an_error():
    data = _fip()
    _entry(data)["subgroups"].pop()
    with pytest.raises(ValueError, match="do not add up"):
        mk.Approach.model_validate(data)


def test_a_subgroup_rule_that_does_not_parse_is_an_error_naming_it(tmp_path):
    data = _fip()
    _entry(data)["subgroups"][0]["rule"] = "shoe_size > 3"
    (tmp_path / "fip.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(mk.CatalogError, match=r"subgroups\[0\].*shoe_size"):
        mk.load_catalog(tmp_path)


def test_subgroups_need_a_rule_shaped_entry():
    data = _fip()
    entry = next(t for t in data["target"] if t["id"] == "problems-in-several-domains")
    entry["subgroups"] = [{"rule": "age > 3", "label": {"nl": "x", "en": "x"}}]
    with pytest.raises(ValueError, match="subgroups"):
        mk.Approach.model_validate(data)
