"""The printed documents (core/documents.py): the single text both sides read and the sponsor's one-page
brief, rendered to PDF and read back as text. Figures are checked against the store's own sums, the shared
document against every private value of its deal, and the renderer against fetching anything."""

import base64
import io
import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from core.concessions import review_log
from core.documents import (
    DocumentUnavailable,
    gather_brief,
    pdf_problem,
    render_pdf,
    single_text_html,
    single_text_pdf,
    sponsor_brief_html,
    sponsor_brief_pdf,
)
from core.formatting import money, number_convention
from core.models import (
    CLAUSE_KIND_LABELS,
    ESCALATION_LABELS,
    Clause,
    ClauseKind,
    ClauseStatus,
    Concession,
    Counterparty,
    Deal,
    SingleText,
    TextVersion,
)
from core.privacy import private_values
from core.single_text import agreements
from core.store import NotAllowed, NotFound, now
from tests.unit.team import ANA, NOBODY, SAM

KESSLER, HELIOS, NORTHWIND = 4, 2, 1  # a buyer over its mandate and signed; a seller converging; no text yet
T = datetime(2026, 11, 20, 9)


def text_of(pdf: bytes) -> tuple[int, str]:
    """The PDF's page count and its text, lines joined by spaces (a table cell may wrap)."""
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def squeezed(text: str) -> str:
    """Without whitespace: a long word may wrap anywhere on the page."""
    return "".join(text.split())


# ---- who agreed what: the rule -------------------------------------------------------------------------
def version(number: int, by: str, *clauses: Clause, minutes: int = 0) -> TextVersion:
    return TextVersion(
        number=number, saved_at=T + timedelta(minutes=minutes), saved_by=by, clauses=list(clauses)
    )


def clause(number: int, status: str = "open", wording: str = "") -> Clause:
    return Clause(number=number, kind=ClauseKind.other, title=f"C{number}", wording=wording,
                  status=ClauseStatus(status))  # fmt: skip


def test_a_clause_is_agreed_in_the_version_that_agreed_it_as_it_now_reads():
    text = SingleText(
        versions=[
            version(1, "ana", clause(1, "agreed"), clause(2), clause(3, "agreed")),
            version(2, "ben", clause(1, "agreed"), clause(2, "agreed"), clause(3, "open"), minutes=1),
            version(
                3,
                "cem",
                clause(1, "agreed", "new words"),
                clause(2, "agreed"),
                clause(3, "agreed"),
                minutes=2,
            ),
        ]
    )
    found = {n: v.number for n, v in agreements(text).items()}
    # 1: its words changed while agreed, so the agreement is to version 3's words; 2: agreed in 2 and kept;
    # 3: agreed, reopened, agreed again: from the last agreement
    assert found == {1: 3, 2: 2, 3: 3}
    assert agreements(text)[2].saved_by == "ben"


def test_an_open_clause_has_no_agreement():
    text = SingleText(versions=[version(1, "ana", clause(1, "agreed"), clause(2))])
    assert set(agreements(text)) == {1}


# ---- the sponsor brief -----------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ["duckdb"])
def test_the_brief_is_one_page_with_the_mandate_used_and_the_gives_waiting_for_the_sponsor(demo_store):
    deal = demo_store.deals.get_deal(KESSLER)
    issues = demo_store.preparation.list_issues(KESSLER)
    review = review_log(demo_store.concessions.concession_frame(KESSLER), issues, deal.mandate,
                        demo_store.list_approvals(KESSLER))  # fmt: skip
    pages, text = text_of(sponsor_brief_pdf(demo_store, KESSLER, now()))
    assert pages == 1
    s = review.summary
    assert s.over_mandate > 0 and deal.buys  # the case this test is about: a buyer past its mandate
    assert f"{money(s.gives, 'EUR')} of {money(deal.mandate, 'EUR')}" in text
    assert f"({s.gives / deal.mandate:.0%} used)" in text
    assert f"{money(s.over_mandate, 'EUR')} over the mandate" in text
    waiting = review.lines.set_index("id")
    for approval in (a for a in review.approvals.values() if a.open):
        assert waiting.loc[approval.concession_id, "item"] in text
    assert "Private · sponsor brief" in text and "we buy" in text
    # the buyer's words: a price we pay has a ceiling, never called a floor
    price = next(i for i in issues if i.name.startswith("Unit price"))
    assert f"ceiling {price.reservation:.2f}" in text and f"floor {price.reservation:.2f}" not in text
    assert "Leverage index" in text and "Riskiest flags" in text and "Readiness" in text


