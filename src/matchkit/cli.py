"""The matchkit command line: parse arguments, call the library, print.

Exit codes: 0 success, 2 bad input or an unreadable/unwritable file (one line on stderr, or
every bad record listed), 130 interrupted (Ctrl-C), 1 other failures. Every output file is
written atomically: on a failure or Ctrl-C the old file is left as it was.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import dataclasses
import functools
import io
import json
import math
import os
import re
import sys
import textwrap
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import IO, Any

import numpy as np

import matchkit as mk
from matchkit._memory import keep_freed_memory
from matchkit._output import (
    atomic_path,
    check_distinct,
    json_line,
    table_format,
    text_stream,
    write_csv,
    write_table,
    write_text,
)
from matchkit._text import clip_repr, clip_text, escape_control
from matchkit.errors import MatchkitError, ParameterError, RecordErrors
from matchkit.learn import fit_effects, load_effects
from matchkit.recommend import SCORE_SCALE
from matchkit.recommend.writing import (
    assemble,
    case_strings,
    client_ids,
    iter_blocks,
    json_chunks,
    listing_options,
    pair_code,
    strings_by_code,
)

__all__ = ["main"]

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


def _catalog(args: argparse.Namespace) -> mk.Catalog:
    return mk.load_catalog(getattr(args, "catalog", None))


def _example_clients() -> Path:
    return Path(str(resources.files("matchkit.profiles") / "examples" / "clients.jsonl"))


def _offering(args: argparse.Namespace) -> mk.Offering | None:
    """Return the offering of ``--offered ID,...`` or ``--offering FILE`` (not both)."""
    offered, path = getattr(args, "offered", None), getattr(args, "offering", None)
    if offered and path:
        raise ParameterError("give --offered or --offering, not both")
    if path:
        return mk.load_offering(path)
    return mk.Offering.parse(offered) if offered is not None else None


_BIG_FILE_BYTES = 20 * 1024 * 1024
"""A client file this large (about 50,000 clients) shows progress in a terminal by default."""


class _Steps:
    """A progress bar over the slow steps of a command: reading, recommending, ...

    Each step is one call, vectorised inside, so the bar advances per step and shows what
    runs now and the time so far; rendering and writing have a bar per client of their own.
    """

    def __init__(self, enabled: bool, total: int) -> None:
        self._bar: Any = None
        if enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=total, unit="step", bar_format="{desc}: step {n}/{total} [{elapsed}]"
            )

    def start(self, desc: str) -> None:
        if self._bar is not None:
            self._bar.set_description_str(desc)

    def done(self) -> None:
        if self._bar is not None:
            self._bar.update(1)
            if self._bar.n >= self._bar.total:
                self._bar.close()


def _show_progress(args: argparse.Namespace, n_clients: int | None = None) -> bool:
    if args.progress:
        return True
    if not sys.stderr.isatty():
        return False
    if n_clients is not None:
        return n_clients >= 50_000
    path = Path(args.clients)
    return path.is_file() and path.stat().st_size >= _BIG_FILE_BYTES


def _recommend_file(args: argparse.Namespace) -> tuple[mk.Caseload, mk.BatchResult]:
    """Read the client file, load the catalog and recommend: the start of most commands."""
    catalog = _catalog(args)
    offering = _offering(args)
    steps = _Steps(_show_progress(args), total=2)
    steps.start(f"reading {Path(args.clients).name}")
    caseload = mk.read_caseload(args.clients, columns=args.columns, sep=args.sep)
    steps.done()
    steps.start(f"recommending for {len(caseload):,} clients")
    effects = load_effects(args.effects) if getattr(args, "effects", None) else None
    recommender = mk.Recommender(catalog, offering=offering, effects=effects)
    result = recommender.recommend_batch(caseload)
    steps.done()
    return caseload, result


def _plan_options(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, float]]:
    """Parse --capacity and --min-share (before any slow work, so a typo fails fast)."""
    return _pairs(args.capacity, int, "--capacity"), _shares(args.min_share)


def _plan_from_args(result: mk.BatchResult, args: argparse.Namespace) -> mk.Plan:
    capacity, shares = _plan_options(args)
    return mk.plan_assignment(
        result,
        capacity=capacity,
        include_verify=args.include_verify,
        min_share=shares,
        method=getattr(args, "method", "optimal"),
    )


def cmd_show(args: argparse.Namespace, out: IO[str]) -> int:
    catalog = _catalog(args)
    if args.id not in catalog:
        raise ParameterError(
            f"approach id {clip_repr(args.id)} is not in the catalog; expected one of "
            + ", ".join(catalog.ids)
        )
    print(escape_control(catalog[args.id].describe(args.lang)), file=out)
    return EXIT_OK


def cmd_catalog(args: argparse.Namespace, out: IO[str]) -> int:
    catalog = _catalog(args)
    offering = _offering(args)
    if offering is not None:
        offering.check(catalog)
    print(catalog_table(catalog, offering=offering, lang=args.lang), file=out)
    return EXIT_OK


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


_TABLE_WORDS = {
    "id": {"en": "id", "nl": "id"},
    "name": {"en": "name", "nl": "naam"},
    "types": {"en": "types", "nl": "soort"},
    "goal": {"en": "goal", "nl": "doel"},
    "places": {"en": "places", "nl": "plaatsen"},
    "rules": {"en": "rules", "nl": "voorwaarden"},
    "piloted": {"en": "piloted in", "nl": "gepilot in"},
    "offered": {"en": "offered in", "nl": "aangeboden in"},
    "work": {"en": "work", "nl": "werk"},
    "human_capital": {"en": "human capital", "nl": "scholing"},
    "life": {"en": "life", "nl": "leven"},
    "activation": {"en": "activation", "nl": "activering"},
    "both": {"en": "both", "nl": "beide"},
    "everywhere": {"en": "everywhere", "nl": "overal"},
    "elsewhere": {"en": "other places", "nl": "overige plaatsen"},
    "nowhere": {"en": "nowhere", "nl": "nergens"},
}


def _offered_where(approach: mk.Approach, offering: mk.Offering | None, lang: str) -> str:
    """Where an approach is offered: the offering's areas, then what holds elsewhere."""
    w = {k: v[lang] for k, v in _TABLE_WORDS.items()}
    if offering is None:
        return (
            ", ".join(approach.offered_in) if approach.offered_in is not None else w["everywhere"]
        )
    areas = [a for a, ids in offering.by_area.items() if approach.id in set(ids)]
    other = offering.offered_in(None)  # what clients outside the named areas get
    if other is not None:
        rest = [w["elsewhere" if areas else "everywhere"]] if approach.id in other else []
    elif approach.offered_in is not None:
        rest = [a for a in approach.offered_in if a not in areas]
    else:
        rest = [w["elsewhere" if offering.by_area else "everywhere"]]
    return ", ".join(areas + rest) or w["nowhere"]


