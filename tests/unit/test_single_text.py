"""Step 4, the single text: the rules in core/single_text.py, and the store's versions, conflicts, edit window
and late scope changes on both engines."""

from datetime import date, datetime, timedelta

import pytest

from core.models import (
    Clause,
    ClauseKind,
    ClauseStatus,
    Concession,
    Deal,
    InvalidInput,
    Issue,
    MesoBundle,
    MesoPick,
    MesoTerm,
    PositionSource,
    SingleText,
    TextVersion,
)
from core.single_text import (
    SINGLE_TEXT_MOVE,
    ClauseRow,
    clauses_from_rows,
    compare,
    current_positions,
    describe,
    edit_is_late,
    markdown,
    progress,
    readiness,
    starting_clauses,
    unmeasured,
)
from core.store import Conflict

T = datetime(2026, 11, 20, 9)
PRICE = Issue(id=1, name="Annual price", unit="EUR", target=120000, reservation=110000)
SEATS = Issue(id=2, name="Seats", unit="seats", direction="ceiling", target=50, reservation=60)
TERM = Issue(id=3, name="Term", unit="months", target=36, reservation=24)
ISSUES = [PRICE, SEATS, TERM]


def line(issue_id, position, minutes, deleted=False):
    return Concession(item="x", issue_id=issue_id, new_position=position, logged_at=T + timedelta(minutes=minutes),
                      deleted_at=T if deleted else None)  # fmt: skip


# ---- where a clause's figure comes from ------------------------------------------------------------------
def test_the_latest_logged_position_wins_then_the_accepted_bundle_then_our_target():
    lines = [line(1, 118000, 2), line(1, 116000, 5), line(1, 100000, 9, deleted=True)]
    bundles = [MesoBundle(id=7, name="A", terms=[MesoTerm(issue_id=1, value=117000), MesoTerm(issue_id=2, value=55)]),
               MesoBundle(id=8, name="B", terms=[MesoTerm(issue_id=2, value=58)])]  # fmt: skip
    picks = [MesoPick(id=1, bundle_id=8, round=1, reaction="accepted", recorded_at=T),
             MesoPick(id=2, bundle_id=7, round=1, reaction="accepted", recorded_at=T + timedelta(hours=1)),
             MesoPick(id=3, bundle_id=8, round=1, reaction="preferred", recorded_at=T + timedelta(hours=2))]  # fmt: skip
    found = current_positions(ISSUES, lines, bundles, picks)
    assert found == {
        1: (116000, PositionSource.concession_log),  # the removed line does not count
        2: (55, PositionSource.meso_bundle),  # the latest bundle they accepted, not one they only preferred
        3: (36, PositionSource.our_target),
    }


def test_a_text_starts_with_a_clause_per_issue_and_the_validity_date_and_nothing_private():
    deal = Deal(name="D", context="sales", owner="Ana", deadline=date(2026, 12, 15), deadline_reason="Q1 slots",
                mandate=9999, notes="our secret")  # fmt: skip
    clauses = starting_clauses(deal, ISSUES, [line(1, 118000, 1)])
    assert [(c.number, c.kind, c.title, c.position) for c in clauses] == [
        (1, ClauseKind.issue, "Annual price", 118000), (2, ClauseKind.issue, "Seats", 50),
        (3, ClauseKind.issue, "Term", 36), (4, ClauseKind.validity, "Validity", None),
    ]  # fmt: skip
    assert clauses[3].wording == "This offer is valid until 15 December 2026."
    said = " ".join(c.model_dump_json() for c in clauses)
    for private in ("110000", "60.0", "24.0", "9999", "our secret", "Q1 slots"):
        assert private not in said


# ---- the change log ----------------------------------------------------------------------------------------
def clause(n, **kw):
    base = {"number": n, "kind": "other", "title": f"Clause {n}"}
    return Clause(**{**base, **kw})


def test_two_versions_compare_clause_by_clause_from_what_to_what():
    before = [clause(1, kind="issue", title="Price", issue_id=1, position=120000), clause(2), clause(3)]
    after = [clause(1, kind="issue", title="Price", issue_id=1, position=118000, status="agreed"), clause(3),
             clause(4, title="Audit")]  # fmt: skip
    changes = compare(before, after, {1: "Annual price"})
    assert [(c.change, c.number) for c in changes] == [("changed", 1), ("added", 4), ("removed", 2)]
    assert changes[0].fields == (("Position", "120,000", "118,000"), ("Status", "open", "agreed"))
    assert describe(changes) == ("clause 1 'Price' changed (Position 120,000 → 118,000, Status open → agreed); "
                                 "clause 4 'Audit' added; clause 2 'Clause 2' removed")  # fmt: skip
    assert compare(after, after) == [] and describe([]) == "no change"


