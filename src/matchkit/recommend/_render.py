"""Explained recommendations for a block of clients, rendered once per distinct case.

The reasons for a client and an approach are a function of a handful of codes: the status,
the rule states, the preference matches, the coverage, the fields to verify, the conditions
to arrange, whether the approach is offered, and the client's values of the fields an
explanation quotes (only where it quotes them). Across a caseload these codes repeat, so a
block of clients is rendered per approach as follows: the codes of every listed pair are
packed into one byte key, :func:`numpy.unique` finds the distinct keys, the reasons are
rendered for one representative pair per key with the per-pair renderer
(:func:`matchkit.recommend._explain.render_reasons`), and gathered back. The key holds every
input the renderer reads, so the text is the one rendering each pair on its own would give
(``tests/recommend/test_render_blocks.py`` holds the two to each other, byte for byte).
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, AnyStr, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchkit._catalog import Text
from matchkit._fields import FIELDS, STORED_FIELDS, Kind, canonical_field
from matchkit.recommend._explain import ClientFacts, Lang, render_reasons
from matchkit.recommend._scoring import INELIGIBLE, STATUS_NAMES, contributions

THIN_COVERAGE: Final = 0.5
"""``matchkit.recommend._recommender.THIN_COVERAGE`` (checked there): below this coverage a
pair's expectation is shown."""

if TYPE_CHECKING:
    from matchkit.recommend._recommender import BatchResult

__all__ = ["Listed", "Recommendation", "iter_blocks", "json_chunks", "render_rows"]

_FIELD_INDEX = {name: i for i, name in enumerate(STORED_FIELDS)}

_VALUE_BY_ROW: Final = 100
"""Up to this many clients the ids are read as ``result.client_ids`` gives them."""


@dataclass(frozen=True)
class Recommendation:
    """One approach for one client: status, score and why.

    Attributes
    ----------
    approach_id : str
    rank : int or None
        1.. over the approaches that are not ineligible; None for ineligible ones.
    status : {"eligible", "verify", "ineligible"}
    score : float
        Similarity to the approach's target profile, 0..1.
    reasons : list of str
        Human-readable, in the language asked for.
    to_verify : list of str
        Contract fields to verify at intake (status ``verify``).
    failed_rules : list of str
        Ids of the hard rules that are false (status ``ineligible``).
    coverage : float
        Share of the approach's criteria (by weight) that was known.
    contributions : dict
        Contribution of each known rule and preference (and the prior) to the score.
    name : str
        The approach's name, for people (the id stays in csv and json).
    offered : bool
        Whether the approach is offered in the client's municipality. An approach that fits
        but is not offered has rank None: "would fit, not offered here".
    to_arrange : list of str
        Ids of the conditions the municipality must arrange (transport, childcare, ...).
    gain : float or None
        With learned effects: the blended gain in outcome units that ranks the approaches.
    effect, effect_ci : float and (float, float), or None
        With learned effects: the client's learned effect and its 95% interval (None where
        the approach is thin or absent from the history).
    """

    approach_id: str
    rank: int | None
    status: str
    score: float
    reasons: list[str]
    to_verify: list[str]
    failed_rules: list[str]
    coverage: float = 1.0
    contributions: dict[str, float] = field(default_factory=dict)
    name: str = ""
    offered: bool = True
    to_arrange: list[str] = field(default_factory=list)
    gain: float | None = None
    effect: float | None = None
    effect_ci: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the interface's JSON shape, plus ``"offered": false`` when not offered."""
        out: dict[str, Any] = {
            "approach_id": self.approach_id,
            "rank": self.rank,
            "status": self.status,
            "score": self.score,
            "reasons": self.reasons,
            "to_verify": self.to_verify,
            "failed_rules": self.failed_rules,
        }
        if not self.offered:
            out["offered"] = False
        return out


@dataclass(frozen=True)
class _Parts:
    """What one distinct case renders to: shared by every pair with the same key."""

    reasons: list[str]
    to_verify: list[str]
    failed_rules: list[str]
    to_arrange: list[str]
    contributions: dict[str, float]
    encoded: dict[Any, str | bytes] = field(default_factory=dict, compare=False, repr=False)
    """Fragments of output text built from these parts, by what they are for (filled by the
    columnar writers, once per case)."""


