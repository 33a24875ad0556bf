"""The words of the method as pydantic models and enums.

Every model refuses bad input with a message that names the field, so a page or the CLI can show it
as is. Ids are optional: a model without an id is not stored yet.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, TypeVar

import numpy as np
from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from .access import Role
from .errors import CockpitError
from .formatting import AmountNotUnderstood, decimal_comma_in_use, fmt_amount, parse_amount


class Context(StrEnum):
    sales = "sales"
    partnership = "partnership"
    procurement = "procurement"
    hiring = "hiring"


class Stage(StrEnum):
    """The five steps of the method, in order."""

    setup = "setup"
    first_move = "first_move"
    midgame = "midgame"
    close = "close"
    implementation = "implementation"


STAGE_LABELS = {
    Stage.setup: "1 Setup",
    Stage.first_move: "2 First move",
    Stage.midgame: "3 Midgame",
    Stage.close: "4 Close",
    Stage.implementation: "5 Implementation",
}
# Words a negotiator reads for the codes the data keeps; any other code reads as itself, spaced.
_WORDS = {
    "one_off": "One-off",
    "indirect": "Indirect (face-saving)",
    "us": "Us",
    "them": "Them",
    "walked_away": "Walked away to our BATNA",
    "not_real": "Not real",
    "partly": "Partly real",
    "buy": "We buy",
    "sell": "We sell",
}


def word(code: object) -> str:
    """The screen's word for an enum code: 'one_off' -> 'One-off', 'cost_driver' -> 'Cost driver',
    'first_move' -> '2 First move'. Never shows an internal code."""
    value = getattr(code, "value", code)
    if value in {s.value for s in Stage}:
        return STAGE_LABELS[Stage(value)]
    text = str(value)
    return _WORDS.get(text) or text.replace("_", " ").capitalize()


class Relationship(StrEnum):
    one_off = "one_off"
    repeated = "repeated"


class CommunicationStyle(StrEnum):
    direct = "direct"
    indirect = "indirect"  # face-saving: firm lines in public read as humiliation


class PowerSource(StrEnum):
    """The seven axes of the leverage radar, in the seed's order."""

    alternatives = "alternatives"
    authority = "authority"
    information = "information"
    reputation = "reputation"
    time = "time"
    coalition = "coalition"
    resources = "resources"


POWER_SOURCE_LABELS = {
    PowerSource.alternatives: "Alternatives (BATNA)",
    PowerSource.authority: "Authority",
    PowerSource.information: "Information",
    PowerSource.reputation: "Reputation",
    PowerSource.time: "Time",
    PowerSource.coalition: "Coalition",
    PowerSource.resources: "Resources",
}


class Side(StrEnum):
    us = "us"
    them = "them"


class Direction(StrEnum):
    """Which way is better for us on an issue.

    floor: we want more (a seller's price); our reservation is the lowest we accept.
    ceiling: we want less (a buyer's price, a delivery time); our reservation is the most we accept.
    """

    floor = "floor"
    ceiling = "ceiling"


class DealSide(StrEnum):
    """Whether we buy or sell in a deal. It decides what an alternative's money means (what walking away
    would cost us, or earn us), which alternative is the BATNA, and the words (a ceiling for what we buy,
    a floor for what we sell)."""

    buy = "buy"
    sell = "sell"


# A deal that does not say (a deal file written before sides existed) reads its side from its context.
SIDE_BY_CONTEXT = {
    Context.procurement: DealSide.buy,
    Context.hiring: DealSide.buy,
    Context.sales: DealSide.sell,
    Context.partnership: DealSide.sell,
}


