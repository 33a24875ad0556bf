"""The History screen through AppTest: changes made on other screens show with old, new, when and who;
filters narrow them; a shared screen masks the values of private changes."""

from core.privacy import MASK
from core.store import Store
from tests.app.test_concessions import log


def open_history(at):
    at.switch_page("pages/history.py").run()
    assert not at.exception
    return at


def rows(at):
    return at.dataframe[0].value


def test_changes_made_on_the_screens_show_in_the_history(app, monkeypatch):
    monkeypatch.setenv("COCKPIT_USER", "mara.k")
    at = app(deal=1)
    at.switch_page("pages/concessions.py").run()
    at = log(at, item="Logo rights", give="Case study", get="Two-year term", you=-1500.0, them=4000.0)
    at.switch_page("pages/moves.py").run()
    at.button(key="advance_1").click()
    at = open_history(at.run())

    table = rows(at)
    newest = table.head(3)
    assert newest["By"].tolist() == ["mara.k"] * 3
    assert newest[["Kind", "What", "Old", "New"]].values.tolist() == [
        ["Stage", "Deal · Stage", "midgame", "close"],
        ["Concessions", "Concession 'Logo rights' (round 3) · our side", "", "Value to you: -1,500; Value to them: 4,000"],
        ["Concessions", "Concession 'Logo rights' (round 3) logged", "", newest["New"].iloc[2]],
    ]  # fmt: skip
    assert "You give: Case study; You get: Two-year term" in newest["New"].iloc[2]
    assert at.markdown[0].value.startswith("# ") or any(m.value == f"# {len(table)}" for m in at.markdown)
    assert table["What"].iloc[-1] == "Deal imported from a deal file"  # the demo's first entry


def test_filtering_by_kind_and_search(app):
    at = app(deal=1)
    at.switch_page("pages/moves.py").run()
    at.button(key="advance_1").click()
    at = open_history(at.run())
    at.multiselect(key="history_kinds_1").set_value(["stage"]).run()
    assert rows(at)["Kind"].tolist() == ["Stage"]
    at.multiselect(key="history_kinds_1").set_value([]).run()
    at.text_input(key="history_find_1").set_value("imported").run()
    assert rows(at)["What"].tolist() == ["Deal imported from a deal file"]
    assert any(m.value == "# 1" for m in at.markdown)


def test_a_shared_screen_masks_private_changes_and_disables_the_download(app):
    at = app(deal=1)
    at.switch_page("pages/concessions.py").run()
    at = log(at, item="Logo rights", give="Case study", get="Two-year term", you=-1500.0, them=4000.0)
    at.session_state["safe_mode"] = True
    at = open_history(at.run())
    table = rows(at)
    # a change to our side of a line, our alternatives, our scores or the mandate is not even listed
    assert not table["What"].str.endswith("· our side").any()
    assert not table["What"].str.contains("Alternative|Mandate|Leverage|BATNA", regex=True).any()
    logged = table[table["What"] == "Concession 'Logo rights' (round 3) logged"]
    assert logged["New"].tolist() == [MASK]  # that it happened stays readable; its summary is masked
    stage = table[table["What"] == "Deal · Stage"]
    assert stage.empty or MASK not in stage["New"].tolist()  # a public field's change shows
    assert "-1,500" not in table.to_csv() and "4,000" not in table.to_csv()
    assert at.get("download_button")[0].proto.disabled


def test_the_search_of_a_shared_screen_finds_only_what_it_lists(app, db_path):
    from core.models import Alternative

    at = app(deal=1)
    store = Store.open(db_path)
    store.preparation.replace_alternatives(
        1, [*store.preparation.list_alternatives(1), Alternative(description="Nordsee spot", money=2050)]
    )
    store.close()
    at.session_state["safe_mode"] = True
    at = open_history(at.run())
    at.text_input(key="history_find_1").set_value("Nordsee").run()
    assert rows(at).empty  # a private alternative's name is neither listed nor found
    at.session_state["safe_mode"] = False
    at = open_history(at.run())
    at.text_input(key="history_find_1").set_value("Nordsee").run()
    assert len(rows(at)) >= 1  # for us, it is there
