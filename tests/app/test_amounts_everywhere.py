"""Every amount a person types, on every screen, is read in the deal's number convention or refused: the
same amount typed the way the deal writes numbers is stored as meant, typed the other way it is refused
naming the field, and never stored as a thousandth of itself. Every amount box a screen prefills reads
back as the value it showed."""

import pytest

from core import ui
from core.formatting import amount_example, parse_amount
from core.models import FIELD_LABELS
from core.store import Store

# The amount as meant, and how each convention writes it; the other convention's text is ambiguous there.
MEANT = 190_000.0
WRITTEN = {True: "190.000", False: "190,000"}
AMOUNT_LABELS = {FIELD_LABELS[f] for f in ("value", "mandate", "money", "target", "reservation", "their_target",
                                          "their_walk_away", "value_to_you", "value_to_them", "new_position",
                                          "range_low", "range_high", "volume")}  # fmt: skip


def on_deal(app, db_path, decimal_comma: bool, page: str):
    at = app(deal=1)
    store = Store.open(db_path)
    store.deals.update_deal(store.deals.get_deal(1).model_copy(update={"decimal_comma": decimal_comma}))
    store.close()
    at.switch_page(page).run()
    return at


def stored(db_path, read):
    store = Store.open(db_path)
    try:
        return read(store)
    finally:
        store.close()


def button(at, label):
    return next(b for b in at.button if b.label == label)


def deal_form(at, text):
    at.text_input(key="deal_1__value").set_value(text)
    return at.button(key="deal_form__save").click().run(), lambda s: s.deals.get_deal(1).value


def mandate_form(at, text):
    at.text_input(key="mandate_1__amount").set_value(text)
    at.text_input(key="mandate_1__reason").set_value("board agreed")
    return at.button(key="mandate_1__save").click().run(), lambda s: s.deals.get_deal(1).mandate


def issue_form(at, text):
    at.selectbox(key="issue_1_pick").select(1).run()
    at.text_input(key="issue_1_1__target").set_value(text)
    return at.button(key="issue_1_save").click().run(), lambda s: s.preparation.list_issues(1)[0].target


def alternative_form(at, text):
    at.text_area(key="alternative_1_new__description").set_value("Second carrier")
    at.text_input(key="alternative_1_new__money").set_value(text)
    return at.button(key="alternative_1_save").click().run(), lambda s: next(
        (a.money for a in s.preparation.list_alternatives(1) if a.description == "Second carrier"), None
    )


def anchor_form(at, text):
    issue = at.selectbox(key="anchor_issue_1").value
    at.text_input(key=f"anchor_high_{issue}").set_value("")
    at.text_input(key=f"anchor_low_{issue}").set_value(text)
    return (
        button(at, "Save worksheet").click().run(),
        lambda s: (
            s.preparation.list_anchors(1)[issue].range_low if issue in s.preparation.list_anchors(1) else None
        ),
    )


def concession_entry(at, text):
    for name, value in (("item", "Volume"), ("give", "x"), ("get", "y"), ("you", "-" + text)):
        at.text_input(key=f"entry_{name}_1").set_value(value)
    at.button(key="entry_submit_1").click()
    return (
        at.run(),
        lambda s: (
            -next((c.value_to_you for c in s.concessions.list_concessions(1) if c.item == "Volume"), 0.0)
        ),
    )


def review_final(at, text):
    first = next(t for t in at.text_input if t.key and t.key.startswith("final_1_"))
    first.set_value(text)
    issue = int(first.key.rsplit("_", 1)[1])
    return button(at, "Save review").click().run(), lambda s: next(
        (
            f.value
            for f in (s.reviews.get_review(1).final_values if s.reviews.get_review(1) else [])
            if f.issue_id == issue
        ),
        None,
    )


FORMS = {
    "deal form": ("pages/prepare.py", deal_form),
    "mandate": ("pages/prepare.py", mandate_form),
    "issue form": ("pages/prepare.py", issue_form),
    "alternative form": ("pages/prepare.py", alternative_form),
    "anchor worksheet": ("pages/prepare.py", anchor_form),
    "concession entry": ("pages/concessions.py", concession_entry),
    "review finals": ("pages/review.py", review_final),
}


