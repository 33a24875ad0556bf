"""Where the printed documents are offered (AppTest, curated demo): the single text's PDF beside its
Markdown, and the sponsor brief where a sponsor decides (the approvals) and on Moves; never the brief on a
shared screen, and the computer's missing PDF library said in a sentence instead of a button that fails."""

from core import documents
from core.store import Store

KESSLER = 4  # gives over the mandate, waiting for the sponsor; a signed single text


def downloads(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_the_single_text_offers_its_pdf_beside_the_markdown_also_on_a_shared_screen(app):
    at = app(deal=KESSLER, page="pages/agreement.py")
    assert not at.exception
    assert {"Single text (Markdown)", "Single text (PDF)"} <= set(downloads(at))
    at.session_state["safe_mode"] = True
    at.run()
    assert "Single text (PDF)" in downloads(at)  # the text is public by nature


def test_moves_offers_the_sponsor_brief_and_hides_it_while_the_screen_is_shared(app):
    at = app(deal=KESSLER, page="pages/moves.py")
    assert "Sponsor brief (PDF)" in downloads(at)
    at.session_state["safe_mode"] = True
    at.run()
    assert "Sponsor brief (PDF)" not in downloads(at)


def test_a_sponsor_deciding_a_give_over_the_mandate_opens_the_brief_from_the_approvals(app, db_path):
    app()  # the first start fills the database with the demo
    store = Store.open(db_path)
    for email, role in [("ada@example.com", "admin"), ("sam@example.com", "sponsor")]:
        store.add_member(email, role)
    store.share_deal(KESSLER, "sam@example.com", "sponsor")
    from tests.app.test_team import AUTH, ISSUER

    user = {"is_logged_in": True, "email": "sam@example.com", "email_verified": True, "iss": ISSUER,
            "sub": "sam@example.com"}  # fmt: skip
    at = app(deal=KESSLER, page="pages/concessions.py", auth=AUTH, user=user)
    assert not at.exception
    assert any("over the mandate" in m.value for m in at.markdown)
    assert "Sponsor brief (PDF)" in downloads(at)


def test_the_negotiator_finds_the_brief_in_the_folded_approvals_once_opened(app):
    at = app(deal=KESSLER, page="pages/concessions.py")
    assert "Sponsor brief (PDF)" not in downloads(at)  # folded below the entry: nothing drawn in it
    at.session_state[f"approvals_open_{KESSLER}"] = True
    at.run()
    assert "Sponsor brief (PDF)" in downloads(at)


def test_without_the_pdf_library_the_screen_says_why_instead_of_offering_a_broken_button(app, monkeypatch):
    monkeypatch.setattr(documents, "pdf_problem", lambda: "PDF: this computer lacks the text layout library")
    at = app(deal=KESSLER, page="pages/agreement.py")
    assert not at.exception
    assert "Single text (PDF)" not in downloads(at) and "Single text (Markdown)" in downloads(at)
    assert any("lacks the text layout library" in c.value for c in at.caption)
