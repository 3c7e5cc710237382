"""Validation's fast paths against plain references.

List columns are checked per distinct item and equal lists share one list object; typed
columns (Int64, float, boolean, categorical, string) skip the object-column work. Each test
compares the fast path with a plain per-row or object-column reference and fails if a value,
a bad row or an error differs.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matchkit as mk
from matchkit import _caseload
from matchkit._fields import FIELDS
from matchkit._profile import LANGUAGE_CODE_PATTERN
from matchkit._sources import InputOptions
from matchkit._validate import _list, shared_lists, validate_raw


def _item_ok_reference(v: Any, name: str) -> bool:
    spec = FIELDS[name]
    if spec.values:
        return isinstance(v, str) and v in spec.values
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return False
    return LANGUAGE_CODE_PATTERN.fullmatch(str(v)) is not None


def _list_reference(values: list[Any], name: str) -> tuple[list[Any], list[bool]]:
    """One row at a time: the rule of the list fields, as the docs state it."""
    out: list[Any] = []
    bad: list[bool] = []
    for v in values:
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
            bad.append(False)
        elif not isinstance(v, list | tuple | np.ndarray):
            out.append(None)
            bad.append(True)
        elif all(_item_ok_reference(x, name) for x in v):
            out.append(list(v))
            bad.append(False)
        else:
            out.append(None)
            bad.append(True)
    return out, bad


ITEMS = [
    "care",
    "technical",
    "moon",
    "en",
    "nl",
    "EN",
    None,
    float("nan"),
    3,
    b"care",
    np.str_("care"),
    np.str_("en"),
]


def _row(draw: st.DrawFn) -> Any:
    items = draw(st.lists(st.sampled_from(ITEMS), max_size=4))
    how = draw(st.sampled_from(["list", "tuple", "objects", "text", "scalar", "none", "nan"]))
    if how == "list":
        return items
    if how == "tuple":
        return tuple(items)
    if how == "objects":
        arr = np.empty(len(items), dtype=object)
        arr[:] = items
        return arr
    if how == "text":
        return np.array([x for x in items if isinstance(x, str)] or ["care"])
    if how == "scalar":
        return draw(st.sampled_from(["care", 5, 1.5]))
    return None if how == "none" else float("nan")


rows = st.composite(_row)


def _check(values: list[Any], name: str) -> None:
    series = pd.Series([*values, None], dtype=object)[:-1]
    got, bad = _list(series, FIELDS[name], text=False)
    expected, expected_bad = _list_reference(values, name)
    assert bad.tolist() == expected_bad
    for g, e in zip(got.tolist(), expected, strict=True):
        assert (g is None) == (e is None)
        if e is not None:
            assert type(g) is list
            assert g == e
            assert [type(x) for x in g] == [type(x) for x in e]


@settings(max_examples=300, deadline=None)
@given(st.lists(rows(), max_size=12), st.sampled_from(["interests", "other_languages"]))
def test_list_columns_are_checked_as_one_row_at_a_time(values, name):
    _check(values, name)


def test_only_arrays_as_parquet_gives_them():
    values = [np.array(v, dtype=object) for v in (["care"], [], ["care", "moon"], ["technical"])]
    _check([*values, None, values[0]], "interests")
    langs = [np.array(v, dtype=object) for v in (["en"], ["en", "nl"], [], ["EN"])]
    _check(langs * 3, "other_languages")


def test_unhashable_items_fall_back_to_item_by_item():
    _check([["care"], [["care"]], ("care",), [{"a": 1}]], "interests")


def test_long_lists_of_many_distinct_items_each_get_their_own_list():
    codes = [a + b for a in "abcdefghijklmnopqrstuvwxyz" for b in "abcdefghijklmnopqrstuvwxyz"]
    rng = np.random.default_rng(1)
    values = [tuple(rng.choice(codes, size=9)) for _ in range(50)] + [("en",)] * 3
    _check(values, "other_languages")


def test_equal_lists_share_one_list_and_keep_their_items():
    items = np.array(["care", "technical", "care"], dtype=object)
    lists = shared_lists(
        items, np.array([0, 1, 0, 2]), np.array([1, 2, 1, 3]), np.array([0, 1, 0, 0]), 2
    )
    assert lists.tolist() == [["care"], ["technical"], ["care"], ["care"]]
    assert lists[0] is lists[2] is lists[3]


def _with_problems(frame: pd.DataFrame, bad_list: bool = True) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[3, "age"] = 70
    frame.loc[5, "zrm_housing"] = 9
    frame.loc[7, "work_experience_years"] = -1.0
    frame.loc[8, "work_capacity_pct"] = pd.NA
    frame.at[9, "client_id"] = str(frame.at[2, "client_id"])
    frame.loc[11, "children"] = 0
    frame.loc[11, "youngest_child_age"] = 4
    frame["gender"] = frame["gender"].cat.add_categories(["NOPE"])
    frame.loc[12, "gender"] = "NOPE"
    frame.loc[13, "municipality"] = ""
    frame.loc[14, "client_id"] = "has space"
    if bad_list:  # (an error shows a list as it was given: a list, or an array)
        cells = frame["interests"].tolist()
        cells[15] = ["care", "moon"]
        frame["interests"] = pd.Series(cells, index=frame.index, dtype=object)
    return frame


def _objects(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as Python objects (None where missing): the slow, general path."""
    out = {}
    for name in frame.columns:
        col = frame[name]
        cells = col.astype(object).where(col.notna(), None).tolist()
        cells = [v.item() if isinstance(v, np.generic) else v for v in cells]
        cells = [v.tolist() if isinstance(v, np.ndarray) else v for v in cells]
        out[name] = pd.Series(cells, dtype=object)
    return pd.DataFrame(out)