# ---- how far from signature -------------------------------------------------------------------------------
def test_ready_to_sign_only_when_every_clause_is_agreed_and_every_issue_has_one():
    agreed = [
        clause(n, kind="issue", issue_id=i.id, status="agreed", metric="m") for n, i in enumerate(ISSUES, 1)
    ]
    assert progress(agreed, ISSUES).ready_to_sign and progress(agreed, ISSUES).headline == "Ready to sign"
    one_open = [*agreed[:2], agreed[2].model_copy(update={"status": ClauseStatus.open})]
    assert progress(one_open, ISSUES).headline == "Agreed 2 of 3"
    missing = progress(agreed[:2], ISSUES)
    assert not missing.ready_to_sign and missing.issues_without_clause == ("Term",)
    assert not progress([], []).ready_to_sign


def test_moves_readiness_names_what_the_text_lacks():
    terms = [clause(1, kind="issue", issue_id=1, status="agreed", verification="invoice audit"),
             clause(2, kind="issue", issue_id=2, status="open"), clause(3, kind="escalation", status="agreed")]  # fmt: skip
    text = SingleText(versions=[TextVersion(number=4, saved_at=T, clauses=terms)])
    met, reason = readiness(text, ISSUES)
    assert not met
    assert reason == "no clause for Term; 1 term without a metric or verification; 1 clause still open"
    assert [c.number for c in unmeasured(terms)] == [2]  # an escalation path measures nothing itself
    assert readiness(None, ISSUES) == (False, "no single text yet: start one on Single text")
    done = [t.model_copy(update={"status": ClauseStatus.agreed, "metric": "m"}) for t in terms]
    done.append(clause(4, kind="issue", issue_id=3, status="agreed", metric="36 months"))
    assert (
        readiness(SingleText(versions=[TextVersion(number=5, saved_at=T, clauses=done)]), ISSUES)[0] is True
    )


@pytest.mark.parametrize(
    ("until", "today", "late"),
    [(None, date(2026, 12, 1), False), (date(2026, 12, 1), date(2026, 12, 1), False),
     (date(2026, 12, 1), date(2026, 12, 2), True)],
)  # fmt: skip
def test_an_edit_is_late_the_day_after_the_window_closes(until, today, late):
    assert edit_is_late(until, today) is late


# ---- the editor's rows ------------------------------------------------------------------------------------
def test_rows_are_read_in_the_deals_convention_and_a_new_row_never_reuses_a_number():
    before = [clause(1, kind="issue", issue_id=1, position=120000, source="concession_log"), clause(3)]
    rows = [ClauseRow(1, ClauseKind.issue, "Price", 1, "120.000"),  # the same figure, the comma way
            ClauseRow(None, ClauseKind.remedy, "Late delivery", None, "", wording="If late, 2 % credit"),
            ClauseRow(3, ClauseKind.other, "Clause 3", None, "", remove=True)]  # fmt: skip
    read = clauses_from_rows(rows, before, decimal_comma=True)
    assert [(c.number, c.position, c.source) for c in read] == [
        (1, 120000, PositionSource.concession_log), (4, None, PositionSource.written)]  # fmt: skip
    moved = clauses_from_rows(
        [ClauseRow(1, ClauseKind.issue, "Price", 1, "118.000,50", agreed=True)], before, True
    )
    assert (moved[0].position, moved[0].source, moved[0].status) == (
        118000.5,
        PositionSource.written,
        ClauseStatus.agreed,
    )


@pytest.mark.parametrize(
    ("row", "said"),
    [(ClauseRow(1, ClauseKind.issue, "Price", 1, "1.2.3"), "Clause 1 ('Price'), Position: '1.2.3' is not an amount"),
     (ClauseRow(1, ClauseKind.issue, "Price", 1, "-5"), "Clause 1 ('Price'), Position: must be at least 0 (got -5)"),
     (ClauseRow(None, ClauseKind.other, "  ", None, ""), "Clause 2, Title: must not be empty"),
     (ClauseRow(None, ClauseKind.issue, "Loose", None, ""), "Clause 2 ('Loose'), Issue: an issue clause names the issue it settles")],
)  # fmt: skip
def test_a_row_that_cannot_be_read_is_named_by_clause_and_field(row, said):
    with pytest.raises(InvalidInput) as refused:
        clauses_from_rows([row], [clause(1, kind="issue", issue_id=1, position=1)], decimal_comma=False)
    assert refused.value.problems[0].startswith(said), refused.value.problems


