"""The rules of the concession log, each defined once.

- Value to you / value to them: the net value of a line to each side, in the deal's currency;
  negative "value to you" means we lost value on the line.
- Give/get balance: the sum of "value to you" over the live lines. Below zero, we have given more than
  we got.
- A give is a line with a negative value to you; its size counts against the deal's mandate (the most
  we may concede without approval). Gets do not refill the mandate: approval is about what we gave.
- One-way concession: a line whose "You get" is empty. The method's pitfall: conceding without
  reciprocity.
- Our gives: the lines where we gave something ("You give" filled, or a value to us below zero).
  Reciprocated share = our gives that got something back / all our gives (a pure get is not a give).
- Unvalued give: something in "You give" with no value to us. It cannot count against the mandate, so it
  is flagged and counted on its own: a give that escapes the mandate unseen is how mandates leak.
- Joint value: value to you + value to them > 0 (the trade made the pie bigger).
- Floor breach: a line linked to an issue whose new position is on the wrong side of our floor/ceiling.
- Moving after a final offer: a give logged after a line marked as final offer erodes credibility.
- A give over the mandate needs the sponsor's approval (the rules of approval are in `approvals`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .approvals import ApprovalState, line_approvals, line_keys, mark_over_mandate, overrun
from .formatting import fmt_amount, money, plural, signed_money, typed_amount
from .models import Approval, Concession, Direction, Issue, field_label, holds_limit

# The columns a log frame carries: the Concession model's fields (store.concessions.concession_frame gives these).
LOG_FIELDS = list(Concession.model_fields)


def floor_breach(position: float | None, issue: Issue | None) -> str | None:
    """The breach message for a new position that crosses our floor/ceiling on `issue`, else None."""
    if issue is None or position is None or pd.isna(position) or issue.holds(position):
        return None
    limit = "floor" if issue.direction is Direction.floor else "ceiling"
    unit = f" {issue.unit}" if issue.unit else ""
    return (
        f"breaches the {limit} of {fmt_amount(issue.reservation)}{unit} on {issue.name} "
        f"(new position {fmt_amount(position)})"
    )


def line_facts(lines: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """What the method judges of each line on its own, for many lines at once (a live log, or every line of
    a pipeline as the store keeps them): `one_way` (nothing in "You get") and `breaches_floor` (a new
    position on the wrong side of our floor/ceiling on its issue). `lines`: you_get, new_position and
    issue_id; `issues`: the deal's live issues as id, direction and reservation (a line on a removed issue
    breaches nothing). Indexed like `lines`."""
    # Plain arrays, not pandas operations: the same rule judges one line as it is logged, where pandas'
    # fixed costs would be most of the write, and every line of a pipeline at once.
    one_way = np.fromiter(
        (not (g.strip() if isinstance(g, str) else "") for g in lines["you_get"].to_numpy(object)),
        bool,
        len(lines),
    )
    ids = pd.to_numeric(issues["id"], errors="coerce").to_numpy(float)
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    linked = pd.to_numeric(lines["issue_id"], errors="coerce").to_numpy(float)
    at = np.clip(np.searchsorted(ids, linked), 0, max(len(ids) - 1, 0))
    found = (ids[at] == linked) if len(ids) else np.zeros(len(lines), bool)
    direction = issues["direction"].to_numpy(object)[order][at] if len(ids) else np.array([], object)
    reservation = np.where(
        found, issues["reservation"].to_numpy(float)[order][at] if len(ids) else 0.0, np.nan
    )
    position = pd.to_numeric(lines["new_position"], errors="coerce").to_numpy(float)
    judged = found & ~np.isnan(position) & ~np.isnan(reservation)
    is_floor = (
        np.asarray(direction == Direction.floor.value, bool) if len(ids) else np.zeros(len(lines), bool)
    )
    breaches = judged & ~np.asarray(holds_limit(position, is_floor, reservation), bool)
    return pd.DataFrame({"one_way": one_way, "breaches_floor": breaches}, index=lines.index)


def issue_limits(issues: Sequence[Issue]) -> pd.DataFrame:
    """Issues as the frame line_facts reads."""
    return pd.DataFrame(
        [(i.id, i.direction.value, i.reservation) for i in issues], columns=["id", "direction", "reservation"]
    )


def read_as(line: Concession, currency: str) -> str:
    """The amounts of a logged line as they were stored, said back under its confirmation: '15k' typed in a
    hurry shows as 15,000 here, so a misread is caught while Undo is one click away."""
    said = [
        f"to us {signed_money(line.value_to_you, currency)}",
        f"to them {signed_money(line.value_to_them, currency)}",
    ]
    if line.new_position is not None:
        said.append(f"new position {money(line.new_position)}")
    return "Read as: " + " · ".join(said)


def one_way_message(item: str, you_give: str) -> str:
    gave = you_give.strip() or item
    return f"one-way: you gave {gave} and got nothing — pair it (if we move on {item}, we need …)"


@dataclass(frozen=True)
class LogSummary:
    lines: int
    balance: float
    gives: float
    gets: float
    one_way: int
    reciprocated_share: float | None  # None for an empty log
    joint_value_lines: int
    floor_breaches: int
    mandate: float
    over_mandate: float
    moved_after_final: int
    open_approvals: int = 0  # gives over the mandate pending approval, or rejected
    unvalued_gives: int = 0  # gives with no value to us: not counted against the mandate

    @property
    def needs_approval(self) -> bool:
        return self.open_approvals > 0

    @property
    def mandate_left(self) -> float:
        return max(0.0, self.mandate - self.gives)


@dataclass(frozen=True)
class LogTotals:
    """The live log's sums as the store keeps them with every write (the same rules as `review_log`): what
    the screen shows the moment a line is logged, before the whole log is reviewed again."""

    lines: int = 0
    balance: float = 0.0
    gives: float = 0.0
    one_way: int = 0
    floor_breaches: int = 0

    @property
    def gets(self) -> float:
        # balance = what we got - what we gave, both summed per line as positive amounts
        return max(0.0, self.balance + self.gives)


@dataclass(frozen=True)
class LogReview:
    """`lines`: the live lines in logged order, with the verdict columns one_way, joint_value, give,
    running_balance, cumulative_gives, over_mandate, floor_breach (message or None), approval (the
    ApprovalState of a give over the mandate, else None), approval_open, flags (list) and
    shareable_flags (the flags that quote none of our private figures: not the floor, not the mandate).
    `approvals`: each line's LineApproval, for the lines that need one."""

    lines: pd.DataFrame
    summary: LogSummary
    approvals: dict = field(default_factory=dict)

    def flagged(self, shareable: bool = False) -> pd.DataFrame:
        column = "shareable_flags" if shareable else "flags"
        return self.lines[self.lines[column].map(bool)]

    @property
    def latest_round(self) -> int:
        """The round the talks are in: the highest logged, or 1 before the first line."""
        return int(self.lines["round"].max()) if self.summary.lines else 1


