import numpy as np
import pytest

from matchkit.errors import AssignmentError
from matchkit.planning._assignment import assign_greedy, assign_optimal

SCORE = np.full((3, 2), 0.5)
ALLOWED = np.ones((3, 2), bool)
CAPACITY = np.array([1, 2])


def with_nan_at_client_1() -> np.ndarray:
    score = SCORE.copy()
    score[1, 0] = np.nan
    return score


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"score": np.full(3, 0.5)}, r"score must be 2-D .* got shape \(3,\)"),
        ({"score": [["a", "b"]] * 3}, "score must be an array of numbers"),
        ({"score": with_nan_at_client_1()}, r"score\[1, 0\]=nan is not allowed .* \[0, 1\]"),
        ({"score": SCORE + 0.6}, r"score\[0, 0\]=1.1 is not allowed .* and 3 more"),
        ({"allowed": np.ones((3, 3), bool)}, r"allowed must have shape \(3, 2\) .* \(3, 3\)"),
        ({"allowed": np.ones((3, 2), int)}, "allowed must be a boolean array; got dtype int64"),
        (
            {"capacity": [1, 2, 3]},
            r"capacity must have shape \(2,\), one entry per approach .* got shape \(3,\)",
        ),
        ({"capacity": [1, -1]}, r"capacity\[1\]=-1 is not allowed; expected a non-neg"),
        ({"capacity": [1.5, 2.0]}, r"capacity\[0\]=1.5 is not allowed"),
        ({"capacity": [True, False]}, "capacity must hold non-negative integers; got dtype bool"),
        ({"exclude": np.zeros((2, 2), bool)}, r"exclude must have shape \(3, 2\)"),
    ],
    ids=[
        "score 1-D",
        "score not numeric",
        "nan score on an allowed pair",
        "score above 1",
        "allowed shape",
        "allowed dtype",
        "capacity length",
        "negative capacity",
        "fractional capacity",
        "boolean capacity",
        "exclude shape",
    ],
)
@pytest.mark.parametrize("solve", [assign_optimal, assign_greedy])
def test_malformed_inputs_are_reported_with_what_where_and_what_is_allowed(solve, changes, message):
    arguments = {"score": SCORE, "allowed": ALLOWED, "capacity": CAPACITY, "exclude": None}
    arguments |= changes
    with pytest.raises(AssignmentError, match=message):
        solve(**arguments)


@pytest.mark.parametrize(
    ("groups", "min_share", "message"),
    [
        ({}, {"women": 0.5}, r"unknown group\(s\) \['women'\]; known groups: \[\]"),
        ({"w": np.ones(3, bool)}, {"women": 0.5}, r"known groups: \['w'\]"),
        ({"w": np.ones(3, bool)}, {"w": 1.5}, r"min_share\['w'\]=1.5 is not allowed"),
        ({"w": np.ones(3, bool)}, {"w": -0.1}, r"min_share\['w'\]=-0.1 is not allowed"),
        ({"w": np.ones(3, bool)}, {"w": float("nan")}, r"min_share\['w'\]=nan is not allowed"),
        ({"w": np.ones(3, bool)}, {"w": True}, r"min_share\['w'\]=True is not allowed"),
        ({"w": np.ones(4, bool)}, {"w": 0.5}, r"groups\['w'\] must have shape \(3,\)"),
        ({"w": np.ones(3, int)}, {"w": 0.5}, r"groups\['w'\] must be a boolean array"),
    ],
    ids=[
        "no groups",
        "unknown name",
        "share above 1",
        "negative share",
        "nan share",
        "boolean share",
        "group length",
        "group dtype",
    ],
)
def test_malformed_group_requests_are_reported(groups, min_share, message):
    with pytest.raises(AssignmentError, match=message):
        assign_optimal(SCORE, ALLOWED, CAPACITY, groups=groups, min_share=min_share)


def test_a_nan_score_outside_the_allowed_pairs_is_ignored():
    allowed = ALLOWED.copy()
    allowed[1, 0] = False
    plan = assign_optimal(with_nan_at_client_1(), allowed, CAPACITY)
    assert plan.total == pytest.approx(1.5)


def test_assignment_errors_are_value_errors():
    with pytest.raises(ValueError, match="capacity"):
        assign_optimal(SCORE, ALLOWED, [-1, 0])