@pytest.mark.parametrize("engine", ["duckdb"])
def test_the_brief_writes_every_figure_in_the_deals_number_convention(demo_store):
    deal = demo_store.deals.get_deal(KESSLER)
    demo_store.deals.update_deal(deal.model_copy(update={"decimal_comma": True}))
    _, text = text_of(sponsor_brief_pdf(demo_store, KESSLER, now()))
    gives = demo_store.concessions.log_totals(KESSLER).gives
    with number_convention(True):
        shown = money(gives, "EUR")
    assert "." in shown and shown in text  # 93.000 EUR, as a German reader reads it
    with number_convention(False):
        assert money(gives, "EUR") not in text
    assert "ceiling 8,80" in text  # a rate keeps its decimals, with a comma


@pytest.mark.parametrize("engine", ["duckdb"])
def test_a_deal_with_nothing_yet_still_gets_a_brief_that_says_so(demo_store):
    deal_id = demo_store.deals.create_deal(
        Deal(name="Fresh", context="sales", counterparty_id=1, owner="Ana", mandate=0)
    )
    pages, text = text_of(sponsor_brief_pdf(demo_store, deal_id, now()))
    assert pages == 1
    assert "0 EUR of 0 EUR" in text and "Nothing logged yet" in text and "No power assessment yet" in text
    assert "No issues yet" in text and "No line is flagged" in text


def test_the_brief_is_read_through_the_store_so_only_who_may_read_the_deal_gets_it(team):
    # The deal's owner and its sponsor get it; a member on no deal gets nothing of it.
    for person in (ANA, SAM):
        assert gather_brief(team.acting_as(person), NORTHWIND, date.today(), now()).deal.id == NORTHWIND
    with pytest.raises((NotAllowed, NotFound)):
        gather_brief(team.acting_as(NOBODY), NORTHWIND, date.today(), now())


@pytest.mark.parametrize("engine", ["duckdb"])
def test_the_brief_stays_one_page_whatever_length_of_text_was_typed(demo_store):
    deal = demo_store.deals.get_deal(KESSLER)
    demo_store.deals.update_deal(deal.model_copy(update={"name": "N" * 200, "owner": "O" * 200}))
    issues = demo_store.preparation.list_issues(KESSLER)
    demo_store.preparation.replace_issues(
        KESSLER, [i.model_copy(update={"name": f"{k} " + "I" * 190}) for k, i in enumerate(issues)]
    )
    for k in range(12):  # one-way gives over the mandate, each with the longest words allowed
        demo_store.concessions.add_concession(KESSLER, Concession(item=f"{k} " + "W" * 190, you_give="G " * 2400,
                                                      value_to_you=-10_000, round=4, logged_at=now()))  # fmt: skip
    pages, text = text_of(sponsor_brief_pdf(demo_store, KESSLER, now()))
    assert pages == 1
    # the lists shorten to fit (what is left out is counted), never the page
    assert re.search(r"and \d+ more on the Concessions screen", text) and "more flagged lines" in text


@pytest.mark.parametrize("engine", ["duckdb"])
def test_user_text_in_the_brief_stays_text(demo_store):
    deal = demo_store.deals.get_deal(KESSLER)
    hostile = '</h1><img src="file:///etc/passwd"><script>x</script> & Co'
    demo_store.deals.update_deal(deal.model_copy(update={"name": hostile}))
    html = sponsor_brief_html(gather_brief(demo_store, KESSLER, date.today(), now()))
    assert hostile not in html and "&lt;/h1&gt;&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    assert squeezed(hostile) in squeezed(text_of(render_pdf(html))[1])


# ---- the single text -------------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ["duckdb"])
def test_the_single_text_pdf_holds_who_agreed_what_the_commitments_and_the_escalation_path(demo_store):
    text = demo_store.single_texts.get_single_text(KESSLER)
    _, shown = text_of(single_text_pdf(demo_store, KESSLER, date.today()))
    for c in text.latest.clauses:
        assert f"{c.number}. {c.title}" in shown
    agreed = agreements(text)
    assert agreed and all(f"agreed in version {v.number}" in shown for v in agreed.values())
    for m in demo_store.plans.list_commitments(KESSLER):
        assert m.what.split()[0] in shown
    assert "Missed" in shown  # the warranty report Kessler missed
    for step in demo_store.plans.list_escalation_steps(KESSLER):
        assert f"taken {step.taken_at:%d %b %Y}" in shown
    assert "Contractual remedy or sanction" in shown and "shared with the other side" in shown