class Confidence(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class EvidenceKind(StrEnum):
    benchmark = "benchmark"
    cost_driver = "cost_driver"
    legal_standard = "legal_standard"
    precedent = "precedent"
    capacity = "capacity"
    policy = "policy"
    other = "other"


# Labels used when a message names a field; the same words the screens use.
FIELD_LABELS = {
    "name": "Name",
    "context": "Context",
    "stage": "Stage",
    "value": "Deal value",
    "currency": "Currency",
    "decimal_comma": "Decimal comma (15.000,50)",
    "best_reason": "Why it is our best",
    "owner": "Owner",
    "deadline": "Deadline",
    "deadline_reason": "Deadline reason",
    "deadline_evidence_id": "Deadline evidence",
    "mandate": "Mandate",
    "pressured_issue_id": "Pressured issue",
    "relationship": "Relationship",
    "communication_style": "Communication style",
    "role": "Role",
    "decision_rights": "Decision rights",
    "veto": "Veto",
    "status_concerns": "Status concerns",
    "description": "Description",
    "money": "Money",
    "time_days": "Time (days)",
    "risk": "Risk",
    "political_cost": "Political cost",
    "unit": "Unit",
    "direction": "Direction",
    "target": "Our target",
    "reservation": "Our floor/ceiling",
    "their_target": "Their target",
    "their_walk_away": "Their walk-away",
    "confidence": "Confidence",
    "estimate_source": "Estimate source",
    "priority": "Priority",
    "their_priority": "Their priority",
    "tradeable": "Tradeable",
    "volume": "Volume per year",
    "years": "Years",
    "per_unit_of": "Money is per unit of",
    "kind": "Kind",
    "title": "Title",
    "source": "Source",
    "date": "Date",
    "score": "Score",
    "side": "Side",
    "item": "Item",
    "you_give": "You give",
    "you_get": "You get",
    "value_to_you": "Value to you",
    "value_to_them": "Value to them",
    "trigger": "Trigger/contingency",
    "round": "Round",
    "new_position": "New position",
    "issue_id": "Linked issue",
    "evidence_id": "Evidence",
    "best": "Marked as our BATNA",
    "final_offer": "Final offer",
    "logged_at": "Logged at",
    "internal": "Internal",
    "note": "Note",
    "notes": "Notes",
    "decision": "Decision",
    "decided_by": "Decided by",
    "decided_at": "When",
    "email": "E-mail",
    "outcome": "Outcome",
    "final_values": "Final values",
    "power_answer": "Where power helped or harmed",
    "persuasive_evidence_ids": "Persuasive standards",
    "standards_answer": "Which standards persuaded",
    "deadline_verdict": "Deadline was real",
    "deadline_answer": "About the deadline",
    "relationship_health": "Relationship health",
    "relationship_note": "Relationship note",
    "lessons": "Lessons",
    "improvements": "Improvements",
    "final": "Final",
    "contexts": "Contexts",
    "range_low": "Credible range, low",
    "range_high": "Credible range, high",
    "benchmark_ids": "External benchmarks",
    "cost_logic": "Internal cost logic",
    "rationale": "Narrative rationale",
    "number": "Clause number",
    "wording": "Wording",
    "position": "Position",
    "metric": "Success metric",
    "verification": "Verification",
    "status": "Status",
    "edit_until": "Edits close on",
    "reason": "Reason",
    "clauses": "Clauses",
    "clause_number": "Clause",
    "what": "What",
    "due": "Due",
    "override_reason": "Reason for going past mediation",
    "taken_at": "Taken on",
}


def field_label(field: str) -> str:
    """The screen's word for a field, wherever a field is named: forms, messages, history, CSV."""
    return FIELD_LABELS.get(field) or field.replace("_", " ").capitalize()


def _not_blank(text: str) -> str:
    if not text or not text.strip():
        raise ValueError("must not be empty")
    return text.strip()


def _finite(x: float) -> float:
    if not math.isfinite(x):
        raise ValueError("must be a finite number")
    return x


def _typed(value: Any, info: ValidationInfo) -> Any:
    """An amount that arrives as text (a form, a grid, a file) is read by the one parser, in the convention
    the caller names (`context={"decimal_comma": …}`) or else the one in use: never by float(), which
    reads '40.000' as 40 without a word."""
    if not isinstance(value, str):
        return value
    comma = (info.context or {}).get("decimal_comma")
    try:
        read = parse_amount(value, decimal_comma_in_use() if comma is None else comma)
    except AmountNotUnderstood as exc:
        raise ValueError(str(exc)) from None
    if read is None:
        raise ValueError("is empty; write an amount, e.g. 15000")
    return read


Name = Annotated[str, AfterValidator(_not_blank), Field(max_length=200)]
Text = Annotated[str, Field(max_length=5000)]
# A trillion: above any deal's value, and low enough that 100,000 lines still sum to a finite figure.
MAX_AMOUNT = 1e12
Amount = Annotated[
    float, BeforeValidator(_typed), AfterValidator(_finite), Field(ge=0, le=MAX_AMOUNT)
]  # money and positions: never negative
SignedAmount = Annotated[
    float, BeforeValidator(_typed), AfterValidator(_finite), Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)
]  # net values in the log
MAX_DAYS = 36_500  # a hundred years: a time cost beyond that is a typing slip
# The dates a person can mean in a negotiation. 9999-12-31 is a slip (or a probe), and a figure computed
# from it (five days before a deadline) would not exist.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def _plausible_day(day: date) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(
            f"{day.isoformat()} is not a date the cockpit keeps (years {FIRST_YEAR} to {LAST_YEAR})"
        )
    return day


def stored_moment(moment: datetime) -> datetime:
    """Times are kept as naive UTC: a time with a zone is converted (one that has no UTC equivalent, such
    as 9999-12-31T23:59:59-05:00, is refused, not an overflow)."""
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:
            raise ValueError(f"{moment.isoformat()} is not a time the cockpit can keep") from None
    _plausible_day(moment.date())
    return moment


Day = Annotated[date, AfterValidator(_plausible_day)]
Moment = Annotated[datetime, AfterValidator(stored_moment)]
# A count typed like an amount (365 days, or 1.000 in a decimal-comma deal): read by the one parser too.
Days = Annotated[int, BeforeValidator(_typed), Field(ge=0, le=MAX_DAYS)]
Score = Annotated[int, Field(ge=0, le=5)]
Rating = Annotated[int, Field(ge=1, le=5)]

# What a shared screen may show: a field marked PUBLIC, of a record that is not private as a whole.
# Everything else is ours alone by default, so a field added later cannot leak because nobody marked it
# (core/privacy.py reads this mark).
PUBLIC = Field(json_schema_extra={"public": True})


M = TypeVar("M", bound="Model")  # any one kind of record: what goes in comes out


