"""The method at the moment of use: moves by stage, signals to adjust or stop, filled templates,
readiness and pitfalls. The move table, the steps and the playbooks are data (data/moves.json)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from .batna import best_alternative
from .concessions import review_log
from .formatting import fmt_amount
from .leverage import warnings as leverage_warnings
from .models import (
    Alternative,
    AnchorWorksheet,
    Concession,
    Counterparty,
    Deal,
    Direction,
    Evidence,
    Issue,
    PowerAssessment,
    PowerSource,
    Side,
    SingleText,
    Stage,
    Stakeholder,
)
from .privacy import Private, is_private, shown
from .settings import PROJECT_ROOT
from .single_text import readiness as single_text_readiness

PLAYBOOK_FILE = PROJECT_ROOT / "data" / "moves.json"
STAGES = list(Stage)
ESCALATE_DAYS_BEFORE = 5  # propose the sponsor call this many days before the deadline


@dataclass(frozen=True)
class Move:
    key: str
    move: str
    stage: Stage
    when_to_use: str
    what_to_say: str
    signal: str
    risk_and_safeguard: str


@dataclass(frozen=True)
class Step:
    stage: Stage
    name: str
    principle: str


@dataclass(frozen=True)
class Playbook:
    moves: list[Move]
    steps: list[Step]
    contexts: dict[str, list[str]]


def load_playbook(path: Path = PLAYBOOK_FILE) -> Playbook:
    data = json.loads(path.read_text(encoding="utf-8"))
    moves = [Move(**{**m, "stage": Stage(m["stage"])}) for m in data["moves"]]
    steps = [Step(Stage(s["stage"]), s["name"], s["principle"]) for s in data["steps"]]
    return Playbook(moves, steps, data["playbooks"])


def moves_for_stage(moves: Sequence[Move], stage: Stage) -> list[Move]:
    """The current stage's moves first, then the rest in the order of the five steps."""
    return sorted(moves, key=lambda m: (m.stage != stage, STAGES.index(m.stage)))


def next_stage(stage: Stage) -> Stage | None:
    k = STAGES.index(stage)
    return STAGES[k + 1] if k + 1 < len(STAGES) else None


def move_status(move: Move, observed: set[str]) -> str:
    """'adjust/stop' once the move's signal has been observed in this deal, else 'use'."""
    return "adjust/stop" if move.key in observed else "use"


# ---- templates ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Blank:
    """A place in a template the deal cannot fill yet: what is missing and where to fill it."""

    label: str
    fix: str
    screen: str  # the screen where it is filled

    def __str__(self) -> str:
        return f"[{self.label}: {self.fix}]"


@dataclass(frozen=True)
class Template:
    name: str
    parts: list[str | Blank] = field(default_factory=list)
    # What saying the line aloud would give away, each a sentence for the negotiator (never on a shared screen)
    cautions: list[str] = field(default_factory=list)

    @property
    def blanks(self) -> list[Blank]:
        return [p for p in self.parts if isinstance(p, Blank)]

    @property
    def complete(self) -> bool:
        return not self.blanks

    @property
    def text(self) -> str:
        return self.shown(safe=False)

    def shown(self, safe: bool) -> str:
        """The line as the screen shows it; on a shared screen our floor and BATNA are masked."""
        return "".join(shown(p, safe) if isinstance(p, str) else str(p) for p in self.parts)


def _condition(trigger: str) -> str:
    """A trigger as the condition of "We can accept X …": 'If the index rises 5 %, …' reads 'only if the
    index rises 5 %, …'; 'Only with an audit' stays; anything else follows 'only with'."""
    text = trigger.strip().rstrip(".")
    lowered = text.casefold()
    for lead in ("only if ", "only with ", "only when ", "provided ", "subject to "):
        if lowered.startswith(lead):
            return text[0].lower() + text[1:]
    for lead in ("if ", "when "):
        if lowered.startswith(lead):
            return "only " + text[0].lower() + text[1:]
    return f"only with {text}"