RECIPROCATED_WELL = 0.8  # at least this share of lines paired with a get: reciprocity holds
RECIPROCATED_AT_RISK = 0.5  # below this, most of our giving came back with nothing


def reciprocity_colour(share: float | None) -> str | None:
    """How the reciprocated share reads: green when giving is paired, orange when slipping, red when not."""
    if share is None:
        return None
    return "green" if share >= RECIPROCATED_WELL else "orange" if share >= RECIPROCATED_AT_RISK else "red"


def is_severe(floor_breach: str | None, approval_open: bool) -> bool:
    """A flag that needs action before the next move (not just attention): a breached floor, or a give over
    the mandate that the sponsor has not approved (pending or rejected)."""
    return floor_breach is not None or bool(approval_open)


def log_frame(concessions: Sequence[Concession]) -> pd.DataFrame:
    """Models to the frame the rules work on (the store reads the same frame straight from DuckDB)."""
    return pd.DataFrame([c.model_dump() for c in concessions], columns=LOG_FIELDS)


def review_log(
    concessions: Sequence[Concession] | pd.DataFrame,
    issues: Sequence[Issue],
    mandate: float,
    approvals: Sequence[Approval] = (),
) -> LogReview:
    """Judge every live line in the order it was logged, and the log as a whole, in one vectorised pass
    (a 5,000-line log takes milliseconds). `approvals`: the sponsor's decisions on gives over the mandate."""
    log = concessions if isinstance(concessions, pd.DataFrame) else log_frame(concessions)
    df = log[log["deleted_at"].isna()] if "deleted_at" in log else log
    df = df.sort_values(["logged_at", "id"], kind="stable").reset_index(drop=True)
    value = df["value_to_you"].astype(float)
    facts = line_facts(df, issue_limits(issues))
    df["one_way"] = facts["one_way"]
    gave_text = df["you_give"].fillna("").str.strip() != ""
    df["ours_given"] = gave_text | (value < 0)
    df["unvalued_give"] = gave_text & (value == 0)
    df["joint_value"] = (value + df["value_to_them"].astype(float)) > 0
    df["running_balance"] = value.cumsum()
    mark_over_mandate(df, mandate)

    # Flags are built from plain lists: per-row DataFrame lookups would cost more than the whole review.
    by_id = {i.id: i for i in issues}
    positions, issue_ids = df["new_position"].tolist(), df["issue_id"].tolist()
    breaches = [
        floor_breach(float(positions[k]), by_id[int(issue_ids[k])]) if breached else None
        for k, breached in enumerate(facts["breaches_floor"].tolist())
    ]
    df["floor_breach"] = pd.Series(breaches, index=df.index, dtype=object)

    finals = df.index[df["final_offer"].astype(bool)]
    moved = ((df.index > finals[0]) & (df["give"] > 0)) if len(finals) else pd.Series(False, index=df.index)
    final_round = int(df["round"].iloc[finals[0]]) if len(finals) else None

    states = line_approvals(df, approvals)
    line_state = [states.get(k) for k in line_keys(df)]
    df["approval"] = pd.Series([s.state if s else None for s in line_state], index=df.index, dtype=object)
    df["approval_open"] = [bool(s and s.open) for s in line_state]

    items, gives_text = df["item"].tolist(), df["you_give"].tolist()
    one_way, moved_flags, unvalued = df["one_way"].tolist(), list(moved), df["unvalued_give"].tolist()
    flags: list[list[str]] = []
    shareable: list[list[str]] = []
    for k in range(len(df)):
        one = [one_way_message(items[k], gives_text[k])] if one_way[k] else []
        moved_after = (
            [f"moved after the final offer of round {final_round} — the next 'final' will not be believed"]
            if moved_flags[k] else []
        )  # fmt: skip
        ours = (([breach] if (breach := breaches[k]) else []) + ([state.says()] if (state := line_state[k]) else [])
                + ([UNVALUED_GIVE] if unvalued[k] else []))  # fmt: skip
        flags.append(one + ours + moved_after)
        shareable.append(one + moved_after)
    df["flags"] = flags
    df["shareable_flags"] = shareable

    n = len(df)
    gives = float(df["give"].sum())
    summary = LogSummary(
        lines=n,
        balance=float(value.sum()),
        gives=gives,
        gets=float(value.clip(lower=0).sum()),
        one_way=int(df["one_way"].sum()),
        reciprocated_share=reciprocated_share(df["ours_given"], df["one_way"]),
        joint_value_lines=int(df["joint_value"].sum()),
        floor_breaches=int(df["floor_breach"].notna().sum()),
        mandate=mandate,
        over_mandate=float(overrun(gives, mandate)),
        moved_after_final=int(moved.sum()),
        open_approvals=sum(1 for s in states.values() if s.state is not ApprovalState.approved),
        unvalued_gives=int(df["unvalued_give"].sum()),
    )
    return LogReview(df, summary, states)