# ---- the document ---------------------------------------------------------------------------------------
def test_the_markdown_holds_the_clauses_in_the_deals_convention_and_user_text_stays_text():
    deal = Deal(name="Kessler *bold* [x](http://e.vil)", context="procurement", owner="Ana", decimal_comma=True,
                mandate=77777, notes="never")  # fmt: skip
    versions = [
        TextVersion(number=1, saved_at=T, saved_by="ana@example.com",
                    clauses=[clause(1, kind="issue", issue_id=1, title="Price", position=118000.5)]),
        TextVersion(number=2, saved_at=T + timedelta(days=1), saved_by="ana@example.com", late=True,
                    reason="our private reason",
                    clauses=[clause(1, kind="issue", issue_id=1, title="Price", position=118000.5, status="agreed",
                                    wording="<script>alert(1)</script> # not a heading")]),
    ]  # fmt: skip
    text = markdown(
        deal, "Kessler GmbH", SingleText(edit_until=date(2026, 11, 20), versions=versions), ISSUES
    )
    assert "Position: 118\\.000,50 EUR" in text
    assert "\\<script\\>" in text and "<script>" not in text and "\\# not a heading" in text
    assert "\\[x\\]\\(http://e\\.vil\\)" in text
    assert "| 2 | 21 Nov 2026 09:00 | ana@example\\.com | yes |" in text
    assert "our private reason" not in text and "77777" not in text and "77\\.777" not in text


# ---- the store, on both engines -----------------------------------------------------------------------------
def started(store, deal_id=1):
    deal, issues = store.deals.get_deal(deal_id), store.preparation.list_issues(deal_id)
    store.single_texts.start_single_text(
        deal_id, starting_clauses(deal, issues, store.concessions.list_concessions(deal_id))
    )
    return store.single_texts.get_single_text(deal_id)


def test_every_save_is_a_version_with_its_change_in_the_history(demo_store):
    text = started(demo_store)
    assert [v.number for v in text.versions] == [1] and text.latest.saved_by
    first = text.latest.clauses[0]
    changed = [
        first.model_copy(update={"position": 117000.0, "status": ClauseStatus.agreed}),
        *text.latest.clauses[1:],
    ]
    version = demo_store.single_texts.save_single_text(1, changed, based_on=1)
    assert (version.number, version.late) == (2, False)
    kept = demo_store.single_texts.get_single_text(1)
    assert [v.number for v in kept.versions] == [1, 2]
    assert kept.versions[0].clauses[0].position != 117000.0  # version 1 is kept as it was
    assert (
        kept.latest.clauses[0].position == 117000.0 and kept.latest.clauses[0].status is ClauseStatus.agreed
    )
    history = demo_store.deals.list_events(1, kinds=["single_text"])
    assert history.iloc[0]["new_value"] == "version 2" and "Position" in history.iloc[0]["note"]
    with pytest.raises(InvalidInput, match="There are no changes to save"):
        demo_store.single_texts.save_single_text(1, changed, based_on=2)


def test_a_second_text_and_a_save_over_someone_elses_version_are_refused(demo_store):
    text = started(demo_store)
    with pytest.raises(InvalidInput, match="has one already"):
        demo_store.single_texts.start_single_text(1, text.latest.clauses)
    mine = [c.model_copy(update={"wording": "mine"}) for c in text.latest.clauses]
    theirs = [c.model_copy(update={"wording": "theirs"}) for c in text.latest.clauses]
    demo_store.single_texts.save_single_text(1, theirs, based_on=1)
    with pytest.raises(Conflict, match="Someone saved version 2"):
        demo_store.single_texts.save_single_text(1, mine, based_on=1)
    assert demo_store.single_texts.get_single_text(1).latest.clauses[0].wording == "theirs"


def test_a_clause_on_another_deals_issue_is_refused_and_nothing_is_stored(demo_store):
    other = demo_store.preparation.list_issues(2)[0]
    bad = [Clause(number=1, kind="issue", title="Stolen", issue_id=other.id)]
    with pytest.raises(InvalidInput, match="is not an issue of this deal"):
        demo_store.single_texts.start_single_text(1, bad)
    twice = [Clause(number=1, title="A"), Clause(number=1, title="B")]
    with pytest.raises(InvalidInput, match="Clauses: two clauses have the same number"):
        demo_store.single_texts.start_single_text(1, twice)
    assert demo_store.single_texts.get_single_text(1) is None
    assert demo_store.deals.list_events(1, kinds=["single_text"]).empty