def _our_time_pressure(assessment: PowerAssessment | None) -> list[str]:
    """A deadline line said while time leans their way shows them our own pressure: say so."""
    if assessment is None:
        return []
    score = {(s.source, s.side): s.score for s in assessment.scores}
    ours, theirs = score.get((PowerSource.time, Side.us)), score.get((PowerSource.time, Side.them))
    if ours is None or theirs is None or ours >= theirs:
        return []
    return [
        f"Time leans their way in the latest assessment ({ours} for us, {theirs} for them): a validity date said "
        "aloud shows them our own time pressure. Tie validity to a constraint of theirs (their budget cycle, "
        "their award date), or leave this line out."
    ]


_IF_THEN = re.compile(r"^if (?P<risk>.+?),\s*(?P<remedy>.+)$", re.IGNORECASE)
_THEN_IF = re.compile(r"^(?P<remedy>.+?)\s+if\s+(?P<risk>.+)$", re.IGNORECASE)


def _risk_and_remedy(concessions: Sequence[Concession]) -> tuple[str, str] | None:
    """The latest contingency written as "If X, Y" or "Y if X"."""
    for c in sorted(concessions, key=lambda c: c.logged_at, reverse=True):
        text = c.trigger.strip().rstrip(".")
        for pattern in (_IF_THEN, _THEN_IF):
            found = pattern.match(text)
            if found:
                return found["risk"], found["remedy"]
    return None


def anchor_gaps(sheet: AnchorWorksheet | None) -> list[str]:
    """What an issue's anchor worksheet still lacks for a credible opening position: a credible range, an
    external benchmark and a narrative rationale (the internal cost logic helps but is ours alone)."""
    if sheet is None:
        return ["a credible range", "an external benchmark", "a narrative rationale"]
    gaps = []
    if sheet.range_low is None or sheet.range_high is None:
        gaps.append("a credible range")
    if not sheet.benchmark_ids:
        gaps.append("an external benchmark")
    if not sheet.rationale.strip():
        gaps.append("a narrative rationale")
    return gaps


def fill_templates(
    deal: Deal,
    issues: Sequence[Issue],
    evidence: Sequence[Evidence],
    alternatives: Sequence[Alternative],
    concessions: Sequence[Concession],
    stakeholders: Sequence[Stakeholder],
    today: date,
    anchors: Mapping[int, AnchorWorksheet] | None = None,
    assessment: PowerAssessment | None = None,
) -> list[Template]:
    """The seed's five fill-in-the-blank lines, filled from the deal; what the deal lacks stays a Blank.
    `anchors`: the issues' anchor worksheets; a complete one's first benchmark backs a floor that has no
    evidence of its own, and its credible range gives the firm line we publish. `assessment`: the latest
    leverage assessment, to tell when a deadline line would show our own time pressure.
    Every line follows the issue's direction: a buyer's ceiling is never called a floor."""
    live = [c for c in concessions if c.deleted_at is None]
    batna = best_alternative(alternatives, deal.our_side, issues)
    return [
        _floor_template(deal, issues, evidence, batna, live, anchors or {}),
        _deadline_template(deal, assessment),
        _verification_template(live, batna),
        _remedy_template(live),
        _escalation_template(deal, stakeholders, today),
    ]