class Model(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid", validate_assignment=True)
    # Whole-record privacy: True (always private) or the name of a bool field that makes it private.
    private_when: ClassVar[bool | str] = False


class Counterparty(Model):
    id: int | None = None
    name: Annotated[Name, PUBLIC]
    relationship: Relationship = Relationship.one_off
    communication_style: CommunicationStyle = CommunicationStyle.direct
    notes: Text = ""


class Stakeholder(Model):
    """A person on the counterparty map."""

    private_when: ClassVar[bool] = True  # the counterparty map is our analysis of their people

    id: int | None = None
    counterparty_id: int | None = None
    name: Name
    role: Text = ""
    decision_rights: Text = ""
    veto: bool = False
    status_concerns: Text = ""  # our read of their ego: never on a shared screen


class Deal(Model):
    id: int | None = None
    name: Annotated[Name, PUBLIC]
    context: Annotated[Context, PUBLIC]
    stage: Annotated[Stage, PUBLIC] = Stage.setup
    counterparty_id: int | None = None
    value: Amount = 0.0
    currency: Annotated[str, PUBLIC] = "EUR"
    decimal_comma: Annotated[bool, PUBLIC] = False  # amounts typed as 15.000,50 (the deal's locale)
    # Whether we buy or sell; unset, it is read from the context (procurement and hiring buy).
    side: Annotated[DealSide | None, PUBLIC] = None
    owner: Annotated[Name, PUBLIC]
    deadline: Annotated[Day | None, PUBLIC] = None
    deadline_reason: Text = ""
    deadline_evidence_id: int | None = None
    # The most we may concede in total without going back for approval.
    mandate: Amount = 0.0
    # The issue the other side presses hardest: every MESO bundle must hold its floor.
    pressured_issue_id: int | None = None
    notes: Text = ""

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, v: str) -> str:
        v = v.strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", v):
            raise ValueError("must be a three-letter code such as EUR or USD")
        return v

    @model_validator(mode="after")
    def _side_from_context(self) -> Deal:
        if self.side is None:  # set in place: assignment would validate the model again
            self.__dict__["side"] = SIDE_BY_CONTEXT[self.context]
        return self

    @property
    def our_side(self) -> DealSide:
        """Whether we buy or sell: always known once validated (an unset side is read from the context)."""
        return self.side or SIDE_BY_CONTEXT[self.context]

    @property
    def buys(self) -> bool:
        return self.side is DealSide.buy


class Evidence(Model):
    """A benchmark, cost driver, legal standard, precedent or capacity datum, with its source."""

    private_when: ClassVar[str] = "internal"  # an internal item is private as a whole

    id: int | None = None
    deal_id: int | None = None
    kind: Annotated[EvidenceKind, PUBLIC] = EvidenceKind.benchmark
    title: Annotated[Name, PUBLIC]
    source: Annotated[Name, PUBLIC]
    date: Annotated[Day, PUBLIC]
    internal: bool = False  # internal evidence never shows in screen-share mode
    note: Text = ""


class Alternative(Model):
    """One walk-away alternative. The deal's BATNA is the best of them by core.batna's order (or the one marked
    best), not the first entered."""

    private_when: ClassVar[bool] = True  # our alternatives are private as a whole

    id: int | None = None
    deal_id: int | None = None
    description: Name
    money: Amount = 0.0
    time_days: Days = 0
    risk: Rating = 3
    political_cost: Rating = 3
    evidence_id: int | None = None
    best: bool = False  # marked by the negotiator as the BATNA, whatever the figures say
    best_reason: Text = ""  # why, in the negotiator's words, when the mark overrides the figures
    # Money as a rate of this issue's unit (the spot market at 2,050 EUR per container), compared with
    # the issue's positions over its volume and years; None: money is the alternative's total.
    per_unit_of: int | None = None


def holds_limit(value: Any, is_floor: Any, reservation: Any) -> Any:
    """The rule of a floor or a ceiling, written once: at or above a floor, at or below a ceiling. Takes
    numbers (Issue.holds) or whole columns at once (core.concessions.line_facts judges every line of a
    pipeline in one pass). A missing value compares false: the caller says what missing means."""
    return np.where(is_floor, np.greater_equal(value, reservation), np.less_equal(value, reservation))


class Issue(Model):
    """A negotiable term with our target and reservation point, and our estimate of theirs."""

    id: int | None = None
    deal_id: int | None = None
    name: Annotated[Name, PUBLIC]
    unit: Annotated[str, Field(max_length=40), PUBLIC] = ""
    direction: Annotated[Direction, PUBLIC] = Direction.floor
    target: Amount
    reservation: Amount
    their_target: Amount | None = None
    their_walk_away: Amount | None = None
    confidence: Confidence = Confidence.low
    estimate_source: Text = ""
    priority: Rating = 3
    their_priority: Rating | None = None  # how much we believe they care; None: as much as we do
    tradeable: bool = True
    evidence_id: int | None = None  # the standard that backs our floor
    # How many units a year the rate applies to, and for how many years: a rate's money impact is
    # rate × volume × years (4,000 containers a year for 3 years). None: the issue is an amount itself.
    volume: Amount | None = None
    years: Annotated[float, AfterValidator(_finite), Field(gt=0, le=50)] = 1.0

    def holds(self, value: float) -> bool:
        """True when `value` is at or on the good side of our floor/ceiling: a value that breaks it
        is a floor breach (concession log) or an invalid bundle (MESO)."""
        return bool(holds_limit(value, self.direction is Direction.floor, self.reservation))

    @model_validator(mode="after")
    def _reservation_on_the_right_side(self) -> Issue:
        t, r = self.target, self.reservation
        if self.direction is Direction.floor and r > t:
            raise ValueError(
                f"Our floor/ceiling: the floor {fmt_amount(r)} is above our target {fmt_amount(t)} on "
                f"'{self.name}'; with a floor we want more, so the target must be at or above it"
            )
        if self.direction is Direction.ceiling and r < t:
            raise ValueError(
                f"Our floor/ceiling: the ceiling {fmt_amount(r)} is below our target {fmt_amount(t)} on "
                f"'{self.name}'; with a ceiling we want less, so the target must be at or below it"
            )
        tt, tw = self.their_target, self.their_walk_away
        if tt is not None and tw is not None:
            # They pull the other way: where we want more, they want less.
            if self.direction is Direction.floor and tw < tt:
                raise ValueError(
                    f"Their walk-away: {fmt_amount(tw)} is below their target {fmt_amount(tt)} on "
                    f"'{self.name}'; they want it low, so their walk-away must be at or above their target"
                )
            if self.direction is Direction.ceiling and tw > tt:
                raise ValueError(
                    f"Their walk-away: {fmt_amount(tw)} is above their target {fmt_amount(tt)} on "
                    f"'{self.name}'; they want it high, so their walk-away must be at or below their target"
                )
        return self