def test_after_the_window_a_change_needs_a_reason_and_observes_scope_creep_late(demo_store):
    text = started(demo_store)
    yesterday = datetime.now().date() - timedelta(days=1)
    demo_store.single_texts.set_edit_window(1, yesterday)
    grown = [*text.latest.clauses, Clause(number=99, title="Extra event", wording="A launch event")]
    with pytest.raises(InvalidInput, match="Reason: the edit window closed on"):
        demo_store.single_texts.save_single_text(1, grown, based_on=1)
    assert len(demo_store.single_texts.get_single_text(1).versions) == 1
    assert SINGLE_TEXT_MOVE not in demo_store.deals.observed_signals(1)
    version = demo_store.single_texts.save_single_text(1, grown, based_on=1, reason="their brand team asked")
    assert version.late and version.reason == "their brand team asked"
    assert SINGLE_TEXT_MOVE in demo_store.deals.observed_signals(
        1
    )  # Moves: "Single-text convergence" adjust/stop
    signal = demo_store.deals.list_events(1, kinds=["signal"]).iloc[0]
    assert "late scope change in version 2: their brand team asked" in signal["note"]


def test_opening_a_closed_window_again_is_itself_a_late_change(demo_store):
    started(demo_store)
    today = datetime.now().date()
    demo_store.single_texts.set_edit_window(1, today - timedelta(days=2))
    with pytest.raises(InvalidInput, match="opening it again is a late scope change"):
        demo_store.single_texts.set_edit_window(1, today + timedelta(days=5))
    with pytest.raises(InvalidInput, match="opening it again"):
        demo_store.single_texts.set_edit_window(1, None)  # no window at all opens it too
    assert demo_store.single_texts.get_single_text(1).edit_until == today - timedelta(days=2)
    demo_store.single_texts.set_edit_window(1, today + timedelta(days=5), "sponsors agreed one more week")
    assert demo_store.single_texts.get_single_text(1).edit_until == today + timedelta(days=5)
    assert SINGLE_TEXT_MOVE in demo_store.deals.observed_signals(1)
    demo_store.single_texts.set_edit_window(
        1, today + timedelta(days=3)
    )  # moving an open window needs no reason


def test_a_deal_file_carries_every_version_onto_the_new_issues(demo_store):
    text = started(demo_store)
    demo_store.single_texts.save_single_text(1, [c.model_copy(update={"status": ClauseStatus.agreed}) for c in text.latest.clauses],
                                based_on=1)  # fmt: skip
    copied = demo_store.deal_files.import_deal(demo_store.deal_files.export_deal(1)).deal_id
    carried = demo_store.single_texts.get_single_text(copied)
    assert [v.number for v in carried.versions] == [1, 2]
    issues = {i.id: i.name for i in demo_store.preparation.list_issues(copied)}
    assert [issues[c.issue_id] for c in carried.latest.clauses if c.issue_id] == [
        i.name for i in demo_store.preparation.list_issues(1)
    ]


def test_the_command_writes_the_single_text_as_markdown_and_refuses_what_it_cannot_write(
    db_path, tmp_path, capsys
):
    from core import cli
    from core.demo import load_curated
    from core.store import Store

    load_curated(Store.open(db_path))
    Store.open(db_path).close()
    out = tmp_path / "helios.md"
    assert cli.main(["single-text", "2", "-o", str(out)]) == 0
    document = out.read_text(encoding="utf-8")
    assert document.startswith("# Single text · Helios — Q1 cloud migration slots")
    assert "### 6. Steering and escalation (escalation path, open)" in document
    assert "Position: 470,400 EUR" in document and "450,000" not in document  # the position, never the floor
    assert cli.main(["single-text", "1", "-o", str(tmp_path / "n.md")]) == cli.EXIT_INVALID
    assert "Deal 1: it has no single text yet" in capsys.readouterr().err
    assert cli.main(["single-text", "2", "-o", str(tmp_path / "h.docx")]) == cli.EXIT_INVALID
    assert "written as Markdown (.md) or PDF (.pdf)" in capsys.readouterr().err
    assert not (tmp_path / "h.docx").exists()
