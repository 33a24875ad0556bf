"""Screen-share safety is decided once, from the models: every private field is marked, and the rules that
quote private figures offer a shareable version."""

from datetime import date, datetime

import pytest

from core.concessions import review_log
from core.leverage import warnings
from core.meso import check_set
from core.models import (
    Alternative,
    Clause,
    Commitment,
    Concession,
    Counterparty,
    Deal,
    EscalationStep,
    Evidence,
    Issue,
    MesoBundle,
    MesoPick,
    MesoTerm,
    Model,
    PowerAssessment,
    PowerScore,
    Review,
    SingleText,
    Stakeholder,
    TextVersion,
)
from core.moves import fill_templates
from core.privacy import (
    MASK,
    Private,
    is_private,
    private_fields,
    private_values,
    public_fields,
    shareable,
    shown,
)
from tests.conftest import TODAY

# What a shared screen may show, model by model: the deal's name and stage, the issues, the offers and
# bundles we have put on the table, what was given and got without values. Nothing else.
PUBLIC = {
    Deal: {"name", "context", "stage", "currency", "decimal_comma", "side", "owner", "deadline"},
    Counterparty: {"name"},
    Stakeholder: set(),  # the counterparty map is our analysis
    Issue: {"name", "unit", "direction"},
    Concession: {"item", "you_give", "you_get", "trigger", "round", "issue_id", "new_position", "final_offer",
                 "logged_at"},
    Alternative: set(),
    Evidence: {"kind", "title", "source", "date"},  # when not internal
    MesoBundle: {"name", "round", "terms"},
    MesoTerm: {"issue_id", "value"},
    MesoPick: set(),
    PowerScore: set(),
    PowerAssessment: set(),
    Review: {"outcome"},  # how it ended, not what we think of it
    # The single text is shared with the other side by nature; why we let a late change in is ours.
    Clause: {"number", "kind", "title", "wording", "issue_id", "position", "source", "metric", "verification",
             "status"},
    TextVersion: {"number", "saved_at", "saved_by", "late", "clauses"},
    SingleText: {"edit_until", "versions"},
    # The plan is agreed with the other side; our notes on it and on each escalation are not.
    Commitment: {"clause_number", "what", "side", "owner", "due", "metric", "target", "verification", "status"},
    EscalationStep: {"kind", "taken_at"},
}  # fmt: skip


@pytest.mark.parametrize("model", list(PUBLIC), ids=lambda m: m.__name__)
def test_only_the_fields_marked_public_may_show(model):
    assert public_fields(model) == PUBLIC[model]
    assert (
        private_fields(model)
        == set(model.model_fields) - {"id", "deal_id", "counterparty_id"} - PUBLIC[model]
    )


def test_a_field_added_without_a_mark_is_private():
    from typing import Annotated

    from core.models import PUBLIC as PUBLIC_MARK

    class Later(Model):
        name: Annotated[str, PUBLIC_MARK]
        our_new_estimate: float = 0.0

    assert private_fields(Later) == {"our_new_estimate"} and public_fields(Later) == {"name"}


def test_every_model_with_a_public_field_is_listed():
    import core.models as models

    every = {
        m for m in vars(models).values() if isinstance(m, type) and issubclass(m, Model) and m is not Model
    }
    unlisted = {m.__name__ for m in every - set(PUBLIC) if public_fields(m)}
    assert unlisted == set()  # a model that gains a public mark must be listed here on purpose


def test_records_private_as_a_whole():
    open_ = Evidence(title="Index", source="Eurostat", date=date(2026, 1, 1))
    internal = open_.model_copy(update={"internal": True})
    batna = Alternative(description="Stay with Beta")
    assert (is_private(open_), is_private(internal), is_private(batna)) == (False, True, True)
    assert shareable([open_, internal, batna]) == [open_]


def test_private_pieces_of_text_are_masked_only_when_shared():
    assert shown(Private("110,000 EUR"), safe=True) == MASK
    assert shown(Private("110,000 EUR"), safe=False) == "110,000 EUR"
    assert shown("Annual price", safe=True) == "Annual price"


def test_concession_flags_that_quote_the_floor_or_mandate_are_not_shareable():
    price = Issue(id=1, name="Price", target=120000, reservation=110000)
    log = [
        Concession(id=1, item="Discount", you_give="5 %", value_to_you=-6000, issue_id=1, new_position=105000,
                   logged_at=datetime(2026, 11, 1)),
        Concession(id=2, item="Workshop", you_give="2 days", value_to_you=-5000, logged_at=datetime(2026, 11, 2)),
    ]  # fmt: skip
    review = review_log(log, [price], mandate=8000)
    everything = " ".join(f for flags in review.lines["flags"] for f in flags)
    shared = " ".join(f for flags in review.lines["shareable_flags"] for f in flags)
    assert "110,000" in everything and "over the mandate by 3,000" in everything
    assert "110,000" not in shared and "mandate" not in shared
    assert "one-way: you gave 2 days" in shared
    assert len(review.flagged(shareable=True)) == 2  # both lines are one-way


def test_templates_mask_the_floor_and_batna_when_shared(demo_store):
    deal = demo_store.deals.get_deal(1)
    templates = fill_templates(
        deal, demo_store.preparation.list_issues(1), demo_store.preparation.list_evidence(1), demo_store.preparation.list_alternatives(1),
        demo_store.concessions.list_concessions(1), demo_store.deals.list_stakeholders(deal.counterparty_id), TODAY,
    )  # fmt: skip
    assert "110,000 EUR" in templates[0].text
    assert "110,000" not in templates[0].shown(safe=True) and MASK in templates[0].shown(safe=True)
    batna = demo_store.preparation.list_alternatives(1)[0].description
    assert batna in templates[2].text and batna not in templates[2].shown(safe=True)


def test_warnings_and_meso_findings_that_quote_private_figures_say_so(demo_store):
    deal = demo_store.deals.get_deal(1)
    cp = demo_store.deals.get_counterparty(deal.counterparty_id)
    unquantified = [Alternative(description="Walk to the waiting Helios project")]
    found = warnings(deal, cp, None, unquantified, demo_store.preparation.list_issues(1))
    bluff = [w for w in found if w.code == "bluff_guard"]
    assert bluff and all(w.private for w in bluff)
    assert all(not w.private for w in found if w.code in ("face_saving", "fake_urgency"))

    price = Issue(id=1, name="Price", target=120000, reservation=110000)
    low = MesoBundle(name="Low", round=1, terms=[MesoTerm(issue_id=1, value=100000)])
    finding = next(f for f in check_set([low], [price], pressured_issue_id=1) if f.code == "floor")
    assert "110,000" in finding.message and finding.private
    assert "110,000" not in finding.shareable and "floor" in finding.shareable


def test_private_values_of_a_demo_deal(demo_store):
    values = private_values(demo_store.deal_files.export_deal(1))
    assert "12,000" in values["Deal"]  # the mandate
    assert {"110,000"} <= values["Issue"]  # the floor on annual price
    assert "13,500" in values["Balance"]
    assert "95,000" in values["Alternative"]
    assert all(v for group in values.values() for v in group)


def test_power_scores_are_our_assessment_and_private_as_a_whole():
    a = PowerAssessment(
        assessed_at=datetime(2026, 1, 1), scores=[PowerScore(source="time", side="us", score=3)]
    )
    assert is_private(a) and is_private(a.scores[0])
