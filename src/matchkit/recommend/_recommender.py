"""Recommender: hard rules and target-profile similarity, ranked and explained.

There is one path: :meth:`Recommender.recommend` builds a caseload of one client and calls
:meth:`Recommender.recommend_batch`. A :class:`BatchResult` stays columnar (status, score and
rule-state codes per client and approach); reasons are rendered only for the rows asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchkit._caseload import Caseload, read_caseload
from matchkit._catalog import Approach, Catalog
from matchkit._check import check_bool, check_instance, check_int, check_lang
from matchkit._columns import CaseloadColumns
from matchkit._display import summary_html, summary_text
from matchkit._fields import DERIVED_FROM, FIELDS, STORED_FIELDS, Kind
from matchkit._offering import Offering, offered_mask
from matchkit._profile import ClientProfile
from matchkit._sources import is_arrow_like
from matchkit._text import clip_repr
from matchkit.errors import ParameterError
from matchkit.recommend._explain import ClientFacts, Lang, intake_lines, render_effect_reasons
from matchkit.recommend._plan import CatalogPlan
from matchkit.recommend._render import Recommendation, block_matches, render_rows
from matchkit.recommend._scoring import (
    INELIGIBLE,
    STATUS_NAMES,
    VERIFY,
    ApproachEvaluation,
    CatalogEvaluation,
    Evidence,
    LearnedScores,
    ScoringModel,
    arrange_states,
    evaluate_approach,
    evaluate_catalog,
    evidence_weights,
    learned_scores,
    stack_columns,
    target_matches,
)
from matchkit.recommend._shared import CriterionCounts

__all__ = ["BatchResult", "Recommendation", "Recommender", "reference_caseload"]

_FIELD_ORDER = {name: i for i, name in enumerate(STORED_FIELDS)}

THIN_COVERAGE: Final = 0.5
"""Below this share of known evidence a pair is ranked by what can be expected, not by its
score (see :meth:`BatchResult.rank_value`)."""


def _expand(name: str) -> tuple[str, ...]:
    return DERIVED_FROM.get(name, (name,))


class BatchResult:
    """Columnar recommendations for a caseload.

    Attributes
    ----------
    caseload : Caseload
    approach_ids : list of str
    status : int8 array (n, m)
        0 ineligible, 1 verify, 2 eligible.
    score : float64 array (n, m)
    coverage : float32 array (n, m)
    rank : int16 array (n, m)
        1.. among the offered, non-ineligible approaches of each client; 0 otherwise.
    offered : bool array (n, m)
        Whether each approach is offered in each client's municipality.
    arrange_state : list of int8 arrays (n, n_arrange)
        Per approach and condition to arrange: 1 nothing to arrange, 0 to arrange, -1
        unknown.
    catalog_score : float64 array (n, m)
        The catalog-based score (``score`` itself without learned effects).
    learned : LearnedScores or None
        With ``Recommender(effects=...)``: the learned gains, weights and scale; ``score`` is
        then the planner's 0..1 version of the blended gain.

    Ranking: by :meth:`rank_value`; remaining ties by approach id (catalog order), and with
    learned effects first by the catalog score.
    """

    def __init__(
        self,
        catalog: Catalog,
        caseload: Caseload,
        evaluations: CatalogEvaluation | Sequence[ApproachEvaluation],
        model: ScoringModel,
        evidence: Sequence[Evidence],
        offering: Offering | None = None,
        effects: Any = None,
        arrange_state: Sequence[npt.NDArray[np.int8]] | None = None,
    ) -> None:
        self.catalog = catalog
        self.caseload = caseload
        self.model = model
        self.evidence = list(evidence)
        self.approach_ids = catalog.ids
        n = len(caseload)
        if not isinstance(evaluations, CatalogEvaluation):
            evaluations = CatalogEvaluation.stack(evaluations, n)
        self.status = evaluations.status
        self.score = evaluations.score
        self.coverage = evaluations.coverage.astype(np.float32)
        self.rule_state = evaluations.rule_state
        self._kept_matches = evaluations.target_match
        self.offering = offering
        self._value_columns: dict[str, list[Any]] = {}
        self._value_asks: dict[str, int] = {}
        municipality = caseload.columns.text("municipality")[0]
        self.offered = offered_mask(catalog, municipality, offering)
        self.arrange_state = (
            [arrange_states(a, caseload.columns) for a in catalog.approaches]
            if arrange_state is None
            else list(arrange_state)
        )
        self.expected = evaluations.expected
        self.low = evaluations.low
        self.high = evaluations.high
        self.p_pass = evaluations.p_pass
        self.catalog_score = self.score
        self.effects = effects
        self.learned: LearnedScores | None = None
        if effects is not None:
            self.learned = learned_scores(effects, self.approach_ids, caseload, self.catalog_score)
            self.score = self.learned.score
        # With learned effects, ties in the gain are broken by the catalog score first.
        tiebreak = self.catalog_score if self.learned is not None else None
        self.rank = _rank(self.status, self.rank_value(), self.offered, tiebreak=tiebreak)

    def rank_value(self) -> npt.NDArray[np.float64]:
        """Return the value approaches are ranked by, per client and approach.

        The score where enough is known; for a thin file (coverage below
        :data:`THIN_COVERAGE`) what can be expected once the unknown decisive facts are known:
        the chance the unknown entry conditions hold times the expected score, both from the
        reference population. So a client with little known is not ranked on one known fact.
        With learned effects: the blended gain (``LearnedScores``); unknown facts are then
        part of what the effect model learned from.
        """
        if self.learned is not None:
            return self.learned.gain
        # In place on one fresh (n, m) array: np.where(thin, nan_to_num(p_pass * expected),
        # score) in fewer passes (2026-12-05, 1M x 7 under cProfile: 0.31 s -> 0.06 s).
        out: npt.NDArray[np.float64] = np.multiply(self.p_pass, self.expected)
        np.nan_to_num(out, copy=False, nan=0.0)
        np.copyto(out, self.score, where=~(self.coverage < THIN_COVERAGE))  # not thin (NaN too)
        return out

    def intake_order(self, row: int) -> list[tuple[str, int]]:
        """Facts to establish first for client ``row``: (field, approaches it helps settle).

        Ordered by how many ``verify`` approaches need the fact, most first (ties by the
        contract's field order).
        """
        counts: dict[str, int] = {}
        for j in range(len(self.approach_ids)):
            for name in self.to_verify(row, j):
                counts[name] = counts.get(name, 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], _FIELD_ORDER[kv[0]]))

    def intake_lead(self, row: int, lang: Lang = "en") -> list[str]:
        """Return the lines a thin file leads with (empty when enough is known).

        Which facts to establish first, in the order that settles the most approaches, and
        the approaches meant to get to know a client first.
        """
        if not self.is_thin(row):
            return []
        order = self.intake_order(row)
        first = [
            a.name
            for j, a in enumerate(self.catalog.approaches)
            if a.facts.getting_to_know is not None and self.offered[row, j]
        ]
        coverage = float(self.mean_coverage(np.array([row], dtype=np.intp))[0])
        return intake_lines(coverage, order, first, lang)

    def mean_coverage(self, rows: npt.NDArray[np.intp]) -> npt.NDArray[np.float32]:
        """Mean coverage over the approaches of each client in ``rows``."""
        out: npt.NDArray[np.float32] = self.coverage[rows].mean(axis=1)
        return out

    def thin_rows(self, rows: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
        """Whether little is known of each client in ``rows`` (mean coverage too low).

        The threshold is :data:`THIN_COVERAGE`.
        """
        if not self.coverage.size:
            return np.zeros(len(rows), dtype=bool)
        out: npt.NDArray[np.bool_] = self.mean_coverage(rows) < THIN_COVERAGE
        return out

    def is_thin(self, row: int) -> bool:
        """Whether little is known of client ``row`` (mean coverage below THIN_COVERAGE)."""
        return bool(self.thin_rows(np.array([row], dtype=np.intp))[0])

    def __len__(self) -> int:
        return len(self.caseload)

    def _summary_lines(self) -> list[str]:
        return [
            f"BatchResult: {len(self)} clients x {len(self.approach_ids)} approaches "
            "(clients per status; mean score where not ineligible)"
        ]

    def _summary_table(self) -> pd.DataFrame:
        table = self.status_counts()[["eligible", "verify", "ineligible"]]
        open_ = self.status != INELIGIBLE
        sums = np.where(open_, self.score, 0.0).sum(axis=0)
        counts = open_.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            table = table.assign(mean_score=np.where(counts > 0, sums / counts, np.nan))
        return table

    def __repr__(self) -> str:
        return summary_text(self._summary_lines(), self._summary_table())

    def _repr_html_(self) -> str:
        return summary_html(self._summary_lines(), self._summary_table())

    @property
    def client_ids(self) -> list[str]:
        """Client ids in order."""
        return self.caseload.client_ids

    def status_counts(self) -> pd.DataFrame:
        """Return the number of clients per approach and status (offered or not)."""
        data = {name: (self.status == code).sum(axis=0) for code, name in enumerate(STATUS_NAMES)}
        return pd.DataFrame(data, index=pd.Index(self.approach_ids, name="approach_id"))

    @property
    def not_offered(self) -> npt.NDArray[np.bool_]:
        """Pairs that would fit (eligible or verify) but are not offered: (n, m) bools."""
        out: npt.NDArray[np.bool_] = (self.status != INELIGIBLE) & ~self.offered
        return out

    def client_facts(self, row: int) -> ClientFacts:
        """Return the values of client ``row``, looked up when an explanation asks."""
        cols = self.caseload.columns

        def lookup(name: str) -> object:
            spec = FIELDS[name]
            if spec.derived or name not in _FIELD_ORDER:
                values, known = cols.scalar(name)
                if not known[row]:
                    return None
                v = float(values[row])
                return bool(v) if spec.kind is Kind.BOOL else v
            return self._stored_value(row, name)

        return ClientFacts(lookup)

    def _stored_value(self, row: int, name: str) -> object:
        """``caseload.value(row, name)``; where many cells of a field are read, a cached column."""
        column = self._value_columns.get(name)
        if column is None:
            # Cell by cell while few cells are asked for (explanations are rendered once per
            # distinct case); once many are, the whole column, with the same normalisation as
            # Caseload.value (a cell costs about as much as 50 rows of a whole column).
            asked = self._value_asks[name] = self._value_asks.get(name, 0) + 1
            if len(self) <= _VALUE_BY_ROW or asked * _CELL_COST <= len(self):
                return self.caseload.value(row, name)
            column = self._value_columns[name] = _plain_column(self.caseload.frame[name])
        return column[row]

    def top1(self) -> npt.NDArray[np.int64]:
        """Index of each client's rank-1 approach, -1 when every approach is ineligible."""
        best: npt.NDArray[np.int64] = np.argmax(self.rank == 1, axis=1).astype(np.int64)
        best[~(self.rank == 1).any(axis=1)] = -1
        return best

    def failed_rules(self, row: int, j: int) -> list[str]:
        """Ids of the false hard rules of approach ``j`` for client ``row``."""
        names, bits = self.failed_rule_bits(j, np.array([row], dtype=np.intp))
        return [name for name, bit in zip(names, bits[0], strict=True) if bit]

    def _expectation(self, row: int, j: int) -> tuple[float, float, float, float] | None:
        """Return (expected, low, high, p_pass) of a thin, not ineligible pair; else None."""
        if self.coverage[row, j] >= THIN_COVERAGE or self.status[row, j] == INELIGIBLE:
            return None
        return (
            float(self.expected[row, j]),
            float(self.low[row, j]),
            float(self.high[row, j]),
            float(self.p_pass[row, j]),
        )

    def to_arrange(self, row: int, j: int) -> list[str]:
        """Ids of the conditions to arrange for client ``row`` and approach ``j``."""
        entries = self.catalog.approaches[j].arrange
        return [a.id for a, s in zip(entries, self.arrange_state[j][row], strict=True) if s == 0]

    def to_verify(self, row: int, j: int) -> list[str]:
        """Contract fields to verify for client ``row`` and approach ``j``."""
        names, bits = self.verify_fields(j, np.array([row], dtype=np.intp))
        return [name for name, bit in zip(names, bits[0], strict=True) if bit]

    def recommendations(
        self,
        row: int,
        *,
        top: int | None = None,
        include_ineligible: bool = False,
        lang: Lang = "en",
    ) -> list[Recommendation]:
        """Render the ranked, explained recommendations of one client."""
        check_int("row", row, minimum=0, maximum=len(self) - 1)
        top, include_ineligible, lang = _listing_options(top, include_ineligible, lang)
        rows = np.array([row], dtype=np.intp)
        return render_rows(self, rows, self._target_matches(rows), top, include_ineligible, lang)[0]

    def iter_clients(
        self,
        *,
        top: int | None = None,
        include_ineligible: bool = False,
        lang: Lang = "en",
        chunk_size: int = 2_000,
    ) -> Iterator[tuple[str, list[Recommendation]]]:
        """Yield (client_id, recommendations) for every client in order.

        Explanations are computed a chunk of clients at a time, so memory stays bounded.
        """
        top, include_ineligible, lang = _listing_options(top, include_ineligible, lang)
        check_int("chunk_size", chunk_size, minimum=1)
        ids = self.client_ids
        cache: dict[Any, Any] = {}  # renderings by key, across the chunks
        chunk_matches = block_matches(self, chunk_size)
        for start in range(0, len(self), chunk_size):
            rows = np.arange(start, min(start + chunk_size, len(self)))
            matches = chunk_matches(rows)
            block = render_rows(self, rows, matches, top, include_ineligible, lang, cache)
            for row, recs in zip(rows.tolist(), block, strict=True):
                yield ids[row], recs

    def _target_matches(self, rows: npt.NDArray[np.intp]) -> list[npt.NDArray[np.float64]]:
        # Target matches are not kept per client (they would dominate memory at scale); the
        # same computation is repeated for the rows being explained.
        whole = len(rows) == len(self) and bool(np.all(rows == np.arange(len(self))))
        if whole and all(m is not None for m in self._kept_matches):
            return [m for m in self._kept_matches if m is not None]
        part = self.caseload.columns if whole else self.caseload.take(rows).columns
        plan: CatalogPlan | None = self.__dict__.get("_plan")
        if plan is None:
            plan = self.__dict__["_plan"] = CatalogPlan(self.catalog.approaches)
        done = plan.evaluate(part)
        n = len(rows)
        return [
            stack_columns(target_matches(a, part, d), n, np.float64)
            for a, d in zip(self.catalog.approaches, done, strict=True)
        ]

    def _learned_parts(
        self, row: int, j: int, lang: Lang
    ) -> tuple[list[str], float | None, float | None, tuple[float, float] | None]:
        """Reasons, gain, effect and interval from learned effects (nothing without them)."""
        learned = self.learned
        if learned is None:
            return [], None, None, None
        effects = self.effects
        approach_id = self.approach_ids[j]
        neighbours: tuple[int, float, int, float] | None = None
        if approach_id in effects.approach_ids_:
            arm = effects.approach_ids_.index(approach_id) + 1
            one = self.caseload.take(np.array([row]))
            basis = effects.encoder_.basis(effects.encoder_.raw(one))
            nb = effects.neighbours_
            k_t, mean_t = nb.nearest(effects.encoder_.basis, basis, arm)
            k_c, mean_c = nb.nearest(effects.encoder_.basis, basis, 0)
            neighbours = (int(k_t[0]), float(mean_t[0]), int(k_c[0]), float(mean_c[0]))
        effect = float(learned.effect[row, j])
        effect_se = float(learned.effect_se[row, j])
        reasons = render_effect_reasons(
            outcome=learned.outcome,
            binary=learned.binary,
            participants=int(learned.participants[j]),
            thin=bool(learned.thin[j]),
            weight=float(learned.weight[j]),
            effect=effect,
            effect_se=effect_se,
            neighbours=neighbours,
            lang=lang,
        )
        if np.isnan(effect) or learned.thin[j]:
            return reasons, float(learned.gain[row, j]), None, None
        half = 1.959963984540054 * effect_se
        return reasons, float(learned.gain[row, j]), effect, (effect - half, effect + half)

    def to_frame(self, *, top: int | None = None, include_ineligible: bool = False) -> pd.DataFrame:
        """Return the flat table of the listed recommendations, one row per client and approach.

        Columns: ``client_id, approach_id, rank, status, score, to_verify, failed_rules``
        (lists ``;``-separated). Approaches that would fit but are not offered follow the
        ranked ones with an empty rank and a status other than ineligible. Built column-wise:
        the text of ``to_verify`` and ``failed_rules`` is looked up per distinct code, not
        rendered per row.
        """
        top, include_ineligible, _ = _listing_options(top, include_ineligible, "en")
        m = self.status.shape[1]
        keep = self.rank > 0
        if top is not None:
            keep &= self.rank <= top
        keep |= self.not_offered
        if include_ineligible:
            keep |= self.status == INELIGIBLE
        rows, cols = np.nonzero(keep)
        # Listed order per client: ranked first (by rank), then ineligible by approach id.
        # np.nonzero gives the rows in order; one sort key per pair (unique: a rank is
        # given once per client, the others follow by approach), so any sort gives one order.
        sort_rank = np.where(self.rank[rows, cols] > 0, self.rank[rows, cols], m + 1 + cols)
        order = np.argsort(rows.astype(np.int64) * (2 * m + 2) + sort_rank)
        rows, cols = rows[order], cols[order]
        # The lists of rules and fields, as codes into texts rendered once per approach and
        # distinct combination.
        texts: dict[bool, list[str]] = {True: [], False: []}
        codes = {
            True: np.zeros(len(rows), dtype=np.intp),
            False: np.zeros(len(rows), dtype=np.intp),
        }
        for j in range(m):
            sel = np.flatnonzero(cols == j)
            for failed in (True, False):
                found, inverse = self._codes(j, rows[sel], failed=failed)
                codes[failed][sel] = inverse + len(texts[failed])
                texts[failed] += found
        ids = _take_text(self.caseload.frame["client_id"], rows)
        ranks = self.rank[rows, cols]
        rank_col = pd.array(ranks, dtype="Int64")
        rank_col[ranks == 0] = pd.NA
        return pd.DataFrame(
            {
                "client_id": ids,
                "approach_id": _text_column(self.approach_ids, cols),
                "rank": rank_col,
                "status": _text_column(STATUS_NAMES, self.status[rows, cols]),
                "score": self.score[rows, cols],
                "to_verify": _text_column(texts[False], codes[False]),
                "failed_rules": _text_column(texts[True], codes[True]),
            }
        )

    def verify_fields(
        self, j: int, rows: npt.NDArray[np.intp] | None = None
    ) -> tuple[list[str], npt.NDArray[np.bool_]]:
        """Fields to verify for approach ``j``: their names and a (rows, fields) mask.

        A field is to be verified for a client when the approach is ``verify`` for them, the
        field is unknown, and a hard rule that reads it (directly or through a derived field)
        is unknown.
        """
        if len(self) <= _VALUE_BY_ROW:
            # A few clients (one): every row at once, once per approach, then looked up.
            done: dict[int, tuple[list[str], npt.NDArray[np.bool_]]]
            done = self.__dict__.setdefault("_verify_done", {})
            if j not in done:
                done[j] = self._verify_fields(j, np.arange(len(self)))
            names, bits = done[j]
            return list(names), bits.copy() if rows is None else bits[rows]
        return self._verify_fields(j, np.arange(len(self)) if rows is None else rows)

    def _verify_fields(
        self, j: int, rows: npt.NDArray[np.intp]
    ) -> tuple[list[str], npt.NDArray[np.bool_]]:
        names, reads = self._verify_plan(j)
        cols = self.caseload.columns
        verify = self.status[rows, j] == VERIFY
        if not names or not verify.any():
            return list(names), np.zeros((len(rows), len(names)), dtype=bool)
        unknown_rule = self.rule_state[j][rows] == -1
        # reads_rule[r, k]: hard rule r reads field k.
        reads_rule = np.zeros((unknown_rule.shape[1], len(names)), dtype=bool)
        for k, rules in enumerate(reads):
            reads_rule[rules, k] = True
        known = np.stack([cols.known(name)[rows] for name in names], axis=1)
        needed = (unknown_rule[:, :, None] & reads_rule[None, :, :]).any(axis=1)
        return list(names), verify[:, None] & ~known & needed

    def _verify_plan(self, j: int) -> tuple[list[str], list[npt.NDArray[np.intp]]]:
        """Fields approach ``j``'s rules read (contract order) and, per field, those rules."""
        return _verify_plan(self.catalog.approaches[j])

    def failed_rule_bits(
        self, j: int, rows: npt.NDArray[np.intp] | None = None
    ) -> tuple[list[str], npt.NDArray[np.bool_]]:
        """Hard rules of approach ``j`` that are false: their ids and a (rows, rules) mask."""
        rows = np.arange(len(self)) if rows is None else rows
        names = [r.id for r in self.catalog.approaches[j].rules]
        return names, self.rule_state[j][rows] == 0

    def _codes(
        self, j: int, rows: npt.NDArray[np.intp], *, failed: bool
    ) -> tuple[list[str], npt.NDArray[np.intp]]:
        """Return the ``;``-joined lists (failed rules or fields to verify) of approach ``j``.

        Returns the distinct texts and, per row, the position of its text among them.
        """
        names, bits = self.failed_rule_bits(j, rows) if failed else self.verify_fields(j, rows)
        if not names:
            return [""], np.zeros(len(rows), dtype=np.intp)
        if len(names) <= _COUNTED_NAMES:
            # Up to 16 names: each row's set of names is a number below 2**16, counted.
            key = bits.astype(np.intp) @ (1 << np.arange(len(names), dtype=np.intp))
            present = np.flatnonzero(np.bincount(key, minlength=1))
            position = np.zeros(int(present[-1]) + 1 if len(present) else 1, dtype=np.intp)
            position[present] = np.arange(len(present))
            texts = [
                ";".join(nm for i, nm in enumerate(names) if number >> i & 1)
                for number in present.tolist()
            ]
            return texts, position[key]
        codes = np.packbits(bits, axis=1, bitorder="little")
        keys = codes.view(np.dtype((np.void, codes.shape[1]))).ravel()
        uniq, inverse = np.unique(keys, return_inverse=True)
        texts = []
        for u in uniq:
            b = np.unpackbits(np.frombuffer(u.tobytes(), dtype=np.uint8), bitorder="little")
            texts.append(";".join(nm for nm, bit in zip(names, b, strict=False) if bit))
        return texts, inverse.ravel().astype(np.intp)


_COUNTED_NAMES: Final = 16
"""Lists of up to this many names are coded by counting; longer ones by sorting."""


@lru_cache(maxsize=1)
def _text_dtype() -> Any:
    """Return the dtype pandas gives a column of strings (``str`` on pyarrow, or object)."""
    return pd.Series(["text"]).dtype


def _take_text(column: pd.Series, rows: npt.NDArray[np.intp]) -> Any:
    """``column[rows]`` as the column pandas would build from those strings themselves."""
    dtype = _text_dtype()
    if (
        isinstance(dtype, pd.StringDtype)
        and dtype.storage == "pyarrow"
        and isinstance(column.dtype, pd.StringDtype)
        and column.dtype.storage == "pyarrow"
        and not column.hasnans
    ):
        import pyarrow as pa

        taken = pa.chunked_array(column.array.__arrow_array__()).take(pa.array(rows))
        return pd.array(taken.cast(pa.large_string()), dtype=dtype)
    return np.asarray(column.astype(object))[rows]


def _text_column(texts: Sequence[str], codes: npt.NDArray[np.integer[Any]]) -> Any:
    """``texts[codes]`` as the column pandas would build from those strings themselves.

    With pandas' pyarrow-backed ``str`` the strings are decoded from codes in Arrow (a
    dictionary array), not converted one Python object at a time.
    """
    dtype = _text_dtype()
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        import pyarrow as pa

        decoded = pa.DictionaryArray.from_arrays(
            pa.array(np.asarray(codes, dtype=np.int32)), pa.array(list(texts), pa.large_string())
        ).cast(pa.large_string())
        return pd.array(decoded, dtype=dtype)
    return np.asarray(texts, dtype=object)[codes]


_VERIFY_PLANS: dict[int, tuple[Approach, tuple[list[str], list[npt.NDArray[np.intp]]]]] = {}


def _verify_plan(approach: Approach) -> tuple[list[str], list[npt.NDArray[np.intp]]]:
    """Return the fields an approach's rules read (contract order) and, per field, those rules.

    Built once per approach object (approaches are frozen).
    """
    hit = _VERIFY_PLANS.get(id(approach))
    if hit is not None and hit[0] is approach:
        return hit[1]
    compiled = approach.compiled_rules
    names = sorted(
        {s for c in compiled for f in c.fields for s in _expand(f)}, key=_FIELD_ORDER.__getitem__
    )
    reads = [
        np.array(
            [r for r, c in enumerate(compiled) if any(n in _expand(f) for f in c.fields)],
            dtype=np.intp,
        )
        for n in names
    ]
    if len(_VERIFY_PLANS) >= 4_096:
        _VERIFY_PLANS.clear()
    _VERIFY_PLANS[id(approach)] = (approach, (names, reads))
    return names, reads


_VALUE_BY_ROW: Final = 100
"""Up to this many clients, an explanation reads a client's value row by row."""

_CELL_COST: Final = 50
"""A large result reads a field cell by cell until it has read one cell per this many clients,
then the whole column (a cell costs about as much as this many rows of a whole column)."""


def _plain(value: Any) -> Any:
    """Return a stored cell as :meth:`Caseload.value` does (list, None, Python scalar)."""
    if isinstance(value, list | tuple | np.ndarray):
        return list(value)
    if value is None or pd.isna(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _plain_column(column: pd.Series) -> list[Any]:
    """Return :func:`_plain` of every cell of a column, whole columns at a time.

    ``Series.tolist`` gives Python scalars for the typed columns of a caseload (nullable
    integers, floats, booleans, strings, categories); missing cells become ``None``. Object
    columns (lists) go cell by cell.
    """
    if column.dtype == object:
        return [_plain(v) for v in column.to_numpy(dtype=object)]
    values = column.tolist()
    for i in np.flatnonzero(column.isna().to_numpy()).tolist():
        values[i] = None
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def _listing_options(top: Any, include_ineligible: Any, lang: Any) -> tuple[int | None, bool, Lang]:
    """Check the options that choose which recommendations are listed, and how."""
    top = check_int("top", top, minimum=1, optional=True)
    include_ineligible = check_bool("include_ineligible", include_ineligible)
    checked: Lang = "nl" if check_lang(lang) == "nl" else "en"
    return top, include_ineligible, checked


def _rank(
    status: npt.NDArray[np.int8],
    score: npt.NDArray[np.float64],
    offered: npt.NDArray[np.bool_] | None = None,
    *,
    tiebreak: npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.int16]:
    """Rank offered, non-ineligible approaches per client by score.

    Ties are broken by ``tiebreak`` (the catalog score), higher first, then by approach id
    (column order).
    """
    n, m = status.shape
    out = status == INELIGIBLE
    if offered is not None:
        out |= ~offered
    key = np.negative(score)
    np.copyto(key, np.inf, where=out)
    # Stable sorts along each client's row: equal keys keep column (approach id) order.
    if tiebreak is None:
        order = np.argsort(key, axis=1, kind="stable")
    else:
        order = np.lexsort((np.where(out, np.inf, -tiebreak), key), axis=1)
    ranks = np.empty((n, m), dtype=np.int16)
    np.put_along_axis(ranks, order, np.arange(1, m + 1, dtype=np.int16)[None, :], axis=1)
    np.copyto(ranks, 0, where=out)
    return ranks


class Recommender:
    """Recommend approaches from a catalog to clients.

    Parameters
    ----------
    catalog : Catalog
        From :func:`matchkit.load_catalog`.
    model : ScoringModel, optional
        Parameters of the similarity score.
    reference : Caseload or DataFrame, optional
        The population on which the specificity of each criterion is measured (how rare a
        match is). By default the built-in synthetic national reference caseload
        (:func:`reference_caseload`); a municipality may pass its own caseload.
    offering : Offering, optional
        Where each approach is offered (:func:`matchkit.load_offering`). Without it, and
        without ``offered_in`` in the catalog, every approach counts as offered.
    effects : EffectModel, optional
        Effects learned from a history (:func:`matchkit.fit_effects`). Statuses stay as the
        rules say; the score becomes the estimated gain where the history holds enough
        participants and shrinks toward the catalog score where it is thin (see
        ``LearnedScores`` for the blend), and reasons show the gain with its interval and
        how similar past clients fared.

    Examples
    --------
    >>> import matchkit as mk
    >>> rec = mk.Recommender(mk.load_catalog())
    >>> client = mk.ClientProfile(client_id="c-1", age=60, social_skills="high",
    ...     interests=["sustainability"], wants_paid_work=True)
    >>> best = rec.recommend(client, top=1)[0]
    >>> best.approach_id, best.status
    ('energiebox', 'eligible')
    """

    def __init__(
        self,
        catalog: Catalog,
        *,
        model: ScoringModel | None = None,
        reference: Caseload | pd.DataFrame | None = None,
        offering: Offering | None = None,
        effects: Any = None,
    ) -> None:
        check_instance("catalog", catalog, Catalog, "a Catalog (matchkit.load_catalog())")
        if model is not None:
            check_instance("model", model, ScoringModel, "a ScoringModel")
        if reference is not None:
            check_instance("reference", reference, (Caseload, pd.DataFrame), "a Caseload")
        self.catalog = catalog
        if effects is not None:
            from matchkit.learn import EffectModel

            if not isinstance(effects, EffectModel) or effects.source_ != "caseload":
                raise ParameterError(
                    "effects: expected an EffectModel fitted on a History of client profiles "
                    f"(from fit_effects or load_effects), got {effects!r}"
                )
        self.effects = effects
        self.model = model or ScoringModel()
        if offering is not None:
            offering.check(catalog)
        self.offering = offering
        ref: CaseloadColumns | None = None
        if self.model.specificity:
            if reference is None:
                ref = reference_caseload().columns
            else:
                ref = (
                    reference if isinstance(reference, Caseload) else read_caseload(reference)
                ).columns
        counts = CriterionCounts()  # a rule text shared by approaches is counted once
        self.evidence = [evidence_weights(a, self.model, ref, counts) for a in catalog.approaches]
        self._plan = CatalogPlan(catalog.approaches)

    def recommend(
        self,
        client: ClientProfile | Mapping[str, Any],
        *,
        top: int | None = None,
        include_ineligible: bool = False,
        lang: Lang = "en",
    ) -> list[Recommendation]:
        """Ranked, explained recommendations for one client (through the batch path).

        Parameters
        ----------
        client : ClientProfile or mapping
            A mapping is validated as a profile (pydantic's ValidationError, a ValueError,
            names every bad field).
        top : int, optional
            List at most this many approaches (1 or more).
        include_ineligible : bool
            Append the ineligible approaches after the ranked ones.
        lang : {"en", "nl"}
            Language of the reasons.
        """
        if isinstance(client, Mapping):
            client = ClientProfile.model_validate(dict(client))
        check_instance("client", client, ClientProfile, "a ClientProfile or a mapping of fields")
        _listing_options(top, include_ineligible, lang)
        result = self.recommend_batch(Caseload.from_profiles([client]))
        return result.recommendations(0, top=top, include_ineligible=include_ineligible, lang=lang)

    def recommend_batch(
        self,
        caseload: Caseload | pd.DataFrame | Iterable[ClientProfile] | Any,
        *,
        progress: bool = False,
    ) -> BatchResult:
        """Evaluate every client against every approach, vectorised.

        Parameters
        ----------
        caseload : Caseload, DataFrame, Arrow table or iterable of ClientProfile
            A table (pandas, polars, pyarrow or anything with ``__arrow_c_stream__``) is
            validated first (bad records raise ``RecordErrors``).
        progress : bool
            Show a progress bar per approach.
        """
        check_bool("progress", progress)
        if not isinstance(caseload, Caseload):
            if is_arrow_like(caseload):
                pass  # read_caseload reads any Arrow table
            elif isinstance(caseload, str | bytes | ClientProfile | Mapping) or not isinstance(
                caseload, pd.DataFrame | Iterable
            ):
                raise TypeError(
                    f"caseload={clip_repr(caseload)} is a {type(caseload).__name__}; expected a "
                    "Caseload, a DataFrame or an iterable of ClientProfile (read_caseload reads "
                    "a file)"
                )
            caseload = read_caseload(caseload)
        cols: CaseloadColumns = caseload.columns
        # Every approach's rules at once, then the scores of a group of approaches at once
        # (the whole catalog for a few clients: few numpy calls).
        done = self._plan.evaluate(cols)
        approaches = self.catalog.approaches
        if progress:
            from tqdm.auto import tqdm

            # Approach by approach, for the bar: the results do not depend on the grouping.
            bar = tqdm(approaches, desc="approaches", unit="approach")
            evaluations: CatalogEvaluation | list[ApproachEvaluation] = [
                evaluate_approach(a, cols, self.model, ev, states)
                for a, ev, states in zip(bar, self.evidence, done, strict=True)
            ]
        else:
            evaluations = evaluate_catalog(approaches, cols, self.model, self.evidence, done)
        return BatchResult(
            self.catalog,
            caseload,
            evaluations,
            self.model,
            self.evidence,
            self.offering,
            self.effects,
            arrange_state=[states.arrange_state for states in done],
        )


REFERENCE_SIZE: Final = 20_000
REFERENCE_SEED: Final = 20190601


@lru_cache(maxsize=1)
def reference_caseload() -> Caseload:
    """Return the built-in reference population for specificity: a synthetic national caseload.

    The complete truth of ``generate_caseload(20_000, seed=20190601)``: calibrated to the
    national figures of the report and CBS (``docs/synthetic.md``), with every fact known, so
    each criterion's share of matches reflects the population, not the gaps in the files.
    """
    from matchkit.synth import generate_caseload

    _, truth = generate_caseload(REFERENCE_SIZE, seed=REFERENCE_SEED, return_truth=True)
    return truth
