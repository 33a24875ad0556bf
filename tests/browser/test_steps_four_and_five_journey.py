"""Steps 4 and 5 in a real browser: a clause added to the single text makes a new version the change log
compares, the text downloads as Markdown, agreed clauses become commitments in one action, a missed
commitment shows on Moves and brings a signed deal back to the Pipeline at risk, and both PDFs print (the
single text, and the sponsor brief, which a shared screen never offers)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import settle

pytestmark = pytest.mark.browser
HELIOS, KESSLER = "Helios — Q1 cloud migration slots", "Kessler — die-cast housings should-cost"
LENA, NORDLICHT = "Lena Fischer — staged promotion to principal", "Nordlicht Bank — co-marketing programme"


def open_screen(page, path: str, deal: int, heading: str, name: str) -> None:
    page.goto(f"{page.base_url}/{path}?deal={deal}")
    expect(page.get_by_role("heading", name=f"{heading} · {name}")).to_be_visible(timeout=60_000)
    settle(page)


def test_a_clause_added_is_a_new_version_compared_and_downloaded(page):
    open_screen(page, "agreement", 2, "Single text", HELIOS)  # Helios: version 2, inside its edit window
    expect(page.get_by_text("Agreed 3 of 6 clauses")).to_be_visible()
    page.get_by_text("Add a clause").click()
    kind = page.get_by_role("combobox", name="Kind")
    expect(kind).to_be_visible()
    kind.click()
    kind.fill("Contingent")
    page.get_by_role("option", name="Contingent remedy").click()
    settle(page)
    title = page.get_by_role("textbox", name="Title")
    expect(title).to_have_value("Contingent remedy")  # the template's form is drawn
    title.fill("Missed cut-over")
    page.get_by_role("textbox", name="Wording").fill(
        "If a cut-over date slips by more than 5 days, a 2 % credit applies."
    )
    page.get_by_role("button", name="Add it as a new version").click()
    expect(page.get_by_text("Saved version 3 of the single text.")).to_be_visible()
    expect(page.get_by_text("Agreed 3 of 7 clauses")).to_be_visible()
    settle(page)
    # The change log compares version 2 with the new one by default: the clause is "added".
    changes = page.get_by_test_id("stDataFrame").filter(has_text="Change").first
    expect(changes).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Single text (Markdown)").click()
    text = open(download.value.path(), encoding="utf-8").read()
    (heading,) = [line for line in text.splitlines() if "Missed cut" in line]
    assert heading == "### 7. Missed cut\\-over (contingent remedy, open)", heading
    assert "450,000" not in text  # Helios' floor on the price never enters the text


def test_agreed_clauses_become_commitments_and_a_missed_one_shows_on_moves_and_the_pipeline(page):
    open_screen(
        page, "implementation", 11, "Implementation", NORDLICHT
    )  # Nordlicht: an agreed text, no plan yet
    expect(page.get_by_text("No commitments yet")).to_be_visible()
    page.get_by_role("button", name="Turn 4 agreed clauses into commitments").click()
    expect(page.get_by_text("Added 4 commitments from the single text.")).to_be_visible()
    expect(page.get_by_text("4 of 4 on track or done")).to_be_visible()

    open_screen(page, "implementation", 5, "Implementation", LENA)  # Lena: a sanction before mediation
    step = page.get_by_role("combobox", name="Step")
    step.click()
    step.fill("Contractual")
    page.get_by_role("option", name="Contractual remedy or sanction").click()
    page.get_by_role("button", name="Record the step").click()
    expect(page.get_by_text("Use mediation step before sanctions").first).to_be_visible()

    open_screen(page, "moves", 4, "Moves", KESSLER)  # Kessler missed a commitment: friction resurfaces
    enforcement = page.get_by_test_id("stMarkdownContainer").filter(has_text="Post-close enforcement").first
    expect(enforcement).to_contain_text("adjust/stop")
    page.goto(f"{page.base_url}/?deal=4")
    expect(page.get_by_text("Deals at risk")).to_be_visible(timeout=60_000)
    settle(page)
    expect(page.get_by_test_id("stDataFrame").first).to_contain_text("commitment missed")


def pdf_text(path: str) -> tuple[int, str]:
    from tests.unit.test_documents import text_of

    with open(path, "rb") as pdf:
        return text_of(pdf.read())


def test_both_pdfs_print_from_the_screens_and_the_brief_never_on_a_shared_screen(page):
    open_screen(
        page, "agreement", 4, "Single text", KESSLER
    )  # Kessler: signed, a plan with a missed commitment
    with page.expect_download() as download:
        page.get_by_role("button", name="Single text (PDF)").click()
    assert download.value.suggested_filename == "single-text-deal-4.pdf"
    _, text = pdf_text(download.value.path())
    assert "Single text · Kessler" in text and "Ready to sign" in text and "agreed in version 2" in text
    assert "Mediation — taken" in text and "ceiling" not in text  # the path taken; never our limits

    open_screen(page, "moves", 4, "Moves", KESSLER)
    with page.expect_download() as download:
        page.get_by_role("button", name="Sponsor brief (PDF)").click()
    pages, brief = pdf_text(download.value.path())
    assert pages == 1 and "93,000 EUR of 60,000 EUR" in brief and "(155% used)" in brief
    assert "Tooling" in brief and "pending approval" in brief  # the gives waiting for the sponsor

    page.get_by_text("Screen-share safe", exact=True).click()  # the other side may look: the brief is gone
    expect(page.get_by_text("Screen-share safe · private figures hidden")).to_be_visible()
    settle(page)
    expect(page.get_by_role("button", name="Sponsor brief (PDF)")).to_have_count(0)