class PowerScore(Model):
    private_when: ClassVar[bool] = True  # our assessment of power, theirs and ours

    source: PowerSource
    side: Side
    score: Score
    evidence_id: int | None = None  # None means perceived only
    note: Text = ""

    @property
    def perceived_only(self) -> bool:
        return self.evidence_id is None


class PowerAssessment(Model):
    """A dated scoring of the seven sources for both sides."""

    private_when: ClassVar[bool] = True  # our assessment of power, theirs and ours

    id: int | None = None
    deal_id: int | None = None
    assessed_at: Moment
    assessed_by: Text = ""
    scores: list[PowerScore]

    @field_validator("scores")
    @classmethod
    def _one_score_per_source_and_side(cls, scores: list[PowerScore]) -> list[PowerScore]:
        seen: set[tuple[str, str]] = set()
        for s in scores:
            key = (s.source.value, s.side.value)
            if key in seen:
                raise ValueError(f"{s.source.value} is scored twice for {s.side.value}")
            seen.add(key)
        return scores


class Concession(Model):
    """One line of the concession log. A line whose 'You get' is empty is a one-way concession."""

    id: int | None = None
    deal_id: int | None = None
    item: Annotated[Name, PUBLIC]
    you_give: Annotated[Text, PUBLIC] = ""
    you_get: Annotated[Text, PUBLIC] = ""
    value_to_you: SignedAmount = 0.0
    value_to_them: SignedAmount = 0.0
    trigger: Annotated[Text, PUBLIC] = ""
    round: Annotated[int, Field(ge=1, le=1000), PUBLIC] = 1
    issue_id: Annotated[int | None, PUBLIC] = None
    new_position: Annotated[Amount | None, PUBLIC] = None
    final_offer: Annotated[bool, PUBLIC] = False
    logged_at: Annotated[Moment, PUBLIC]
    deleted_at: Moment | None = None


class MesoTerm(Model):
    issue_id: Annotated[int, PUBLIC]
    value: Annotated[Amount, PUBLIC]


class Reaction(StrEnum):
    accepted = "accepted"
    preferred = "preferred"
    rejected = "rejected"


# A MESO round; deal files written before it was named "round" call it "set_no".
MesoRound = Annotated[int, Field(ge=1, le=1000, validation_alias=AliasChoices("round", "set_no"))]


class MesoPick(Model):
    """The counterparty's reaction to one bundle of a MESO round."""

    private_when: ClassVar[bool] = True  # their reaction, and what we noted about it

    id: int | None = None
    bundle_id: int
    round: MesoRound
    reaction: Reaction
    note: Text = ""
    recorded_at: Moment


class MesoBundle(Model):
    """One offer of a MESO set: a value for each issue of the deal."""

    id: int | None = None
    deal_id: int | None = None
    round: Annotated[MesoRound, PUBLIC] = 1
    name: Annotated[Name, PUBLIC]
    terms: Annotated[list[MesoTerm], Field(max_length=200), PUBLIC] = []  # one per issue at most

    @model_validator(mode="after")
    def _one_value_per_issue(self) -> MesoBundle:
        ids = [t.issue_id for t in self.terms]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"bundle '{self.name}' has two values for issue {twice[0]}; keep one")
        return self


def duplicate_bundle_names(bundles: Sequence[MesoBundle]) -> list[str]:
    """Names used by more than one bundle of the same round (case and outer spaces ignored): a round's
    bundles are told apart by name on screen, in reactions and in the history."""
    count: dict[tuple[int, str], int] = {}
    for b in bundles:
        key = (b.round, b.name.strip().casefold())
        count[key] = count.get(key, 0) + 1
    return sorted({b.name for b in bundles if count[(b.round, b.name.strip().casefold())] > 1})


class Decision(StrEnum):
    approved = "approved"
    rejected = "rejected"


class AccessAction(StrEnum):
    """What the access log records: who saw or took what, beside the history of what changed."""

    signed_in = "signed_in"
    downloaded = "downloaded"
    exported = "exported"
    backed_up = "backed_up"
    restored = "restored"