def _floor_template(
    deal: Deal,
    issues: Sequence[Issue],
    evidence: Sequence[Evidence],
    batna: Alternative | None,
    live: Sequence[Concession],
    anchors: Mapping[int, AnchorWorksheet],
) -> Template:
    """Template 1, on the issue they press hardest (else our top priority): our floor or ceiling, its
    standard, and the give-get line on that issue."""
    by_evidence = {e.id: e for e in evidence}
    floor_issue = next((i for i in issues if i.id == deal.pressured_issue_id), None) or (
        max(issues, key=lambda i: i.priority) if issues else None
    )
    # The give-get line of template 1 is about the floor's issue: the latest paired line on that issue,
    # never the latest line on whatever issue it was.
    paired = next(
        (c for c in sorted(live, key=lambda c: c.logged_at, reverse=True)
         if c.you_get.strip() and floor_issue is not None and c.issue_id == floor_issue.id),
        None,
    )  # fmt: skip
    limit = "ceiling" if floor_issue is not None and floor_issue.direction is Direction.ceiling else "floor"
    cautions: list[str] = []

    def issue_floor() -> list[str | Blank]:
        if floor_issue is None:
            return [Blank("issue", "add an issue with our floor or ceiling", "Prepare")]
        unit = f" {floor_issue.unit}" if floor_issue.unit else ""
        standard = by_evidence.get(floor_issue.evidence_id)
        sheet = anchors.get(floor_issue.id) if floor_issue.id is not None else None
        if standard is None and sheet is not None and not anchor_gaps(sheet):
            standard = next((by_evidence[e] for e in sheet.benchmark_ids if e in by_evidence), None)
        basis: str | Blank = (
            (Private if is_private(standard) else str)(f"{standard.title} ({standard.source})") if standard
            else Private(f"our alternative: {batna.description}") if batna
            else Blank("standard or BATNA", f"link evidence to {floor_issue.name} or add a BATNA", "Prepare")
        )  # fmt: skip
        # The firm line we chose to publish: the worksheet's credible range, at its edge on our side.
        published = None
        if sheet is not None and sheet.range_low is not None and sheet.range_high is not None:
            published = sheet.range_high if limit == "ceiling" else sheet.range_low
        if published is not None:
            figure: str = f"{fmt_amount(published)}{unit}"
        else:
            figure = Private(f"{fmt_amount(floor_issue.reservation)}{unit}")
            cautions.append(
                f"Said aloud, this line gives away our private {limit} on {floor_issue.name} "
                f"({fmt_amount(floor_issue.reservation)}{unit}). Write the credible range in its anchor worksheet "
                f"on Prepare: the line then says the firm line we chose to publish instead."
            )
        return [floor_issue.name, " is ", figure, " based on ", basis]

    one = Template(f"{limit.capitalize()} and its standard", [
        f"“Our {limit} on ", *issue_floor(), ". If we move on ",
        paired.you_give.strip() or paired.item if paired
        else Blank("your ask", f"log a concession on {floor_issue.name} with a get" if floor_issue
                   else "log a concession with a get", "Concessions"),
        ", we would need ",
        paired.you_get.strip() if paired
        else Blank("give", f"log what we get in return on {floor_issue.name}" if floor_issue
                   else "log what we get in return", "Concessions"),
        " to keep the deal investable.”",
    ], cautions)  # fmt: skip
    return one


def _deadline_template(deal: Deal, assessment: PowerAssessment | None) -> Template:
    """Template 2: the offer's validity and the real constraint behind the date."""
    return Template("Deadline and its reason", [
        "“This offer is valid until ",
        f"{deal.deadline:%d %B %Y}" if deal.deadline else Blank("date", "set the deal's deadline", "Prepare"),
        " because ",
        deal.deadline_reason.strip() or Blank("capacity or budget cadence", "write the deadline's reason", "Prepare"),
        ". After that, we allocate resources elsewhere.”",
    ], _our_time_pressure(assessment))  # fmt: skip


def _verification_template(live: Sequence[Concession], batna: Alternative | None) -> Template:
    """Template 3: a term we accept only with its verification, else our alternative."""
    verified = next(
        (c for c in sorted(live, key=lambda c: c.logged_at, reverse=True) if c.trigger.strip()), None
    )
    return Template("Verification clause", [
        "“We can accept ",
        verified.item if verified else Blank("term", "log a concession with a trigger/contingency", "Concessions"),
        " ",
        *([_condition(verified.trigger)] if verified
          else ["only with ", Blank("verification/governance", "write it as the trigger", "Concessions")]),
        ", otherwise we revert to ",
        Private(batna.description) if batna else Blank("alternative plan", "add the BATNA", "Prepare"),
        ".”",
    ])  # fmt: skip


def _remedy_template(live: Sequence[Concession]) -> Template:
    """Template 4: a risk and the remedy that applies if it occurs, read from a logged trigger."""
    risk = _risk_and_remedy(live)
    return Template("Contingent remedy", [
        "“If ",
        risk[0] if risk else Blank("risk", "write a trigger as 'If X, Y' or 'Y if X'", "Concessions"),
        ", ",
        risk[1] if risk else Blank("contingent remedy", "write a trigger as 'If X, Y' or 'Y if X'", "Concessions"),
        " applies. This protects both sides.”",
    ])  # fmt: skip


