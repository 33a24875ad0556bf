"""User text and the URL reach the screen as text: a name written as markdown renders no bold, no link
and no image on any screen, in any element Streamlit would parse as markdown."""

import re
from datetime import date, datetime

import pytest
from streamlit.testing.v1 import AppTest

from core import ui
from core.models import (
    Alternative,
    Concession,
    Counterparty,
    Deal,
    Evidence,
    Issue,
    MesoBundle,
    MesoPick,
    MesoTerm,
    Stakeholder,
)
from core.store import Store
from tests.app.conftest import APP
from tests.app.test_safe_mode import _walk

PAYLOAD = "**B** ![i](http://evil.example/I.png) [L](http://evil.example/L)"
SCREENS = [s.path for s in ui.SCREENS.values()]  # every screen the navigation lists
# Elements whose text is not markdown: code blocks, plain text, tables and charts (data, not markup).
UNESCAPED_LINK = re.compile(r"(?<!\\)\]\(")  # "](" that is not "\](": a link or an image
NOT_MARKDOWN = {"code", "text", "arrow_data_frame", "arrow_table", "vega_lite_chart", "json"}


def _strings(proto, names=("body", "label", "help")):
    """Every string field called body, label or help, at any depth (a tab's or an expander's label sits
    in a nested message)."""
    for field, value in proto.ListFields():
        if field.type == field.TYPE_STRING and field.name in names and not field.is_repeated:
            yield value
        elif field.type == field.TYPE_MESSAGE and not field.is_repeated:
            yield from _strings(value, names)


def markdown_texts(at) -> list[str]:
    """Every string the page hands to Streamlit's markdown renderer: bodies of markdown, captions,
    alerts and headings; labels and help of widgets, metrics, expanders, tabs and links."""
    found = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or getattr(node, "type", "") in NOT_MARKDOWN:
            continue
        found += list(_strings(proto))
    return found


def rendered_markup(texts: list[str]) -> list[str]:
    """Texts in which the payload would render as bold, a link or an image (escaped, it would not)."""
    return [t for t in texts if "**B**" in t or UNESCAPED_LINK.search(t) or "http://" in t]


@pytest.fixture
def hostile_deal(app, db_path):
    app()
    store = Store.open(db_path)
    deal_id = store.deals.create_deal(
        Deal(name=PAYLOAD, context="sales", owner=PAYLOAD, value=100_000, mandate=5_000, deadline=date(2027, 1, 1),
             deadline_reason=PAYLOAD, notes=PAYLOAD),
        Counterparty(name=PAYLOAD, notes=PAYLOAD),
    )  # fmt: skip
    deal = store.deals.get_deal(deal_id)
    store.deals.replace_stakeholders(deal.counterparty_id, [Stakeholder(name=PAYLOAD, role=PAYLOAD, decision_rights=PAYLOAD,
                                                                  veto=True, status_concerns=PAYLOAD)])  # fmt: skip
    (evidence,) = store.preparation.replace_evidence(deal_id, [Evidence(kind="benchmark", title=PAYLOAD, source=PAYLOAD,
                                                            date=date(2026, 10, 1), note=PAYLOAD)])  # fmt: skip
    store.preparation.replace_alternatives(
        deal_id, [Alternative(description=PAYLOAD, money=90_000, evidence_id=evidence)]
    )
    (issue,) = store.preparation.replace_issues(deal_id, [Issue(name=PAYLOAD, unit="EUR", target=120, reservation=100,
                                                    estimate_source=PAYLOAD, evidence_id=evidence)])  # fmt: skip
    store.deals.update_deal(store.deals.get_deal(deal_id).model_copy(update={"pressured_issue_id": issue}))
    store.concessions.add_concession(deal_id, Concession(item=PAYLOAD, you_give=PAYLOAD, you_get="", trigger=PAYLOAD,
                                             value_to_you=-9_000, issue_id=issue, new_position=90,
                                             logged_at=datetime(2026, 11, 20, 10)))  # fmt: skip
    store.meso.replace_meso_round(deal_id, 1, [MesoBundle(name=PAYLOAD, terms=[MesoTerm(issue_id=issue, value=95)]),
                                          MesoBundle(name="Plain", terms=[MesoTerm(issue_id=issue, value=120)])])  # fmt: skip
    first = store.meso.list_meso_bundles(deal_id)[0]
    store.meso.add_meso_pick(deal_id, MesoPick(bundle_id=first.id, round=1, reaction="preferred", note=PAYLOAD,
                                          recorded_at=datetime(2026, 11, 21)))  # fmt: skip
    store.deals.observe_signal(deal_id, "calibrated_deadline", PAYLOAD)
    store.close()
    return deal_id


@pytest.mark.parametrize("safe", [False, True], ids=["private", "shared"])
def test_names_written_as_markdown_render_as_text_on_every_screen(app, hostile_deal, safe):
    at = app(deal=hostile_deal)
    if safe:
        at.query_params["safe"] = "1"
    shown_as_text = 0
    for screen in SCREENS:
        at.switch_page(screen).run()
        assert not at.exception, screen
        texts = markdown_texts(at)
        assert rendered_markup(texts) == [], screen
        shown_as_text += sum("evil" in t for t in texts)
    assert shown_as_text >= 5  # the names are on the screens, escaped


@pytest.mark.parametrize("screen", SCREENS)
def test_markdown_in_the_link_is_not_reflected_onto_the_page(db_path, screen):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["deal"] = "9999 **Session expired** [sign in again](http://evil.example/phish)"
    at.switch_page(screen).run()
    assert not at.exception
    texts = markdown_texts(at)
    assert not [
        t for t in texts if "**Session expired**" in t or UNESCAPED_LINK.search(t) or "http://" in t
    ], screen
