"""MESO: multiple equivalent simultaneous offers, and what the counterparty's pick reveals.

Value model
    Each issue carries a weight from its priority (weight = priority / sum of priorities). A value on an
    issue is scored 0 at our floor/ceiling and 1 at our target, linearly, clamped to [0, 1]. A bundle's
    value to us is the weighted sum, shown as a percentage of the best possible (every target met).
    Value to them is the same from their side: 0 at their estimated walk-away, 1 at their estimated
    target, weighted by the priorities we believe they have (their_priority, else ours). An issue without
    an estimate of theirs does not count for them.

Checks
    Equivalence: every bundle within ±tolerance (relative, 5 % by default) of the set's mean value to us;
    the farthest outlier is named. Firm floor: the pressured issue holds our floor in every bundle.
    Dominated: a bundle another beats for both sides (better for us and better for them, by more than
    DOMINANCE_MARGIN). Equal value to us is the point of MESO, so "as good for us" does not count.

Learning from the pick
    Over rounds, each reaction compares the reacted-to bundle with the others of its round, issue by
    issue, from their side: what an accepted or preferred bundle gives them more of, they seem to value;
    what a rejected one gives them more of, they seem to value less. Scores are summed over rounds and
    mapped to a 1–5 priority the negotiator can adopt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .formatting import fmt_amount, typed_amount
from .models import Direction, InvalidInput, Issue, MesoBundle, MesoPick, MesoTerm, Reaction

DEFAULT_TOLERANCE = 0.05
DOMINANCE_MARGIN = 0.005  # half a percentage point: below that, differences are rounding
REACTION_WEIGHT = {Reaction.accepted: 2.0, Reaction.preferred: 1.0, Reaction.rejected: -1.0}


def our_score(issue: Issue, value: float) -> float:
    """0 at our floor/ceiling, 1 at our target, linear in between, clamped."""
    span = issue.target - issue.reservation
    if span == 0:
        return 1.0 if issue.holds(value) else 0.0
    return min(1.0, max(0.0, (value - issue.reservation) / span))


def their_score(issue: Issue, value: float) -> float | None:
    """0 at their estimated walk-away, 1 at their estimated target; None without an estimate."""
    if issue.their_target is None or issue.their_walk_away is None:
        return None
    span = issue.their_target - issue.their_walk_away
    if span == 0:
        # One point known: they accept anything on their side of it.
        good = (
            value <= issue.their_walk_away
            if issue.direction == Direction.floor
            else value >= issue.their_walk_away
        )
        return 1.0 if good else 0.0
    return min(1.0, max(0.0, (value - issue.their_walk_away) / span))


def _weights(issues: Sequence[Issue], theirs: bool) -> dict[int, float]:
    raw = {
        i.id: float((i.their_priority or i.priority) if theirs else i.priority)
        for i in issues
        if i.id is not None
    }
    total = sum(raw.values())
    return {k: v / total for k, v in raw.items()} if total else {}


@dataclass(frozen=True)
class BundleValue:
    bundle: MesoBundle
    to_us: float  # 0..1 of the best possible
    to_them: float | None


def value_bundles(bundles: Sequence[MesoBundle], issues: Sequence[Issue]) -> list[BundleValue]:
    ours = _weights(issues, theirs=False)
    estimated = [i for i in issues if i.their_target is not None and i.their_walk_away is not None]
    theirs = _weights(estimated, theirs=True)
    by_id = {i.id: i for i in issues}
    result = []
    for b in bundles:
        terms = {t.issue_id: t.value for t in b.terms if t.issue_id in by_id}
        to_us = sum(ours[i] * our_score(by_id[i], v) for i, v in terms.items())
        their_parts = [(theirs[i], their_score(by_id[i], v)) for i, v in terms.items() if i in theirs]
        to_them = sum(w * s for w, s in their_parts if s is not None) if their_parts else None
        result.append(BundleValue(b, round(to_us, 4), None if to_them is None else round(to_them, 4)))
    return result


@dataclass(frozen=True)
class Finding:
    code: str  # size | alike | incomplete | floor | equivalence | dominated
    severity: str  # error | warning
    message: str
    # The message quotes our floor, or values measured from it: a shared screen shows only `shareable`.
    private: bool = False

    @property
    def shareable(self) -> str:
        if not self.private:
            return self.message
        return {
            "floor": "A bundle breaks the firm floor on the pressured issue.",
            "equivalence": "The bundles are not equivalent to us.",
            "dominated": "One bundle is worse for both sides than another.",
        }[self.code]


MIN_DIFFERENT_ISSUES = 2  # a bundle that changes one number is a counter-offer, not a different option


def differing_issues(a: MesoBundle, b: MesoBundle) -> list[int]:
    """The issues on which two bundles offer different values (an issue set in only one counts)."""
    av, bv = {t.issue_id: t.value for t in a.terms}, {t.issue_id: t.value for t in b.terms}
    return [i for i in dict.fromkeys([*av, *bv]) if av.get(i) != bv.get(i)]


def check_set(
    bundles: Sequence[MesoBundle],
    issues: Sequence[Issue],
    pressured_issue_id: int | None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> list[Finding]:
    """Everything wrong with a MESO set, each with a reason; an empty list means it is ready to offer."""
    findings: list[Finding] = []
    by_id = {i.id: i for i in issues}
    if not 2 <= len(bundles) <= 3:
        findings.append(
            Finding("size", "warning", f"A MESO set has 2 or 3 bundles; this one has {len(bundles)}.")
        )
    for b in bundles:
        missing = [i.name for i in issues if i.id not in {t.issue_id for t in b.terms}]
        if missing:
            findings.append(
                Finding("incomplete", "warning", f"{b.name} sets no value for {', '.join(missing)}.")
            )
    names = {i.id: i.name for i in issues}
    for n, a in enumerate(bundles):
        for b in bundles[n + 1 :]:
            differ = differing_issues(a, b)
            if len(differ) < MIN_DIFFERENT_ISSUES:
                what = "are identical" if not differ else f"differ only on {names.get(differ[0], differ[0])}"
                findings.append(Finding(
                    "alike", "warning",
                    f"{a.name} and {b.name} {what}: MESO bundles are different but equal, so vary at least "
                    f"{MIN_DIFFERENT_ISSUES} issues between them (scope, support, term, publicity, payment timing).",
                ))  # fmt: skip
    # Every issue's floor or ceiling in every bundle: the pressured issue's is the firm line the method names,
    # and no other issue may cross its own limit either (a bundle started from the log can carry one over).
    pressured = by_id.get(pressured_issue_id)
    for b in bundles:
        for t in b.terms:
            issue = by_id.get(t.issue_id)
            if issue is None or issue.holds(t.value):
                continue
            limit = "floor" if issue.direction == Direction.floor else "ceiling"
            unit = f" {issue.unit}" if issue.unit else ""
            firm = "the firm " if issue is pressured else "our "
            findings.append(Finding(
                "floor", "error",
                f"{b.name} breaks {firm}{limit} on {issue.name}: {fmt_amount(t.value)}{unit} against "
                f"{fmt_amount(issue.reservation)}{unit}. Every bundle must hold it.", private=True,
            ))  # fmt: skip
    values = value_bundles(bundles, issues)
    if len(values) >= 2:
        mean = sum(v.to_us for v in values) / len(values)
        if mean > 0:
            outlier = max(values, key=lambda v: abs(v.to_us - mean))
            off = (outlier.to_us - mean) / mean
            if abs(off) > tolerance:
                findings.append(Finding(
                    "equivalence", "warning",
                    f"{outlier.bundle.name} is worth {outlier.to_us:.0%} to us, {abs(off):.0%} "
                    f"{'above' if off > 0 else 'below'} the set's mean of {mean:.0%} (tolerance ±{tolerance:.0%}): "
                    "the bundles are not equivalent, so their pick tells you less.", private=True,
                ))  # fmt: skip
        for va in values:
            for vb in values:
                if va is vb or va.to_them is None or vb.to_them is None:
                    continue
                if vb.to_us > va.to_us + DOMINANCE_MARGIN and vb.to_them > va.to_them + DOMINANCE_MARGIN:
                    findings.append(Finding(
                        "dominated", "warning",
                        f"{va.bundle.name} is dominated by {vb.bundle.name}: worse for us ({va.to_us:.0%} vs "
                        f"{vb.to_us:.0%}) and for them ({va.to_them:.0%} vs {vb.to_them:.0%}). Drop or rework it.",
                        private=True,
                    ))  # fmt: skip
                    break
    return findings


def comparison_frame(bundles: Sequence[MesoBundle], issues: Sequence[Issue]) -> pd.DataFrame:
    """Issue by issue, each bundle's value scored for us (0–1), for the comparison chart."""
    by_id = {i.id: i for i in issues}
    rows = []
    for b in bundles:
        for t in b.terms:
            if t.issue_id in by_id:
                issue = by_id[t.issue_id]
                rows.append({"bundle": b.name, "issue": issue.name, "value": t.value,
                             "score": our_score(issue, t.value)})  # fmt: skip
    return pd.DataFrame(rows, columns=["bundle", "issue", "value", "score"])


