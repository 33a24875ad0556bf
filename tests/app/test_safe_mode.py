"""Screen-share safe mode through the app: no private value of a deal reaches any screen while it is on,
anywhere in what the server sends (text, metrics, tables, chart data, form values), and they do show
when it is off."""

import re
from datetime import datetime

import pytest
from google.protobuf.text_format import MessageToString
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from core.formatting import fmt_amount
from core.models import Alternative, Concession
from core.privacy import private_fields, private_values, public_fields
from core.store import Store
from tests.app.conftest import APP

SCREENS = [
    "pages/prepare.py",
    "pages/leverage.py",
    "pages/concessions.py",
    "pages/meso.py",
    "pages/moves.py",
    "pages/agreement.py",
    "pages/implementation.py",
    "pages/history.py",
    "pages/review.py",
    "pages/library.py",
    "pages/outcomes.py",
    "pages/admin.py",
    "app.py",
]
DEALS = [1, 4, 7]  # internal evidence, breaches of floor and mandate, a single-alternative BATNA
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")  # no 1e3: ids hold hex


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _tables(proto):
    """The Arrow messages an element carries: a dataframe's data, a chart's data and datasets."""
    for name in ("arrow_data", "data"):
        field = proto.DESCRIPTOR.fields_by_name.get(name)
        if (
            field is not None
            and field.message_type is not None
            and field.message_type.name in ("Arrow", "ArrowData")
        ):
            yield getattr(proto, name)
    for dataset in getattr(proto, "datasets", []):
        yield dataset.data


def _frames(proto):
    for table in _tables(proto):
        if table.data:
            yield convert_arrow_bytes_to_pandas_df(table.data)


def _without_tables(proto):
    """The element without its Arrow bytes (read as tables above; as text they are noise)."""
    copy = type(proto)()
    copy.CopyFrom(proto)
    for table in _tables(copy):
        table.data = b""
    return copy


def sent(at) -> str:
    """Everything the server sent for the page, as text; numbers also written the way the screens write
    them, so a figure is found whether it was sent raw (310000.0) or formatted (310,000)."""
    parts = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        for frame in _frames(proto):
            parts.append(frame.to_csv(index=False, sep="\t"))
        parts.append(MessageToString(_without_tables(proto), as_utf8=True))
    text = "\n".join(parts)
    numbers = set()
    for raw in _NUMBER.findall(text):
        try:
            numbers.add(fmt_amount(abs(float(raw.replace(",", "")))))
        except ValueError:
            pass
    return text + "\n" + " ".join(sorted(numbers))


def occurs(value: str, text: str) -> bool:
    if re.fullmatch(r"[\d,.]+", value):  # a figure: not as part of a longer one (12,000 in 112,000)
        return re.search(rf"(?<![\d,.]){re.escape(value)}(?![\d]|,\d)", text) is not None
    return value in text


def public_values(file) -> set[str]:
    """What a shared screen may show: every non-private field of every non-private record."""
    from core.privacy import as_shown, is_private

    seen = set()
    records = [
        file.deal,
        file.counterparty,
        *file.stakeholders,
        *file.issues,
        *file.evidence,
        *file.concessions,
    ]
    for item in records:
        if is_private(item):
            continue
        hidden = private_fields(type(item))
        for name in type(item).model_fields:
            if name not in hidden:
                seen.update(as_shown(getattr(item, name)))
    for bundle in file.meso_bundles:
        for term in bundle.terms:
            seen.update(as_shown(term.value))
    # The single text is on the table by nature (the reason a late change came in is ours: private).
    for commitment in file.commitments:
        for name in public_fields(type(commitment)):
            seen.update(as_shown(getattr(commitment, name)))
    for version in file.single_text.versions if file.single_text else []:
        for clause in version.clauses:
            for name in type(clause).model_fields:
                seen.update(as_shown(getattr(clause, name)))
    return seen