def catalog_table(
    catalog: mk.Catalog, *, offering: mk.Offering | None = None, lang: str = "en"
) -> str:
    """Render the catalog as a plain-text table (long names and places shortened).

    The "piloted in" column gives where the report's pilot ran, which does not limit where
    an approach is offered; an "offered in" column follows when an offering is given or the
    catalog sets ``offered_in``.
    """
    w = {k: v[lang] for k, v in _TABLE_WORDS.items()}
    show_offered = offering is not None or any(a.offered_in is not None for a in catalog.approaches)
    head = [w[k] for k in ("id", "name", "types", "goal", "places", "rules", "piloted")]
    rows = [tuple(head + ([w["offered"]] if show_offered else []))]
    for a in catalog.approaches:
        row = [
            a.id,
            _clip(a.name, 34),
            "+".join(w[t.removesuffix("_first")] for t in a.approach_types),
            w[a.goal],
            str(a.places),
            str(len(a.rules)),
            _clip(", ".join(a.municipalities), 28),
        ]
        if show_offered:
            row.append(_clip(_offered_where(a, offering, lang), 40))
        rows.append(tuple(row))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return escape_control("\n".join(lines))


def cmd_validate(args: argparse.Namespace, out: IO[str]) -> int:
    if args.what == "catalog":
        catalog = mk.load_catalog(args.path)
        print(f"{args.path}: {len(catalog)} approaches, all valid", file=out)
        return EXIT_OK
    caseload, errors = mk.validate_caseload(args.path, columns=args.columns, sep=args.sep)
    if errors:
        raise RecordErrors(errors, valid=caseload, source=args.path)
    print(f"{args.path}: {len(caseload)} clients, all valid", file=out)
    return EXIT_OK


def cmd_recommend(args: argparse.Namespace, out: IO[str]) -> int:
    fmt = _recommend_format(args)
    _check_output(args, args.out)
    caseload, result = _recommend_file(args)
    progress = _show_progress(args, len(caseload))
    options = (args.top, args.include_ineligible, args.lang, progress)
    if not args.out:
        write_recommendations(result, _stdout_bytes(out), fmt, *options)
    elif fmt in ("jsonl", "json"):
        # Written as bytes: the JSON is joined from UTF-8 pieces (json_chunks).
        with atomic_path(args.out) as tmp, open(tmp, "wb") as fh:
            write_recommendations(result, fh, fmt if fmt == "jsonl" else "json-array", *options)
    else:
        frame = result.to_frame(top=args.top, include_ineligible=args.include_ineligible)
        write_table(frame, args.out, raw_cells=args.raw_cells)
    return EXIT_OK


def _stdout_bytes(out: IO[str]) -> IO[str] | IO[bytes]:
    """Return the byte stream under Python's own standard output where it is plain UTF-8.

    There the JSON's UTF-8 pieces (``json_chunks``) are written as they are, not decoded and
    encoded again (1M clients, top 3, written to a text stream: 5.8 s of CPU time, as bytes
    4.6 s, 2026-12-05). Any other stream, or one that translates line ends or escapes what it
    cannot encode, is kept.
    """
    if (
        out is sys.__stdout__
        and isinstance(out, io.TextIOWrapper)
        and os.linesep == "\n"
        and codecs.lookup(out.encoding).name == "utf-8"
        and out.errors == "strict"
    ):
        out.flush()
        buffer: IO[bytes] = out.buffer
        return buffer
    return out


def _recommend_format(args: argparse.Namespace) -> str:
    """Return the format to write: by the extension of --out, else --format (default table)."""
    given = "jsonl" if args.format == "json" else args.format
    if args.format == "json" and not args.out:
        print(
            "matchkit: --format json is deprecated; it writes JSON Lines, use --format jsonl",
            file=sys.stderr,
        )
    if not args.out:
        return given or "table"
    fmt = table_format(args.out)
    if given is not None and given != fmt and not (given == "jsonl" and fmt == "json"):
        raise ParameterError(
            f"--format {args.format} does not match --out {args.out!r}, which writes {fmt}; "
            "the extension of --out chooses the format"
        )
    return fmt


def _check_output(args: argparse.Namespace, path: str | None) -> None:
    """Refuse an output path that is an input of the command."""
    if path:
        inputs = [getattr(args, name, None) for name in ("clients", "catalog", "offering")]
        check_distinct(path, inputs)


