"""The documents the cockpit prints: the single text both sides read (public content only, like a shared
screen) and the sponsor's one-page brief (private: our limits, our mandate, our assessment).

Each is written as HTML from the same rules the screens use, and rendered to PDF by WeasyPrint; the brief's
charts are the screens' Altair charts rendered to PNG in-process by vl-convert. The renderer fetches
nothing: a document carries everything it shows (user text is escaped, images are embedded)."""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape

from .batna import batna_checks, best_alternative, money_meaning, why_best
from .charts import balance_chart, radar_chart
from .concessions import LogReview, balance_by_round, is_severe, review_log
from .deadline import countdown
from .errors import CockpitError
from .formatting import fmt_amount, money, number_convention, plural, signed, signed_money
from .implementation import is_missed, plan_state
from .leverage import leverage_index, radar_frame
from .models import (
    CLAUSE_KIND_LABELS,
    ESCALATION_LABELS,
    STAGE_LABELS,
    Alternative,
    ClauseStatus,
    Commitment,
    CommitmentStatus,
    Deal,
    DealSide,
    EscalationKind,
    EscalationStep,
    Evidence,
    InvalidInput,
    Issue,
    PositionSource,
    PowerAssessment,
    Side,
    SingleText,
    Stakeholder,
    word,
)
from .moves import readiness, readiness_colour, readiness_score
from .single_text import agreements, current_positions, position_text, progress


class DocumentUnavailable(CockpitError):
    """This computer cannot render PDFs (WeasyPrint's text layout library is missing)."""


# ---- rendering ----------------------------------------------------------------------------------------
_MISSING_PANGO = (
    "PDF: this computer lacks the text layout library the PDF renderer needs (Debian's pango: "
    "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; in a checkout, make run does it)"
)


@functools.cache
def pdf_problem() -> str | None:
    """Why this computer cannot make PDFs (one sentence), or None when it can: asked before a button is
    offered, so a click never ends in an error."""
    try:
        import weasyprint  # noqa: F401  (loads pango)
    except OSError:
        return _MISSING_PANGO
    return None


def render_pdf(html: str) -> bytes:
    """The HTML as PDF. Only embedded (data:) resources are read: a document never reaches a network or
    a file, whatever a user wrote into it."""
    return _laid_out(html).write_pdf()


def _laid_out(html: str):
    """The HTML laid out in pages (which can be counted before the PDF is written)."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except OSError as exc:  # WeasyPrint loads pango when imported
        raise DocumentUnavailable(_MISSING_PANGO) from exc
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).render()


def chart_png(chart, decimal_comma: bool) -> str:
    """An Altair chart as an embedded PNG (a data: URL), its axis numbers in the deal's convention."""
    return _png(json.dumps(chart.to_dict(), sort_keys=True), decimal_comma)


@functools.lru_cache(maxsize=8)
def _png(spec: str, decimal_comma: bool) -> str:
    import vl_convert

    png = vl_convert.vegalite_to_png(
        json.loads(spec), scale=2, format_locale="de-DE" if decimal_comma else "en-US"
    )
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _short(text: object, most: int) -> str:
    """A user text cut to `most` characters: the brief stays one page whatever was typed into it."""
    said = " ".join(str(text).split())
    return said if len(said) <= most else said[: most - 1].rstrip() + "…"