def listing(
    result: BatchResult, rows: npt.NDArray[np.intp], top: int | None, include_ineligible: bool
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Return the listed (block row, approach) pairs in listing order.

    Per client: the ranked approaches by rank (at most ``top``), then those that would fit
    but are not offered, best score first (ties by catalog order), then, when asked, the
    ineligible ones in catalog order.
    """
    rank, status = result.rank[rows], result.status[rows]
    ranked = rank > 0
    if top is not None:
        ranked &= rank <= top
    apart = (status != INELIGIBLE) & ~result.offered[rows]
    keep = ranked | apart
    if include_ineligible:
        keep |= status == INELIGIBLE
    local, cols = np.nonzero(keep)
    if not include_ineligible and not apart.any():
        # Only ranked pairs, whose ranks differ within a client: by client, then rank.
        key = local.astype(np.int64) * (rank.shape[1] + 1) + rank[local, cols]
        order = np.argsort(key)
        return local[order].astype(np.intp), cols[order].astype(np.intp)
    group = np.where(ranked[local, cols], 0, np.where(apart[local, cols], 1, 2))
    second = np.where(
        group == 0,
        rank[local, cols].astype(np.float64),
        np.where(group == 1, -result.score[rows[local], cols], 0.0),
    )
    order = np.lexsort((cols, second, group, local))
    return local[order].astype(np.intp), cols[order].astype(np.intp)


def _bytes(*parts: npt.NDArray[Any]) -> npt.NDArray[np.uint8]:
    """Pack per-row arrays (each (k,) or (k, w)) side by side into a (k, bytes) array."""
    cols = [np.ascontiguousarray(p).reshape(len(p), -1).view(np.uint8) for p in parts]
    return np.ascontiguousarray(np.concatenate(cols, axis=1))


def _distinct(packed: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Return (first index of each distinct row, index of its distinct row for every row)."""
    if len(packed) <= 1:
        return np.arange(len(packed), dtype=np.intp), np.zeros(len(packed), dtype=np.intp)
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return first.astype(np.intp), inverse.ravel().astype(np.intp)


def _object_codes(values: Sequence[Any]) -> npt.NDArray[np.int64]:
    """Code equal values (lists by their items, in order) alike; None is -1."""
    index: dict[Any, int] = {}
    out = np.empty(len(values), dtype=np.int64)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and v != v):
            out[i] = -1
            continue
        key = tuple(v) if isinstance(v, list | tuple | np.ndarray) else v
        out[i] = index.setdefault(key, len(index))
    return out


def fact_codes(result: BatchResult, name: str, rows: npt.NDArray[np.intp]) -> npt.NDArray[Any]:
    """Codes of a field's values for ``rows``: equal codes mean an equal value to quote.

    The codes are those of the whole caseload (built once per field), so they mean the same
    in every block of clients.
    """
    spec = FIELDS[name]
    if spec.kind not in (Kind.LIST, Kind.STR):
        scalar, _ = result.caseload.columns.scalar(name)  # NaN when unknown
        return np.asarray(scalar[rows], dtype=np.float64)
    codes: dict[str, npt.NDArray[np.int64]] = result.__dict__.setdefault("_fact_codes", {})
    if name not in codes:
        caseload = result.caseload
        values: list[Any]
        if spec.kind is Kind.STR:
            values = list(caseload.columns.text(name)[0])
        elif len(caseload) > 100:  # many clients: read the column, not value by value
            values = list(caseload.frame[name].to_numpy(dtype=object))
        else:
            values = [caseload.value(r, name) for r in range(len(caseload))]
        codes[name] = _object_codes(values)
    return codes[name][rows].astype(np.float64)


class _Plan:
    """Per approach, what the key needs: the quoted fields and which criteria read them."""

    def __init__(self, result: BatchResult, j: int) -> None:
        approach = result.catalog.approaches[j]
        reads: dict[str, tuple[list[int], list[int]]] = {}
        for r, compiled in enumerate(approach.compiled_rules):
            for name in compiled.fields:
                if name in FIELDS:
                    reads.setdefault(name, ([], []))[0].append(r)
        for i, entry in enumerate(approach.target):
            feature = canonical_field(entry.feature) if entry.feature else None
            if feature is not None and feature in FIELDS and not entry.bonus:
                reads.setdefault(feature, ([], []))[1].append(i)
        self.reads = reads
        # A matched entry with subgroups names the client's own subgroups: which of them the
        # client belongs to is part of the key (one bit per subgroup, true = belongs).
        self.subgroups: dict[int, npt.NDArray[np.float64]] = {}
        cols = result.caseload.columns
        for i in range(len(approach.target)):
            rules = approach.subgroup_rules(i)
            if rules:
                code = np.zeros(len(result.caseload))
                for bit, rule in enumerate(rules):
                    code += np.where(rule.evaluate(cols).true, 2.0**bit, 0.0)
                self.subgroups[i] = code


