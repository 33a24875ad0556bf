"""The History screen through AppTest: changes made on other screens show with old, new, when and who;
filters narrow them; a shared screen masks the values of private changes."""

from core.privacy import MASK
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
    value_rows = table[table["What"].str.endswith("· our side")]
    assert value_rows["New"].tolist() == [MASK]
    logged = table[table["What"] == "Concession 'Logo rights' (round 3) logged"]
    assert logged["New"].tolist() == [MASK]  # that it happened stays readable; its summary is masked
    stage = table[table["What"] == "Deal · Stage"]
    assert stage.empty or MASK not in stage["New"].tolist()  # a public field's change shows
    assert "-1,500" not in table.to_csv() and "4,000" not in table.to_csv()
    assert at.get("download_button")[0].proto.disabled
