"""The Pipeline screen through AppTest: the leader's figures, filters, sorting and the drill-down."""

from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df


def table(at):
    return at.dataframe(key="pipeline_table").value


def big(at):
    return next(m.value for m in at.markdown if m.value.startswith("# "))


def test_the_pipeline_is_the_start_page_with_risk_first(app):
    at = app()
    assert not at.exception
    assert at.subheader[0].value == "Pipeline · every deal, risk first"
    # The live deals: Lena Fischer is signed; Kessler is signed too, but a commitment was missed in its
    # implementation, so it is live and at risk again.
    assert big(at) == "# :red[7 of 11]"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Pipeline value": "9.8M EUR", "Their leverage higher": "8", "Breach or overrun": "4",
                       "Deadlines ≤ 14 days": "4", "Late scope changes": "1"}  # fmt: skip
    rows = table(at)
    assert len(rows) == 11
    kessler = rows.set_index("name").loc["Kessler — die-cast housings should-cost"]
    assert kessler["risk_reasons"] == "overrun awaiting approval · commitment missed"
    assert rows["name"].iloc[0] == "Baltic Freight — 3-year carrier contract"  # a floor breach and an overrun
    assert rows["risk_reasons"].iloc[0] == "floor breach · overrun awaiting approval · they lead clearly"
    assert len(at.get("vega_lite_chart")) == 1


def test_closed_deals_leave_the_live_figures_and_a_filter_brings_them_back(app):
    at = app()
    at.toggle(key="pipeline_closed").set_value(True).run()
    rows = table(at).set_index("name")
    assert len(rows) == 12 and big(at) == "# :red[7 of 12]"  # closed deals are never at risk
    lena = rows.loc["Lena Fischer — staged promotion to principal"]
    assert (lena["status"], lena["stage"], bool(lena["at_risk"])) == ("Signed", "5 Implementation", False)
    kessler = rows.loc["Kessler — die-cast housings should-cost"]  # signed, but a commitment was missed
    assert (kessler["status"], bool(kessler["at_risk"])) == ("Signed", True)


def test_filters_narrow_every_figure(app):
    at = app()
    at.multiselect(key="pipeline_owner").set_value(["Clara Nguyen"]).run()
    assert set(table(at)["owner"]) == {"Clara Nguyen"} and len(table(at)) == 3
    assert big(at) == "# :red[2 of 3]"
    at.toggle(key="pipeline_at_risk").set_value(True).run()
    assert table(at)["name"].tolist() == [
        "Andes Distribución — regional reseller agreement", "Nordlicht Bank — co-marketing programme"
    ]  # fmt: skip
    at.multiselect(key="pipeline_context").set_value(["hiring"]).run()
    assert len(table(at)) == 0 and big(at) == "# :green[0 of 0]"


def test_sorting_covers_the_whole_filtered_set(app):
    at = app()
    at.selectbox(key="pipeline_sort").set_value("Days to deadline").run()
    days = table(at)["days_to_deadline"].tolist()
    assert days == sorted(days) and days[0] == -2  # the Nordlicht brief deadline has passed
    at.toggle(key="pipeline_desc_Days to deadline").set_value(True).run()
    assert table(at)["days_to_deadline"].iloc[0] == 70


def test_the_heat_map_shows_the_riskiest_deals_in_order(app):
    at = app()
    at.toggle(key="pipeline_at_risk").set_value(True).run()
    chart = at.get("vega_lite_chart")[0]
    frames = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]
    cells = next(f for f in frames if "edge" in f.columns)
    assert cells["deal"].nunique() == 7 and cells["source"].nunique() == 7
    baltic = cells[
        (cells["deal"] == "Baltic Freight — 3-year carrier contract") & (cells["source"] == "Time")
    ]
    assert baltic["edge"].iloc[0] == 2 * 0.5 - 4  # our 2 is perceived only, so it counts at half


def test_selecting_a_row_opens_the_deal_on_the_chosen_screen(app):
    at = app()
    at.selectbox(key="pipeline_open_in").set_value("Concessions").run()
    row = table(at)["name"].tolist().index("Northwind — enterprise SaaS annual")
    at.session_state["pipeline_table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.subheader[0].value == "Concessions · Northwind — enterprise SaaS annual"
    assert at.query_params["deal"] == "1"


def test_a_decimal_comma_organisation_reads_the_pipelines_amounts_its_way(app, monkeypatch):
    monkeypatch.setenv("COCKPIT_DECIMAL_COMMA", "1")
    at = app()
    rows = table(at).set_index("name")
    baltic = rows.loc["Baltic Freight — 3-year carrier contract"]
    assert "." in baltic["value"] and "," not in baltic["value"]  # 2.400.000, never 2,400,000 (= 2,4)
    assert baltic["balance"].startswith(("−", "+"))
    monkeypatch.setenv("COCKPIT_DECIMAL_COMMA", "0")
    assert isinstance(table(app()).set_index("name").loc[baltic.name, "value"], float)  # numbers, sortable