_STYLE = """
@page { size: A4; margin: 12mm 13mm 14mm 13mm;
        @bottom-left { content: "FOOTER"; font-family: "DejaVu Sans", sans-serif; font-size: 7pt; color: #6b7280; }
        @bottom-right { content: "page " counter(page) " of " counter(pages); font-family: "DejaVu Sans", sans-serif;
                        font-size: 7pt; color: #6b7280; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 8.5pt; color: #111827; line-height: 1.3;
       overflow-wrap: anywhere; }
h1 { font-size: 14pt; margin: 0 0 0.8mm 0; }
h2 { font-size: 10pt; margin: 3mm 0 1.2mm 0; border-bottom: 0.6pt solid #d1d5db; padding-bottom: 0.6mm; }
h3 { font-size: 9.5pt; margin: 3mm 0 1mm 0; }
p { margin: 0 0 1.2mm 0; }
.sub { color: #4b5563; font-size: 8pt; }
.label { color: #4b5563; font-size: 8pt; margin: 2.5mm 0 0 0; }
.big { font-size: 24pt; font-weight: bold; margin: 0 0 0.8mm 0; line-height: 1.1; }
.red { color: #b91c1c; } .green { color: #15803d; } .orange { color: #c2410c; }
.banner { background: #fef2f2; color: #991b1b; border: 0.8pt solid #fca5a5; padding: 1mm 2mm;
          font-weight: bold; font-size: 8pt; margin-bottom: 2.5mm; }
.public { background: #f0fdf4; color: #166534; border-color: #86efac; }
table { width: 100%; border-collapse: collapse; margin: 0 0 1.2mm 0; table-layout: fixed; }
th { text-align: left; font-size: 7.5pt; color: #4b5563; border-bottom: 0.6pt solid #9ca3af; padding: 0.5mm 1mm; }
td { vertical-align: top; border-bottom: 0.4pt solid #e5e7eb; padding: 0.5mm 1mm; }
td.n, th.n { text-align: right; white-space: nowrap; }
.cols { display: flex; gap: 6mm; } .cols > div { flex: 1; min-width: 0; }
.facts td { border: none; padding: 0.2mm 1mm 0.2mm 0; } .facts td:first-child { color: #4b5563; width: 32%; }
img.chart { display: block; max-width: 100%; margin: 0 auto; }
img.radar { height: 66mm; } img.balance { height: 46mm; }
ul { margin: 0 0 1.2mm 0; padding-left: 4mm; } li { margin-bottom: 0.5mm; }
.clause { break-inside: avoid; margin-bottom: 2.5mm; }
"""


def _page(title: str, footer: str, body: str) -> str:
    """`footer`: the cockpit's own words and figures only: it is written into the CSS, where no user text
    belongs."""
    style = _STYLE.replace("FOOTER", footer.replace("\\", "").replace('"', ""))
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{style}</style></head><body>{body}</body></html>"
    )


# ---- the single text: what both sides read -------------------------------------------------------------
def single_text_html(
    deal: Deal,
    counterparty_name: str,
    text: SingleText,
    issues: Sequence[Issue],
    commitments: Sequence[Commitment] = (),
    steps: Sequence[EscalationStep] = (),
    today: date | None = None,
) -> str:
    """The single text as both sides read it: the clauses of the latest version with who agreed each and
    when, the versions, the commitments that carry it out and the escalation path. Only public content:
    no floor, BATNA, mandate, estimate, reason or internal note, and no name of who took an escalation
    step (ours to know). Figures are written in the deal's number convention."""
    with number_convention(deal.decimal_comma):
        return _single_text_html(deal, counterparty_name, text, issues, commitments, steps, today)