def watched(db_path, deal_id) -> dict[str, set[str]]:
    """The deal's private values that are distinctive enough to look for: not a small number that any
    screen shows for other reasons, not equal to a public value of the same deal."""
    store = Store.open(db_path)
    try:
        file = store.deal_files.export_deal(deal_id)
    finally:
        store.close()
    public = public_values(file)
    chosen = {}
    for where, values in private_values(file).items():
        keep = {
            v for v in values
            if v not in public and (len(v) >= 8 if not re.fullmatch(r"[\d,.]+", v) else len(v) >= 5)
        }  # fmt: skip
        if keep:
            chosen[where] = keep
    return chosen


def visit(app, deal_id, safe: bool) -> dict[str, str]:
    at = app(deal=deal_id)
    if safe:
        at.session_state["safe_mode"] = True
        at.run()
    pages = {}
    for screen in SCREENS:
        at.switch_page(screen).run()
        assert not at.exception, f"{screen}: {at.exception}"
        pages[screen] = sent(at)
    return pages


def make_private_changes(db_path, deal_id):
    """Edits that put private values into the deal's history too: a new alternative, a new mandate, a line."""
    store = Store.open(db_path)  # the same process as the app: DuckDB shares the open file
    store.preparation.replace_alternatives(
        deal_id,
        [
            *store.preparation.list_alternatives(deal_id),
            Alternative(description="Sell the slot to Vega Robotics", money=91234),
        ],
    )
    store.set_mandate(deal_id, 23456, "more room")
    store.concessions.add_concession(deal_id, Concession(item="Kickoff workshop", you_give="two days on site", you_get="reference call",
                                             value_to_you=-7654, value_to_them=3210, logged_at=datetime(2026, 11, 25, 9)))  # fmt: skip


@pytest.mark.parametrize("deal_id", DEALS)
def test_no_private_value_reaches_any_screen_in_safe_mode_and_they_do_show_without_it(app, db_path, deal_id):
    app(deal=deal_id)  # the first start fills the database with the demo
    make_private_changes(db_path, deal_id)
    off = visit(app, deal_id, safe=False)
    watch = watched(db_path, deal_id)
    assert {"Deal", "Issue", "Alternative", "Balance", "Concession"} <= set(watch)

    shown_off = {
        where: {v for v in values if any(occurs(v, t) for t in off.values())}
        for where, values in watch.items()
    }
    for where in ("Deal", "Issue", "Alternative", "Balance", "Concession"):
        assert shown_off[where], (
            f"no {where} private value shows even with safe mode off: the test sees nothing"
        )

    on = visit(app, deal_id, safe=True)
    leaks = {
        (screen, where, v)
        for screen, text in on.items()
        for where, values in watch.items()
        for v in values
        if occurs(v, text)
    }
    assert not leaks, f"private values on a shared screen: {sorted(leaks)}"
    for screen, text in on.items():
        assert "Screen-share safe" in text, f"{screen} does not say safe mode is on"
    for value in ("Sell the slot to Vega Robotics", "91,234", "23,456", "7,654", "3,210"):
        assert occurs(value, off["pages/history.py"]), f"{value} is not in the history when safe mode is off"


def test_safe_mode_stays_on_across_screens_and_reruns_and_opens_from_a_bookmark(app, db_path):
    assert app(deal=1).session_state["safe_mode"] is False  # a plain start is not safe
    bookmarked = AppTest.from_file(APP, default_timeout=60)
    bookmarked.query_params["safe"] = "1"  # as if opened from a bookmark with ?safe=1
    bookmarked.run()
    assert bookmarked.session_state["safe_mode"] is True
    assert bookmarked.toggle(key="safe_mode_toggle").value is True
    for screen in ("pages/concessions.py", "pages/prepare.py"):
        bookmarked.switch_page(screen).run()
        assert bookmarked.session_state["safe_mode"] is True
        assert bookmarked.query_params["safe"] in ("1", ["1"])
    bookmarked.toggle(key="safe_mode_toggle").set_value(False).run()
    assert bookmarked.session_state["safe_mode"] is False and "safe" not in bookmarked.query_params
    bookmarked.switch_page("pages/prepare.py").run()
    assert any("BATNA — what walking away earns us" in c.value for c in bookmarked.caption)