@pytest.mark.parametrize("engine", ["duckdb"])
@pytest.mark.parametrize("deal_id", [KESSLER, 5, 11, HELIOS])
def test_the_single_text_pdf_never_carries_a_private_value(demo_store, deal_id):
    from tests.app.test_safe_mode import public_values

    file = demo_store.deal_files.export_deal(deal_id)
    _, shown = text_of(single_text_pdf(demo_store, deal_id, date.today()))
    public = public_values(file)
    # the document's own words ("Sponsor to sponsor") are not a stakeholder's private role "Sponsor"
    own_words = " ".join([*ESCALATION_LABELS.values(), *CLAUSE_KIND_LABELS.values()]).casefold()
    leaks = {
        (where, v)
        for where, values in private_values(file).items()
        for v in values
        if v not in public and len(v) >= 4 and v in shown and v.casefold() not in own_words
    }
    assert not leaks
    # neither a late change's reason, nor a commitment's internal note, nor who took an escalation step
    for v in file.single_text.versions if file.single_text else []:
        assert not v.reason.strip() or v.reason.strip() not in shown
    for m in file.commitments:
        assert not m.note.strip() or m.note.strip() not in shown
    for s in file.escalation_steps:
        assert not s.note.strip() or s.note.strip() not in shown


def test_a_deal_without_a_single_text_is_refused_in_one_sentence(store):
    deal_id = store.deals.create_deal(
        Deal(name="Fresh", context="sales", owner="Ana"), Counterparty(name="Them")
    )
    with pytest.raises(Exception, match=f"Deal {deal_id}: it has no single text yet"):
        single_text_pdf(store, deal_id, date.today())


def test_user_text_in_the_single_text_stays_text():
    deal = Deal(id=9, name="Deal", context="sales", owner="Ana")
    hostile = '<a href="https://x.example">link</a> <img src="file:///etc/passwd">'
    text = SingleText(versions=[version(1, "ana", Clause(number=1, title=hostile, wording=hostile))])
    html = single_text_html(deal, "Them & Co", text, [])
    assert "<a href" not in html and '<img src="file' not in html
    _, shown = text_of(render_pdf(html))
    assert squeezed(hostile) in squeezed(shown) and "Them & Co" in shown


# ---- rendering ---------------------------------------------------------------------------------------------
PNG = (Path(__file__).resolve().parents[2] / "data" / "icon.png").read_bytes()


def test_the_renderer_reads_embedded_images_and_fetches_nothing_else(tmp_path):
    (tmp_path / "icon.png").write_bytes(PNG)
    embedded = f'<img src="data:image/png;base64,{base64.b64encode(PNG).decode()}">'
    fetched = f'<img src="{(tmp_path / "icon.png").as_uri()}"><img src="http://127.0.0.1:9/x.png">'
    assert len(PdfReader(io.BytesIO(render_pdf(f"<p>a</p>{embedded}"))).pages[0].images) == 1
    assert len(PdfReader(io.BytesIO(render_pdf(f"<p>a</p>{fetched}"))).pages[0].images) == 0


def test_a_computer_without_pango_is_told_in_one_sentence(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name.startswith("weasyprint"):
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real(name, *args, **kwargs)

    pdf_problem.cache_clear()
    monkeypatch.setattr(builtins, "__import__", no_pango)
    try:
        assert "apt-get install libpango-1.0-0" in (pdf_problem() or "")
        with pytest.raises(DocumentUnavailable, match="the text layout library"):
            render_pdf("<p>x</p>")
    finally:
        monkeypatch.undo()
        pdf_problem.cache_clear()
    assert pdf_problem() is None


# ---- the commands ------------------------------------------------------------------------------------------
def test_the_commands_write_both_pdfs_privately_and_refuse_what_they_cannot_write(db_path, tmp_path, capsys):
    from core import cli
    from core.demo import load_curated
    from core.store import Store

    load_curated(Store.open(db_path))
    brief = tmp_path / "brief.pdf"
    assert cli.main(["brief", str(KESSLER), "-o", str(brief)]) == 0
    assert os.stat(brief).st_mode & 0o777 == 0o600  # our limits: readable by its owner only
    pages, shown = text_of(brief.read_bytes())
    assert pages == 1 and "Sponsor brief · Kessler" in shown
    shared = tmp_path / "text.pdf"
    assert cli.main(["single-text", str(KESSLER), "-o", str(shared)]) == 0
    assert "Single text · Kessler" in text_of(shared.read_bytes())[1]
    assert cli.main(["brief", str(KESSLER), "-o", str(tmp_path / "brief.txt")]) == cli.EXIT_INVALID
    assert "the sponsor brief is written as PDF" in capsys.readouterr().err
    assert cli.main(["brief", "999", "-o", str(tmp_path / "none.pdf")]) == cli.EXIT_INVALID
    assert "There is no deal with id 999" in capsys.readouterr().err
    assert cli.main(["single-text", str(NORTHWIND), "-o", str(tmp_path / "none.pdf")]) == cli.EXIT_INVALID
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".pdf", ".txt", ".part")) == [
        "brief.pdf",
        "text.pdf",
    ]  # nothing half-written
    log = Store.open(db_path).access_log()
    assert {"Sponsor brief (PDF)", "Single text (PDF)"} <= set(log["what"])