def _single_text_html(deal, counterparty_name, text, issues, commitments, steps, today) -> str:
    units = {i.id: i.unit for i in issues}
    latest = text.latest
    state = progress(latest.clauses, issues)
    agreed_in = agreements(text)
    body = [
        '<div class="banner public">Single text · shared with the other side</div>',
        f"<h1>Single text · {_e(deal.name)}</h1>",
        f'<p class="sub">Between us and {_e(counterparty_name)} · version {latest.number} of '
        f"{latest.saved_at:%d %B %Y %H:%M} UTC</p>",
        f'<p class="big {"green" if state.ready_to_sign else ""}">{_e(state.headline)}</p>',
    ]
    if text.edit_until is not None:
        body.append(
            f"<p>Edits close on {text.edit_until:%d %B %Y}; a change after that is a late scope change.</p>"
        )
    body.append("<h2>Clauses</h2>")
    for c in latest.clauses:
        status = "open"
        if c.status is ClauseStatus.agreed:
            v = agreed_in.get(c.number)
            status = (f"agreed in version {v.number}, {v.saved_at:%d %b %Y}" + (f", by {v.saved_by}" if v.saved_by else "")
                      if v is not None else "agreed")  # fmt: skip
        body.append(
            f'<div class="clause"><h3>{c.number}. {_e(c.title)} '
            f'<span class="sub">· {_e(CLAUSE_KIND_LABELS[c.kind].lower())} · {_e(status)}</span></h3>'
        )
        if figure := position_text(c, units.get(c.issue_id, ""), deal.currency):
            body.append(f"<p><b>Position:</b> {_e(figure)}</p>")
        if c.wording.strip():
            body.append(f"<p>{_lines(c.wording)}</p>")
        if c.metric.strip():
            body.append(f"<p><b>Success metric:</b> {_lines(c.metric)}</p>")
        if c.verification.strip():
            body.append(f"<p><b>Verification:</b> {_lines(c.verification)}</p>")
        body.append("</div>")

    body.append(
        '<h2>Versions</h2><table><tr><th style="width:12%">Version</th><th style="width:24%">Saved (UTC)</th>'
        '<th>By</th><th style="width:20%">Late scope change</th></tr>'
    )
    for v in text.versions:
        body.append(
            f"<tr><td>{v.number}</td><td>{v.saved_at:%d %b %Y %H:%M}</td><td>{_e(v.saved_by)}</td>"
            f"<td>{'yes' if v.late else ''}</td></tr>"
        )
    body.append("</table>")

    if commitments:
        body.append(
            '<h2>Commitments</h2><table><tr><th style="width:7%">Clause</th><th>What</th><th style="width:7%">Side</th>'
            '<th>Owner</th><th style="width:11%">Due</th><th>Metric and target</th><th>Verified by</th>'
            '<th style="width:9%">Status</th></tr>'
        )
        for m in commitments:
            measure = " · ".join(x for x in (m.metric.strip(), m.target.strip()) if x)
            status = word(CommitmentStatus.missed if today is not None and is_missed(m, today) else m.status)
            body.append(
                f"<tr><td>{m.clause_number or ''}</td><td>{_e(m.what)}</td>"
                f"<td>{'ours' if m.side is Side.us else 'theirs'}</td><td>{_e(m.owner)}</td>"
                f"<td>{'' if m.due is None else f'{m.due:%d %b %Y}'}</td><td>{_e(measure)}</td>"
                f"<td>{_e(m.verification)}</td><td>{_e(status)}</td></tr>"
            )
        body.append("</table>")

    body.append(
        "<h2>Escalation path</h2><p>Problem-solving before power: each step is tried before the next.</p><ol>"
    )
    taken = {k: [s for s in steps if s.kind is k] for k in EscalationKind}
    for kind in EscalationKind:
        when = ", ".join(f"{s.taken_at:%d %b %Y}" for s in taken[kind])
        body.append(f"<li>{_e(ESCALATION_LABELS[kind])}" + (f" — taken {when}" if when else "") + "</li>")
    body.append("</ol>")
    footer = f"Single text · deal {deal.id} · version {latest.number} · shared with the other side"
    return _page(f"Single text · {deal.name}", footer, "\n".join(body))


def _lines(text: str) -> str:
    return "<br>".join(_e(line) for line in text.strip().splitlines())


def single_text_pdf(store, deal_id: int, today: date) -> bytes:
    """The deal's single text as PDF, read through the store (its access checks apply to each read)."""
    text = store.single_texts.get_single_text(deal_id)
    if text is None:
        raise InvalidInput([f"Deal {deal_id}: it has no single text yet; start it on the Single text screen"])
    deal = store.deals.get_deal(deal_id)
    html = single_text_html(deal, store.deals.get_counterparty(deal.counterparty_id).name, text,
                            store.preparation.list_issues(deal_id), store.plans.list_commitments(deal_id),
                            store.plans.list_escalation_steps(deal_id), today)  # fmt: skip
    return render_pdf(html)


# ---- the sponsor brief: ours alone ---------------------------------------------------------------------
@dataclass(frozen=True)
class Room:
    """How much of each list and of each user text one page holds; the rest is counted ("and 3 more")."""

    approvals: int = 6  # gives waiting for the sponsor
    limits: int = 8  # issues
    flags: int = 4  # flagged lines
    checks: int = 4  # readiness checks not met
    text: float = 1.0  # share of each text's usual length


# Tried in order until the brief fits one page: long texts typed into a deal shorten the lists, never the page.
ROOMS = (Room(), Room(4, 6, 3, 3, 0.6), Room(2, 4, 2, 2, 0.3), Room(1, 2, 1, 1, 0.15))