UNVALUED_GIVE = "unvalued give — it is not counted against the mandate: put a value on it"
RECIPROCATED_HELP = (
    "Our gives that got something back, out of all our gives (lines where we gave something: 'You give' "
    "filled or a value to us below zero). A line where we only got something is not a give."
)


def reciprocated_share(ours_given: pd.Series, one_way: pd.Series) -> float | None:
    """The share of our gives that got something back; None before our first give."""
    gives = int(ours_given.sum())
    return float((ours_given & ~one_way).sum() / gives) if gives else None


def mandate_stop(
    line: Concession, gives_after: float, mandate: float, approver: str, currency: str = ""
) -> str | None:
    """What the confirmation of a logged line says when the line is a give that takes our gives past the
    mandate: a stop, naming who must approve before the give is offered. None otherwise."""
    give = -line.value_to_you
    if give <= 0 or gives_after <= mandate:
        return None
    over = gives_after - mandate
    return (
        f"Stop: '{line.item}' gives {money(give, currency)} and takes our gives to {money(gives_after, currency)}, "
        f"{money(over, currency)} over the mandate of {money(mandate, currency)}. Do not offer it before "
        f"{approver} approves it."
    )


def unvalued_give(line: Concession) -> str | None:
    """The warning for a give logged with no value to us (it escapes the mandate), else None."""
    if line.you_give.strip() and line.value_to_you == 0:
        return f"'{line.item}' is an {UNVALUED_GIVE}."
    return None