class Approval(Model):
    """A sponsor's decision on a give that took the deal over its mandate. In team mode the signed-in
    approver and the time are recorded; in local mode the negotiator records who said yes (by phone)
    and when, so the rule is never skipped silently."""

    private_when: ClassVar[bool] = True  # it speaks of our mandate

    id: int | None = None
    concession_id: int
    decision: Decision
    decided_by: Name
    decided_at: Moment
    note: Text = ""
    # The line's value to us when decided: a later correction that gives more needs a new decision.
    value_to_you: float = 0.0
    recorded_by: str = ""

    @model_validator(mode="after")
    def _rejection_says_why(self) -> Approval:
        if self.decision is Decision.rejected and not self.note.strip():
            raise ValueError("Note: say why the give is rejected, so the negotiator knows what to do next")
        return self


class Member(Model):
    """A person who may sign in to a team cockpit, and their role."""

    email: Annotated[str, Field(max_length=254)]
    role: Role
    added_at: datetime | None = None
    added_by: str = ""
    removed_at: datetime | None = None


class AnchorWorksheet(Model):
    """The method's anchor worksheet for one issue: what makes an opening position credible. Our case,
    private as a whole on a shared screen."""

    private_when: ClassVar[bool] = True

    issue_id: int
    range_low: Amount | None = None  # the credible range an opening position can sit in
    range_high: Amount | None = None
    benchmark_ids: list[int] = []  # external benchmarks: evidence of the deal
    cost_logic: Text = ""  # internal cost logic
    rationale: Text = ""  # the narrative rationale said across the table

    @model_validator(mode="after")
    def _low_not_above_high(self) -> AnchorWorksheet:
        if self.range_low is not None and self.range_high is not None and self.range_low > self.range_high:
            raise ValueError(
                f"Credible range: the low end {fmt_amount(self.range_low)} is above the high end "
                f"{fmt_amount(self.range_high)}"
            )
        return self


class Outcome(StrEnum):
    signed = "signed"
    walked_away = "walked_away"  # to our BATNA
    lost = "lost"
    paused = "paused"


class DeadlineVerdict(StrEnum):
    real = "real"
    partly = "partly"
    not_real = "not_real"


# The seed's lightweight improvements, as a checklist for the next round or deal.
IMPROVEMENTS = {
    "rehearse_legitimacy": "Rehearse the legitimacy narrative",
    "red_team_floors": "Red-team your floors",
    "role_reverse": "Role reverse to test tone",
    "neutral_scribe": "Keep neutral scribe notes",
}


class FinalValue(Model):
    issue_id: int
    value: SignedAmount


class Review(Model):
    """After the deal: the outcome, the final value of each issue, and the seed's three questions
    answered with the cockpit's facts beside them. Editable until marked final."""

    id: int | None = None
    deal_id: int | None = None
    outcome: Annotated[Outcome, PUBLIC]
    final_values: list[FinalValue] = []
    power_answer: Text = ""  # where did power help, and where did it harm trust or execution quality?
    persuasive_evidence_ids: list[int] = []  # which standards were persuasive (from the evidence pack)
    standards_answer: Text = ""
    deadline_verdict: DeadlineVerdict | None = None  # did deadlines reflect real constraints?
    deadline_answer: Text = ""
    relationship_health: Rating | None = None
    relationship_note: Text = ""
    lessons: Text = ""
    improvements: list[str] = []
    final: bool = False

    @field_validator("improvements")
    @classmethod
    def _known_improvements(cls, v: list[str]) -> list[str]:
        unknown = [i for i in v if i not in IMPROVEMENTS]
        if unknown:
            raise ValueError(f"'{unknown[0]}' is not one of the improvements")
        return sorted(set(v))

    @model_validator(mode="after")
    def _one_value_per_issue(self) -> Review:
        ids = [f.issue_id for f in self.final_values]
        if len(ids) != len(set(ids)):
            raise ValueError("Final values: one value per issue")
        return self


class LibraryKind(StrEnum):
    benchmark = "benchmark"
    governance_clause = "governance_clause"
    capacity_artefact = "capacity_artefact"
    tradeable = "tradeable"


class LibraryItem(Model):
    """One item of the organisation's library: an accepted benchmark, a governance clause, a capacity
    artefact (plan, award date, budget calendar) or a tradeable, with where it comes from."""

    id: int | None = None
    kind: LibraryKind
    title: Name
    source: Name
    date: Day
    contexts: list[Context] = []  # empty: applies to every context
    owner: Name
    note: Text = ""


# ---- steps 4 and 5: the single text ---------------------------------------------------------------
class ClauseKind(StrEnum):
    issue = "issue"  # the agreed position on a negotiated issue
    metric = "metric"  # a success metric
    verification = "verification"  # verification or governance (template 3)
    remedy = "remedy"  # "If [risk] occurs, [remedy] applies" (template 4)
    escalation = "escalation"  # the escalation path (template 5)
    validity = "validity"  # how long the offer stands (template 2)
    other = "other"


CLAUSE_KIND_LABELS = {
    ClauseKind.issue: "Issue",
    ClauseKind.metric: "Success metric",
    ClauseKind.verification: "Verification and governance",
    ClauseKind.remedy: "Contingent remedy",
    ClauseKind.escalation: "Escalation path",
    ClauseKind.validity: "Validity",
    ClauseKind.other: "Other term",
}


