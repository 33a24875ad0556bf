"""Hostile and malformed input, generated: every model and both importers answer with clean validation
messages, never a crash, and a refused import writes nothing."""

import json
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from core.cli import main
from core.csvio import REQUIRED_COLUMNS, parse_concessions
from core.dealfiles import read_deal_file
from core.models import (
    Alternative,
    Concession,
    Counterparty,
    Deal,
    DealFile,
    Evidence,
    InvalidInput,
    Issue,
    MesoBundle,
    MesoPick,
    PowerAssessment,
    Stakeholder,
    describe_errors,
)
from core.store import Store

MODELS = [
    Deal,
    Counterparty,
    Stakeholder,
    Evidence,
    Alternative,
    Issue,
    Concession,
    MesoBundle,
    MesoPick,
    PowerAssessment,
]
HOSTILE = [
    "'; DROP TABLE deal; --",
    "<script>alert(1)</script>",
    '=HYPERLINK("x")',
    "\x00",
    "𝔘𝔫𝔦",
    "",
    " ",
    "1e309",
]
anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.sampled_from(HOSTILE),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def fields_of(model):
    return st.dictionaries(st.sampled_from([*model.model_fields, "unknown"]), anything, max_size=8)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@given(data=st.data())
def test_every_model_accepts_or_names_what_is_wrong(model, data):
    raw = data.draw(fields_of(model))
    try:
        model.model_validate(raw)
    except ValidationError as exc:
        problems = describe_errors(exc)
        assert problems and all(isinstance(p, str) and ":" in p for p in problems)


def valid_file() -> dict:
    store = Store.memory()
    from core.demo import load_curated

    load_curated(store)
    data = json.loads(store.deal_files.export_deal(1).model_dump_json())
    store.close()
    return data


VALID = valid_file()


@st.composite
def mutated_deal_files(draw):
    """A real deal file with one part replaced by something hostile or wrong."""
    data = json.loads(json.dumps(VALID))
    section = draw(
        st.sampled_from(["deal", "counterparty", "issues", "concessions", "evidence", "alternatives"])
    )
    target = data[section]
    if isinstance(target, list) and target:
        target = target[draw(st.integers(0, len(target) - 1))]
    if isinstance(target, dict):
        key = draw(st.sampled_from([*target, "unknown"]))
        target[key] = draw(anything)
    else:
        data[section] = draw(anything)
    return json.dumps(data)


@given(text=mutated_deal_files() | st.text(max_size=200).map(str) | st.binary(max_size=200).map(repr))
def test_the_deal_file_reader_accepts_or_names_the_problems(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("deal") / "deal.json"
    path.write_text(text, encoding="utf-8")
    try:
        assert isinstance(read_deal_file(path), DealFile)
    except InvalidInput as exc:
        assert exc.problems and all(str(path) in p for p in exc.problems)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=mutated_deal_files())
def test_a_refused_deal_import_writes_nothing(tmp_path, monkeypatch, capsys, text):
    db = tmp_path / "fuzz.duckdb"
    monkeypatch.setenv("COCKPIT_DB", str(db))
    monkeypatch.setenv("COCKPIT_WAIT", "0")
    Store.open(db).close()
    before = Store.open(db)
    counts = before.queries.table_counts()
    before.close()
    path = tmp_path / "deal.json"
    path.write_text(text, encoding="utf-8")
    code = main(["import-deal", str(path)])
    after = Store.open(db)
    try:
        if code != 0:
            assert code == 2 and after.queries.table_counts() == counts
            assert "nothing was changed" in capsys.readouterr().err
        else:
            assert after.queries.table_counts()["deal"] == counts["deal"] + 1
    finally:
        after.close()


cells = st.text(max_size=30) | st.sampled_from(HOSTILE) | st.floats().map(str) | st.integers().map(str)


@st.composite
def concession_files(draw):
    header = list(REQUIRED_COLUMNS) + draw(st.lists(st.sampled_from(["Round", "Linked issue", "Final offer",
                                                                     "New position", "Extra"]), max_size=3, unique=True))  # fmt: skip
    if draw(st.booleans()):
        header = draw(st.permutations(header))[: draw(st.integers(1, len(header)))]
    rows = draw(st.lists(st.lists(cells, min_size=len(header), max_size=len(header)), max_size=5))

    def quote(v):
        return '"' + str(v).replace('"', '""') + '"'

    lines = [",".join(map(quote, header))] + [",".join(map(quote, r)) for r in rows]
    return "\r\n".join(lines).encode("utf-8")


@given(data=concession_files() | st.binary(max_size=300))
def test_the_concession_importer_accepts_or_names_rows_and_columns(data):
    try:
        items = parse_concessions(data, {"Annual price": 1}, datetime(2026, 11, 25))
        assert all(isinstance(c, Concession) for c in items)
    except InvalidInput as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        assert len(exc.problems) <= 21


def test_hostile_text_is_stored_literally(store):
    deal_id = store.deals.create_deal(
        Deal(name=HOSTILE[0], context="sales", owner=HOSTILE[1], notes=HOSTILE[2]),
        Counterparty(name=HOSTILE[1]),
    )
    deal = store.deals.get_deal(deal_id)
    assert (deal.name, deal.owner, deal.notes) == (HOSTILE[0], HOSTILE[1], HOSTILE[2])
    assert store.deals.list_deals()["name"].tolist() == [HOSTILE[0]]  # and the deal table is still there