def _recommendation_json(line: dict[str, Any]) -> str:
    """One client's recommendations as strict JSON: :func:`json_line`'s text, faster.

    Every key is a string, so where the C encoder takes the line as it is (plain Python
    values, finite floats) it writes what ``json_line`` writes; a line holding a numpy value
    or a NaN goes through ``json_line``, which converts them.
    """
    try:
        return json.dumps(line, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return json_line(line)


def write_recommendations(
    result: mk.BatchResult,
    out: IO[str] | IO[bytes],
    fmt: str,
    top: int | None,
    include_ineligible: bool,
    lang: Any,
    progress: bool = False,
) -> None:
    """Write recommendations as a table, JSON Lines, a JSON array or CSV.

    ``fmt`` is ``table`` (plain text, control characters escaped; approaches by name, the
    score's scale explained once), ``jsonl`` (one object per client and line), ``json-array``
    (one JSON array of those objects) or ``csv``; JSON and CSV keep the ids. Approaches that
    would fit but are not offered are listed apart.

    JSON and the table are joined a block of clients at a time from pieces rendered once
    per distinct case (``json_chunks``, :func:`_table_chunks`): the text
    :func:`_write_objects` writes from the ``Recommendation`` objects, byte for byte
    (``tests/cli/test_columnar_writers.py``), which remains the path for learned effects.
    ``out`` is a text stream, or a byte stream that takes the text as UTF-8.
    """
    if fmt == "csv":
        frame = result.to_frame(top=top, include_ineligible=include_ineligible)
        write_csv(frame, out, neutralise=True)
        return
    top, include_ineligible, lang = listing_options(top, include_ineligible, lang)
    if result.learned is not None:
        # Learned effects add reasons per client and approach: written from the objects.
        with text_stream(out) as stream:
            _write_objects(result, stream, fmt, top, include_ineligible, lang, progress)
        return
    bar: Any = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(result), desc="rendering and writing", unit="client")
    if fmt == "json-array":
        write_text(out, "[")
    chunks: Iterable[tuple[int, str | bytes]] = (
        json_chunks(result, top, include_ineligible, lang, array=fmt == "json-array")
        if fmt in ("jsonl", "json-array")
        else _table_chunks(result, top, include_ineligible, lang)
    )
    for n, text in chunks:
        write_text(out, text)
        if bar is not None:
            bar.update(n)
    if bar is not None:
        bar.close()
    if fmt == "json-array":
        write_text(out, "\n]\n")
    if fmt == "table" and len(result):
        write_text(out, _scale_text(lang))


def _scale_text(lang: Any) -> str:
    """Return the score's scale, written once to close the last block of the table."""
    scale = textwrap.wrap(SCORE_SCALE[lang], width=86)
    return "".join(f"  {line}\n" for line in ["-" * 40, *scale])


def _write_objects(
    result: mk.BatchResult,
    out: IO[str],
    fmt: str,
    top: int | None,
    include_ineligible: bool,
    lang: Any,
    progress: bool = False,
) -> None:
    """Write from the ``Recommendation`` objects of ``iter_clients``, client by client.

    The reference for the columnar writers (the same text, tested byte for byte), and the
    path for learned effects.
    """
    clients: Iterable[tuple[str, list[mk.Recommendation]]] = result.iter_clients(
        top=top, include_ineligible=include_ineligible, lang=lang
    )
    if progress:
        from tqdm.auto import tqdm

        clients = tqdm(clients, total=len(result), desc="rendering and writing", unit="client")
    if fmt == "json-array":
        out.write("[")
    first = True
    for cid, recs in clients:
        if fmt in ("jsonl", "json-array"):
            line: dict[str, Any] = {
                "client_id": cid,
                "recommendations": [r.to_dict() for r in recs],
            }
            apart = [r.approach_id for r in recs if not r.offered and r.status != "ineligible"]
            if apart:
                line["not_offered"] = apart
            if fmt == "jsonl":
                out.write(_recommendation_json(line) + "\n")
            else:
                out.write(("" if first else ",") + "\n" + _recommendation_json(line))
        else:
            out.write(("" if first else "\n") + _client_block(cid, recs, lang))
        first = False
    if fmt == "json-array":
        out.write("\n]\n")
    if fmt == "table" and not first:
        out.write(_scale_text(lang))


def write_csv_stream(frame: Any, out: IO[str], raw_cells: bool = False) -> None:
    """Write a table as CSV to a text stream, formula-like cells neutralised."""
    write_csv(frame, out, neutralise=not raw_cells)


_STATUS_WORDS = {
    "en": {"eligible": "eligible", "verify": "verify", "ineligible": "ineligible"},
    "nl": {"eligible": "geschikt", "verify": "na te gaan", "ineligible": "valt af"},
}
_APART = {
    "en": "  Would fit, not offered here:",
    "nl": "  Zou passen, maar wordt hier niet aangeboden:",
}