def _validated(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mk.DataQualityWarning)
        caseload, errors = mk.validate_caseload(frame)
    return caseload.frame, [str(e) for e in errors]


def test_typed_columns_validate_as_their_objects_do():
    typed = _with_problems(mk.generate_caseload(400, seed=11).frame)
    fast, fast_errors = _validated(typed)
    slow, slow_errors = _validated(_objects(typed))
    assert len(fast_errors) == 9
    assert fast_errors == slow_errors
    pd.testing.assert_frame_equal(fast, slow)


def test_a_frame_from_parquet_validates_as_its_objects_do(tmp_path):
    path = tmp_path / "c.parquet"
    _with_problems(mk.generate_caseload(300, seed=12).frame, bad_list=False).to_parquet(path)
    from_parquet = pd.read_parquet(path)  # lists as NumPy arrays, masked integers
    fast, fast_errors = _validated(from_parquet)
    slow, slow_errors = _validated(_objects(from_parquet))
    assert fast_errors == slow_errors and len(fast_errors) == 8
    pd.testing.assert_frame_equal(fast, slow)


def test_plain_numpy_columns_validate_as_their_objects_do():
    frame = pd.DataFrame(
        {
            "client_id": [f"c{i}" for i in range(6)],
            "age": np.array([30, 17, 68, 40, 50, 60], dtype=np.int64),
            "children": np.array([0.0, 1.5, np.nan, 2.0, 21.0, 3.0]),
            "work_experience_years": np.array([1, 2, 3, 61, 0, 4], dtype=np.int32),
            "wants_paid_work": np.array([True, False, True, True, False, True]),
        }
    )
    fast, fast_errors = _validated(frame)
    slow, slow_errors = _validated(_objects(frame))
    assert fast_errors == slow_errors and len(fast_errors) == 5
    pd.testing.assert_frame_equal(fast, slow)


def _parquet_reference(path: Path) -> tuple[Any, ...]:
    """The Parquet file read as pd.read_parquet gives it, then validated."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        raw, labels, extra, bad = _caseload._read_flat(path, InputOptions())
        frame, errors = validate_raw(raw, labels, extra, bad, source=str(path))
    return frame, [str(e) for e in errors], [str(w.message) for w in caught]


def _parquet_now(path: Path) -> tuple[Any, ...]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        caseload, errors = mk.validate_caseload(path)
    return caseload.frame, [str(e) for e in errors], [str(w.message) for w in caught]


def test_parquet_lists_read_by_arrow_equal_the_reference(tmp_path):
    frame = mk.generate_caseload(400, seed=13).frame.copy()
    cells = frame["other_languages"].tolist()
    cells[:3] = [None, [], ["en", "nl"]]
    frame["other_languages"] = pd.Series(cells, index=frame.index, dtype=object)
    finances = frame["zrm_finances"].copy()
    finances.iloc[:7] = 5  # the data-quality warning, over five clients
    frame["zrm_finances"] = finances
    path = tmp_path / "c.parquet"
    frame.to_parquet(path)
    with pytest.warns(mk.DataQualityWarning):
        assert _caseload._validate_parquet(path) is not None  # the Arrow path is taken
    fast, expected = _parquet_now(path), _parquet_reference(path)
    pd.testing.assert_frame_equal(fast[0], expected[0], check_exact=True)
    assert fast[1:] == expected[1:] and expected[1] == []
    assert any("zrm_finances" in w for w in expected[2])  # the warning, once, the same


def test_a_parquet_file_with_problems_is_read_by_the_reference(tmp_path):
    path = tmp_path / "c.parquet"
    _with_problems(mk.generate_caseload(300, seed=14).frame, bad_list=False).to_parquet(path)
    assert _caseload._validate_parquet(path) is None
    fast, expected = _parquet_now(path), _parquet_reference(path)
    pd.testing.assert_frame_equal(fast[0], expected[0], check_exact=True)
    assert fast[1:] == expected[1:] and len(expected[1]) == 8
    numbers = pd.DataFrame({"client_id": ["a"], "age": [30], "interests": [[1]]})
    numbers.to_parquet(path)
    assert _caseload._validate_parquet(path) is None
    assert _parquet_now(path)[1] == _parquet_reference(path)[1] != []