def test_downloads_of_private_data_are_off_in_safe_mode(app):
    at = app(deal=1)
    at.session_state["safe_mode"] = True
    at.switch_page("pages/concessions.py").run()
    buttons = at.get("download_button")
    assert buttons and all(b.proto.disabled for b in buttons)
    at.switch_page("app.py").run()
    assert all(b.proto.disabled for b in at.get("download_button"))


# Labels of our assessments that a shared screen must not carry, whatever the deal.
ASSESSMENT_LABELS = ["Breaches", "Breach or overrun", "BATNA weak", "Perceived only", "reads as a bluff",
                     "Leverage index", "Their priority", "Tradeable", "Ready for the talks", "Reciprocated",
                     "One-way concessions", "Safeguard", "Pre-talk readiness", "Pitfalls", "What they seem to value"]  # fmt: skip


def assessments_of(db_path, deal_id) -> set[str]:
    """Every verdict the cockpit forms about this deal, as the screens word them: warnings, pitfalls,
    readiness gaps, flags on the log, MESO findings, and our notes on their reactions."""
    from core.concessions import review_log
    from core.leverage import warnings
    from core.meso import check_set
    from core.moves import pitfalls, readiness

    store = Store.open(db_path)
    try:
        deal = store.deals.get_deal(deal_id)
        counterparty = store.deals.get_counterparty(deal.counterparty_id)
        assessments = store.power.list_assessments(deal_id)
        issues, alternatives = (
            store.preparation.list_issues(deal_id),
            store.preparation.list_alternatives(deal_id),
        )
        lines = store.concessions.list_concessions(deal_id)
        found = set()
        for w in warnings(deal, counterparty, assessments[-1] if assessments else None, alternatives, issues):
            found |= {w.title, w.reason}
        found |= {p.name for p in pitfalls(deal, counterparty, issues, alternatives, lines) if p.detected}
        found |= {c.name for c in readiness(deal, issues, alternatives, store.concessions.log_totals(deal_id).one_way, store.deals.list_stakeholders(counterparty.id))
                  if c.met is False}  # fmt: skip
        for flags in review_log(lines, issues, deal.mandate).lines["flags"]:
            found |= set(flags)
        bundles = store.meso.list_meso_bundles(deal_id)
        for round_no in {b.round for b in bundles}:
            same = [b for b in bundles if b.round == round_no]
            found |= {f.message for f in check_set(same, issues, deal.pressured_issue_id, 0.05)}
        found |= {p.note for p in store.meso.list_meso_picks(deal_id)}
    finally:
        store.close()
    return {t for t in found if len(t) >= 8}


@pytest.mark.parametrize("deal_id", DEALS)
def test_no_assessment_warning_flag_or_note_reaches_a_shared_screen(app, db_path, deal_id):
    app(deal=deal_id)
    verdicts = assessments_of(db_path, deal_id)
    texts = verdicts | set(ASSESSMENT_LABELS)
    off = visit(app, deal_id, safe=False)
    seen_off = {t for t in texts if any(t in page for page in off.values())}
    assert len(seen_off & verdicts) >= 3, (
        "the deal's verdicts do not show even unshared: the test sees nothing"
    )
    on = visit(app, deal_id, safe=True)
    leaks = sorted((screen, t) for screen, page in on.items() for t in texts if t in page)
    assert leaks == [], f"our assessments on a shared screen: {leaks}"