def render_rows(
    result: BatchResult,
    rows: npt.NDArray[np.intp],
    target_matches: Sequence[npt.NDArray[np.float64]],
    top: int | None,
    include_ineligible: bool,
    lang: Lang,
    cache: dict[Any, Any] | None = None,
) -> list[list[Recommendation]]:
    """Render the listed recommendations of a block of clients (see the module docstring).

    Parameters
    ----------
    result : BatchResult
    rows : int array (k,)
        The clients, as rows of ``result``.
    target_matches : sequence of float arrays (k, n_target)
        Per approach, the preference matches of these clients.
    top, include_ineligible, lang
        As for :meth:`BatchResult.recommendations`.
    cache : dict, optional
        Renderings by key, kept across the blocks of one listing (the keys mean the same in
        every block of the same result).
    """
    rows = np.asarray(rows, dtype=np.intp)
    # Building a block makes many small lists and no reference cycles: the cyclic garbage
    # collector is paused meanwhile (it would otherwise rescan the caseload's objects
    # again and again, a third of the time), and resumed as it was.
    paused = gc.isenabled()
    gc.disable()
    try:
        cache = {} if cache is None else cache
        return _render_block(result, rows, target_matches, top, include_ineligible, lang, cache)
    finally:
        if paused:
            gc.enable()


@dataclass(frozen=True)
class Listed:
    """The listed pairs of a block of clients, in listing order, with their rendered cases.

    Attributes
    ----------
    rows : int array (k,)
        The clients, as rows of the result.
    local, cols : int arrays (p,)
        Per listed pair: the client (position in ``rows``) and the approach.
    case_ix : int array (p,)
        Per listed pair: its case in ``cases``.
    cases : list of _Parts
        The distinct renderings of the block (shared across blocks through the cache).
    leads : dict
        The intake lead of each thin client whose rank-1 approach is listed, by block row; it
        goes before the reasons of the client's first listed pair.
    """

    rows: npt.NDArray[np.intp]
    local: npt.NDArray[np.intp]
    cols: npt.NDArray[np.intp]
    case_ix: npt.NDArray[np.intp]
    cases: list[_Parts]
    leads: dict[int, list[str]]


def list_block(
    result: BatchResult,
    rows: npt.NDArray[np.intp],
    target_matches: Sequence[npt.NDArray[np.float64]],
    top: int | None,
    include_ineligible: bool,
    lang: Lang,
    cache: dict[Any, Any],
    text_only: bool = False,
) -> Listed:
    """List a block of clients and render each distinct case once (module docstring).

    The one step behind :func:`render_rows` (``Recommendation`` objects) and the columnar
    writers (:func:`json_chunks`, the text table of ``matchkit.cli``; ``text_only``: the
    cases without contributions, see :func:`_cases`).
    """
    rows = np.asarray(rows, dtype=np.intp)
    paused = gc.isenabled()
    gc.disable()  # see render_rows
    try:
        local, cols = listing(result, rows, top, include_ineligible)
        case_ix = np.zeros(len(local), dtype=np.intp)
        cases: list[_Parts] = []
        for j in np.unique(cols).tolist():
            sel = np.flatnonzero(cols == j)
            found, inverse = _approach_cases(
                result, j, rows[local[sel]], target_matches[j][local[sel]], lang, cache, text_only
            )
            case_ix[sel] = inverse + len(cases)
            cases += found
        leads = _leads(result, rows, local, cols, lang)
    finally:
        if paused:
            gc.enable()
    return Listed(rows, local, cols, case_ix, cases, leads)