def _escalation_template(deal: Deal, stakeholders: Sequence[Stakeholder], today: date) -> Template:
    """Template 5: a sponsor-to-sponsor call, dated before the deadline."""
    sponsor = next((s for s in stakeholders if s.veto), None) or next(
        (s for s in stakeholders if s.decision_rights), None
    )
    escalate_on = deal.deadline - timedelta(days=ESCALATE_DAYS_BEFORE) if deal.deadline else None
    return Template("Sponsor escalation date", [
        "“To escalate constructively, let’s schedule ",
        f"a sponsor-to-sponsor call with {sponsor.name}" + (f" ({sponsor.role})" if sponsor.role else "") if sponsor
        else Blank("sponsor-to-sponsor", "mark a stakeholder with veto or decision rights", "Prepare"),
        " by ",
        f"{max(escalate_on, today):%d %B %Y}" if escalate_on else Blank("date", "set the deal's deadline", "Prepare"),
        " before we decide on alternatives.”",
    ])  # fmt: skip


# ---- readiness ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    name: str
    met: bool | None  # None: cannot be told from the data, shown as a prompt
    reason: str
    screen: str


def readiness(
    deal: Deal,
    issues: Sequence[Issue],
    alternatives: Sequence[Alternative],
    one_way: int,
    stakeholders: Sequence[Stakeholder],
    floor_breaches: int = 0,
    gives: float = 0.0,
    single_text: SingleText | None = None,
) -> list[Check]:
    """The seed's pre-talk checklist, judged from the data wherever the data allows. `one_way`,
    `floor_breaches`, `gives`: the live log's (the store's `log_totals`, or `review_log(...).summary`).
    A breached floor or gives past the mandate are checks too (BLOCKING): a deal carrying them is not
    nearly ready, whatever the other checks say. At the close and after, the single text is judged too
    (core.single_text.readiness)."""
    batna = best_alternative(alternatives, deal.our_side, issues)
    quantified = [b for b in alternatives if b.money > 0 or b.time_days > 0]
    unbacked = [i.name for i in issues if i.evidence_id is None]
    checks = [
        Check("BATNA quantified", bool(batna and (batna.money > 0 or batna.time_days > 0)),
              "no BATNA yet" if batna is None else "the BATNA has a money or time figure"
              if batna.money > 0 or batna.time_days > 0 else "the BATNA has no money or time figure", "Prepare"),
        Check("Floors set with evidence", bool(issues) and not unbacked,
              "no issues yet" if not issues else "every floor has a standard" if not unbacked
              else "no evidence behind: " + ", ".join(unbacked), "Prepare"),
        Check("At least two credible alternatives", len(quantified) >= 2,
              f"{len(quantified)} quantified alternative{'s' if len(quantified) != 1 else ''}", "Prepare"),
        Check("Floors held", floor_breaches == 0,
              "no line breaches a floor or ceiling" if floor_breaches == 0
              else f"{floor_breaches} line{'s' if floor_breaches != 1 else ''} past a floor or ceiling", "Concessions"),
        Check("Gives within the mandate", gives <= deal.mandate,
              "the gives are within the mandate" if gives <= deal.mandate
              else f"gives of {fmt_amount(gives)} against a mandate of {fmt_amount(deal.mandate)}: the overrun needs "
              "the sponsor's approval", "Concessions"),
        Check("Every concession paired", one_way == 0,
              "every give has its get" if one_way == 0 else f"{one_way} one-way concession{'s' if one_way != 1 else ''}",
              "Concessions"),
        Check("Deadline tied to a real constraint",
              deal.deadline is None or bool(deal.deadline_reason.strip() and deal.deadline_evidence_id),
              "no deadline set" if deal.deadline is None else "reason and evidence recorded"
              if deal.deadline_reason.strip() and deal.deadline_evidence_id else "reason or evidence missing", "Prepare"),
        Check("Escalation path", any(s.veto or s.decision_rights.strip() for s in stakeholders),
              "a stakeholder with decision rights or veto is mapped"
              if any(s.veto or s.decision_rights.strip() for s in stakeholders)
              else "no one with decision rights or veto on the counterparty map", "Prepare"),
    ]  # fmt: skip
    if deal.stage in (Stage.close, Stage.implementation):
        met, reason = single_text_readiness(single_text, issues)
        checks.append(Check("Single text at close", met, reason, "Single text"))
    return checks