@pytest.mark.parametrize("decimal_comma", [True, False], ids=["decimal comma", "decimal point"])
@pytest.mark.parametrize("form", FORMS)
def test_an_amount_typed_the_deals_way_is_stored_as_meant_and_the_other_way_is_refused(
    app, db_path, form, decimal_comma
):
    page, fill = FORMS[form]
    at = on_deal(app, db_path, decimal_comma, page)
    at, read = fill(at, WRITTEN[not decimal_comma])  # the other convention's way: ambiguous in this deal
    assert any("did you mean" in e.value for e in at.error), [e.value for e in at.error]
    assert stored(db_path, read) != pytest.approx(MEANT / 1000)  # never a thousandth of what was meant
    before = stored(db_path, read)
    assert before is None or before != MEANT
    at = on_deal(app, db_path, decimal_comma, page)
    at, read = fill(at, WRITTEN[decimal_comma])
    assert not [
        e.value for e in at.error if not e.value.startswith("Logged '")
    ]  # a stop over the mandate is no refusal
    assert stored(db_path, read) == MEANT


@pytest.mark.parametrize("decimal_comma", [True, False], ids=["decimal comma", "decimal point"])
def test_every_amount_box_on_every_screen_reads_back_what_it_shows_and_no_amount_is_a_number_box(
    app, db_path, decimal_comma
):
    at = app(deal=1)
    store = Store.open(db_path)
    store.deals.update_deal(store.deals.get_deal(1).model_copy(update={"decimal_comma": decimal_comma}))
    store.close()
    seen, found = 0, set()
    for screen in [s.path for s in ui.SCREENS.values()]:
        at.switch_page(screen).run()
        if screen == "pages/prepare.py":  # an existing issue's form too, prefilled with its amounts
            at.selectbox(key="issue_1_pick").select(1).run()
        boxes = at.session_state[ui.AMOUNT_BOXES] if ui.AMOUNT_BOXES in at.session_state else set()
        for box in (t for t in at.text_input if t.key in boxes):
            seen += 1
            found.add(box.key)
            if box.value:
                assert parse_amount(box.value, decimal_comma) is not None, (screen, box.label, box.value)
            if box.placeholder.startswith("e.g."):
                assert box.placeholder in (amount_example(decimal_comma), amount_example(decimal_comma, True))
        for number in at.number_input:
            assert number.label not in AMOUNT_LABELS, (
                f"{screen}: '{number.label}' is an amount in a number box"
            )
    assert seen >= 15  # deal, new deal, issue, alternative, anchor, concession entry, review finals
    assert {"deal_1__value", "mandate_1__amount", "new_deal__value", "new_deal__mandate", "issue_1_1__reservation",
            "entry_you_1", "entry_them_1", "entry_position_1"} <= found  # fmt: skip
    assert any(k.startswith("final_1_") for k in found) and any(k.startswith("anchor_low_") for k in found)


@pytest.mark.parametrize("decimal_comma", [True, False], ids=["decimal comma", "decimal point"])
def test_days_to_switch_to_an_alternative_are_read_the_deals_way_too(app, db_path, decimal_comma):
    def saved(text):
        at = on_deal(app, db_path, decimal_comma, "pages/prepare.py")
        at.text_area(key="alternative_1_new__description").set_value(f"Second carrier {text}")
        at.text_input(key="alternative_1_new__time_days").set_value(text)
        at = at.button(key="alternative_1_save").click().run()
        days = stored(
            db_path,
            lambda s: [
                a.time_days for a in s.preparation.list_alternatives(1) if a.description.endswith(text)
            ],
        )
        return at, days

    thousand = {True: "1.000", False: "1,000"}
    at, days = saved(thousand[not decimal_comma])  # the other convention's way: refused, never 1 day
    assert any("Time (days)" in e.value and "did you mean" in e.value for e in at.error), [
        e.value for e in at.error
    ]
    assert days == []
    at, days = saved(thousand[decimal_comma])
    assert days == [1000]
    assert "Time (days)" not in [n.label for n in at.number_input]  # a text box, read by the one parser