def infer_their_priorities(
    bundles: Sequence[MesoBundle], picks: Sequence[MesoPick], issues: Sequence[Issue]
) -> dict[int, int]:
    """Their apparent priority (1–5) per issue, from their reactions over rounds (see the module notes).
    Only issues with an estimate of theirs can be scored; returns {} when nothing can be inferred."""
    by_id = {i.id: i for i in issues}
    by_bundle = {b.id: b for b in bundles}
    evidence: dict[int, float] = {
        i.id: 0.0 for i in issues if i.id is not None and their_score(i, i.reservation) is not None
    }
    informative: set[int] = set()
    for pick in picks:
        chosen = by_bundle.get(pick.bundle_id)
        if chosen is None:
            continue
        others = [b for b in bundles if b.round == chosen.round and b.id != chosen.id]
        if not others:
            continue
        weight = REACTION_WEIGHT[pick.reaction]
        for term in chosen.terms:
            issue = by_id.get(term.issue_id)
            if issue is None or issue.id not in evidence:
                continue
            mine = their_score(issue, term.value)
            rest = [s for o in others for t in o.terms if t.issue_id == issue.id
                    if (s := their_score(issue, t.value)) is not None]  # fmt: skip
            if mine is None or not rest:
                continue
            step = weight * (mine - sum(rest) / len(rest))
            evidence[issue.id] += step
            if step:
                informative.add(issue.id)
    # An issue on which no pick ever told bundles apart has no evidence: it stays blank, never a made-up 4/5.
    evidence = {k: v for k, v in evidence.items() if k in informative}
    if not evidence:
        return {}
    low, high = min(evidence.values()), max(evidence.values())
    span = high - low
    return {k: 3 if span == 0 else 1 + round(4 * (v - low) / span) for k, v in evidence.items()}