def balance_by_round(review: LogReview) -> pd.DataFrame:
    """Per round: what we gave (negative), what we got, and the balance after that round.

    One row per round keeps what the chart sends to the browser small however long the log is.
    """
    lines = review.lines
    if lines.empty:
        return pd.DataFrame(columns=["round", "gave", "got", "balance"])
    value = lines["value_to_you"].astype(float)
    frame = pd.DataFrame(
        {
            "gave": value.clip(upper=0).groupby(lines["round"]).sum(),
            "got": value.clip(lower=0).groupby(lines["round"]).sum(),
        }
    )
    frame["balance"] = (frame["gave"] + frame["got"]).cumsum()
    return frame.rename_axis("round").reset_index()


# The correction table's columns, headed with the same labels as the forms, the messages and the CSV.
_EDITED = ["round", "item", "you_give", "you_get", "value_to_you", "value_to_them", "trigger", "issue_id",
           "new_position", "final_offer"]  # fmt: skip
EDITOR_COLUMNS = [field_label(f) for f in _EDITED]
_FIELDS = {field_label(f): f for f in _EDITED if f != "issue_id"}
# Amounts are text cells written in the deal's convention and read back by the one parser: a number cell
# parses in the browser the English way ('-6.000' became −6).
AMOUNT_COLUMNS = [field_label(f) for f in ("value_to_you", "value_to_them", "new_position")]


def editor_frame(lines: Sequence[Concession], issues: Sequence[Issue]) -> pd.DataFrame:
    """The log as the correction table shows it: one row per live line, newest first (as the live table,
    so the line just logged is the one in view), plus Remove."""
    names = {i.id: i.name for i in issues}
    rows = [
        {"id": c.id, **{col: typed_amount(getattr(c, f)) if col in AMOUNT_COLUMNS else getattr(c, f)
                        for col, f in _FIELDS.items()},
         "Linked issue": names.get(c.issue_id), "Logged at": c.logged_at, "Remove": False}
        for c in sorted(lines, key=lambda c: (c.logged_at, c.id or 0), reverse=True)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["id", *EDITOR_COLUMNS, "Logged at", "Remove"])


def read_corrections(
    lines: Sequence[Concession], edited: pd.DataFrame, issues: Sequence[Issue]
) -> tuple[list[Concession], list[int]]:
    """Turn the edited correction table into (changed lines, ids to remove), validating every row first.

    Raises InvalidInput naming the row (as numbered on screen, with its item) and the column.
    """
    from .models import InvalidInput, validate

    by_id = {c.id: c for c in lines}
    issue_by_name = {i.name: i.id for i in issues}
    changed: list[Concession] = []
    removed: list[int] = []
    problems: list[str] = []
    for n, row in enumerate(edited.to_dict("records"), start=1):
        original = by_id.get(int(row["id"]))
        if original is None:
            continue
        if bool(row.get("Remove")) and original.id is not None:
            removed.append(original.id)
            continue
        data = original.model_dump()
        for col, f in _FIELDS.items():
            value = row.get(col)
            if isinstance(value, float) and pd.isna(value) or value is pd.NA:
                value = {"value_to_you": 0.0, "value_to_them": 0.0, "final_offer": False}.get(f)
            if f in ("item", "you_give", "you_get", "trigger") and value is None:
                value = ""
            if col in AMOUNT_COLUMNS and isinstance(value, str):
                if value.strip() == typed_amount(data[f]):  # as the table wrote it: the stored value
                    continue
                if not value.strip():
                    value = None if f == "new_position" else 0.0
            data[f] = value
        issue_name = row.get("Linked issue")
        data["issue_id"] = (
            issue_by_name.get(issue_name) if isinstance(issue_name, str) and issue_name else None
        )
        try:
            line = validate(Concession, data, prefix=f"Row {n} ({original.item}), ")
        except InvalidInput as exc:
            problems += exc.problems
            continue
        if line != original:
            changed.append(line)
    if problems:
        raise InvalidInput(problems)
    return changed, removed


def corrections_saved(changed: Sequence[Concession], removed: Sequence[Concession]) -> str:
    """What a save of corrections did, in one sentence naming the lines."""
    parts = []
    if changed:
        parts.append(
            f"corrected {plural(len(changed), 'line')}: " + ", ".join(f"'{c.item}'" for c in changed)
        )
    if removed:
        parts.append(f"removed {plural(len(removed), 'line')}: " + ", ".join(f"'{c.item}'" for c in removed))
    return "Saved: " + "; ".join(parts) + "." if parts else "There are no corrections to save."