def _render_block(
    result: BatchResult,
    rows: npt.NDArray[np.intp],
    target_matches: Sequence[npt.NDArray[np.float64]],
    top: int | None,
    include_ineligible: bool,
    lang: Lang,
    cache: dict[Any, Any],
) -> list[list[Recommendation]]:
    block = list_block(result, rows, target_matches, top, include_ineligible, lang, cache)
    local, cols = block.local, block.cols
    grows = rows[local]
    ranks = result.rank[grows, cols].tolist()
    scores = result.score[grows, cols].tolist()
    covs = result.coverage[grows, cols].tolist()
    offered_list = result.offered[grows, cols].tolist()
    status_names = [STATUS_NAMES[s] for s in result.status[grows, cols].tolist()]
    approaches = result.catalog.approaches
    learned = result.learned is not None
    cases = block.cases
    new = object.__new__
    out: list[list[Recommendation]] = [[] for _ in range(len(rows))]
    pairs = zip(local.tolist(), cols.tolist(), block.case_ix.tolist(), strict=True)
    for k, (b, j, c) in enumerate(pairs):
        case = cases[c]
        reasons = list(case.reasons)
        gain = effect = ci = None
        if learned:
            extra, gain, effect, ci = result._learned_parts(int(grows[k]), j, lang)
            reasons += extra
        approach = approaches[j]
        # Recommendation validates nothing of its own: filling its __dict__ gives the object
        # __init__ would, without a frozen dataclass's object.__setattr__ per field (most of
        # the time of 150,000 recommendations).
        rec = new(Recommendation)
        rec.__dict__.update(
            approach_id=approach.id,
            rank=ranks[k] or None,
            status=status_names[k],
            score=scores[k],
            reasons=reasons,
            to_verify=list(case.to_verify),
            failed_rules=list(case.failed_rules),
            coverage=covs[k],
            contributions=dict(case.contributions),
            name=approach.name,
            offered=offered_list[k],
            to_arrange=list(case.to_arrange),
            gain=gain,
            effect=effect,
            effect_ci=ci,
        )
        out[b].append(rec)
    for k, lead in block.leads.items():
        first = out[k][0]  # the rank-1 approach is listed first
        out[k][0] = replace(first, reasons=[*lead, *first.reasons])
    return out


def _approach_cases(
    result: BatchResult,
    j: int,
    grows: npt.NDArray[np.intp],
    tm: npt.NDArray[np.float64],
    lang: Lang,
    cache: dict[Any, Any],
    text_only: bool = False,
) -> tuple[list[_Parts], npt.NDArray[np.intp]]:
    """Render approach ``j`` for the clients ``grows``: its distinct cases, each row's case."""
    names, verify_bits = result.verify_fields(j, grows)
    if len(grows) == 1:  # one pair (one client): nothing to share, no key to build
        case = _pair_parts(result, int(grows[0]), j, tm[0], names, verify_bits[0], lang, text_only)
        return [case], np.zeros(1, dtype=np.intp)
    return _cases(result, j, grows, tm, names, verify_bits, lang, cache, text_only)


def _cases(
    result: BatchResult,
    j: int,
    grows: npt.NDArray[np.intp],
    tm: npt.NDArray[np.float64],
    names: list[str],
    verify_bits: npt.NDArray[np.bool_],
    lang: Lang,
    cache: dict[Any, Any],
    text_only: bool = False,
) -> tuple[list[_Parts], npt.NDArray[np.intp]]:
    """Render the distinct cases of approach ``j`` among ``grows``; index of each row's case.

    The key packs every input the renderer reads (module docstring), the client's values
    only where an explanation quotes them: a failed rule's fields (status ineligible), the
    feature of a preference not fully met, the municipality of an approach that would fit
    but is not offered; the expectation of a thin file only where it is shown (coverage
    below THIN_COVERAGE, not ineligible).

    ``text_only``: the cases are for the text alone (the writers), without the
    contributions. The reasons read a preference's match only as unknown, full, partial or
    none, and the coverage only below 0.999 (as a percentage), so the key holds just that
    and fewer distinct cases are rendered.
    """
    status = result.status[grows, j]
    state = result.rule_state[j][grows]
    offered = result.offered[grows, j]
    coverage = result.coverage[grows, j]
    shown = ~(coverage >= THIN_COVERAGE) & (status != INELIGIBLE)  # BatchResult._expectation
    thin_parts = [
        np.where(shown, a[grows, j], np.nan)
        for a in (result.expected, result.low, result.high, result.p_pass)
    ]
    arrange = result.arrange_state[j][grows]
    if text_only:  # what _target_lines and the coverage line read of them
        tm_key: npt.NDArray[Any] = np.where(
            np.isnan(tm), 0, np.where(tm >= 1.0, 1, np.where(tm > 0.0, 2, 3))
        ).astype(np.int8)
        # render_reasons compares the coverage as a Python float (float64), as here.
        cov_key = np.where(coverage.astype(np.float64) < 0.999, coverage, np.float32(1.0))
    else:
        tm_key, cov_key = tm, coverage
    parts = [status, state, tm_key, cov_key, offered, arrange, verify_bits, *thin_parts]
    for name, (rule_ix, target_ix) in _plan(result, j).reads.items():
        quoted = np.zeros(len(grows), dtype=bool)
        for r in rule_ix:
            quoted |= (status == INELIGIBLE) & (state[:, r] == 0)
        for i in target_ix:
            quoted |= ~np.isnan(tm[:, i]) & (tm[:, i] < 1.0)
        if quoted.any():
            parts.append(np.where(quoted, fact_codes(result, name, grows), np.inf))
    for i, code in _plan(result, j).subgroups.items():
        parts.append(np.where(tm[:, i] >= 1.0, code[grows], np.inf))
    named = (status != INELIGIBLE) & ~offered
    if named.any():
        parts.append(np.where(named, fact_codes(result, "municipality", grows), np.inf))
    packed = _bytes(*parts)
    first, inverse = _distinct(packed)
    cases = []
    for f in first.tolist():
        key = (j, lang, text_only, packed[f].tobytes())
        case = cache.get(key)
        if case is None:
            case = _pair_parts(
                result, int(grows[f]), j, tm[f], names, verify_bits[f], lang, text_only
            )
            cache[key] = case
        cases.append(case)
    return cases, inverse