@dataclass(frozen=True)
class SponsorBrief:
    """What a sponsor reads before approving a give over the mandate, gathered from the deal."""

    deal: Deal
    counterparty_name: str
    today: date
    printed_at: datetime
    issues: Sequence[Issue]
    alternatives: Sequence[Alternative]
    review: LogReview
    assessment: PowerAssessment | None  # the latest
    evidence: Sequence[Evidence] = ()
    stakeholders: Sequence[Stakeholder] = ()
    text: SingleText | None = None
    commitments: Sequence[Commitment] = field(default_factory=tuple)
    on_the_table: dict[int, float] = field(default_factory=dict)  # each issue's position put on the table


def gather_brief(store, deal_id: int, today: date, printed_at: datetime) -> SponsorBrief:
    """Everything the brief shows, read through the store (whose access checks apply to each read)."""
    deal = store.deals.get_deal(deal_id)
    issues = store.preparation.list_issues(deal_id)
    assessments = store.power.list_assessments(deal_id)
    return SponsorBrief(
        deal=deal,
        counterparty_name=store.deals.get_counterparty(deal.counterparty_id).name,
        today=today,
        printed_at=printed_at,
        issues=issues,
        alternatives=store.preparation.list_alternatives(deal_id),
        review=review_log(
            store.concessions.concession_frame(deal_id), issues, deal.mandate, store.list_approvals(deal_id)
        ),
        assessment=assessments[-1] if assessments else None,
        evidence=store.preparation.list_evidence(deal_id),
        stakeholders=store.deals.list_stakeholders(deal.counterparty_id),
        text=store.single_texts.get_single_text(deal_id),
        commitments=store.plans.list_commitments(deal_id),
        on_the_table={
            issue_id: value
            for issue_id, (value, source) in current_positions(
                issues,
                store.concessions.list_concessions(deal_id),
                store.meso.list_meso_bundles(deal_id),
                store.meso.list_meso_picks(deal_id),
            ).items()
            if source is not PositionSource.our_target  # a target not yet put to them is not on the table
        },
    )


def sponsor_brief_html(brief: SponsorBrief, room: Room = ROOMS[0]) -> str:
    """One A4 page: the mandate and how much of it is used (the big figure), the gives waiting for the
    sponsor, BATNA and limits, balance and leverage with their charts, the riskiest flags and readiness."""
    with number_convention(brief.deal.decimal_comma):
        return _sponsor_brief_html(brief, room)


def _sponsor_brief_html(b: SponsorBrief, room: Room) -> str:
    cut = _cutter(room)
    deal, review = b.deal, b.review
    summary = review.summary
    side = deal.our_side
    deadline = (
        f" · deadline {deal.deadline:%d %b %Y} ({countdown(deal.deadline, b.today)})" if deal.deadline else ""
    )
    body = [
        '<div class="banner">Private · sponsor brief · never for the other side: it holds our limits, our '
        "mandate and our own assessment</div>",
        f"<h1>Sponsor brief · {cut(deal.name, 90)}</h1>",
        f'<p class="sub">{cut(b.counterparty_name, 60)} · {_e(word(deal.context))} · we '
        f"{'buy' if side is DealSide.buy else 'sell'} · {_e(STAGE_LABELS[deal.stage])} · owner "
        f"{cut(deal.owner, 60)}{_e(deadline)} · printed {b.printed_at:%d %b %Y %H:%M} UTC</p>",
    ]

    checks = readiness(deal, b.issues, b.alternatives, summary.one_way, b.stakeholders, summary.floor_breaches,
                       summary.gives, b.text)  # fmt: skip
    body += _brief_mandate(b, room)
    body += _brief_standing(b, room, checks)
    body += _brief_flags_and_readiness(b, room, checks)
    body += _brief_limits_and_balance(b, room)

    footer = f"Sponsor brief · deal {deal.id} · private: never for the other side"
    return _page(f"Sponsor brief · {deal.name}", footer, "\n".join(body))


def _cutter(room: Room):
    """Text cut to what the room leaves for it (a longer brief gets less per line), escaped."""

    def cut(text: object, most: int) -> str:
        return _e(_short(text, max(12, int(most * room.text))))

    return cut