class ClauseStatus(StrEnum):
    open = "open"
    agreed = "agreed"


class PositionSource(StrEnum):
    """Where an issue clause's figure came from when the text was started, so the screen can say it."""

    concession_log = "concession_log"  # the latest new position logged on the issue
    meso_bundle = "meso_bundle"  # the term of the MESO bundle they accepted
    our_target = "our_target"  # nothing on the table yet: starting the text tables our target
    written = "written"  # typed by the negotiator


POSITION_SOURCE_LABELS = {
    PositionSource.concession_log: "the latest position in the concession log",
    PositionSource.meso_bundle: "the MESO bundle they accepted",
    PositionSource.our_target: "our target (nothing was on the table yet)",
    PositionSource.written: "written by the negotiator",
}


class Clause(Model):
    """One clause of the single text. The text is shared with the other side by nature: every field is
    public, and nothing private (a floor, the BATNA, the mandate, an estimate, a note) ever enters one."""

    number: Annotated[int, Field(ge=1, le=10_000), PUBLIC]  # the same clause across versions
    kind: Annotated[ClauseKind, PUBLIC] = ClauseKind.other
    title: Annotated[Name, PUBLIC]
    wording: Annotated[Text, PUBLIC] = ""
    issue_id: Annotated[int | None, PUBLIC] = None
    position: Annotated[Amount | None, PUBLIC] = None
    source: Annotated[PositionSource, PUBLIC] = PositionSource.written
    metric: Annotated[Text, PUBLIC] = ""  # how success is measured
    verification: Annotated[Text, PUBLIC] = ""  # how it is checked (audit, report, acceptance test)
    status: Annotated[ClauseStatus, PUBLIC] = ClauseStatus.open

    @model_validator(mode="after")
    def _an_issue_clause_names_its_issue(self) -> Clause:
        if self.kind is ClauseKind.issue and self.issue_id is None:
            raise ValueError("Issue: an issue clause names the issue it settles")
        return self


MAX_CLAUSES = 300


class TextVersion(Model):
    """One saved state of the single text: every save is a version, with who saved it and when. A save
    after the edit window closed carries its reason and is a late scope change."""

    id: int | None = None
    number: Annotated[int, Field(ge=1), PUBLIC]
    saved_at: Annotated[Moment, PUBLIC]
    saved_by: Annotated[str, PUBLIC] = ""
    late: Annotated[bool, PUBLIC] = False
    reason: Text = ""  # why a late change was let in: our justification, not the text's
    clauses: Annotated[list[Clause], Field(max_length=MAX_CLAUSES), PUBLIC] = []

    @model_validator(mode="after")
    def _clauses_told_apart(self) -> TextVersion:
        numbers = [c.number for c in self.clauses]
        if len(numbers) != len(set(numbers)):
            raise ValueError("Clauses: two clauses have the same number")
        issues = [c.issue_id for c in self.clauses if c.issue_id is not None]
        if len(issues) != len(set(issues)):
            raise ValueError("Clauses: one clause per issue")
        return self


class SingleText(Model):
    """The one document both sides converge on (step 4), with every version kept."""

    edit_until: Annotated[Day | None, PUBLIC] = None  # the edit window: a change after it is late scope
    versions: Annotated[list[TextVersion], Field(min_length=1, max_length=5000), PUBLIC]

    @property
    def latest(self) -> TextVersion:
        return self.versions[-1]


# ---- step 5: the implementation plan -----------------------------------------------------------------
class CommitmentStatus(StrEnum):
    on_track = "on_track"
    at_risk = "at_risk"
    missed = "missed"
    done = "done"


class Commitment(Model):
    """What one side promised in the agreed text, who owns it, by when, and how it is checked."""

    id: int | None = None
    deal_id: int | None = None
    clause_number: Annotated[int | None, PUBLIC] = None  # the clause of the single text it comes from
    what: Annotated[Name, PUBLIC]
    side: Annotated[Side, PUBLIC] = Side.them  # whose commitment it is
    owner: Annotated[Name, PUBLIC]  # a person on that side
    due: Annotated[Day | None, PUBLIC] = None
    metric: Annotated[Text, PUBLIC] = ""
    target: Annotated[Text, PUBLIC] = ""
    verification: Annotated[Text, PUBLIC] = ""  # audit, report, acceptance test
    status: Annotated[CommitmentStatus, PUBLIC] = CommitmentStatus.on_track
    note: Text = ""  # our internal note: never on a shared screen


class EscalationKind(StrEnum):
    """The escalation path's steps, in the order the method keeps them: problem-solving before power."""

    owner_to_owner = "owner_to_owner"
    sponsor_to_sponsor = "sponsor_to_sponsor"
    mediation = "mediation"
    contractual_remedy = "contractual_remedy"


ESCALATION_LABELS = {
    EscalationKind.owner_to_owner: "Owner to owner",
    EscalationKind.sponsor_to_sponsor: "Sponsor to sponsor",
    EscalationKind.mediation: "Mediation",
    EscalationKind.contractual_remedy: "Contractual remedy or sanction",
}


