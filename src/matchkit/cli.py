"""The matchkit command line: parse arguments, call the library, print.

Exit codes: 0 success, 2 bad input (every problem listed on stderr), 1 other failures.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import IO, Any

import matchkit as mk
from matchkit.errors import CatalogError, MatchkitError, ParameterError, RecordErrors
from matchkit.recommend import SCORE_SCALE

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


def _recommend_file(args: argparse.Namespace) -> tuple[mk.Caseload, mk.BatchResult]:
    """Read the client file, load the catalog and recommend: the start of most commands."""
    catalog = _catalog(args)
    offering = _offering(args)
    caseload = mk.read_caseload(args.clients)
    progress = args.progress or (sys.stderr.isatty() and len(caseload) >= 50_000)
    recommender = mk.Recommender(catalog, offering=offering)
    return caseload, recommender.recommend_batch(caseload, progress=progress)


def _plan_from_args(result: mk.BatchResult, args: argparse.Namespace) -> mk.Plan:
    return mk.plan_assignment(
        result,
        capacity=_pairs(args.capacity, int),
        include_verify=args.include_verify,
        min_share=_shares(args.min_share),
        method=getattr(args, "method", "optimal"),
    )


def cmd_show(args: argparse.Namespace, out: IO[str]) -> int:
    catalog = _catalog(args)
    if args.id not in catalog:
        raise ParameterError(
            f"approach id {args.id!r} is not in the catalog; expected one of "
            + ", ".join(catalog.ids)
        )
    print(catalog[args.id].describe(args.lang), file=out)
    return EXIT_OK


def cmd_catalog(args: argparse.Namespace, out: IO[str]) -> int:
    catalog = _catalog(args)
    print(catalog_table(catalog), file=out)
    return EXIT_OK


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def catalog_table(catalog: mk.Catalog) -> str:
    """Render the catalog as a plain-text table (long names and places shortened)."""
    rows = [("id", "name", "types", "goal", "places", "rules", "where")]
    for a in catalog.approaches:
        rows.append(
            (
                a.id,
                _clip(a.name, 34),
                "+".join(t.replace("_first", "") for t in a.approach_types),
                a.goal,
                str(a.places),
                str(len(a.rules)),
                _clip(", ".join(a.municipalities), 28),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def cmd_validate(args: argparse.Namespace, out: IO[str]) -> int:
    if args.what == "catalog":
        catalog = mk.load_catalog(args.path)
        print(f"{args.path}: {len(catalog)} approaches, all valid", file=out)
        return EXIT_OK
    caseload, errors = mk.validate_caseload(args.path)
    if errors:
        raise RecordErrors(errors, valid=caseload, source=args.path)
    print(f"{args.path}: {len(caseload)} clients, all valid", file=out)
    return EXIT_OK


def cmd_recommend(args: argparse.Namespace, out: IO[str]) -> int:
    caseload, result = _recommend_file(args)
    progress = args.progress or (sys.stderr.isatty() and len(caseload) >= 50_000)
    target: IO[str] = open(args.out, "w", encoding="utf-8") if args.out else out  # noqa: SIM115
    try:
        write_recommendations(
            result, target, args.format, args.top, args.include_ineligible, args.lang, progress
        )
    finally:
        if args.out:
            target.close()
    return EXIT_OK


def write_recommendations(
    result: mk.BatchResult,
    out: IO[str],
    fmt: str,
    top: int | None,
    include_ineligible: bool,
    lang: Any,
    progress: bool = False,
) -> None:
    """Write recommendations as table, json (one object per client and line) or csv.

    The table names approaches by name and explains the score's scale once; json and csv
    keep the ids. Approaches that would fit but are not offered are listed apart.
    """
    if fmt == "csv":
        frame = result.to_frame(top=top, include_ineligible=include_ineligible)
        frame.to_csv(out, index=False, float_format="%.17g", lineterminator="\n")
        return
    clients: Iterable[tuple[str, list[mk.Recommendation]]] = result.iter_clients(
        top=top, include_ineligible=include_ineligible, lang=lang
    )
    if progress:
        from tqdm.auto import tqdm

        clients = tqdm(clients, total=len(result), desc="writing", unit="client")
    first = True
    for cid, recs in clients:
        if fmt == "json":
            line: dict[str, Any] = {
                "client_id": cid,
                "recommendations": [r.to_dict() for r in recs],
            }
            apart = [r.approach_id for r in recs if not r.offered and r.status != "ineligible"]
            if apart:
                line["not_offered"] = apart
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        else:
            out.write(("" if first else "\n") + _client_block(cid, recs, lang))
        first = False
    if fmt == "table" and not first:
        # The score's scale, once, closing the last block (blocks stay one per client).
        scale = textwrap.wrap(SCORE_SCALE[lang], width=86)
        out.write("".join(f"  {line}\n" for line in ["-" * 40, *scale]))


_STATUS_WORDS = {
    "en": {"eligible": "eligible", "verify": "verify", "ineligible": "ineligible"},
    "nl": {"eligible": "geschikt", "verify": "na te gaan", "ineligible": "valt af"},
}
_APART = {
    "en": "  Would fit, not offered here:",
    "nl": "  Zou passen, maar wordt hier niet aangeboden:",
}


def _client_block(cid: str, recs: Sequence[mk.Recommendation], lang: Any = "en") -> str:
    lines = [f"{cid}"]
    if not recs:
        lines.append("  (no approach listed)" if lang == "en" else "  (geen aanpak)")
    offered = [r for r in recs if r.offered or r.status == "ineligible"]
    apart = [r for r in recs if not r.offered and r.status != "ineligible"]
    for header, group in ((None, offered), (_APART[lang], apart)):
        if header and group:
            lines.append(header)
        for r in group:
            rank = str(r.rank) if r.rank else "-"
            name = _clip(r.name or r.approach_id, 40)
            status = _STATUS_WORDS[lang][r.status]
            lines.append(f"  {rank:>2}  {name:<40} {status:<10} {r.score:.2f}")
            for reason in r.reasons:
                lines += textwrap.wrap(
                    reason, width=88, initial_indent="        ", subsequent_indent="          "
                )
    return "\n".join(lines) + "\n"


def cmd_synth(args: argparse.Namespace, out: IO[str]) -> int:
    suffix = Path(args.out).suffix
    if suffix not in (".jsonl", ".csv", ".parquet"):
        print(
            f"matchkit: --out {args.out!r}: expected a .jsonl, .csv or .parquet file",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    caseload = mk.generate_caseload(args.n, seed=args.seed)
    mk.write_caseload(caseload, args.out)
    print(f"wrote {len(caseload)} synthetic clients (seed {args.seed}) to {args.out}", file=out)
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace, out: IO[str]) -> int:
    import pandas as pd

    catalog = _catalog(args)
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
        result.groups.to_csv(args.out, index=False)
    return EXIT_OK


def cmd_pools(args: argparse.Namespace, out: IO[str]) -> int:
    import pandas as pd

    caseload, result = _recommend_file(args)
    pools = mk.candidate_pools(
        result,
        selection_ratios=_pairs(args.selection_ratio, float),
        capacity=_pairs(args.capacity, int),
    )
    if args.out:
        base = Path(args.out)
        for name in ("summary", "excluding_rules", "to_verify", "groups", "to_arrange"):
            table = getattr(pools, name)
            path = base.with_name(f"{base.stem}_{name}.csv")
            table.to_csv(path, index=name == "summary")
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
    caseload, result = _recommend_file(args)
    plan = _plan_from_args(result, args)
    plan.assignments.to_csv(args.out, index=False, float_format="%.17g", lineterminator="\n")
    print(plan_summary(plan, len(caseload)), file=out)
    print(f"\nwrote {args.out}", file=out)
    return EXIT_OK


def cmd_report(args: argparse.Namespace, out: IO[str]) -> int:
    from matchkit.planning._report import write_report

    _, result = _recommend_file(args)
    pools = mk.candidate_pools(result, capacity=_pairs(args.capacity, int))
    plan = _plan_from_args(result, args)
    path = write_report(args.out, result, pools, plan, lang=args.lang)
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
        except ValueError:
            share = float("nan")
        if not sep or "=" not in group or not 0 <= share <= 1:
            raise ParameterError(
                f"--min-share {part!r} is not allowed; expected DIMENSION=GROUP:SHARE with a "
                "share from 0 to 1, e.g. gender=female:0.5"
            )
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


def _pairs(text: str | None, kind: type[Any]) -> dict[str, Any]:
    """Parse ``id=value,id=value`` into a dict (argparse-friendly errors)."""
    out: dict[str, Any] = {}
    if not text:
        return out
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ParameterError(
                f"{part!r} is not allowed; expected ID=VALUE pairs separated by ','"
            )
        try:
            out[key.strip()] = kind(value)
        except ValueError:
            raise ParameterError(
                f"{key.strip()}={value!r} is not allowed; expected a {kind.__name__}"
            ) from None
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


def _clients_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--clients", required=True, metavar="FILE", help=".jsonl, .csv or .parquet")
    p.add_argument("--catalog", metavar="DIR", help="a catalog directory (default: built-in)")
    p.add_argument(
        "--progress",
        action="store_true",
        help="show progress bars (on by default in a terminal for 50,000 clients or more)",
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


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``matchkit`` command."""
    parser = argparse.ArgumentParser(
        prog="matchkit",
        description="Match people on long-term social assistance to approaches that fit them.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo", help="show the built-in catalog and recommend for example clients")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("catalog", help="list the approaches of a catalog")
    p.add_argument("--catalog", metavar="DIR", help="a catalog directory (default: built-in)")
    p.set_defaults(func=cmd_catalog)

    p = sub.add_parser("show", help="what an approach is, for whom, and what it delivers")
    p.add_argument("id", metavar="ID", help="approach id, e.g. fip")
    p.add_argument("--lang", choices=["en", "nl"], default="en")
    p.add_argument("--catalog", metavar="DIR", help="a catalog directory (default: built-in)")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("validate", help="validate a client file or a catalog directory")
    p.add_argument("what", choices=["clients", "catalog"])
    p.add_argument("path", metavar="FILE_OR_DIR")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("recommend", help="recommend approaches for every client in a file")
    _clients_arguments(p)
    p.add_argument("--top", type=_positive_int, metavar="K", help="list the first K approaches")
    p.add_argument(
        "--include-ineligible",
        action="store_true",
        help="append the ineligible approaches (rank null) after the ranked ones",
    )
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.add_argument("--lang", choices=["en", "nl"], default="en", help="language of reasons")
    p.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    p.set_defaults(func=cmd_recommend)

    p = sub.add_parser("synth", help="write a synthetic caseload (no real client data)")
    p.add_argument("--n", type=_non_negative_int, required=True, help="number of clients")
    p.add_argument("--seed", type=_non_negative_int, required=True, help="random seed")
    p.add_argument("--out", required=True, metavar="FILE", help=".jsonl, .csv or .parquet")
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser(
        "evaluate", help="compare matching strategies on a synthetic caseload with known outcomes"
    )
    p.add_argument("--n", type=_positive_int, default=100_000, help="clients (default 100000)")
    p.add_argument("--seed", type=_non_negative_int, default=0, help="random seed (default 0)")
    p.add_argument("--catalog", metavar="DIR", help="a catalog directory (default: built-in)")
    p.add_argument("--out", metavar="FILE", help="also write the group table as CSV")
    p.set_defaults(func=cmd_evaluate)

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
    p.add_argument("--out", metavar="FILE.csv", help="write the four tables as FILE_<table>.csv")
    p.set_defaults(func=cmd_pools)

    p = sub.add_parser("assign", help="fill the places of each approach optimally")
    _clients_arguments(p)
    _plan_arguments(p)
    p.add_argument("--method", choices=["optimal", "greedy"], default="optimal")
    p.add_argument("--out", required=True, metavar="FILE.csv", help="client_id,approach_id,score")
    p.set_defaults(func=cmd_assign)

    p = sub.add_parser("report", help="write a one-page HTML report with charts")
    _clients_arguments(p)
    _plan_arguments(p)
    p.add_argument("--lang", choices=["en", "nl"], default="en", help="language of the page")
    p.add_argument("--out", required=True, metavar="FILE.html")
    p.set_defaults(func=cmd_report)

    return parser


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
    """Run the command line; return the exit code."""
    out = out or sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        code: int = args.func(args, out)
    except (RecordErrors, CatalogError) as exc:
        print(f"matchkit: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except FileNotFoundError as exc:
        print(f"matchkit: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; that is not an error of ours.
        sys.stderr.close()
        return EXIT_OK
    except MatchkitError as exc:
        print(f"matchkit: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT if isinstance(exc, ValueError) else EXIT_FAILURE
    return code


if __name__ == "__main__":
    sys.exit(main())