def _brief_mandate(b: SponsorBrief, room: Room) -> list[str]:
    """The one figure: how much of the mandate our gives use, and the gives waiting for a decision."""
    cut = _cutter(room)
    deal, review = b.deal, b.review
    summary = review.summary
    cur = deal.currency
    body: list[str] = []
    # The one figure: how much of the mandate our gives use.
    used = summary.gives / deal.mandate if deal.mandate > 0 else None
    colour = "red" if summary.over_mandate > 0 else "green"
    body.append('<p class="label">Gives against the mandate</p>')
    body.append(
        f'<p class="big {colour}">{_e(money(summary.gives, cur))} of {_e(money(deal.mandate, cur))}'
        + (f' <span class="sub">({used:.0%} used)</span>' if used is not None else "")
        + "</p>"
    )
    waiting = [a for a in review.approvals.values() if a.open]
    over = (f"{money(summary.over_mandate, cur)} over the mandate" if summary.over_mandate > 0
            else f"{money(summary.mandate_left, cur)} left")  # fmt: skip
    body.append(f"<p>{_e(over)} · {_e(plural(len(waiting), 'give'))} waiting for a decision"
                + (f" · {_e(plural(summary.unvalued_gives, 'give'))} without a value, not counted" if summary.unvalued_gives else "")
                + "</p>")  # fmt: skip

    if waiting:
        lines = review.lines.set_index("id")
        body.append("<h2>Gives over the mandate</h2><table><tr><th style=\"width:8%\">Round</th><th style=\"width:30%\">Item</th>"
                    f'<th class="n" style="width:14%">Gives ({_e(cur)})</th><th>Approval</th></tr>')  # fmt: skip
        ordered = sorted(waiting, key=lambda a: a.state != "pending")
        for a in ordered[: room.approvals]:
            row = lines.loc[a.concession_id]
            body.append(f"<tr><td>{int(row['round'])}</td><td>{cut(row['item'], 60)}</td>"
                        f'<td class="n">{_e(fmt_amount(float(row["give"])))}</td><td>{_e(a.says())}</td></tr>')  # fmt: skip
        body.append("</table>")
        if len(ordered) > room.approvals:
            body.append(
                f'<p class="sub">and {len(ordered) - room.approvals} more on the Concessions screen.</p>'
            )
    return body


def _brief_standing(b: SponsorBrief, room: Room, checks: list) -> list[str]:
    """Where we stand: the facts on the left, the leverage radar on the right."""
    cut = _cutter(room)
    deal, review = b.deal, b.review
    summary = review.summary
    cur = deal.currency
    side = deal.our_side
    body: list[str] = []
    # Where we stand: the facts on the left, the leverage radar on the right.
    index = leverage_index(b.assessment) if b.assessment is not None else None
    best = best_alternative(b.alternatives, side, b.issues)
    facts = [
        ("Give/get balance", signed_money(summary.balance, cur)
         + f" (gave {money(summary.gives, cur)}, got {money(summary.gets, cur)})"),
        ("Lines logged", f"{summary.lines} in {review.latest_round} round{'s' if review.latest_round != 1 else ''}"
         + (f" · {summary.one_way} one-way" if summary.one_way else "")),
        ("Leverage index", "not assessed" if index is None else
         f"{signed(index)} ({'we are stronger' if index > 0 else 'they are stronger' if index < 0 else 'balanced'})"),
        ("Readiness", f"{readiness_score(checks):.0%} of the checks met"),
        ("BATNA", "none yet" if best is None else f"{_short(best.description, max(12, int(120 * room.text)))}: {money(best.money, cur)} ({money_meaning(side)})"),
    ]  # fmt: skip
    body.append('<h2>Where we stand</h2><div class="cols"><div><table class="facts">')
    body += [f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in facts]
    body.append("</table>")
    if best is not None and best.best and best.best_reason.strip():
        body.append(f'<p class="sub">{_e(why_best(b.alternatives, side, cur, b.issues))}</p>')
    body += [
        f'<p class="orange">{cut(check, 320)}</p>'
        for check in batna_checks(deal, b.alternatives, b.issues, b.today)
    ]
    body.append("</div><div>")
    if b.assessment is not None:
        radar = radar_chart(radar_frame(b.assessment, b.evidence)).properties(width=400, height=360)
        body.append(
            f'<img class="chart radar" alt="Leverage radar" src="{chart_png(radar, deal.decimal_comma)}">'
        )
    else:
        body.append('<p class="sub">No power assessment yet: the radar is drawn on Leverage.</p>')
    body.append("</div></div>")
    return body