def _fitting(result: BatchResult, j: int, row: int, i: int) -> list[Text]:
    """Return the subgroups of target entry ``i`` that client ``row`` belongs to.

    Read from the whole-caseload evaluation of :class:`_Plan`, where
    ``Approach.fitting_subgroups`` evaluates them for one client (the two are held equal by
    ``tests/recommend/test_render_blocks.py``, whose reference calls the latter).
    """
    code = result.__dict__["_render_plans"][j].subgroups.get(i)
    if code is None:
        return []
    bits = int(code[row])
    subgroups = result.catalog.approaches[j].target[i].subgroups
    return [sub.label for bit, sub in enumerate(subgroups) if bits >> bit & 1]


def _plan(result: BatchResult, j: int) -> _Plan:
    plans: dict[int, _Plan] = result.__dict__.setdefault("_render_plans", {})
    if j not in plans:
        plans[j] = _Plan(result, j)
    return plans[j]


def _pair_parts(
    result: BatchResult,
    row: int,
    j: int,
    target_match: npt.NDArray[np.float64],
    verify_names: list[str],
    verify_bits: npt.NDArray[np.bool_],
    lang: Lang,
    text_only: bool = False,
) -> _Parts:
    """Render one client and one approach: the reasons and the lists that go with them.

    ``text_only``: without the contributions (left empty), for the writers.
    """
    approach = result.catalog.approaches[j]
    status = int(result.status[row, j])
    state = result.rule_state[j][row]
    verify = [name for name, bit in zip(verify_names, verify_bits, strict=True) if bit]
    facts: ClientFacts = result.client_facts(row)
    plans: dict[int, _Plan] = result.__dict__.get("_render_plans", {})
    offered = bool(result.offered[row, j])
    # The municipality is named only in "not offered here" (render_reasons).
    municipality = facts.get("municipality") if not offered and status != INELIGIBLE else None
    reasons = render_reasons(
        approach,
        status,
        state,
        target_match,
        float(result.coverage[row, j]),
        verify,
        lang,
        facts=facts,
        arrange_state=result.arrange_state[j][row],
        specificity=result.evidence[j].target_specificity,
        offered=offered,
        municipality=str(municipality) if municipality else None,
        expectation=result._expectation(row, j),
        # Where the key was built, the subgroups were evaluated for every client already.
        fitting=(lambda i: _fitting(result, j, row, i)) if j in plans else None,
    )
    items = (
        []
        if text_only
        else contributions(approach, state, target_match, result.model, result.evidence[j])
    )
    return _Parts(
        reasons=reasons,
        to_verify=verify,
        failed_rules=[r.id for r, s in zip(approach.rules, state, strict=True) if s == 0],
        to_arrange=result.to_arrange(row, j),
        contributions={f"{kind}:{key}": value for kind, key, value in items},
    )