def _client_block(cid: str, recs: Sequence[mk.Recommendation], lang: Any = "en") -> str:
    """One client's lines of the table, terminal control characters escaped.

    Each piece that can hold outside text (the id, a name, a reason) is escaped on its own,
    names and reasons once each (they repeat across clients); the rest of the layout holds
    no control character, so this is the same text as escaping the whole block.
    """
    lines = [escape_control(cid)]
    if not recs:
        lines.append("  (no approach listed)" if lang == "en" else "  (geen aanpak)")
    offered = [r for r in recs if r.offered or r.status == "ineligible"]
    apart = [r for r in recs if not r.offered and r.status != "ineligible"]
    for header, group in ((None, offered), (_APART[lang], apart)):
        if header and group:
            lines.append(header)
        for r in group:
            rank = str(r.rank) if r.rank else "-"
            name = _name_cell(r.name or r.approach_id)
            status = _STATUS_WORDS[lang][r.status]
            lines.append(f"  {rank:>2}  {name} {status:<10} {r.score:.2f}")
            for reason in r.reasons:
                lines += _wrap_reason(reason)
    return "\n".join(lines) + "\n"


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""The characters :func:`escape_control` replaces."""

_EMPTY = {"en": "\n  (no approach listed)", "nl": "\n  (geen aanpak)"}


def _table_chunks(
    result: mk.BatchResult,
    top: int | None,
    include_ineligible: bool,
    lang: Any,
    chunk_size: int = 20_000,
) -> Iterable[tuple[int, str]]:
    """Yield (clients, text) of the table, a block of clients at a time.

    The text :func:`_client_block` gives per client, blocks apart by an empty line: per
    client its id, then the ranked and the ineligible approaches in listing order, then
    those that would fit but are not offered under their header. A line per approach is
    made once per approach, rank and status, the wrapped reasons once per rendered case,
    and the pieces are joined in order.
    """
    ids = client_ids(result)
    approaches = result.catalog.approaches
    words = _STATUS_WORDS[lang]
    statuses = ["ineligible", "verify", "eligible"]

    def head(code: int) -> str:
        j, rank, status, first_apart = decode(code)
        a = approaches[j]
        rank_text = str(rank) if rank else "-"
        return (
            "\n" + _APART[lang] if first_apart else ""
        ) + f"\n  {rank_text:>2}  {_name_cell(a.name or a.id)} {words[statuses[status]]:<10} "

    def body(reasons: Sequence[str]) -> str:
        return "".join("\n" + line for reason in reasons for line in _wrap_reason(reason))

    def score_and_body(score: float, case: Any, _: bool) -> str:
        text: str | None = case.encoded.get(lang)
        if text is None:
            text = case.encoded[lang] = body(case.reasons)
        return f"{score:.2f}" + text

    for block in iter_blocks(result, top, include_ineligible, lang, chunk_size):
        rows, k = block.rows, len(block.rows)
        grows = rows[block.local]
        status = result.status[grows, block.cols]
        rank = result.rank[grows, block.cols]
        score = result.score[grows, block.cols]
        apart = (status != 0) & ~result.offered[grows, block.cols]
        # The table's order: ranked and ineligible (as listed), then the apart ones.
        order = np.lexsort((np.arange(len(grows)), apart, block.local))
        block = dataclasses.replace(
            block, local=block.local[order], cols=block.cols[order], case_ix=block.case_ix[order]
        )
        local = block.local
        status, rank, score, apart = status[order], rank[order], score[order], apart[order]
        first_apart = apart.copy()
        first_apart[1:] &= ~(apart[:-1] & (local[1:] == local[:-1]))
        code, decode = pair_code(block.cols, rank, status, first_apart)
        heads = strings_by_code(code, head)
        flag = np.zeros(len(local), dtype=bool)
        rests = case_strings(block, score, flag, score_and_body, ("table", lang))
        if block.leads:
            starts = np.searchsorted(local, np.arange(k, dtype=np.intp))
            for b, lead in block.leads.items():
                p = int(starts[b])  # the rank-1 approach, first in both orders
                cut = len(f"{score[p]:.2f}")  # the lead goes after the score
                rests[p] = rests[p][:cut] + body(lead) + rests[p][cut:]
        names = [ids[r] for r in rows.tolist()]
        if _CONTROL_CHARS.search("".join(names)):
            names = [escape_control(cid) for cid in names]
        opens = np.empty(k, dtype=object)
        opens[:] = names
        before = np.full(k, "\n\n", dtype=object)  # the end of a block, an empty line
        before[0] = "" if rows[0] == 0 else "\n"  # the last block ended with its "\n"
        counts = np.bincount(local, minlength=k)
        opens = before + opens + np.where(counts == 0, _EMPTY[lang], "").astype(object)
        yield k, assemble(k, local, [opens], [heads, rests], "\n")


@functools.lru_cache(maxsize=65_536)
def _name_cell(name: str) -> str:
    """Return an approach's name cut and padded to its column, then escaped; once per name."""
    return escape_control(f"{_clip(name, 40):<40}")


@functools.lru_cache(maxsize=65_536)
def _wrap_reason(reason: str) -> tuple[str, ...]:
    """Wrap one reason under its approach, escaped; reasons repeat across clients, so once each."""
    wrapped = textwrap.wrap(
        reason, width=88, initial_indent="        ", subsequent_indent="          "
    )
    return tuple(escape_control(line) for line in wrapped)


def cmd_synth(args: argparse.Namespace, out: IO[str]) -> int:
    table_format(args.out, allowed=(".jsonl", ".csv", ".parquet"))
    if args.history:
        history = mk.generate_history(args.n, seed=args.seed)
        mk.write_history(history, args.out)
        what = "synthetic clients with approaches and outcomes (a history)"
        print(f"wrote {len(history)} {what} (seed {args.seed}) to {args.out}", file=out)
        return EXIT_OK
    caseload = mk.generate_caseload(args.n, seed=args.seed)
    mk.write_caseload(caseload, args.out)
    print(f"wrote {len(caseload)} synthetic clients (seed {args.seed}) to {args.out}", file=out)
    return EXIT_OK


def _names(text: str | None) -> list[str] | None:
    """Parse ``a,b,c`` into a list of names (None when not given)."""
    if text is None:
        return None
    names = [p.strip() for p in text.split(",") if p.strip()]
    if not names:
        raise ParameterError(f"{text!r} is not allowed; expected NAME[,NAME...]")
    return names


def _read_history_arg(args: argparse.Namespace, catalog: mk.Catalog) -> mk.History:
    if not args.outcome.strip():
        raise ParameterError("--outcome '' is not allowed; expected the outcome column's name")
    return mk.read_history(args.history, outcomes=[args.outcome], catalog=catalog)