class EscalationStep(Model):
    """One step taken on the escalation path, dated. A contractual remedy before any mediation is
    refused unless a leader overrides it with a reason, which is kept with the step."""

    id: int | None = None
    deal_id: int | None = None
    kind: Annotated[EscalationKind, PUBLIC]
    taken_at: Annotated[Moment, PUBLIC]
    taken_by: str = ""
    note: Text = ""  # what was raised and what came of it: ours
    override_reason: Text = ""


FILE_FORMAT = "deal-cockpit/deal/1"


class DealFile(Model):
    """One deal with everything it owns: the unit of `export-deal` / `import-deal`.

    Ids inside the file are only references between its parts; importing gives everything new ids.
    """

    format: str = FILE_FORMAT
    deal: Deal
    counterparty: Counterparty
    # Bounds far above any real deal (a CSV's 100,000 lines; three bundles a round for 200 rounds), checked
    # while the file is read: an oversized file is refused at a bounded cost, not imported for minutes.
    stakeholders: Annotated[list[Stakeholder], Field(max_length=500)] = []
    alternatives: Annotated[list[Alternative], Field(max_length=200)] = []
    issues: Annotated[list[Issue], Field(max_length=200)] = []
    evidence: Annotated[list[Evidence], Field(max_length=2000)] = []
    assessments: Annotated[list[PowerAssessment], Field(max_length=2000)] = []
    concessions: Annotated[list[Concession], Field(max_length=100_000)] = []
    meso_bundles: Annotated[list[MesoBundle], Field(max_length=600)] = []
    # Everything else the deal owns (files written before these existed import without them):
    anchors: Annotated[list[AnchorWorksheet], Field(max_length=200)] = []
    meso_picks: Annotated[list[MesoPick], Field(max_length=2000)] = []
    approvals: Annotated[list[Approval], Field(max_length=100_000)] = []
    signals: Annotated[list[str], Field(max_length=200)] = []  # the moves whose signal is observed now
    round_notes: Annotated[
        dict[Annotated[int, Field(ge=1, le=1000)], Annotated[str, Field(max_length=2000)]],
        Field(max_length=1000),
    ] = {}
    review: Review | None = None
    single_text: SingleText | None = None
    commitments: Annotated[list[Commitment], Field(max_length=2000)] = []
    escalation_steps: Annotated[list[EscalationStep], Field(max_length=2000)] = []

    @field_validator("format")
    @classmethod
    def _known_format(cls, v: str) -> str:
        if v != FILE_FORMAT:
            raise ValueError(f"must be '{FILE_FORMAT}' (this file is not a Deal Cockpit deal export)")
        return v

    @model_validator(mode="after")
    def _references_resolve(self) -> DealFile:
        evidence_ids = {e.id for e in self.evidence}
        issue_ids = {i.id for i in self.issues}

        def check(ref: int | None, known: set, where: str) -> None:
            if ref is not None and ref not in known:
                raise ValueError(f"{where} refers to id {ref}, which is not in this file")

        check(self.deal.deadline_evidence_id, evidence_ids, "deal.deadline_evidence_id")
        check(self.deal.pressured_issue_id, issue_ids, "deal.pressured_issue_id")
        for n, b in enumerate(self.alternatives):
            check(b.evidence_id, evidence_ids, f"alternatives[{n}].evidence_id")
        for n, i in enumerate(self.issues):
            check(i.evidence_id, evidence_ids, f"issues[{n}].evidence_id")
        for n, a in enumerate(self.assessments):
            for m, s in enumerate(a.scores):
                check(s.evidence_id, evidence_ids, f"assessments[{n}].scores[{m}].evidence_id")
        for n, c in enumerate(self.concessions):
            check(c.issue_id, issue_ids, f"concessions[{n}].issue_id")
        for n, bundle in enumerate(self.meso_bundles):
            for m, t in enumerate(bundle.terms):
                check(t.issue_id, issue_ids, f"meso_bundles[{n}].terms[{m}].issue_id")
        concession_ids = {c.id for c in self.concessions}
        bundle_ids = {b.id for b in self.meso_bundles}
        for n, sheet in enumerate(self.anchors):
            check(sheet.issue_id, issue_ids, f"anchors[{n}].issue_id")
            for e in sheet.benchmark_ids:
                check(e, evidence_ids, f"anchors[{n}].benchmark_ids")
        for n, p in enumerate(self.meso_picks):
            check(p.bundle_id, bundle_ids, f"meso_picks[{n}].bundle_id")
        for n, ap in enumerate(self.approvals):
            check(ap.concession_id, concession_ids, f"approvals[{n}].concession_id")
        if self.review is not None:
            for n, fv in enumerate(self.review.final_values):
                check(fv.issue_id, issue_ids, f"review.final_values[{n}].issue_id")
            for e in self.review.persuasive_evidence_ids:
                check(e, evidence_ids, "review.persuasive_evidence_ids")
        if self.single_text is not None:
            for n, v in enumerate(self.single_text.versions):
                for m, clause in enumerate(v.clauses):
                    check(clause.issue_id, issue_ids, f"single_text.versions[{n}].clauses[{m}].issue_id")
        if twice := duplicate_bundle_names(self.meso_bundles):
            raise ValueError(
                f"meso_bundles: two bundles of one round are named '{twice[0]}'; names must be unique"
            )
        for what, items in (("evidence", self.evidence), ("issues", self.issues)):
            ids = [x.id for x in items]
            if None in ids or len(set(ids)) != len(ids):
                raise ValueError(f"{what}: every entry needs its own id so other parts can refer to it")
        return self


