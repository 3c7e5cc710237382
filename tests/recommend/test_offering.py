"""Issue 9, part 3: where an approach is offered, and "would fit, not offered here"."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

import matchkit as mk
from matchkit.cli import main
from matchkit.errors import ParameterError

CATALOG = mk.load_catalog()

# Fits APP (§3.6.1: long on assistance, step 2), lives in Utrecht.
APP_CLIENT = mk.ClientProfile(
    client_id="utrecht-app",
    age=41,
    municipality="Utrecht",
    months_on_assistance=60,
    participation_ladder=2,
    fully_disabled=False,
    children=2,
    dutch_level="A1",
)
ZAANSTAD_CLIENT = APP_CLIENT.model_copy(
    update={"client_id": "zaanstad", "municipality": "Zaanstad"}
)
UTRECHT_WITHOUT_APP = mk.Offering(by_area={"Utrecht": ["energiebox", "fip", "buurt-mv", "top"]})


def test_without_an_offering_everything_is_offered():
    recs = mk.Recommender(CATALOG).recommend(APP_CLIENT)
    assert all(r.offered for r in recs)
    assert recs[0].approach_id == "app" and recs[0].rank == 1


def test_a_utrecht_client_who_fits_app_gets_it_as_would_fit_not_offered_here():
    rec = mk.Recommender(CATALOG, offering=UTRECHT_WITHOUT_APP)
    recs = rec.recommend(APP_CLIENT, lang="en")
    app = next(r for r in recs if r.approach_id == "app")
    assert app.status == "eligible" and not app.offered and app.rank is None
    assert "not offered here (Utrecht)" in app.reasons[0]
    ranked = [r.approach_id for r in recs if r.rank is not None]
    assert "app" not in ranked
    # Listed after every offered, ranked approach.
    assert recs.index(app) == len(ranked)


def test_the_offering_of_one_municipality_leaves_others_untouched():
    rec = mk.Recommender(CATALOG, offering=UTRECHT_WITHOUT_APP)
    recs = rec.recommend(ZAANSTAD_CLIENT)
    assert recs[0].approach_id == "app" and recs[0].offered


def test_a_default_offering_applies_to_unlisted_and_unknown_municipalities():
    offering = mk.Offering.parse("fip,app")
    assert offering.offered_in("Anywhere") == frozenset({"fip", "app"})
    rec = mk.Recommender(CATALOG, offering=offering)
    batch = rec.recommend_batch(
        [APP_CLIENT, APP_CLIENT.model_copy(update={"client_id": "x", "municipality": None})]
    )
    offered = batch.offered
    ids = batch.approach_ids
    assert offered[:, ids.index("app")].all() and not offered[:, ids.index("energiebox")].any()


def test_not_offered_pairs_are_never_planned_and_are_counted_as_demand():
    rec = mk.Recommender(CATALOG, offering=UTRECHT_WITHOUT_APP)
    batch = rec.recommend_batch([APP_CLIENT, ZAANSTAD_CLIENT])
    plan = mk.plan_assignment(batch, capacity={"app": 5})
    by_client = dict(
        zip(plan.assignments["client_id"], plan.assignments["approach_id"], strict=True)
    )
    assert by_client["utrecht-app"] != "app"
    assert by_client["zaanstad"] == "app"
    pools = mk.candidate_pools(batch, capacity={"app": 5})
    assert pools.summary.loc["app", "not_offered"] == 1
    assert pools.summary.loc["app", "eligible"] == 1
    assert pools.summary.loc["app", "places"] == 5


def test_an_offering_naming_an_unknown_approach_is_a_parameter_error():
    with pytest.raises(ParameterError, match="not in the catalog"):
        mk.Recommender(CATALOG, offering=mk.Offering(default=["fip", "nope"]))


def test_offering_files_are_read_per_municipality_with_a_default(tmp_path):
    path = tmp_path / "offering.yaml"
    path.write_text("Utrecht: [energiebox, fip]\n'*': [fip]\n", encoding="utf-8")
    offering = mk.load_offering(path)
    assert offering.offered_in("utrecht") == frozenset({"energiebox", "fip"})
    assert offering.offered_in("Zaanstad") == frozenset({"fip"})
    bad = tmp_path / "bad.yaml"
    bad.write_text("- fip\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="mapping of municipality"):
        mk.load_offering(bad)


def test_the_catalog_may_say_where_an_approach_is_offered():
    data = CATALOG["app"].model_dump()
    data["offered_in"] = ["Zaanstad"]
    app = mk.Approach.model_validate(data)
    assert app.compile() == []
    catalog = mk.Catalog([app if a.id == "app" else a for a in CATALOG.approaches])
    batch = mk.Recommender(catalog).recommend_batch([APP_CLIENT, ZAANSTAD_CLIENT])
    j = batch.approach_ids.index("app")
    assert batch.offered[:, j].tolist() == [False, True]
    # A user's offering overrides the catalog's.
    batch = mk.Recommender(catalog, offering=mk.Offering.parse("app")).recommend_batch([APP_CLIENT])
    assert batch.offered[0, j]


@pytest.mark.slow
def test_cli_offered_lists_app_apart_in_json_and_table(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(APP_CLIENT.model_dump_json() + "\n", encoding="utf-8")
    offering = tmp_path / "offering.json"
    offering.write_text(json.dumps({"Utrecht": ["fip", "energiebox"]}), encoding="utf-8")
    out = io.StringIO()
    assert (
        main(
            ["recommend", "--clients", str(path), "--format", "json", "--offering", str(offering)],
            out=out,
        )
        == 0
    )
    line = json.loads(out.getvalue())
    assert line["not_offered"][0] == "app" and "fip" not in line["not_offered"]
    app = next(r for r in line["recommendations"] if r["approach_id"] == "app")
    assert app["rank"] is None and app["offered"] is False
    out = io.StringIO()
    assert (
        main(["recommend", "--clients", str(path), "--offered", "fip", "--lang", "nl"], out=out)
        == 0
    )
    text = out.getvalue()
    assert "Zou passen, maar wordt hier niet aangeboden:" in text
    assert text.index("niet aangeboden:") < text.index("Actieplan Poelenburg")


def test_offered_mask_is_vectorised_over_many_clients():
    frame = mk.generate_caseload(2_000, seed=3)
    batch = mk.Recommender(CATALOG, offering=UTRECHT_WITHOUT_APP).recommend_batch(frame)
    municipality = np.asarray(batch.caseload.frame["municipality"].astype(object))
    utrecht = np.array([m == "Utrecht" for m in municipality])
    j = batch.approach_ids.index("app")
    assert not batch.offered[utrecht, j].any()
    assert batch.offered[~utrecht, j].all()
    assert (batch.rank[~batch.offered] == 0).all()
