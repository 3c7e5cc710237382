"""The learning commands: synth --history, learn, recommend --effects, evaluate --history."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

import matchkit as mk
from matchkit.cli import main

pytestmark = pytest.mark.slow  # fits models on thousands of rows


ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "profiles" / "examples" / "clients.jsonl"


@pytest.fixture(scope="module")
def history_file(tmp_path_factory) -> Path:
    """A synthetic history with one outcome, written by the CLI."""
    path = tmp_path_factory.mktemp("history") / "history.csv"
    out = io.StringIO()
    code = main(["synth", "--n", "4000", "--seed", "3", "--history", "--out", str(path)], out=out)
    assert code == 0
    assert "4000 synthetic clients with approaches and outcomes" in out.getvalue()
    # One outcome only, so naming it leaves nothing unread.
    frame = pd.read_csv(path, dtype=object, keep_default_na=False)
    frame.drop(columns=["ladder_change"]).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def model_file(history_file, tmp_path_factory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("model") / "model.json"
    out = io.StringIO()
    with pytest.warns(mk.errors.MatchkitWarning):  # small history: some rows lack overlap
        code = main(
            [
                "learn",
                "--history",
                str(history_file),
                "--outcome",
                "exit_12m",
                "--folds",
                "3",
                "--out",
                str(path),
            ],
            out=out,
        )
    assert code == 0
    return path, out.getvalue()


def test_synth_history_reads_back(history_file):
    history = mk.read_history(history_file, binary=["exit_12m"], catalog=mk.load_catalog())
    assert len(history) == 4000
    assert history.approach.isna().mean() > 0.5


def test_learn_prints_the_effect_summary_and_saves_a_json_model(model_file):
    path, text = model_file
    assert "Effects on exit_12m against usual care" in text
    for approach in ("fip", "app", "top"):
        assert approach in text
    assert "ate_ci_low" in text
    data = json.loads(path.read_text())  # plain JSON, nothing to execute
    assert data["outcome"] == "exit_12m"
    model = mk.load_effects(path)
    assert "fip" in model.approach_ids_


def test_recommend_with_effects_ranks_by_the_learned_gain(model_file, tmp_path):
    path, _ = model_file
    plain, learned = io.StringIO(), io.StringIO()
    args = ["recommend", "--clients", str(EXAMPLES), "--format", "json"]
    assert main(args, out=plain) == 0
    assert main([*args, "--effects", str(path)], out=learned) == 0
    a = [json.loads(line) for line in plain.getvalue().splitlines()]
    b = [json.loads(line) for line in learned.getvalue().splitlines()]
    assert [r["client_id"] for r in a] == [r["client_id"] for r in b]
    # Rules stay hard: the same status per client and approach.
    status_a = {
        (r["client_id"], x["approach_id"]): x["status"] for r in a for x in r["recommendations"]
    }
    status_b = {
        (r["client_id"], x["approach_id"]): x["status"] for r in b for x in r["recommendations"]
    }
    assert status_a == status_b
    assert a != b  # the scores (and so the ranking or numbers) come from the effects


def test_evaluate_history_compares_the_policies(history_file, tmp_path):
    out = io.StringIO()
    groups = tmp_path / "groups.csv"
    with pytest.warns(mk.errors.MatchkitWarning):
        code = main(
            [
                "evaluate",
                "--history",
                str(history_file),
                "--outcome",
                "exit_12m",
                "--out",
                str(groups),
            ],
            out=out,
        )
    assert code == 0
    text = out.getvalue()
    for policy in ("catalog", "learned", "current practice", "random", "policy tree"):
        assert policy in text
    assert "ci_low" in text
    table = pd.read_csv(groups)
    assert {"gender", "age", "migration_background", "single_parent"} <= set(table["dimension"])


def test_a_missing_outcome_column_exits_2_naming_it(history_file, capsys):
    code = main(
        ["learn", "--history", str(history_file), "--outcome", "exit_6m", "--out", "m.json"]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "exit_6m" in err and "exit_12m" in err


def test_history_without_outcome_is_refused(history_file, capsys):
    code = main(["evaluate", "--history", str(history_file)])
    assert code == 2
    assert "--outcome" in capsys.readouterr().err


def test_learn_refuses_an_unjustified_sensitive_feature(history_file, capsys, tmp_path):
    code = main(
        [
            "learn",
            "--history",
            str(history_file),
            "--outcome",
            "exit_12m",
            "--features",
            "age,gender",
            "--out",
            str(tmp_path / "m.json"),
        ]
    )
    assert code == 2
    assert "gender" in capsys.readouterr().err
    assert not (tmp_path / "m.json").exists()