def describe_errors(
    exc: ValidationError, prefix: str = "", labels: dict[str, str] | None = None
) -> list[str]:
    """Turn a pydantic error into lines a negotiator can act on: 'Mandate: must be ≥ 0'. `labels` names
    fields the way the screen shows them where that differs from the model's label."""
    lines = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if p not in ("function-after",)]
        msg = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        msg = _plain(msg, err)
        if loc and isinstance(loc[-1], str):  # a field's own error: name it with the screen's label
            field = (labels or {}).get(loc[-1]) or field_label(loc[-1])
            path = ".".join(str(p) for p in loc[:-1])
            lines.append(f"{prefix}{path} › {field}: {msg}" if path else f"{prefix}{field}: {msg}")
        else:  # a rule across fields: its message names the fields itself
            path = ".".join(str(p) for p in loc)
            lines.append(f"{prefix}{path}: {msg}" if path else f"{prefix}{msg}")
    return lines


def _number(x: Any) -> str:
    """A bound or an input as a person reads it: 1e12 is 1,000,000,000,000; text stays as typed."""
    if isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) and abs(x) < 1e18:
        return fmt_amount(x)
    return str(x)


def _plain(msg: str, err: ErrorDetails) -> str:
    ctx = err.get("ctx") or {}
    kind = err.get("type", "")
    if kind == "greater_than_equal":
        return f"must be at least {_number(ctx.get('ge'))} (got {_number(err.get('input'))})"
    if kind == "less_than_equal":
        return f"must be at most {_number(ctx.get('le'))} (got {_number(err.get('input'))})"
    if kind == "missing":
        return "is required"
    if kind in ("float_parsing", "float_type"):
        return (
            f"must be a number (got {err.get('input')!r}); write it without separators, e.g. 1500 or 1500.50"
        )
    if kind in ("int_parsing", "int_parsing_size", "int_from_float", "int_type"):
        return f"must be a whole number in range (got {_number(err.get('input'))})"
    if kind == "string_too_long":
        return f"is too long (at most {ctx.get('max_length')} characters)"
    if kind == "too_long":
        return (
            f"has {_number(ctx.get('actual_length'))} entries; the limit is {_number(ctx.get('max_length'))}"
        )
    if kind == "enum":
        return f"'{err.get('input')}' is not one of {ctx.get('expected')}"
    return msg


class InvalidInput(CockpitError):
    """Input refused before anything was written; `problems` are lines that each name a field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def validate(
    model: type[M],
    data: dict[str, Any],
    prefix: str = "",
    decimal_comma: bool | None = None,
    labels: dict[str, str] | None = None,
) -> M:
    """Build a model or raise InvalidInput with field-named lines (named by `labels` where given). Amounts
    typed as text are read in `decimal_comma`'s convention (None: the one in use, the deal's on a deal's
    screen)."""
    try:
        return model.model_validate(data, context={"decimal_comma": decimal_comma})
    except ValidationError as exc:
        raise InvalidInput(describe_errors(exc, prefix, labels)) from None


def validate_new_deal(
    deal: dict[str, Any], counterparty: dict[str, Any], counterparty_id: int | None
) -> tuple[Deal, Counterparty | None]:
    """A new deal with a known counterparty (its id), or with a new one described by `counterparty`.
    Every problem of both records is named at once; InvalidInput if there is any."""
    problems: list[str] = []
    new_deal = new_counterparty = None
    try:  # its amounts are read in the convention ticked for it in the same form
        new_deal = validate(Deal, deal, decimal_comma=bool(deal.get("decimal_comma", False)))
    except InvalidInput as exc:
        problems += exc.problems
    if counterparty_id is None:
        try:
            new_counterparty = validate(Counterparty, counterparty, prefix="Counterparty › ")
        except InvalidInput as exc:
            problems += exc.problems
    if problems or new_deal is None:
        raise InvalidInput(problems)
    if counterparty_id is not None:
        new_deal = new_deal.model_copy(update={"counterparty_id": counterparty_id})
    return new_deal, new_counterparty


def read_amounts(
    typed: dict[Any, str | None], decimal_comma: bool, labels: dict[Any, str] | None = None
) -> dict[Any, float | None]:
    """Typed amounts by field, read with the deal's convention; InvalidInput names each field it could
    not read (by `labels`, else the field's label) and says what it understood. Blank is None."""
    values, problems = {}, []
    for name, text in typed.items():
        try:
            values[name] = parse_amount(text or "", decimal_comma)
        except AmountNotUnderstood as exc:
            problems.append(f"{(labels or {}).get(name) or field_label(name)}: {exc}")
    if problems:
        raise InvalidInput(problems)
    return values


def record_id(item: Model) -> int | None:
    """A listed record's id (None: a new one, not stored yet; or a kind of record kept without one)."""
    return getattr(item, "id", None)


def same_as_another(item: M, items: Sequence[M]) -> M | None:
    """Another record of the list with the same content as `item` (ids aside): saving it would make a
    silent duplicate."""
    content = item.model_dump(exclude={"id", "deal_id", "counterparty_id"})
    return next((o for o in items if record_id(o) != record_id(item) and o.model_dump(exclude={"id", "deal_id", "counterparty_id"})
                 == content), None)  # fmt: skip