def cmd_learn(args: argparse.Namespace, out: IO[str]) -> int:
    import pandas as pd

    features, controls = _names(args.features), _names(args.controls)
    if Path(args.out).suffix != ".json":
        raise ParameterError(f"--out {args.out!r} is not allowed; expected a .json file")
    catalog = _catalog(args)
    history = _read_history_arg(args, catalog)
    model = fit_effects(
        history,
        args.outcome,
        features=features,
        controls=controls,
        folds=args.folds,
        random_state=args.seed,
    )
    model.save(args.out)
    with pd.option_context("display.width", 140, "display.max_columns", 20):
        print(
            f"Effects on {args.outcome} against usual care, learned from {len(history)} "
            f"clients in {args.history} (95% intervals; docs/learning.md)\n",
            file=out,
        )
        print(model.summary().round(4).to_string(), file=out)
    print(f"\nwrote {args.out}", file=out)
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace, out: IO[str]) -> int:
    import pandas as pd

    if args.out:
        table_format(args.out)
        _check_output(args, args.out)
    catalog = _catalog(args)
    if args.history or args.outcome:
        return _evaluate_history(args, catalog, out)
    result = mk.evaluate(catalog, n=args.n, seed=args.seed)
    with pd.option_context("display.width", 120, "display.max_columns", 20):
        print(
            f"Strategies on {result.n} synthetic clients (seed {args.seed}); "
            "definitions in docs/evaluation.md\n",
            file=out,
        )
        print(result.metrics.round(4).to_string(), file=out)
        print("\nExpected outcome gain per group, and the gap between groups:\n", file=out)
        print(result.groups.round(4).to_string(index=False), file=out)
    if args.out:
        write_table(result.groups, args.out, raw_cells=args.raw_cells)
    return EXIT_OK


def _evaluate_history(args: argparse.Namespace, catalog: mk.Catalog, out: IO[str]) -> int:
    import pandas as pd

    from matchkit.learn import compare_policies

    if not (args.history and args.outcome):
        raise ParameterError("--history and --outcome go together: give both")
    features = _names(args.features)
    history = _read_history_arg(args, catalog)
    result = compare_policies(
        history,
        args.outcome,
        catalog=catalog,
        seed=args.seed,
        features=features,
        tree_depth=args.depth,
    )
    values = result.values
    if values["true_value"].isna().all():
        values = values.drop(columns="true_value")
    with pd.option_context("display.width", 160, "display.max_columns", 30):
        print(
            f"Policies on {result.n} clients of {args.history}, outcome {args.outcome}: "
            "doubly robust value with 95% interval (docs/learning.md)\n",
            file=out,
        )
        print(values.round(4).to_string(), file=out)
        print("\nValue per audit group:\n", file=out)
        print(result.groups.round(4).to_string(index=False), file=out)
    if args.out:
        result.groups.to_csv(args.out, index=False)
    return EXIT_OK


def cmd_pools(args: argparse.Namespace, out: IO[str]) -> int:
    import pandas as pd

    names = ("summary", "excluding_rules", "to_verify", "groups", "to_arrange")
    paths: list[Path] = []
    if args.out:
        base = Path(args.out)
        table_format(base)
        paths = [base.with_name(f"{base.stem}_{name}{base.suffix}") for name in names]
        for path in paths:
            _check_output(args, str(path))
    ratios = _pairs(args.selection_ratio, float, "--selection-ratio")
    capacity = _pairs(args.capacity, int, "--capacity")
    caseload, result = _recommend_file(args)
    pools = mk.candidate_pools(result, selection_ratios=ratios, capacity=capacity)
    if args.out:
        for name, path in zip(names, paths, strict=True):
            table = getattr(pools, name)
            write_table(
                table.reset_index() if name == "summary" else table, path, raw_cells=args.raw_cells
            )
            print(f"wrote {path}", file=out)
        return EXIT_OK
    with pd.option_context("display.width", 140, "display.max_columns", 20):
        print(f"Candidate pools in {len(caseload)} clients\n", file=out)
        print(pools.summary.round(3).to_string(), file=out)
        print("\nRules that exclude most (top 3 per approach):\n", file=out)
        top_rules = pools.excluding_rules.groupby("approach_id", sort=True).head(3)
        print(top_rules.round(3).to_string(index=False), file=out)
        print("\nFacts most often to verify at intake (top 3 per approach):\n", file=out)
        print(pools.to_verify.groupby("approach_id").head(3).to_string(index=False), file=out)
        if len(pools.to_arrange):
            print("\nConditions to arrange for clients in the pool:\n", file=out)
            print(pools.to_arrange.to_string(index=False), file=out)
    return EXIT_OK


def cmd_assign(args: argparse.Namespace, out: IO[str]) -> int:
    table_format(args.out)
    _check_output(args, args.out)
    _plan_options(args)
    caseload, result = _recommend_file(args)
    plan = _plan_from_args(result, args)
    write_table(plan.assignments, args.out, raw_cells=args.raw_cells)
    print(plan_summary(plan, len(caseload)), file=out)
    print(f"\nwrote {args.out}", file=out)
    return EXIT_OK


def cmd_report(args: argparse.Namespace, out: IO[str]) -> int:
    table_format(args.out, allowed=(".html", ".htm"))
    _check_output(args, args.out)
    capacity, _ = _plan_options(args)
    _, result = _recommend_file(args)
    pools = mk.candidate_pools(result, capacity=capacity)
    plan = _plan_from_args(result, args)
    path = mk.write_report(args.out, result, pools, plan, lang=args.lang)
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB)", file=out)
    return EXIT_OK