def test_a_shared_screen_shows_the_deal_on_it_and_no_other_deals_name(app):
    at = app(deal=1)
    others = at.sidebar.selectbox(key="deal_picker").options
    at.session_state["safe_mode"] = True
    for screen in (
        "app.py",
        "pages/concessions.py",
        "pages/prepare.py",
        "pages/moves.py",
        "pages/history.py",
    ):
        at.switch_page(screen).run()
        assert not at.sidebar.selectbox, f"{screen}: a deal picker lists other deals"
        text = " ".join(str(e.value) for kind in ("markdown", "caption", "info", "warning", "subheader")
                        for e in [*getattr(at, kind), *getattr(at.sidebar, kind)])  # fmt: skip
        assert "Northwind — enterprise SaaS annual" in text, screen  # the deal on screen
        for name in ("Helios — Q1 cloud migration slots", "Baltic Freight — 3-year carrier contract",
                     "Priya Raman — senior ML engineer offer"):  # fmt: skip
            assert name not in text, f"{screen} shows another deal: {name}"
        options = " ".join(str(o) for box in at.selectbox for o in box.options)
        for other in ("Helios Retail Group", "Baltic Freight Lines", "Kessler Castings"):
            assert other not in options, f"{screen} offers another deal's counterparty: {other}"
        links = [link.proto.label for link in at.get("page_link")]
        assert "Pipeline" not in links and "Outcomes" not in links
    assert len(others) == 12


def test_no_value_box_is_drawn_on_a_shared_screen(app):
    at = app(deal=1)
    at.switch_page("pages/concessions.py").run()
    assert {"entry_you_1", "entry_them_1"} <= {t.key for t in at.text_input}
    at.session_state["safe_mode"] = True
    at.run()
    keys = {t.key for t in at.text_input}
    assert "entry_you_1" not in keys and "entry_them_1" not in keys and "entry_item_1" in keys
    said = " ".join(c.value for c in at.caption)
    assert "mandate" not in said.lower() and "walk-away" not in said.lower()  # no hint of what is hidden


def test_a_shared_screen_says_that_something_is_off_but_never_what(app):
    at = app(deal=1)
    at.session_state["safe_mode"] = True
    for screen in (
        "pages/prepare.py",
        "pages/concessions.py",
        "pages/moves.py",
        "pages/meso.py",
        "pages/leverage.py",
    ):
        at.switch_page(screen).run()
        said = " ".join(
            e.value for kind in ("caption", "info", "markdown") for e in getattr(at, kind)
        ).lower()
        for hint in (
            "mandate",
            "walk-away",
            "walk away",
            "batna",
            "floor",
            "ceiling",
            "estimate",
            "calibrated",
        ):
            assert hint not in said, f"{screen} says '{hint}' on a shared screen"


def test_evidence_behind_only_a_hidden_alternative_stays_off_a_shared_screen(app, db_path):
    from datetime import date

    from core.models import Alternative, Evidence

    at = app(deal=1)
    store = Store.open(db_path)
    evidence = store.preparation.list_evidence(1)
    (quote,) = store.preparation.replace_evidence(1, [*evidence, Evidence(title="Nordsee spot quote", source="Broker",
                                                              date=date(2026, 11, 20))])[-1:]  # fmt: skip
    store.preparation.replace_alternatives(1, [*store.preparation.list_alternatives(1),
                                   Alternative(description="Spot market", money=2050, evidence_id=quote)])  # fmt: skip
    cited = next(i.evidence_id for i in store.preparation.list_issues(1) if i.evidence_id)
    cited_title = next(e.title for e in store.preparation.list_evidence(1) if e.id == cited)
    store.close()
    at.switch_page("pages/prepare.py").run()
    assert any("Nordsee spot quote" in str(d.value) for d in at.dataframe)  # for us, it is in the pack
    at.session_state["safe_mode"] = True
    at.run()
    shown = " ".join(str(d.value.to_dict()) for d in at.dataframe)
    options = " ".join(str(o) for s in at.selectbox for o in s.options)
    assert "Nordsee spot quote" not in shown + options  # it would say that such an alternative exists
    assert cited_title in shown  # a standard an issue cites is what we show them
