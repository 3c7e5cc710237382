"""Recommender: hard rules and target-profile similarity, ranked and explained.

There is one path: :meth:`Recommender.recommend` builds a caseload of one client and calls
:meth:`Recommender.recommend_batch`. A :class:`BatchResult` stays columnar (status, score and
rule-state codes per client and approach); reasons are rendered only for the rows asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchkit._caseload import Caseload, read_caseload
from matchkit._catalog import Approach, Catalog
from matchkit._columns import CaseloadColumns
from matchkit._fields import DERIVED_FROM, STORED_FIELDS
from matchkit._profile import ClientProfile
from matchkit.errors import ParameterError
from matchkit.recommend._explain import Lang, render_effect_reasons, render_reasons
from matchkit.recommend._scoring import (
    INELIGIBLE,
    STATUS_NAMES,
    VERIFY,
    ApproachEvaluation,
    Evidence,
    LearnedScores,
    ScoringModel,
    contributions,
    evaluate_approach,
    evidence_weights,
    learned_scores,
    match_criteria,
)

__all__ = ["BatchResult", "Recommendation", "Recommender", "reference_caseload"]

_FIELD_ORDER = {name: i for i, name in enumerate(STORED_FIELDS)}


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
        Similarity to the approach's target profile, 0..1; with learned effects the blended
        gain on the planner's 0..1 scale (see ``LearnedScores``).
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
    gain : float or None
        With learned effects: the blended gain in outcome units that ranks the approaches.
    effect, effect_ci : float and (float, float), or None
        With learned effects: the learned effect and its 95% interval (None where thin or
        absent from the history).
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
    gain: float | None = None
    effect: float | None = None
    effect_ci: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the interface's JSON shape."""
        return {
            "approach_id": self.approach_id,
            "rank": self.rank,
            "status": self.status,
            "score": self.score,
            "reasons": self.reasons,
            "to_verify": self.to_verify,
            "failed_rules": self.failed_rules,
        }


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
        1.. among non-ineligible approaches of each client; 0 for ineligible.
    catalog_score : float64 array (n, m)
        The catalog-based score (equal to ``score`` without learned effects).
    learned : LearnedScores or None
        With ``Recommender(effects=...)``: the learned gains, weights and scale.

    Ranking: by score (the blended gain with learned effects), then the catalog score, then
    catalog order (approach id) — the rule that breaks any tie that remains.
    """

    def __init__(
        self,
        catalog: Catalog,
        caseload: Caseload,
        evaluations: Sequence[ApproachEvaluation],
        model: ScoringModel,
        evidence: Sequence[Evidence],
        effects: Any = None,
    ) -> None:
        self.catalog = catalog
        self.caseload = caseload
        self.model = model
        self.evidence = list(evidence)
        self.approach_ids = catalog.ids
        self.status = np.column_stack([ev.status for ev in evaluations])
        n = len(caseload)
        m = len(evaluations)
        self.catalog_score = (
            np.column_stack([ev.score for ev in evaluations]) if m else np.empty((n, 0))
        )
        self.coverage = np.column_stack([ev.coverage.astype(np.float32) for ev in evaluations])
        self.rule_state = [ev.rule_state for ev in evaluations]
        self.effects = effects
        self.learned: LearnedScores | None = None
        if effects is not None:
            self.learned = learned_scores(effects, self.approach_ids, caseload, self.catalog_score)
            self.score = self.learned.score
            self.rank = _rank(self.status, self.learned.gain, self.catalog_score)
        else:
            self.score = self.catalog_score
            self.rank = _rank(self.status, self.score, self.catalog_score)

    def __len__(self) -> int:
        return len(self.caseload)

    def __repr__(self) -> str:
        return f"BatchResult({len(self)} clients x {len(self.approach_ids)} approaches)"

    @property
    def client_ids(self) -> list[str]:
        """Client ids in order."""
        return self.caseload.client_ids

    def status_counts(self) -> pd.DataFrame:
        """Return the number of clients per approach and status."""
        data = {name: (self.status == code).sum(axis=0) for code, name in enumerate(STATUS_NAMES)}
        return pd.DataFrame(data, index=pd.Index(self.approach_ids, name="approach_id"))

    def top1(self) -> npt.NDArray[np.int64]:
        """Index of each client's rank-1 approach, -1 when every approach is ineligible."""
        best: npt.NDArray[np.int64] = np.argmax(self.rank == 1, axis=1).astype(np.int64)
        best[~(self.rank == 1).any(axis=1)] = -1
        return best

    def failed_rules(self, row: int, j: int) -> list[str]:
        """Ids of the false hard rules of approach ``j`` for client ``row``."""
        rules = self.catalog.approaches[j].rules
        return [r.id for r, s in zip(rules, self.rule_state[j][row], strict=True) if s == 0]

    def to_verify(self, row: int, j: int) -> list[str]:
        """Contract fields to verify for client ``row`` and approach ``j``."""
        if self.status[row, j] != VERIFY:
            return []
        cols = self.caseload.columns
        fields: set[str] = set()
        approach = self.catalog.approaches[j]
        for compiled, s in zip(approach.compiled_rules, self.rule_state[j][row], strict=True):
            if s == -1:
                for name in compiled.fields:
                    for stored in _expand(name):
                        if not cols.known(stored)[row]:
                            fields.add(stored)
        return sorted(fields, key=_FIELD_ORDER.__getitem__)

    def recommendations(
        self,
        row: int,
        *,
        top: int | None = None,
        include_ineligible: bool = False,
        lang: Lang = "en",
    ) -> list[Recommendation]:
        """Render the ranked, explained recommendations of one client."""
        matches = self._target_matches(np.array([row]))
        return self._render(row, [m[0] for m in matches], top, include_ineligible, lang)

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
        ids = self.client_ids
        for start in range(0, len(self), chunk_size):
            rows = np.arange(start, min(start + chunk_size, len(self)))
            matches = self._target_matches(rows)
            for k, row in enumerate(rows):
                row_matches = [m[k] for m in matches]
                yield ids[row], self._render(int(row), row_matches, top, include_ineligible, lang)

    def _target_matches(self, rows: npt.NDArray[np.intp]) -> list[npt.NDArray[np.float64]]:
        # Target matches are not kept per client (they would dominate memory at scale); the
        # same computation is repeated for the rows being explained.
        part = self.caseload.take(rows).columns
        return [match_criteria(a, part)[1] for a in self.catalog.approaches]

    def _render(
        self,
        row: int,
        target_matches: Sequence[npt.NDArray[np.float64]],
        top: int | None,
        include_ineligible: bool,
        lang: Lang,
    ) -> list[Recommendation]:
        order = [j for j in np.argsort(self.rank[row], kind="stable") if self.rank[row, j] > 0]
        if top is not None:
            order = order[:top]
        if include_ineligible:
            order += [j for j in range(len(self.approach_ids)) if self.rank[row, j] == 0]
        out = []
        for j in order:
            approach = self.catalog.approaches[j]
            status = int(self.status[row, j])
            verify = self.to_verify(row, j)
            target_match = target_matches[j]
            reasons = render_reasons(
                approach,
                status,
                self.rule_state[j][row],
                target_match,
                float(self.coverage[row, j]),
                verify,
                lang,
            )
            gain = effect = ci = None
            if self.learned is not None:
                reasons += self._effect_reasons(row, j, lang)
                gain = float(self.learned.gain[row, j])
                if not np.isnan(self.learned.effect[row, j]) and not self.learned.thin[j]:
                    effect = float(self.learned.effect[row, j])
                    half = 1.959963984540054 * float(self.learned.effect_se[row, j])
                    ci = (effect - half, effect + half)
            parts = contributions(
                approach, self.rule_state[j][row], target_match, self.model, self.evidence[j]
            )
            out.append(
                Recommendation(
                    approach_id=approach.id,
                    rank=int(self.rank[row, j]) or None,
                    status=STATUS_NAMES[status],
                    score=float(self.score[row, j]),
                    reasons=reasons,
                    to_verify=verify,
                    failed_rules=self.failed_rules(row, j),
                    coverage=float(self.coverage[row, j]),
                    contributions={f"{kind}:{key}": value for kind, key, value in parts},
                    gain=gain,
                    effect=effect,
                    effect_ci=ci,
                )
            )
        return out

    def _effect_reasons(self, row: int, j: int, lang: Lang) -> list[str]:
        learned = self.learned
        assert learned is not None
        approach_id = self.approach_ids[j]
        effects = self.effects
        neighbours: tuple[int, float, int, float] | None = None
        if approach_id in effects.approach_ids_:
            arm = effects.approach_ids_.index(approach_id) + 1
            one = self.caseload.take(np.array([row]))
            basis = effects.encoder_.basis(effects.encoder_.raw(one))
            nb = effects.neighbours_
            k_t, mean_t = nb.nearest(effects.encoder_.basis, basis, arm)
            k_c, mean_c = nb.nearest(effects.encoder_.basis, basis, 0)
            neighbours = (int(k_t[0]), float(mean_t[0]), int(k_c[0]), float(mean_c[0]))
        return render_effect_reasons(
            outcome=learned.outcome,
            binary=learned.binary,
            participants=int(learned.participants[j]),
            thin=bool(learned.thin[j]),
            weight=float(learned.weight[j]),
            effect=float(learned.effect[row, j]),
            effect_se=float(learned.effect_se[row, j]),
            neighbours=neighbours,
            lang=lang,
        )

    def to_frame(self, *, top: int | None = None, include_ineligible: bool = False) -> pd.DataFrame:
        """Return the flat table of the listed recommendations, one row per client and approach.

        Columns: ``client_id, approach_id, rank, status, score, to_verify, failed_rules``
        (lists ``;``-separated). Built column-wise: the text of ``to_verify`` and
        ``failed_rules`` is looked up per distinct code, not rendered per row.
        """
        m = self.status.shape[1]
        keep = self.rank > 0
        if top is not None:
            keep &= self.rank <= top
        if include_ineligible:
            keep |= self.rank == 0
        rows, cols = np.nonzero(keep)
        # Listed order per client: ranked first (by rank), then ineligible by approach id.
        sort_rank = np.where(self.rank[rows, cols] > 0, self.rank[rows, cols], m + 1 + cols)
        order = np.lexsort((sort_rank, rows))
        rows, cols = rows[order], cols[order]
        failed_text = np.empty(len(rows), dtype=object)
        verify_text = np.empty(len(rows), dtype=object)
        for j in range(m):
            sel = cols == j
            failed_text[sel] = self._codes_text(j, rows[sel], failed=True)
            verify_text[sel] = self._codes_text(j, rows[sel], failed=False)
        ids = np.asarray(self.caseload.frame["client_id"].astype(object))
        ranks = self.rank[rows, cols]
        rank_col = pd.array(ranks, dtype="Int64")
        rank_col[ranks == 0] = pd.NA
        return pd.DataFrame(
            {
                "client_id": ids[rows],
                "approach_id": np.asarray(self.approach_ids, dtype=object)[cols],
                "rank": rank_col,
                "status": np.asarray(STATUS_NAMES, dtype=object)[self.status[rows, cols]],
                "score": self.score[rows, cols],
                "to_verify": verify_text,
                "failed_rules": failed_text,
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
        rows = np.arange(len(self)) if rows is None else rows
        approach = self.catalog.approaches[j]
        state = self.rule_state[j][rows]
        cols = self.caseload.columns
        names = sorted(
            {s for c in approach.compiled_rules for f in c.fields for s in _expand(f)},
            key=_FIELD_ORDER.__getitem__,
        )
        verify = self.status[rows, j] == VERIFY
        bits = np.zeros((len(rows), len(names)), dtype=bool)
        for k, name in enumerate(names):
            unknown = ~cols.known(name)[rows]
            reads = np.zeros(len(rows), dtype=bool)
            for r, compiled in enumerate(approach.compiled_rules):
                if any(name in _expand(f) for f in compiled.fields):
                    reads |= state[:, r] == -1
            bits[:, k] = verify & unknown & reads
        return names, bits

    def _codes_text(self, j: int, rows: npt.NDArray[np.intp], *, failed: bool) -> Any:
        if failed:
            names = [r.id for r in self.catalog.approaches[j].rules]
            bits = self.rule_state[j][rows] == 0
        else:
            names, bits = self.verify_fields(j, rows)
        if not names:
            return np.full(len(rows), "", dtype=object)
        codes = np.packbits(bits, axis=1, bitorder="little")
        keys = codes.view(np.dtype((np.void, codes.shape[1]))).ravel()
        uniq, inverse = np.unique(keys, return_inverse=True)
        texts = []
        for u in uniq:
            b = np.unpackbits(np.frombuffer(u.tobytes(), dtype=np.uint8), bitorder="little")
            texts.append(";".join(nm for nm, bit in zip(names, b, strict=False) if bit))
        return np.asarray(texts, dtype=object)[inverse.ravel()]


def _rank(
    status: npt.NDArray[np.int8],
    score: npt.NDArray[np.float64],
    catalog_score: npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.int16]:
    """Rank non-ineligible approaches per client by score, then catalog score, then column."""
    n, m = status.shape
    catalog_score = score if catalog_score is None else catalog_score
    key = np.where(status == INELIGIBLE, np.inf, -score)
    second = np.where(status == INELIGIBLE, np.inf, -catalog_score)
    rows = np.repeat(np.arange(n), m)
    cols = np.tile(np.arange(m), n)
    # lexsort: the last key is primary; rows keep each client's approaches together.
    flat = np.lexsort((cols, second.ravel(), key.ravel(), rows))
    order = (flat - rows * m).reshape(n, m) if n else np.empty((0, m), dtype=np.int64)
    ranks = np.empty((n, m), dtype=np.int16)
    np.put_along_axis(ranks, order, np.arange(1, m + 1, dtype=np.int16)[None, :], axis=1)
    ranks[status == INELIGIBLE] = 0
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
    effects : EffectModel, optional
        Effects learned from a history (:func:`matchkit.fit_effects`). Statuses stay as the
        rules say; the score becomes the estimated gain where the history holds enough
        participants and shrinks toward the catalog score where it is thin (see
        ``LearnedScores`` for the blend), and reasons show the gain and how similar past
        clients fared.

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
        effects: Any = None,
    ) -> None:
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
        ref: CaseloadColumns | None = None
        if self.model.specificity:
            if reference is None:
                ref = reference_caseload().columns
            else:
                ref = (
                    reference if isinstance(reference, Caseload) else read_caseload(reference)
                ).columns
        self.evidence = [evidence_weights(a, self.model, ref) for a in catalog.approaches]

    def recommend(
        self,
        client: ClientProfile,
        *,
        top: int | None = None,
        include_ineligible: bool = False,
        lang: Lang = "en",
    ) -> list[Recommendation]:
        """Ranked, explained recommendations for one client (through the batch path)."""
        result = self.recommend_batch(Caseload.from_profiles([client]))
        return result.recommendations(0, top=top, include_ineligible=include_ineligible, lang=lang)

    def recommend_batch(
        self,
        caseload: Caseload | pd.DataFrame | Iterable[ClientProfile],
        *,
        progress: bool = False,
    ) -> BatchResult:
        """Evaluate every client against every approach, vectorised.

        Parameters
        ----------
        caseload : Caseload, DataFrame or iterable of ClientProfile
            A DataFrame is validated first (bad records raise ``RecordErrors``).
        progress : bool
            Show a progress bar per approach.
        """
        if not isinstance(caseload, Caseload):
            caseload = read_caseload(caseload)
        cols: CaseloadColumns = caseload.columns
        approaches: Iterable[Approach] = self.catalog.approaches
        if progress:
            from tqdm.auto import tqdm

            approaches = tqdm(approaches, desc="approaches", unit="approach")
        evaluations = [
            evaluate_approach(a, cols, self.model, ev)
            for a, ev in zip(approaches, self.evidence, strict=True)
        ]
        return BatchResult(
            self.catalog, caseload, evaluations, self.model, self.evidence, self.effects
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