def _shares(text: str | None) -> dict[str, float]:
    """Parse ``dimension=group:share,...`` (e.g. ``gender=female:0.5``)."""
    out: dict[str, float] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        group, sep, value = part.rpartition(":")
        try:
            share = float(value)
        except (ValueError, OverflowError):
            share = float("nan")
        if not sep or "=" not in group or not 0 <= share <= 1:
            raise ParameterError(
                f"--min-share {clip_repr(part)} is not allowed; expected DIMENSION=GROUP:SHARE "
                "with a share from 0 to 1, e.g. gender=female:0.5"
            )
        if group.strip() in out:
            raise ParameterError(f"--min-share: {clip_repr(group.strip())} is given twice")
        out[group.strip()] = share
    return out


def plan_summary(plan: mk.Plan, n_clients: int) -> str:
    """Render a plan's summary as plain text."""
    import pandas as pd

    assigned = int(plan.assignments["approach_id"].notna().sum())
    lines = [
        f"Plan ({plan.method}): {assigned} of {n_clients} clients assigned, "
        f"total score {plan.total_score:.4f}"
    ]
    if plan.gap is not None:
        lines.append(f"Greedy gap to the optimum: {plan.gap:.4f}")
    bottleneck = plan.bottleneck
    lines.append(
        f"Bottleneck (highest capacity price): {bottleneck}"
        if bottleneck
        else "No approach's capacity binds."
    )
    with pd.option_context("display.width", 140, "display.max_columns", 20):
        lines += ["", plan.summary.round(4).to_string(), ""]
        lines.append("Audit groups (share of the caseload and of the assigned clients):")
        lines.append(plan.groups.round(4).to_string(index=False))
    return "\n".join(lines)


def _pairs(text: str | None, kind: type[Any], option: str = "option") -> dict[str, Any]:
    """Parse ``id=value,id=value`` into a dict; a repeated id is an error."""
    out: dict[str, Any] = {}
    if not text:
        return out
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ParameterError(
                f"{option} {clip_repr(part)} is not allowed; expected ID=VALUE pairs "
                "separated by ','"
            )
        if key in out:
            raise ParameterError(f"{option}: {clip_repr(key)} is given twice; give each id once")
        try:
            parsed = kind(value.strip())
        except (ValueError, OverflowError):
            parsed = None
        if parsed is None or (isinstance(parsed, float) and not math.isfinite(parsed)):
            what = "whole number" if kind is int else "finite number"
            raise ParameterError(
                f"{option} {clip_repr(key)}={clip_repr(value)} is not allowed; expected a {what}"
            )
        out[key] = parsed
    return out


def cmd_demo(args: argparse.Namespace, out: IO[str]) -> int:
    catalog = mk.load_catalog()
    print("matchkit demo: the seven approaches of the report\n", file=out)
    print(catalog_table(catalog), file=out)
    path = _example_clients()
    caseload = mk.read_caseload(path)
    print(f"\nExample clients ({path.name}): {len(caseload)} valid profiles.", file=out)
    print("Top 3 approaches per client (reasons in English; --lang nl for Dutch):\n", file=out)
    result = mk.Recommender(catalog).recommend_batch(caseload)
    write_recommendations(result, out, "table", 3, False, "en")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace, out: IO[str]) -> int:
    schema = mk.ClientProfile.model_json_schema()
    print(json.dumps(schema, indent=2, ensure_ascii=False), file=out)
    return EXIT_OK


def _export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--columns",
        metavar="MAP.yaml",
        help="map an export's headers and values to the contract "
        "(see profiles/examples/dutch-export.yaml)",
    )
    p.add_argument(
        "--sep", metavar="CHAR", help="CSV delimiter (default: detected from the header line)"
    )


def _clients_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--clients", required=True, metavar="FILE", help=".jsonl, .csv or .parquet")
    _export_arguments(p)
    p.add_argument("--catalog", metavar="DIR", help="a catalog directory (default: built-in)")
    p.add_argument(
        "--progress",
        action="store_true",
        help="show progress for reading, recommending, rendering and writing (on by default "
        "in a terminal for 50,000 clients or more)",
    )
    p.add_argument(
        "--offered",
        metavar="ID,...",
        help="the approaches offered here, for every client (default: all)",
    )
    p.add_argument(
        "--offering",
        metavar="FILE",
        help="a YAML or JSON file: municipality (or '*') to the approach ids offered there",
    )


def _plan_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--capacity", metavar="ID=N,...", help="places per approach (default: the catalog's)"
    )
    p.add_argument(
        "--include-verify", action="store_true", help="also assign pairs still to be verified"
    )
    p.add_argument(
        "--min-share",
        metavar="DIM=GROUP:SHARE,...",
        help="minimum share of the assigned clients per audit group, e.g. gender=female:0.5",
    )