def _leads(
    result: BatchResult,
    rows: npt.NDArray[np.intp],
    local: npt.NDArray[np.intp],
    cols: npt.NDArray[np.intp],
    lang: Lang,
) -> dict[int, list[str]]:
    """Return the intake lead of each thin client whose rank-1 approach is listed, by block row.

    The lead depends on the client's coverage, the fields to verify per approach (their
    counts set the order) and which get-to-know approaches are offered: rendered once per
    distinct combination.
    """
    first_listed = np.ones(len(local), dtype=bool)
    first_listed[1:] = local[1:] != local[:-1]
    top = local[first_listed & (result.rank[rows[local], cols] == 1)]
    if not len(top):
        return {}
    grows = rows[top]
    thin = result.thin_rows(grows)
    top, grows = top[thin], grows[thin]
    if not len(top):
        return {}
    counts = np.zeros((len(grows), len(STORED_FIELDS)), dtype=np.int64)
    for j in range(len(result.approach_ids)):
        names, bits = result.verify_fields(j, grows)
        for name, col in zip(names, bits.T, strict=True):
            counts[:, _FIELD_INDEX[name]] += col
    # The lead shows the mean coverage as round(100 * coverage) (intake_lines).
    pct = np.array([round(100 * c) for c in result.mean_coverage(grows).tolist()])
    packed = _bytes(counts, result.offered[grows], pct)
    first, inverse = _distinct(packed)
    texts = [result.intake_lead(int(grows[f]), lang) for f in first]
    return {int(k): texts[inverse[i]] for i, k in enumerate(top.tolist())}


_WHOLE_MATCH_CELLS: Final = 1 << 25
"""Up to this many (client, preference) cells the preference matches of a whole listing are
computed at once (from the caseload's own columns, 8 bytes a cell) instead of per block."""


def block_matches(
    result: BatchResult, chunk_size: int
) -> Callable[[npt.NDArray[np.intp]], Sequence[npt.NDArray[np.float64]]]:
    """Return the preference matches of the rows of a block, for a listing of every client.

    The matches are elementwise, so those of the whole caseload, cut to a block, are the ones
    computed for the block alone; where they fit (:data:`_WHOLE_MATCH_CELLS`) they are
    computed once, else per block.
    """
    cells = len(result) * sum(len(a.target) for a in result.catalog.approaches)
    if len(result) <= chunk_size or cells > _WHOLE_MATCH_CELLS:
        return result._target_matches
    whole = result._target_matches(np.arange(len(result), dtype=np.intp))

    def cut(rows: npt.NDArray[np.intp]) -> Sequence[npt.NDArray[np.float64]]:
        return [m[rows] for m in whole]

    return cut


def iter_blocks(
    result: BatchResult,
    top: int | None,
    include_ineligible: bool,
    lang: Lang,
    chunk_size: int,
    text_only: bool = True,
) -> Iterator[Listed]:
    """Yield the listing of every client, ``chunk_size`` clients a block, renderings shared.

    ``text_only`` (the default): for the writers, the cases without contributions.
    """
    matches = block_matches(result, chunk_size)
    cache: dict[Any, Any] = {}
    for start in range(0, len(result), chunk_size):
        rows = np.arange(start, min(start + chunk_size, len(result)), dtype=np.intp)
        yield list_block(
            result, rows, matches(rows), top, include_ineligible, lang, cache, text_only
        )


def strings_by_code(
    code: npt.NDArray[np.int64], make: Callable[[int], str | bytes]
) -> npt.NDArray[np.object_]:
    """Return ``make(c)`` for each small non-negative code ``c``, made once per distinct code."""
    if not len(code):
        return np.empty(0, dtype=object)
    size = int(code.max()) + 1
    if size > 1 << 20:  # sparse codes: numbered in order first
        uniq, code = np.unique(code, return_inverse=True)
        present = list(enumerate(uniq.tolist()))
        table = np.empty(len(uniq), dtype=object)
    else:
        present = [(c, c) for c in np.flatnonzero(np.bincount(code, minlength=size)).tolist()]
        table = np.empty(size, dtype=object)
    for i, c in present:
        table[i] = make(c)
    out: npt.NDArray[np.object_] = table[code.ravel()]
    return out


def pair_code(
    cols: npt.NDArray[np.intp], rank: npt.NDArray[Any], status: npt.NDArray[Any], flag: Any
) -> tuple[npt.NDArray[np.int64], Callable[[int], tuple[int, int, int, bool]]]:
    """Code each pair's (approach, rank, status, flag) as one int; and the decoder."""
    ranks = int(rank.max()) + 1 if len(rank) else 1
    code = ((cols.astype(np.int64) * ranks + rank) * 3 + status) * 2 + flag

    def decode(c: int) -> tuple[int, int, int, bool]:
        c, f = divmod(c, 2)
        c, st = divmod(c, 3)
        j, r = divmod(c, ranks)
        return j, r, st, bool(f)

    return code, decode