# ---- working on a round: the grid and the bundle operations ------------------------------------------------
def offered_rounds(picks: Sequence[MesoPick]) -> set[int]:
    """The rounds that were put to the other side: those with a reaction recorded. Any other round is a
    draft, which a shared screen never shows (nor calls offered)."""
    return {p.round for p in picks}


def unique_name(wanted: str, taken: Sequence[str]) -> str:
    """`wanted`, or `wanted 2`, `wanted 3`, ... : bundle names are unique within a round."""
    taken_lower = {t.casefold() for t in taken}
    if wanted.casefold() not in taken_lower:
        return wanted
    n = 2
    while f"{wanted} {n}".casefold() in taken_lower:
        n += 1
    return f"{wanted} {n}"


def grid_column(bundle: MesoBundle) -> str:
    """The grid addresses a bundle by its id, never by its (editable) name."""
    return f"bundle_{bundle.id}"


def round_grid(bundles: Sequence[MesoBundle], issues: Sequence[Issue]) -> pd.DataFrame:
    """Issues down, one column per bundle (keyed by `grid_column`), with our floor and target beside."""
    labels = [f"{i.name} ({i.unit})" if i.unit else i.name for i in issues]
    columns = {
        grid_column(b): [next((t.value for t in b.terms if t.issue_id == i.id), None) for i in issues]
        for b in bundles
    }
    return pd.DataFrame(
        {"Issue": labels, "Our floor/ceiling": [i.reservation for i in issues],
         "Our target": [i.target for i in issues], **columns}
    )  # fmt: skip


def editable_grid(bundles: Sequence[MesoBundle], issues: Sequence[Issue]) -> pd.DataFrame:
    """The grid as the screen edits it: every value written as text in the deal's number convention (a
    number cell reads '1.750' as 1.75 in the browser), read back by `read_grid` with the one parser."""
    grid = round_grid(bundles, issues)
    for column in grid.columns[1:]:
        grid[column] = [typed_amount(None if pd.isna(v) else v) for v in grid[column]]
    return grid