def _raw_cells_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--raw-cells",
        action="store_true",
        help="write CSV/XLSX text cells as they are; by default a cell starting with = + - @, "
        "a tab or a carriage return gets a leading ' so a spreadsheet does not run it",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``matchkit`` command."""
    parser = argparse.ArgumentParser(
        prog="matchkit",
        description="Match people on long-term social assistance to approaches that fit them.",
    )
    parser.add_argument("--version", action="version", version=f"matchkit {mk.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo", help="show the built-in catalog and recommend for example clients")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("catalog", help="list the approaches of a catalog")
    p.add_argument("--catalog", metavar="DIR", help="a catalog directory (default: built-in)")
    p.add_argument("--lang", choices=["en", "nl"], default="en", help="language of the table")
    p.add_argument(
        "--offered",
        metavar="ID,...",
        help="the approaches offered here, for every client: adds an 'offered in' column",
    )
    p.add_argument(
        "--offering",
        metavar="FILE",
        help="a YAML or JSON file: municipality (or '*') to the approach ids offered there",
    )
    p.set_defaults(func=cmd_catalog)

    p = sub.add_parser("show", help="what an approach is, for whom, and what it delivers")
    p.add_argument("id", metavar="ID", help="approach id, e.g. fip")
    p.add_argument("--lang", choices=["en", "nl"], default="en")
    p.add_argument("--catalog", metavar="DIR", help="a catalog directory (default: built-in)")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("validate", help="validate a client file or a catalog directory")
    p.add_argument("what", choices=["clients", "catalog"])
    p.add_argument("path", metavar="FILE_OR_DIR")
    _export_arguments(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help="print the JSON schema of a client profile")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("recommend", help="recommend approaches for every client in a file")
    _clients_arguments(p)
    p.add_argument("--top", type=_positive_int, metavar="K", help="list the first K approaches")
    p.add_argument(
        "--include-ineligible",
        action="store_true",
        help="append the ineligible approaches (rank null) after the ranked ones",
    )
    p.add_argument(
        "--format",
        choices=["table", "jsonl", "csv", "json"],
        default=None,
        help="what to write on standard output: table (default), jsonl (one JSON object per "
        "client and line) or csv; 'json' is a deprecated alias of jsonl. With --out the "
        "extension chooses the format",
    )
    p.add_argument("--lang", choices=["en", "nl"], default="en", help="language of reasons")
    p.add_argument(
        "--out",
        metavar="FILE",
        help="write here instead of standard output: .csv, .jsonl, .json (a JSON array), "
        ".parquet or .xlsx",
    )
    _raw_cells_argument(p)
    p.add_argument(
        "--effects",
        metavar="MODEL.json",
        help="rank by effects learned from a history (matchkit learn --out MODEL.json)",
    )
    p.set_defaults(func=cmd_recommend)

    p = sub.add_parser("synth", help="write a synthetic caseload (no real client data)")
    p.add_argument("--n", type=_non_negative_int, required=True, help="number of clients")
    p.add_argument("--seed", type=_non_negative_int, required=True, help="random seed")
    p.add_argument("--out", required=True, metavar="FILE", help=".jsonl, .csv or .parquet")
    p.add_argument(
        "--history",
        action="store_true",
        help="write a history: approaches chosen in the past, exit_12m and ladder_change",
    )
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser(
        "evaluate",
        help="compare matching strategies on a synthetic caseload with known outcomes, "
        "or policies on a history (--history, --outcome)",
    )
    p.add_argument("--n", type=_positive_int, default=100_000, help="clients (default 100000)")
    p.add_argument("--seed", type=_non_negative_int, default=0, help="random seed (default 0)")
    p.add_argument("--catalog", metavar="DIR", help="a catalog directory (default: built-in)")
    p.add_argument(
        "--out", metavar="FILE", help="also write the group table (.csv, .jsonl, .json, ...)"
    )
    _raw_cells_argument(p)
    p.add_argument(
        "--history", metavar="FILE", help="a history (.jsonl, .csv, .parquet): value policies"
    )
    p.add_argument("--outcome", metavar="COL", help="the history's outcome column")
    p.add_argument(
        "--features", metavar="A,B,...", help="what effects may vary by (default: the profile)"
    )
    p.add_argument("--depth", type=_positive_int, default=2, help="policy tree depth (default 2)")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("learn", help="learn the effects of approaches from a history")
    p.add_argument("--history", required=True, metavar="FILE", help=".jsonl, .csv or .parquet")
    p.add_argument("--outcome", required=True, metavar="COL", help="the outcome column")
    p.add_argument(
        "--features", metavar="A,B,...", help="what effects may vary by (default: the profile)"
    )
    p.add_argument("--controls", metavar="A,B,...", help="confounders used only for adjustment")
    p.add_argument("--folds", type=_int_at_least(2), default=5, help="cross-fitting folds")
    p.add_argument("--seed", type=_non_negative_int, default=0, help="random seed (default 0)")
    p.add_argument("--catalog", metavar="DIR", help="a catalog directory (default: built-in)")
    p.add_argument("--out", required=True, metavar="MODEL.json", help="where to save the model")
    p.set_defaults(func=cmd_learn)

    p = sub.add_parser("pools", help="candidate pools per approach, with group break-down")
    _clients_arguments(p)
    p.add_argument(
        "--capacity", metavar="ID=N,...", help="places per approach (default: the catalog's)"
    )
    p.add_argument(
        "--selection-ratio",
        metavar="ID=R,...",
        help="share of candidates who enter after intake, per approach (default: catalog or 0.5)",
    )
    p.add_argument(
        "--out",
        metavar="FILE.csv",
        help="write the four tables as FILE_<table>.csv (or .jsonl, .json, .parquet, .xlsx)",
    )
    _raw_cells_argument(p)
    p.set_defaults(func=cmd_pools)

    p = sub.add_parser("assign", help="fill the places of each approach optimally")
    _clients_arguments(p)
    _plan_arguments(p)
    p.add_argument("--method", choices=["optimal", "greedy"], default="optimal")
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE.csv",
        help="client_id,approach_id,score as .csv, .jsonl, .json, .parquet or .xlsx",
    )
    _raw_cells_argument(p)
    p.set_defaults(func=cmd_assign)

    p = sub.add_parser("report", help="write a one-page HTML report with charts")
    _clients_arguments(p)
    _plan_arguments(p)
    p.add_argument("--lang", choices=["en", "nl"], default="en", help="language of the page")
    p.add_argument("--out", required=True, metavar="FILE.html")
    p.set_defaults(func=cmd_report)

    _web_parsers(sub)
    return parser


# The web page (`matchkit[web]`): Django is imported only when one of these commands runs,
# so the core never needs it.
def _web_parsers(sub: Any) -> None:
    p = sub.add_parser("serve", help="serve the web page for case managers (matchkit[web])")
    p.add_argument("--port", type=_positive_int, default=8000, help="port (default 8000)")
    p.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    p.add_argument("--workers", type=_positive_int, default=2, help="server processes (default 2)")
    p.add_argument(
        "--threads", type=_positive_int, default=8, help="threads per process (default 8)"
    )
    _web_db_arguments(p)
    p.add_argument(
        "--create-user",
        metavar="NAME",
        help="create or update a user (password from $MATCHKIT_PASSWORD), then exit",
    )
    p.add_argument(
        "--role",
        choices=["case_manager", "adviser", "administrator"],
        default="case_manager",
        help="the role of --create-user (default case_manager)",
    )
    p.add_argument("--team", default="", help="the team of --create-user")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("decisions", help="the web page's decisions: export or purge")
    dsub = p.add_subparsers(dest="what", required=True, metavar="ACTION")
    e = dsub.add_parser("export", help="write decisions with outcomes as a history file")
    _web_db_arguments(e)
    e.add_argument("--out", required=True, metavar="FILE", help=".jsonl, .csv or .parquet")
    e.set_defaults(func=cmd_decisions_export)
    g = dsub.add_parser("purge", help="delete clients past the retention period")
    _web_db_arguments(g)
    g.add_argument(
        "--days", type=_positive_int, help="retention in days (default $MATCHKIT_RETENTION_DAYS)"
    )
    g.set_defaults(func=cmd_decisions_purge)


def _web_db_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL", help="sqlite:///FILE or postgresql://USER@HOST/NAME")
    p.add_argument(
        "--data-dir", metavar="DIR", help="SQLite file and secret key (default ./matchkit-data)"
    )


def _web(args: argparse.Namespace) -> Any:
    try:
        from matchkit.web import commands
    except ImportError as exc:  # pragma: no cover - only without the extra
        raise ParameterError(
            f"the web page needs the extra: pip install 'matchkit-bijstand[web]' ({exc})"
        ) from None
    commands.check_options(
        db=args.db,
        data_dir=args.data_dir,
        host=getattr(args, "host", None),
        username=getattr(args, "create_user", None),
        team=getattr(args, "team", None),
        out=getattr(args, "out", None),
    )
    serving = args.func is cmd_serve and not getattr(args, "create_user", None)
    commands.setup(db=args.db, data_dir=args.data_dir, serving=serving)
    return commands


def cmd_serve(args: argparse.Namespace, out: IO[str]) -> int:
    """Serve the web page, or create a user with --create-user."""
    commands = _web(args)
    if args.create_user:
        password = os.environ.get("MATCHKIT_PASSWORD", "")
        commands.create_user(args.create_user, args.role, password, team=args.team)
        print(f"user {args.create_user} ({args.role}) is ready", file=out)
        return EXIT_OK
    commands.serve(args.port, args.host, out, workers=args.workers, threads=args.threads)
    return EXIT_OK


def cmd_decisions_export(args: argparse.Namespace, out: IO[str]) -> int:
    """Write the recorded decisions with outcomes as a history."""
    n = _web(args).export(args.out)
    print(f"wrote {n} decisions with outcomes to {args.out}", file=out)
    return EXIT_OK


def cmd_decisions_purge(args: argparse.Namespace, out: IO[str]) -> int:
    """Delete clients past the retention period."""
    n = _web(args).purge(args.days)
    print(f"purged {n} clients", file=out)
    return EXIT_OK


def _int_at_least(minimum: int) -> Callable[[str], int]:
    """Return an argparse type: a whole number of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is not allowed; expected {minimum} or more")
        return value

    return parse