def case_strings(
    block: Listed,
    values: npt.NDArray[np.float64],
    flag: npt.NDArray[np.bool_],
    make: Callable[[float, _Parts, bool], str | bytes],
    tag: Any,
) -> npt.NDArray[np.object_]:
    """Return ``make(value, case, flag)`` per pair, made once per case, flag and value.

    ``values`` (a score per pair) is usually one value per case; a pair whose value differs
    from its case's (bit for bit) gets its own text. The texts are kept with the case under
    ``tag`` (what ``make`` makes), for the next blocks.
    """
    n_pairs, n_cases = len(block.case_ix), len(block.cases)
    if not n_pairs:
        return np.empty(0, dtype=object)
    rep = np.zeros(n_cases, dtype=np.intp)
    rep[block.case_ix] = np.arange(n_pairs, dtype=np.intp)  # any pair of each case
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
    slot = 2 * block.case_ix + flag
    table = np.empty(2 * n_cases, dtype=object)
    rep_values = values[rep].tolist()
    for s in np.flatnonzero(np.bincount(slot, minlength=2 * n_cases)).tolist():
        c, f = divmod(s, 2)
        table[s] = _case_string(block.cases[c], rep_values[c], bool(f), make, tag)
    out: npt.NDArray[np.object_] = table[slot]
    differs = np.flatnonzero(bits != bits[rep[block.case_ix]])
    for p in differs.tolist():
        out[p] = make(values[p].item(), block.cases[int(block.case_ix[p])], bool(flag[p]))
    return out


def _case_string(
    case: _Parts,
    value: float,
    flag: bool,
    make: Callable[[float, _Parts, bool], str | bytes],
    tag: Any,
) -> str | bytes:
    if value == 0.0 or value != value:  # -0.0 == 0.0 and NaN != NaN: not kept
        return make(value, case, flag)
    key = (tag, flag, value)
    text = case.encoded.get(key)
    if text is None:
        text = case.encoded[key] = make(value, case, flag)
    return text


def client_ids(result: BatchResult) -> list[str]:
    """``result.client_ids``, read as a whole column where the ids are stored as text."""
    frame = result.caseload.frame if len(result) > _VALUE_BY_ROW else None
    if frame is not None and isinstance(frame["client_id"].dtype, pd.StringDtype):
        column = frame["client_id"]
        if not column.isna().any():
            ids: list[str] = column.tolist()  # text: str(v) is v
            return ids
    return result.client_ids


def assemble(
    n_clients: int,
    local: npt.NDArray[np.intp],
    client_pieces: Sequence[Any],
    pair_pieces: Sequence[Any],
    end: AnyStr,
) -> AnyStr:
    """Join per-client and per-pair pieces of text in order: each client, then its pairs.

    ``client_pieces`` are sequences of length ``n_clients``, ``pair_pieces`` of the number
    of pairs (sorted by client, ``local``); the pieces and ``end`` (written last) are all
    text or all bytes.
    """
    width = max(len(client_pieces), len(pair_pieces))
    n_pairs = len(local)
    slots = np.full((n_clients + n_pairs, width), end[:0], dtype=object)
    before = np.searchsorted(local, np.arange(n_clients, dtype=np.intp))
    client_slot = np.arange(n_clients, dtype=np.intp) + before
    pair_slot = local + 1 + np.arange(n_pairs, dtype=np.intp)
    for i, piece in enumerate(client_pieces):
        slots[client_slot, i] = piece
    for i, piece in enumerate(pair_pieces):
        slots[pair_slot, i] = piece
    pieces = slots.ravel().tolist()
    pieces.append(end)
    joined: AnyStr = end[:0].join(pieces)
    return joined


def _json_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(map(encode_basestring, items)) + "]"


def _json_tail(case: _Parts, offered: bool) -> str:
    """``"reasons"``'s items to the end of a recommendation's object (after the lead)."""
    key = ("json", offered)
    text = case.encoded.get(key)
    if not isinstance(text, str):
        text = case.encoded[key] = (
            ", ".join(map(encode_basestring, case.reasons))
            + '], "to_verify": '
            + _json_list(case.to_verify)
            + ', "failed_rules": '
            + _json_list(case.failed_rules)
            + ("}" if offered else ', "offered": false}')
        )
    return text