def _brief_flags_and_readiness(b: SponsorBrief, room: Room, checks: list) -> list[str]:
    """The riskiest flags, missed commitments, and what readiness lacks."""
    cut = _cutter(room)
    _deal, review = b.deal, b.review
    body: list[str] = []
    # The riskiest flags first (a breached floor, an open approval), then the rest; then what readiness lacks.
    flagged = review.flagged()
    ranked = sorted(
        flagged.to_dict("records"), key=lambda r: not is_severe(r["floor_breach"], r["approval_open"])
    )
    body.append('<div class="cols"><div><h2>Riskiest flags</h2>')
    if ranked:
        body.append("<ul>")
        body += [f"<li>Round {int(r['round'])} · <b>{cut(r['item'], 60)}</b>: {cut('; '.join(r['flags']), 160)}</li>"
                 for r in ranked[:room.flags]]  # fmt: skip
        body.append("</ul>")
        if len(ranked) > room.flags:
            body.append(f'<p class="sub">and {len(ranked) - room.flags} more flagged lines.</p>')
    else:
        body.append('<p class="green">No line is flagged.</p>')
    state = plan_state(b.commitments, b.today)
    if state.missed:
        body.append(f'<p class="red">Missed commitments: {cut(", ".join(state.missed), 160)}</p>')
    body.append("</div><div><h2>Readiness</h2>")
    missing = [c for c in checks if c.met is False]
    tone = readiness_colour(checks)
    if missing:
        body.append(
            "<ul>"
            + "".join(f"<li><b>{_e(c.name)}</b> — {cut(c.reason, 150)}</li>" for c in missing[: room.checks])
            + "</ul>"
        )
    else:
        body.append(f'<p class="{tone or "green"}">Every check the data can judge is met.</p>')
    body.append("</div></div>")
    return body


def _brief_limits_and_balance(b: SponsorBrief, room: Room) -> list[str]:
    """Our limits per issue beside where the talks stand, and the balance by round."""
    cut = _cutter(room)
    deal, review = b.deal, b.review
    body: list[str] = []
    # Our limits per issue, in the deal's words (a ceiling for what we buy), beside where the talks stand.
    if b.issues:
        body.append('<div class="cols"><div><h2>Our limits</h2><table><tr><th>Issue</th>'
                    '<th class="n" style="width:19%">Target</th><th class="n" style="width:25%">Walk-away</th>'
                    '<th class="n" style="width:21%">On the table</th></tr>')  # fmt: skip
        for issue in list(b.issues)[: room.limits]:
            limit = issue.direction.value  # the deal's own word: a ceiling for what we want less of
            unit = f" {issue.unit.strip()}" if issue.unit.strip() else ""
            now = None if issue.id is None else b.on_the_table.get(issue.id)
            body.append(
                f'<tr><td>{cut(issue.name, 60)}{_e(unit)}</td><td class="n">{_e(fmt_amount(issue.target))}</td>'
                f'<td class="n">{_e(limit)} {_e(fmt_amount(issue.reservation))}</td>'
                f'<td class="n{"" if now is None or issue.holds(now) else " red"}">'
                f"{'' if now is None else _e(fmt_amount(now))}</td></tr>"
            )
        body.append("</table>")
        if len(b.issues) > room.limits:
            body.append(f'<p class="sub">and {len(b.issues) - room.limits} more issues on Prepare.</p>')
        body.append("</div><div>")
    else:
        body.append('<div class="cols"><div><h2>Our limits</h2><p class="sub">No issues yet.</p></div><div>')
    per_round = balance_by_round(review)
    body.append("<h2>Give/get balance by round</h2>")
    if len(per_round):
        chart = balance_chart(per_round).properties(width=330, height=140)
        body.append(
            f'<img class="chart balance" alt="Give/get balance by round" src="{chart_png(chart, deal.decimal_comma)}">'
        )
    else:
        body.append('<p class="sub">Nothing logged yet.</p>')
    body.append("</div></div>")
    return body


def sponsor_brief_pdf(store, deal_id: int, printed_at: datetime) -> bytes:
    """The deal's one-page sponsor brief as PDF (private: the page offering it hides it when shared)."""
    brief = gather_brief(store, deal_id, printed_at.date(), printed_at)
    for room in ROOMS:
        document = _laid_out(sponsor_brief_html(brief, room))
        if len(document.pages) == 1:
            break
    return document.write_pdf()