_positive_int = _int_at_least(1)
_non_negative_int = _int_at_least(0)


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Every failure the user can fix (bad records, a malformed catalog, a bad option value, an
    unreadable input or unwritable output) prints one message on stderr and returns 2; an
    interrupt (Ctrl-C) returns 130. Output files are replaced atomically, so neither leaves
    a partial file.
    """
    out = out or sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        code: int = args.func(args, out)
        out.flush()
    except KeyboardInterrupt:
        _error("interrupted; output files were left as they were")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; that is not an error of ours.
        _silence(out)
        return EXIT_OK
    except MatchkitError as exc:
        _error(str(exc))
        return EXIT_BAD_INPUT if isinstance(exc, ValueError | KeyError) else EXIT_FAILURE
    except (OSError, UnicodeError) as exc:
        _error(_os_message(exc, out))
        _silence(out)
        return EXIT_BAD_INPUT
    except (ValueError, TypeError) as exc:
        # A bad value that reached a library check without a MatchkitError of its own.
        _error(f"{type(exc).__name__}: {exc}")
        return EXIT_BAD_INPUT
    return code


EXIT_INTERRUPTED = 130


def run() -> None:
    """Run the command line as the ``matchkit`` program and exit with its code.

    The program's entry point: unlike :func:`main`, which tests and callers run in their own
    process, it tunes the process's allocator for large batches first
    (:func:`matchkit._memory.keep_freed_memory`).
    """
    keep_freed_memory()
    raise SystemExit(main())


def _error(message: str) -> None:
    """Print an error on stderr: escaped control characters, long lines cut."""
    lines = escape_control(message).splitlines() or [""]
    text = "\n".join(clip_text(line, 2_000) for line in lines)
    with contextlib.suppress(OSError):
        print(f"matchkit: {text}", file=sys.stderr)


def _os_message(exc: OSError | UnicodeError, out: IO[str]) -> str:
    """One line naming the file of an OS or decoding error (standard output when none)."""
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        name = exc.filename
        if name is None:
            where = "standard output" if out is sys.stdout else "output"
            if exc.errno is None:
                return str(exc)
            return f"{where}: {reason}"
        return f"{name}: {reason}"
    return f"cannot decode text: {exc}"


def _silence(out: IO[str]) -> None:
    """Point standard output at /dev/null so the interpreter's final flush cannot fail."""
    if out is not sys.stdout:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    run()