def readiness_score(checks: Sequence[Check]) -> float:
    judged = [c for c in checks if c.met is not None]
    return sum(bool(c.met) for c in judged) / len(judged) if judged else 0.0


BLOCKING = ("Floors held", "Gives within the mandate")
READY_WELL, READY_PARTLY = 0.8, 0.5


def readiness_colour(checks: Sequence[Check]) -> str:
    """How the readiness figure reads: red whenever a blocking check fails (a breach or an overrun is never
    'nearly ready'), else green from 80 %, orange from 50 %, red below."""
    if any(c.name in BLOCKING and c.met is False for c in checks):
        return "red"
    score = readiness_score(checks)
    return "green" if score >= READY_WELL else "orange" if score >= READY_PARTLY else "red"


# ---- pitfalls -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pitfall:
    name: str
    detected: bool | None  # None: not detectable from data, shown as a prompt
    reason: str


def pitfalls(
    deal: Deal,
    counterparty: Counterparty,
    issues: Sequence[Issue],
    alternatives: Sequence[Alternative],
    concessions: Sequence[Concession],
    anchors: Mapping[int, AnchorWorksheet] | None = None,
) -> list[Pitfall]:
    """The seed's seven pitfalls: detected where the data allows, otherwise a prompt to ask yourself. An
    opening position is credible when its issue has evidence or a complete anchor worksheet."""
    live = [c for c in concessions if c.deleted_at is None]
    summary = review_log(live, issues, deal.mandate).summary
    codes = {w.code for w in leverage_warnings(deal, counterparty, None, alternatives, issues)}
    by_id = {i.id: i for i in issues}
    # The opening offer: positions taken in round 1. Later positions are concessions, judged elsewhere.
    opened = [c for c in live if c.round == 1 and c.issue_id in by_id and c.new_position is not None]
    worksheets = anchors or {}
    unfounded = [
        by_id[c.issue_id].name for c in opened
        if c.issue_id is not None and by_id[c.issue_id].evidence_id is None and anchor_gaps(worksheets.get(c.issue_id))
    ]  # fmt: skip
    moved_issues = {c.issue_id for c in live if c.issue_id in by_id}
    single_issue = len(moved_issues) == 1 and len(issues) > 1 and len([c for c in live if c.issue_id]) >= 2
    return [
        Pitfall("Anchoring without credibility", bool(unfounded),
                f"opening positions on {', '.join(sorted(set(unfounded)))} have no standard behind them: link evidence "
                "or complete the anchor worksheet on Prepare" if unfounded
                else "every opening position rests on evidence" if opened else "no opening position logged"),
        Pitfall("Conceding without reciprocity", summary.one_way > 0,
                f"{summary.one_way} one-way concession{'s' if summary.one_way != 1 else ''}" if summary.one_way
                else "every concession has a get"),
        Pitfall("Over-reliance on deadlines", "fake_urgency" in codes,
                "the deadline lacks a documented constraint or evidence" if "fake_urgency" in codes
                else "the deadline is documented" if deal.deadline else "no deadline in play"),
        Pitfall("Ignoring non-price issues", single_issue,
                f"every position moved was on {by_id[next(iter(moved_issues))].name}; trade on the other issues"
                if single_issue else "positions moved on more than one issue, or too few to tell"),
        Pitfall("Hard-line tone that threatens face", None,
                "Would they have to back down in public? " + ("They communicate indirectly: preview privately first."
                if counterparty.communication_style == "indirect" else "Keep firm lines factual, not personal.")),
        Pitfall("Timing errors", summary.moved_after_final > 0 or None,
                f"{summary.moved_after_final} give{'s' if summary.moved_after_final != 1 else ''} after a final offer"
                if summary.moved_after_final else "Are you squeezing at the last second? The data cannot tell."),
        Pitfall("Bluffing about BATNA", "bluff_guard" in codes,
                "the BATNA is missing, not quantified or without evidence" if "bluff_guard" in codes
                else "the BATNA is quantified and evidenced"),
    ]  # fmt: skip
