"""The approach catalog: one YAML file per approach, validated as strictly as client data.

See ``docs/catalog.md`` for the format. :func:`load_catalog` reads the built-in catalog (the
seven approaches of the report, shipped as ``matchkit.profiles``) or a user's directory, and
reports every problem of every file at once, naming file, entry and field.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from matchkit._fields import FIELDS, SENSITIVE_FIELDS, Kind, canonical_field
from matchkit._text import clip_repr, clip_text
from matchkit._yaml import load_yaml
from matchkit.errors import CatalogError, RuleError, UnknownApproachError
from matchkit.rules import ArraySource, CompiledRule, compile_rule, parse_rule, to_text

__all__ = [
    "Approach",
    "ArrangeEntry",
    "Catalog",
    "FactText",
    "Figure",
    "HardRule",
    "Sourced",
    "Subgroup",
    "TargetEntry",
    "Text",
    "load_catalog",
]

_ID = r"^[a-z0-9][a-z0-9-]{0,63}$"
_COMPILE_LATER = "matchkit.compile_later"
MAX_WEIGHT = 100.0
"""The largest weight of a rule or preference (weights are relative; 1 is the default)."""
MAX_TOLERANCE = 1_000_000.0
"""The largest tolerance of a graded preference (in the field's unit)."""
MAX_PLACES = 10_000_000
"""The most places an approach may declare in the catalog."""
SourceText = Annotated[str, Field(min_length=1, pattern=r"\S")]
"""A reference to where a rule, preference or number comes from (not blank)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in Dutch and English."""

    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        """Return the text in ``lang`` (``nl`` or ``en``)."""
        return self.nl if lang == "nl" else self.en


MISSING_LANGUAGE_MARK = {"nl": "[EN]", "en": "[NL]"}
"""Put before a fact's text shown in the other language because the catalog lacks this one."""

_NonBlank = Annotated[str, Field(min_length=1, pattern=r"\S")]


class FactText(_Strict):
    """A fact's text in Dutch and English: ``{en: ..., nl: ...}``.

    The built-in catalog gives both. A user's catalog may give one language only: a plain
    string is read as English (``{en: ...}``), and ``{nl: ...}`` alone is Dutch only. Shown
    in the missing language, the text appears in the other one behind a visible marker,
    ``[EN]`` in Dutch output and ``[NL]`` in English output (:data:`MISSING_LANGUAGE_MARK`).
    """

    en: _NonBlank | None = None
    nl: _NonBlank | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_string_is_english(cls, data: Any) -> Any:
        return {"en": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _some_language(self) -> FactText:
        if self.en is None and self.nl is None:
            raise ValueError("give the text in `en`, `nl` or both")
        return self

    @property
    def complete(self) -> bool:
        """Whether the text is given in both languages."""
        return self.en is not None and self.nl is not None

    def has(self, lang: str) -> bool:
        """Whether the text is given in ``lang`` (``nl`` or ``en``)."""
        return (self.nl if lang == "nl" else self.en) is not None

    def get(self, lang: str) -> str:
        """Return the text in ``lang``, or the other language behind a marker if it lacks it."""
        own, other = (self.nl, self.en) if lang == "nl" else (self.en, self.nl)
        if own is not None:
            return own
        assert other is not None
        return f"{MISSING_LANGUAGE_MARK['nl' if lang == 'nl' else 'en']} {other}"


class Sourced(_Strict):
    """A value with the report section (or other reference) it comes from.

    A number stays a number; a text is a :class:`FactText` (Dutch and English).
    """

    value: StrictBool | StrictInt | StrictFloat | FactText
    source: SourceText
    note: FactText | None = None


class SourcedNumber(Sourced):
    """A sourced number (a share, a count)."""

    value: StrictInt | StrictFloat


class Figure(_Strict):
    """A number the report gives: a cost, a benefit, a result.

    ``unit`` is a symbol shown as written in both languages (``EUR``, ``%``, ``FTE``) or, for
    a word, a :class:`FactText` (``{en: people, nl: mensen}``).
    """

    label: FactText
    value: StrictInt | StrictFloat | FactText
    unit: str | FactText | None = None
    source: SourceText
    note: FactText | None = None


class Statement(_Strict):
    """A sourced line of text (a working element, a pitfall), in Dutch and English."""

    text: FactText
    source: SourceText


class Capacity(_Strict):
    """Places an approach offers at a time and how it takes people in."""

    places: Sourced
    intake: Sourced | None = None

    @model_validator(mode="after")
    def _places_is_count(self) -> Capacity:
        v = self.places.value
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_PLACES:
            raise ValueError(
                f"capacity.places.value={clip_repr(v)}: expected a whole number from 0 to "
                f"{MAX_PLACES:,}"
            )
        return self


class Facts(_Strict):
    """What a case manager or analyst needs to know; every figure sourced."""

    intensity: Sourced | None = None
    duration_months: Sourced | None = None
    hours_per_week: Sourced | None = None
    capacity: Capacity
    selection_ratio: SourcedNumber | None = None
    effect_ladder_level: Sourced | None = None
    getting_to_know: Sourced | None = None
    figures: list[Figure] = Field(default_factory=list)
    working_elements: list[Statement] = Field(default_factory=list)
    pitfalls: list[Statement] = Field(default_factory=list)
    notes: list[Statement] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ratio(self) -> Facts:
        if self.selection_ratio is not None:
            v = self.selection_ratio.value
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 < v <= 1:
                raise ValueError(
                    f"selection_ratio.value={clip_repr(v)}: expected a number in (0, 1]"
                )
        return self

    def texts(self) -> list[tuple[str, FactText]]:
        """Every text of the facts, with where it is (``figures[2].label``), in file order."""
        out: list[tuple[str, FactText]] = []
        singles: tuple[str, ...] = (
            "intensity",
            "duration_months",
            "hours_per_week",
            "selection_ratio",
        )
        singles += ("effect_ladder_level", "getting_to_know")
        sourced = [(name, getattr(self, name)) for name in singles]
        sourced += [("capacity.places", self.capacity.places)]
        sourced += [("capacity.intake", self.capacity.intake)]
        for where, s in sourced:
            if s is None:
                continue
            if isinstance(s.value, FactText):
                out.append((f"{where}.value", s.value))
            if s.note is not None:
                out.append((f"{where}.note", s.note))
        for i, f in enumerate(self.figures):
            for key in ("label", "value", "unit", "note"):
                v = getattr(f, key)
                if isinstance(v, FactText):
                    out.append((f"figures[{i}].{key}", v))
        for name in ("working_elements", "pitfalls", "notes"):
            for i, st in enumerate(getattr(self, name)):
                out.append((f"{name}[{i}].text", st.text))
        return out


class HardRule(_Strict):
    """An eligibility rule: false means ineligible, unknown means verify at intake."""

    id: str = Field(pattern=_ID)
    rule: str = Field(min_length=1)
    source: SourceText
    reason: Text
    justification: str | None = None
    weight: float = Field(default=1.0, gt=0, le=MAX_WEIGHT, allow_inf_nan=False)


class Subgroup(_Strict):
    """One of the groups a ``subgroups`` target entry names, in plain words."""

    rule: str = Field(min_length=1)
    label: Text


class TargetEntry(_Strict):
    """One preference of the soft target profile: a rule, or a graded range on one field.

    A ``bonus`` entry (a subgroup for which the approach worked better, a lever) only raises
    the score where it matches; where it does not, it is left out, neither counted against
    the client nor shown as a difference.
    """

    id: str = Field(pattern=_ID)
    rule: str | None = None
    feature: str | None = None
    prefer: dict[str, Any] | None = None
    tolerance: float = Field(default=0.0, ge=0, le=MAX_TOLERANCE, allow_inf_nan=False)
    weight: float = Field(default=1.0, gt=0, le=MAX_WEIGHT, allow_inf_nan=False)
    source: SourceText
    label: Text
    bonus: bool = False
    subgroups: list[Subgroup] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self) -> TargetEntry:
        if (self.rule is None) == (self.feature is None):
            raise ValueError("give either `rule` or `feature` (with `prefer`), not both or neither")
        if self.subgroups and self.rule is None:
            raise ValueError("`subgroups` needs a rule-shaped entry (the `or` of their rules)")
        if self.feature is not None:
            if self.prefer is None:
                raise ValueError("a `feature` entry needs `prefer` ({min, max} or {in: [...]})")
            extra = set(self.prefer) - {"min", "max", "in"}
            if extra or not self.prefer or ("in" in self.prefer and len(self.prefer) > 1):
                raise ValueError(
                    f"prefer={clip_repr(self.prefer)}: expected keys min and/or max, or only `in`"
                )
        return self


class ArrangeEntry(_Strict):
    """A practical condition the municipality can arrange: transport, childcare, an outfit.

    The rule is true when nothing needs arranging. False means "to arrange" (te regelen),
    unknown means "ask at intake whether it needs arranging"; it never makes a client
    ineligible and does not change the score.
    """

    id: str = Field(pattern=_ID)
    rule: str = Field(min_length=1)
    source: SourceText
    label: Text


class Approach(_Strict):
    """An approach (aanpak) as data: who it is for, what it asks and what it delivers."""

    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    source: SourceText
    description: Text
    municipalities: list[str] = Field(min_length=1)
    executor: str = Field(min_length=1)
    approach_types: list[Literal["work_first", "human_capital_first", "life_first"]] = Field(
        min_length=1
    )
    goal: Literal["work", "activation", "both"]
    rules: list[HardRule] = Field(default_factory=list)
    target: list[TargetEntry] = Field(default_factory=list)
    arrange: list[ArrangeEntry] = Field(default_factory=list)
    offered_in: list[str] | None = None
    facts: Facts

    _compiled: tuple[CompiledRule, ...] = PrivateAttr(default=())
    _compiled_target: tuple[CompiledRule | None, ...] = PrivateAttr(default=())
    _compiled_from: tuple[str | None, ...] | None = PrivateAttr(default=None)
    _compiled_arrange: tuple[CompiledRule, ...] = PrivateAttr(default=())
    _compiled_subgroups: dict[int, tuple[CompiledRule, ...]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _unique_ids(self) -> Approach:
        entries_by_kind: tuple[tuple[str, Sequence[HardRule | TargetEntry | ArrangeEntry]], ...]
        entries_by_kind = (
            ("rules", self.rules),
            ("target", self.target),
            ("arrange", self.arrange),
        )
        for kind, entries in entries_by_kind:
            seen: set[str] = set()
            for e in entries:
                if e.id in seen:
                    raise ValueError(f"{kind}: duplicate id {e.id!r}")
                seen.add(e.id)
        return self

    @model_validator(mode="after")
    def _compile_rules(self, info: ValidationInfo) -> Approach:
        # Valid from construction, whatever the route: Approach(...), model_validate, JSON.
        # parse_approach asks to compile itself, to report the problems file by file.
        if info.context and info.context.get(_COMPILE_LATER):
            return self
        problems = self.compile()
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def compile(self) -> list[str]:
        """Parse and check every rule and preference; return problems (empty when fine).

        Construction already does this; call it again only to list the problems of an
        approach built with ``model_construct``.
        """
        problems: list[str] = []
        compiled: list[CompiledRule] = []
        for i, r in enumerate(self.rules):
            ctx = f"approach {self.id}, rules[{i}] ({r.id})"
            try:
                c = compile_rule(r.rule, context=ctx, allow_sensitive=True)
            except RuleError as exc:
                problems.append(str(exc))
                continue
            sensitive = sorted(c.fields & SENSITIVE_FIELDS)
            if sensitive and not (r.justification and r.justification.strip()):
                problems.append(
                    f"{ctx}: reads {', '.join(sensitive)}, a sensitive audit field; add a written "
                    "`justification` to the rule or use the need behind the group instead"
                )
            compiled.append(c)
        target: list[CompiledRule | None] = []
        subgroups: dict[int, tuple[CompiledRule, ...]] = {}
        for i, t in enumerate(self.target):
            ctx = f"approach {self.id}, target[{i}] ({t.id})"
            if t.rule is not None:
                try:
                    target.append(compile_rule(t.rule, context=ctx, allow_sensitive=False))
                except RuleError as exc:
                    problems.append(str(exc))
                    continue
                if t.subgroups:
                    found, parts = _compile_subgroups(t, ctx)
                    problems += found
                    subgroups[i] = parts
            else:
                problems += _check_feature(t, ctx)
                target.append(None)
        arrange: list[CompiledRule] = []
        for i, a in enumerate(self.arrange):
            ctx = f"approach {self.id}, arrange[{i}] ({a.id})"
            try:
                arrange.append(compile_rule(a.rule, context=ctx, allow_sensitive=False))
            except RuleError as exc:
                problems.append(str(exc))
        self._compiled = tuple(compiled)
        self._compiled_target = tuple(target)
        self._compiled_from = None if problems else self._rule_texts()
        self._compiled_arrange = tuple(arrange)
        self._compiled_subgroups = subgroups
        return problems

    def _rule_texts(self) -> tuple[str | None, ...]:
        return (
            tuple(r.rule for r in self.rules)
            + tuple(t.rule for t in self.target)
            + tuple(a.rule for a in self.arrange)
            + tuple(sub.rule for t in self.target for sub in t.subgroups)
        )

    @property
    def is_compiled(self) -> bool:
        """Whether the compiled rules are those of the current rules, target and arrange."""
        return self._compiled_from == self._rule_texts()

    def _private(self, name: str) -> Any:
        # Straight from pydantic's store of private attributes: the attribute route checks
        # for a descriptor on every read, through an exception (a large catalog reads these
        # for every approach, several times per batch).
        private = self.__pydantic_private__
        return private[name] if private is not None else getattr(self, name)

    @property
    def compiled_rules(self) -> tuple[CompiledRule, ...]:
        """The hard rules, parsed and checked."""
        return self._private("_compiled")  # type: ignore[no-any-return]

    @property
    def compiled_target(self) -> tuple[CompiledRule | None, ...]:
        """Parsed target rules (None for graded feature entries), aligned with ``target``."""
        return self._private("_compiled_target")  # type: ignore[no-any-return]

    @property
    def compiled_arrange(self) -> tuple[CompiledRule, ...]:
        """Parsed rules of the conditions to arrange, aligned with ``arrange``."""
        return self._private("_compiled_arrange")  # type: ignore[no-any-return]

    def fitting_subgroups(self, i: int, lookup: Callable[[str], object]) -> list[Text]:
        """Name the subgroups of target entry ``i`` that one client belongs to.

        Parameters
        ----------
        i : int
            Index of a target entry with ``subgroups``.
        lookup : callable
            Field name to the client's value (None when unknown), derived fields included.

        Returns
        -------
        list of Text
            The labels of the subgroups whose rule is true for the client (unknown is not
            true); empty for an entry without subgroups.
        """
        rules = self._compiled_subgroups.get(i, ())
        out = []
        for sub, rule in zip(self.target[i].subgroups, rules, strict=True):
            source = ArraySource({name: [lookup(name)] for name in sorted(rule.fields)})
            if rule.evaluate(source).true[0]:
                out.append(sub.label)
        return out

    def subgroup_rules(self, i: int) -> tuple[CompiledRule, ...]:
        """Return the compiled rules of target entry ``i``'s subgroups, in order (empty without)."""
        return self._compiled_subgroups.get(i, ())

    @property
    def places(self) -> int:
        """Default number of places (``facts.capacity.places``)."""
        v = self.facts.capacity.places.value
        assert isinstance(v, int)
        return v

    def describe(self, lang: Literal["en", "nl"] = "en") -> str:
        """Return what the approach is, for whom and what it delivers, with sources.

        Parameters
        ----------
        lang : {"en", "nl"}
            Language of the headings and the description.

        Examples
        --------
        >>> import matchkit as mk
        >>> text = mk.load_catalog()["fip"].describe("nl")
        >>> "Werkzame elementen" in text and "§3.5.3" in text
        True
        """
        from matchkit._describe import describe_approach

        if lang not in ("en", "nl"):
            from matchkit.errors import ParameterError

            raise ParameterError(f"lang={lang!r} is not allowed; expected 'en' or 'nl'")
        return describe_approach(self, lang)

    @property
    def sensitive_rules(self) -> list[HardRule]:
        """Rules that read a sensitive field (each has a justification)."""
        return [
            r
            for r, c in zip(self.rules, self._compiled, strict=True)
            if c.fields & SENSITIVE_FIELDS
        ]


def _compile_subgroups(t: TargetEntry, ctx: str) -> tuple[list[str], tuple[CompiledRule, ...]]:
    problems: list[str] = []
    parts: list[CompiledRule] = []
    for k, sub in enumerate(t.subgroups):
        try:
            parts.append(
                compile_rule(sub.rule, context=f"{ctx}, subgroups[{k}]", allow_sensitive=False)
            )
        except RuleError as exc:
            problems.append(str(exc))
    if problems:
        return problems, ()
    assert t.rule is not None
    joined = " or ".join(f"({sub.rule})" for sub in t.subgroups)
    if to_text(parse_rule(joined)) != to_text(parse_rule(t.rule)):
        problems.append(
            f"{ctx}: the subgroups do not add up to the rule; expected the rule to be the `or` "
            f"of the subgroup rules, {clip_text(joined, 200)}"
        )
    return problems, tuple(parts)


def _check_feature(t: TargetEntry, ctx: str) -> list[str]:
    assert t.feature is not None
    assert t.prefer is not None
    name = canonical_field(t.feature)
    if name is None:
        return [f"{ctx}: feature={t.feature!r} is not a field of the client-profile contract"]
    spec = FIELDS[name]
    if name in SENSITIVE_FIELDS:
        return [f"{ctx}: feature={name!r} is a sensitive audit field and may not drive a score"]
    if spec.kind in (Kind.LIST, Kind.STR):
        return [f"{ctx}: feature={name!r} is a {spec.kind} field; use a rule-shaped entry"]
    problems = []
    low, high = t.prefer.get("min"), t.prefer.get("max")
    if (
        spec.kind in (Kind.INT, Kind.FLOAT)
        and isinstance(low, int | float)
        and isinstance(high, int | float)
        and not low <= high
    ):
        problems.append(f"{ctx}: prefer min={low!r} > max={high!r}: expected min <= max")
    ordered = spec.kind is Kind.ENUM and spec.ordered
    in_order = ordered and low in spec.values and high in spec.values
    if in_order and spec.values.index(low) > spec.values.index(high):
        problems.append(f"{ctx}: prefer min={low!r} comes after max={high!r} in the order")
    for key, value in t.prefer.items():
        values = value if key == "in" else [value]
        if not isinstance(values, list) or not values:
            problems.append(f"{ctx}: prefer.in={value!r}: expected a non-empty list")
            continue
        for v in values:
            if spec.kind is Kind.ENUM:
                if v not in spec.values:
                    problems.append(
                        f"{ctx}: prefer.{key}={clip_repr(v)} is not allowed; "
                        f"expected {spec.allowed()}"
                    )
                elif key != "in" and not spec.ordered:
                    problems.append(f"{ctx}: prefer.{key} needs an ordered field; {name} is not")
            elif spec.kind is Kind.BOOL:
                if not isinstance(v, bool):
                    problems.append(f"{ctx}: prefer.{key}={v!r}: expected true or false")
            elif isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                problems.append(f"{ctx}: prefer.{key}={clip_repr(v)}: expected a finite number")
            elif (spec.minimum is not None and v < spec.minimum) or (
                spec.maximum is not None and v > spec.maximum
            ):
                problems.append(
                    f"{ctx}: prefer.{key}={v!r} is outside the field's range; expected "
                    f"{spec.allowed()}"
                )
    return problems


class Catalog(Mapping[str, Approach]):
    """An ordered, validated set of approaches, keyed by id (sorted by id).

    Examples
    --------
    >>> import matchkit as mk
    >>> catalog = mk.load_catalog()
    >>> len(catalog), "energiebox" in catalog
    (7, True)
    """

    def __init__(self, approaches: Sequence[Approach]) -> None:
        # An approach built with model_construct, or copied with new rules, is compiled now.
        problems = [p for a in approaches if not a.is_compiled for p in a.compile()]
        if problems:
            raise CatalogError(problems)
        ordered = sorted(approaches, key=lambda a: a.id)
        self._by_id = {a.id: a for a in ordered}
        if len(self._by_id) != len(ordered):
            raise CatalogError(["duplicate approach ids"])

    def __getitem__(self, key: str) -> Approach:
        try:
            return self._by_id[key]
        except KeyError:
            raise UnknownApproachError(
                f"approach {key!r} is not in the catalog; expected one of {', '.join(self.ids)}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def __repr__(self) -> str:
        return f"Catalog({', '.join(self.ids)})"

    @property
    def ids(self) -> list[str]:
        """Approach ids in catalog order (sorted)."""
        return list(self._by_id)

    @property
    def approaches(self) -> list[Approach]:
        """The approaches in catalog order."""
        return list(self._by_id.values())

    def subset(self, ids: Sequence[str]) -> Catalog:
        """Return a catalog with only the given approaches."""
        return Catalog([self[i] for i in ids])


def _format_pydantic(file: str, entry: str, exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(entry)"
        got = err.get("input")
        shown = "" if isinstance(got, dict) else f" (got {clip_repr(got)})"
        out.append(f"{file}: {entry}: {loc}: {err['msg']}{shown}")
    return out


def parse_approach(data: Any, file: str) -> tuple[Approach | None, list[str]]:
    """Validate one approach mapping; return it (or None) and every problem found."""
    entry = data.get("id", "(no id)") if isinstance(data, dict) else "(not a mapping)"
    if not isinstance(data, dict):
        return None, [f"{file}: expected a mapping of approach fields, got {type(data).__name__}"]
    try:
        approach = Approach.model_validate(data, context={_COMPILE_LATER: True})
    except ValidationError as exc:
        return None, _format_pydantic(file, f"approach {entry}", exc)
    problems = [f"{file}: {p}" for p in approach.compile()]
    return (None if problems else approach), problems


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load and validate an approach catalog.

    Parameters
    ----------
    path : str or Path, optional
        A directory of ``*.yaml`` files (one approach each), or one YAML file. Without it,
        the built-in catalog: the seven approaches of the report.

    Returns
    -------
    Catalog

    Raises
    ------
    CatalogError
        Listing every problem of every file (file, entry, field, what is allowed).
    """
    if path is None:
        root = resources.files("matchkit.profiles") / "approaches"
        files = sorted(
            (f.name, f.read_text(encoding="utf-8"))
            for f in root.iterdir()
            if f.name.endswith(".yaml")
        )
        return _build(files)
    if not isinstance(path, str | Path):
        raise TypeError(f"path={clip_repr(path)} is a {type(path).__name__}; expected a path")
    p = Path(path)
    if p.is_dir():
        paths = sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml"))
    elif p.is_file():
        paths = [p]
    else:
        raise CatalogError([f"{p}: no such file or directory"])
    if not paths:
        raise CatalogError([f"{p}: no *.yaml approach files found"])
    files, problems = [], []
    for f in paths:
        try:
            files.append((str(f), f.read_text(encoding="utf-8-sig")))
        except UnicodeDecodeError as exc:
            problems.append(f"{f}: not UTF-8 text ({exc.reason} at byte {exc.start})")
        except OSError as exc:
            problems.append(f"{f}: cannot be read ({exc.strerror or exc})")
    if problems:
        raise CatalogError(problems)
    return _build(files)


def _build(files: Sequence[tuple[str, str]]) -> Catalog:
    problems: list[str] = []
    approaches: list[Approach] = []
    seen: dict[str, str] = {}
    for name, text in files:
        try:
            data = load_yaml(text)
        except yaml.YAMLError as exc:
            problems.append(f"{name}: not valid YAML: {clip_text(str(exc), 400)}")
            continue
        except RecursionError:
            problems.append(f"{name}: not valid YAML: nested too deeply")
            continue
        approach, found = parse_approach(data, name)
        problems += found
        if approach is not None:
            if approach.id in seen:
                problems.append(
                    f"{name}: approach {approach.id}: id: duplicate of {seen[approach.id]}"
                )
                continue
            seen[approach.id] = name
            approaches.append(approach)
    if problems:
        raise CatalogError(problems)
    return Catalog(approaches)