def json_chunks(
    result: BatchResult,
    top: int | None,
    include_ineligible: bool,
    lang: Lang,
    *,
    array: bool = False,
    chunk_size: int = 20_000,
) -> Iterator[tuple[int, bytes]]:
    r"""Yield (clients, UTF-8 bytes) of the JSON output a block of clients at a time.

    The text is the one ``cli.write_recommendations`` writes from the ``Recommendation``
    objects (the C encoder's ``json.dumps(line, ensure_ascii=False)`` of ``{"client_id",
    "recommendations": [to_dict() ...], "not_offered"}``): JSON Lines, or with ``array``
    the lines of a JSON array, each after ``",\n"`` (the first after ``"\n"``) and without
    a newline of its own. Every piece is encoded once per distinct value (a case's reasons
    and lists, an approach with a rank and status) and the pieces are joined in order.
    Not for learned effects (their reasons are per pair).

    The pieces are encoded to UTF-8 as they are made (once per distinct piece; a client id
    once per client) and joined as bytes: a block holding one non-ASCII character (a euro
    sign) is otherwise joined as two bytes a character and encoded whole. For 1M clients,
    top 3 (942 MB), 1.0 s less CPU time writing a file (2026-12-05).
    """
    ids = client_ids(result)
    status_names = [f'"{name}"' for name in STATUS_NAMES]
    approach_ids = [encode_basestring(a) for a in result.approach_ids]
    end = b"}" if array else b"}\n"

    def head(code: int) -> bytes:
        j, rank, status, first = decode(code)
        rank_text = str(rank) if rank else "null"
        return (
            f'{"" if first else ", "}{{"approach_id": {approach_ids[j]}, "rank": {rank_text}, '
            f'"status": {status_names[status]}, "score": '
        ).encode()

    def score_and_rest(score: float, case: _Parts, offered: bool) -> bytes:
        score_text = float.__repr__(score) if math.isfinite(score) else "null"  # as json_line
        return (score_text + ', "reasons": [' + _json_tail(case, offered)).encode()

    reasons_at = b', "reasons": ['
    for block in iter_blocks(result, top, include_ineligible, lang, chunk_size):
        rows, local, cols = block.rows, block.local, block.cols
        k = len(rows)
        grows = rows[local]
        status = result.status[grows, cols]
        offered = result.offered[grows, cols]
        # Per pair: the separator and the head (made once per approach, rank and status),
        # then the score and the rest (once per case).
        first = np.ones(len(local), dtype=bool)
        first[1:] = local[1:] != local[:-1]
        code, decode = pair_code(cols, result.rank[grows, cols], status, first)
        heads = strings_by_code(code, head)
        scores = result.score[grows, cols]
        rests = case_strings(block, scores, offered, score_and_rest, ("json-bytes", array))
        starts = np.searchsorted(local, np.arange(k, dtype=np.intp))
        for b, lead in block.leads.items():
            p = int(starts[b])  # the client's first listed pair
            case = block.cases[int(block.case_ix[p])]
            items = ", ".join(map(encode_basestring, lead)) + (", " if case.reasons else "")
            at = rests[p].index(reasons_at) + len(reasons_at)
            rests[p] = rests[p][:at] + items.encode() + rests[p][at:]
        # Per client: the end of the one before, then the start of its own.
        closes = np.full(k, b"]" + end, dtype=object)
        apart = np.flatnonzero((status != INELIGIBLE) & ~offered)
        if len(apart):
            names: dict[int, list[str]] = {}
            for p, b in zip(apart.tolist(), local[apart].tolist(), strict=True):
                names.setdefault(b, []).append(approach_ids[int(cols[p])])
            for b, listed in names.items():
                closes[b] = ('], "not_offered": [' + ", ".join(listed) + "]").encode() + end
        opens = np.empty(k, dtype=object)
        opens[:] = [
            ('{"client_id": ' + encode_basestring(ids[r]) + ', "recommendations": [').encode()
            for r in rows.tolist()
        ]
        before = np.empty(k, dtype=object)
        before[1:] = closes[:-1] + (b",\n" if array else b"")
        before[0] = (b"\n" if rows[0] == 0 else b",\n") if array else b""
        opens = before + opens
        yield k, assemble(k, local, [opens], [heads, rests], closes[-1])