def read_grid(bundles: Sequence[MesoBundle], issues: Sequence[Issue], grid: pd.DataFrame) -> list[MesoBundle]:
    """The bundles with the values edited in the grid; InvalidInput names each bundle with a blank and
    each value that is not an amount in the deal's convention."""
    from .models import validate

    result, problems = [], []
    for b in bundles:
        column = grid[grid_column(b)].tolist()
        blank = [v is None or (isinstance(v, str) and not v.strip()) or (not isinstance(v, str) and pd.isna(v))
                 for v in column]  # fmt: skip
        missing = [i.name for i, empty in zip(issues, blank, strict=True) if empty]
        if missing:
            problems.append(f"{b.name}: set a value for {', '.join(missing)}")
            continue
        stored = {t.issue_id: t.value for t in b.terms}
        terms = []
        for i, v in zip(issues, column, strict=True):
            if isinstance(v, str) and i.id in stored and v.strip() == typed_amount(stored[i.id]):
                v = stored[i.id]  # as the grid wrote it
            try:
                terms.append(validate(MesoTerm, {"issue_id": i.id, "value": v}, prefix=f"{b.name} › ",
                                      labels={"value": i.name}))  # fmt: skip
            except InvalidInput as exc:
                problems += exc.problems
        result.append(b.model_copy(update={"terms": terms}))
    if problems:
        raise InvalidInput(problems)
    return result


def where_talks_stand(issues: Sequence[Issue], lines: Sequence) -> dict[int, float]:
    """Per issue, the latest position put on the table in the concession log, else our target: where a
    new bundle starts, so a round opens from the talks, not from the first offer."""
    latest: dict[int, tuple] = {}
    for c in lines:
        if c.issue_id is not None and c.new_position is not None and getattr(c, "deleted_at", None) is None:
            if c.issue_id not in latest or (c.logged_at, c.id or 0) > latest[c.issue_id][0]:
                latest[c.issue_id] = ((c.logged_at, c.id or 0), c.new_position)
    return {i.id: latest[i.id][1] if i.id in latest else i.target for i in issues if i.id is not None}


def add_bundle(
    bundles: Sequence[MesoBundle],
    issues: Sequence[Issue],
    round_no: int,
    name: str = "",
    start: dict[int, float] | None = None,
) -> list[MesoBundle]:
    """The round with one more bundle, named as asked (made unique) or 'Bundle N', its values from `start`
    (where the talks stand) or else our targets."""
    wanted = name.strip() or f"Bundle {len(bundles) + 1}"
    start = start or {}
    fresh = MesoBundle(name=unique_name(wanted, [b.name for b in bundles]), round=round_no,
                       terms=[MesoTerm(issue_id=i.id, value=start.get(i.id, i.target)) for i in issues
                              if i.id is not None])  # fmt: skip
    return [*bundles, fresh]


def duplicate_bundle(bundles: Sequence[MesoBundle], bundle_id: int) -> list[MesoBundle]:
    """The round with a copy of one bundle, named 'X (copy)', 'X (copy) 2', ..."""
    chosen = _by_id(bundles, bundle_id)
    name = unique_name(f"{chosen.name} (copy)", [b.name for b in bundles])
    return [*bundles, chosen.model_copy(update={"id": None, "name": name})]


def rename_bundle(bundles: Sequence[MesoBundle], bundle_id: int, new_name: str) -> list[MesoBundle]:
    """The round with one bundle renamed; refuses an empty name or one another bundle of the round has."""
    name = new_name.strip()
    others = {b.name.strip().casefold() for b in bundles if b.id != bundle_id}
    if not name or name.casefold() in others:
        raise InvalidInput([f"New name: '{name}' is empty or already used in this round; give a name no other "
                            "bundle of this round has"])  # fmt: skip
    _by_id(bundles, bundle_id)
    return [b.model_copy(update={"name": name}) if b.id == bundle_id else b for b in bundles]


def remove_bundle(bundles: Sequence[MesoBundle], bundle_id: int) -> list[MesoBundle]:
    _by_id(bundles, bundle_id)
    return [b for b in bundles if b.id != bundle_id]


def next_round(bundles: Sequence[MesoBundle], new_round: int) -> list[MesoBundle]:
    """Copies of a round's bundles for the next round."""
    return [b.model_copy(update={"id": None, "round": new_round}) for b in bundles]


def _by_id(bundles: Sequence[MesoBundle], bundle_id: int) -> MesoBundle:
    for b in bundles:
        if b.id == bundle_id:
            return b
    raise InvalidInput([f"Bundle: there is no bundle {bundle_id} in this round (removed elsewhere?); reload"])
