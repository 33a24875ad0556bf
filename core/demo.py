"""Demo data: the curated pipeline in data/demo, and a synthetic generator for scale work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from .models import SIDE_BY_CONTEXT, Context, DealFile, DealSide, LibraryItem, PowerSource, Review, Stage
from .store import PROJECT_ROOT, Store, now

CURATED_DIR = PROJECT_ROOT / "data" / "demo"


def curated_deals(today: date | None = None, folder: Path = CURATED_DIR) -> list[DealFile]:
    """The curated deals, with every date moved so the set's anchor day is `today`.

    Shifting keeps deadlines ahead of whoever opens the demo, whatever the calendar says.
    """
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    shift = (today or date.today()) - date.fromisoformat(manifest["anchor"])
    files = []
    for name in manifest["deals"]:
        f = DealFile.model_validate_json((folder / name).read_text(encoding="utf-8"))
        files.append(_shift_dates(f, shift))
    return files


def _shift_dates(f: DealFile, shift: timedelta) -> DealFile:
    if not shift:
        return f
    deal = f.deal.model_copy(update={"deadline": f.deal.deadline + shift if f.deal.deadline else None})
    evidence = [e.model_copy(update={"date": e.date + shift}) for e in f.evidence]
    assessments = [a.model_copy(update={"assessed_at": a.assessed_at + shift}) for a in f.assessments]
    concessions = [c.model_copy(update={"logged_at": c.logged_at + shift}) for c in f.concessions]
    text = f.single_text
    if text is not None:
        text = text.model_copy(update={
            "edit_until": text.edit_until + shift if text.edit_until else None,
            "versions": [v.model_copy(update={"saved_at": v.saved_at + shift}) for v in text.versions]})  # fmt: skip
    commitments = [c.model_copy(update={"due": c.due + shift if c.due else None}) for c in f.commitments]
    steps = [s.model_copy(update={"taken_at": s.taken_at + shift}) for s in f.escalation_steps]
    return f.model_copy(update={"deal": deal, "evidence": evidence, "assessments": assessments,
                                "concessions": concessions, "single_text": text, "commitments": commitments,
                                "escalation_steps": steps})  # fmt: skip


LIBRARY_FILE = PROJECT_ROOT / "data" / "library.json"
REVIEWS_FILE = CURATED_DIR / "reviews.json"


def library_items(today: date | None = None, path: Path = LIBRARY_FILE) -> list[LibraryItem]:
    """The demo library: at least 25 items across the four kinds, dated by their age at `today`."""
    today = today or date.today()
    raw = json.loads(path.read_text(encoding="utf-8"))["items"]
    return [
        LibraryItem.model_validate({**{k: v for k, v in i.items() if k not in ("age_days", "used_in")},
                                    "date": today - timedelta(days=i["age_days"])})
        for i in raw
    ]  # fmt: skip


def curated_reviews(store: Store, deal_ids: list[int], path: Path = REVIEWS_FILE) -> dict[int, Review]:
    """The reviews of the curated deals that have closed, with issue and evidence names resolved to the
    ids these deals got on import."""
    by_name = {store.deals.get_deal(d).name: d for d in deal_ids}
    out = {}
    for r in json.loads(path.read_text(encoding="utf-8"))["reviews"]:
        deal_id = by_name[r["deal"]]
        issues = {i.name: i.id for i in store.preparation.list_issues(deal_id)}
        evidence = {e.title: e.id for e in store.preparation.list_evidence(deal_id)}
        data = {k: v for k, v in r.items() if k not in ("deal", "final_values", "persuasive")}
        out[deal_id] = Review.model_validate({
            **data,
            "final_values": [{"issue_id": issues[n], "value": v} for n, v in r["final_values"].items()],
            "persuasive_evidence_ids": [evidence[t] for t in r["persuasive"]],
        })  # fmt: skip
    return out


def load_curated(store: Store, today: date | None = None) -> list[int]:
    """Add the curated pipeline, the reviews of its closed deals and (on a library still empty) the demo
    library; returns the new deal ids."""
    ids = store.deal_files.import_deals(curated_deals(today))
    for deal_id, review in curated_reviews(store, ids).items():
        store.reviews.save_review(deal_id, review)
    if not store.reviews.list_library():
        item_ids = store.reviews.add_library_items(library_items(today))
        by_title = {store.deals.get_deal(d).name: d for d in ids}
        raw = json.loads(LIBRARY_FILE.read_text(encoding="utf-8"))["items"]
        for item_id, item in zip(item_ids, raw, strict=True):
            for use in item.get("used_in", []):  # the deals whose evidence came from this item
                deal_id = by_title[use["deal"]]
                evidence = {e.title: e.id for e in store.preparation.list_evidence(deal_id)}
                store.reviews.link_library_item(deal_id, item_id, evidence[use["evidence"]])
    return ids


def ensure_demo(store: Store) -> bool:
    """Fill an empty database with the curated pipeline (first start). True when it did."""
    with store.exclusive("first-start demo"):  # two servers starting on one new database: one loads it
        if not store.deals.is_empty():
            return False
        load_curated(store)
        return True


# ---- synthetic pipelines ----------------------------------------------------------------------

_PREFIXES = [
    "Aurora",
    "Borealis",
    "Cobalt",
    "Delta",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Onyx",
    "Pioneer",
    "Quartz",
    "Riverside",
    "Summit",
    "Tundra",
]
_NOUNS = [
    "Logistics",
    "Health",
    "Retail",
    "Energy",
    "Foods",
    "Bank",
    "Robotics",
    "Media",
    "Pharma",
    "Telecom",
    "Motors",
    "Insurance",
    "Analytics",
    "Textiles",
    "Aerospace",
]
_SUFFIXES = ["GmbH", "Ltd", "S.A.", "Inc.", "AB", "B.V.", "SpA", "Group"]
_SUBJECTS = {
    "sales": ["platform renewal", "enterprise licence", "analytics add-on", "managed service"],
    "partnership": ["co-marketing", "reseller agreement", "co-branding", "integration partnership"],
    "procurement": ["component supply", "freight contract", "hardware refresh", "facility services"],
    "hiring": ["senior offer", "staged promotion", "retention package", "team lead offer"],
}
_OWNERS = [
    "Ana Ruiz",
    "Jonas Weber",
    "Clara Nguyen",
    "Marco Bianchi",
    "Priya Shah",
    "Lea Moreau",
    "Tariq Aziz",
    "Sofia Lind",
    "Kenji Mori",
    "Olga Petrova",
    "David Cohen",
    "Emma Brown",
]
_REASONS = [
    "Fiscal-year close",
    "Award date in the RFP",
    "Capacity for the Q1 rollout",
    "Budget cadence: Q2 release",
    "Board meeting",
    "",
]  # an empty reason is a deadline with no documented constraint
_ITEMS = [
    ("Price", "Discount on list", "Multi-year term"),
    ("Payment terms", "Net 60", "Case study"),
    ("Scope", "Extra module", "Reference call"),
    ("Support", "Premium support tier", "Earlier signature"),
    ("Pilot", "Free pilot", "Pilot credited to year one"),
    ("Training", "Onsite training", "Volume commitment"),
    ("Delivery", "Faster delivery", "Forecast sharing"),
    ("Warranty", "Longer warranty", "Price indexation"),
]
_EVIDENCE = [("benchmark", "Price benchmark", "Industry survey"), ("capacity", "Capacity plan", "Delivery PMO"),
             ("cost_driver", "Cost model", "Finance")]  # fmt: skip


SYNTHETIC_PART = 6_000  # deals built and written at a time: a 100,000-deal load keeps one part in memory
# (a multiple of three, so a counterparty for every three deals adds up the same in parts as whole)


def synthetic_parts(
    store: Store, deals: int, concessions_per_deal: int = 50, seed: int = 7, part: int = SYNTHETIC_PART
) -> Iterator[dict[str, pd.DataFrame]]:
    """Whole tables for a random but valid pipeline, `part` deals at a time, built with numpy so 10,000
    deals take seconds.

    Ids continue from what the store already holds, so a synthetic load can sit beside real deals; they
    are read here, and each part's follow the one before, so the parts may be written one by one. The builders draw from one generator in a fixed
    order: the same seed gives the same pipeline.
    """
    rng = np.random.default_rng(seed)
    ids = store.queries.next_ids()
    today, stamp = date.today(), now()

    def parts() -> Iterator[dict[str, pd.DataFrame]]:
        named = 0  # counterparties named so far: their names stay distinct across parts
        for start in range(0, deals, part):
            n = min(part, deals - start)
            counterparty, stakeholder = _counterparties(rng, ids, n, named)
            deal, evidence, alternative, issue, sell_side = _deals(rng, ids, n, counterparty, today, stamp)
            power_assessment, power_score = _assessments(rng, ids, deal["id"], evidence["id"], stamp)
            concession = _concessions(rng, ids, deal, concessions_per_deal, stamp)
            meso_bundle, meso_term = _bundles(ids, deal, issue, sell_side)
            frames = {
                "counterparty": counterparty, "stakeholder": stakeholder, "evidence": evidence, "deal": deal,
                "alternative": alternative, "issue": issue, "power_assessment": power_assessment,
                "power_score": power_score, "concession": concession, "meso_bundle": meso_bundle,
                "meso_term": meso_term,
            }  # fmt: skip
            for table, frame in frames.items():  # the next part's ids follow this one's
                if table in ids and not frame.empty:
                    ids[table] = int(frame["id"].max()) + 1
            named += len(counterparty)
            yield frames

    return parts()


def synthetic_frames(
    store: Store, deals: int, concessions_per_deal: int = 50, seed: int = 7
) -> dict[str, pd.DataFrame]:
    """The same pipeline as `synthetic_parts`, as one frame per table."""
    parts = list(synthetic_parts(store, deals, concessions_per_deal, seed))
    if not parts:
        return {}
    return {table: pd.concat([p[table] for p in parts], ignore_index=True) for table in parts[0]}


def _where(linked: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The ids where `linked`, else None: a reference that is sometimes there."""
    return np.where(linked, ids.astype(object), np.full(len(ids), None))


def _counterparties(
    rng: np.random.Generator, ids: dict[str, int], n: int, named: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A counterparty for about every three deals, each with two stakeholders."""
    n_cp = max(1, n // 3)
    cp_id = ids["counterparty"] + np.arange(n_cp)
    cp_names = [
        f"{_PREFIXES[a]} {_NOUNS[b]} {_SUFFIXES[c]} {k:05d}"
        for k, (a, b, c) in enumerate(  # numbered on from the parts before
            zip(
                rng.integers(0, len(_PREFIXES), n_cp),
                rng.integers(0, len(_NOUNS), n_cp),
                rng.integers(0, len(_SUFFIXES), n_cp),
                strict=True,
            ),
            start=named,
        )
    ]
    counterparty = pd.DataFrame(
        {
            "id": cp_id,
            "name": cp_names,
            "relationship": rng.choice(["one_off", "repeated"], n_cp, p=[0.4, 0.6]),
            "communication_style": rng.choice(["direct", "indirect"], n_cp, p=[0.75, 0.25]),
            "notes": "",
        }
    )
    stakeholder = pd.DataFrame(
        {
            "id": ids["stakeholder"] + np.arange(2 * n_cp),
            "counterparty_id": np.repeat(cp_id, 2),
            "position": np.tile([0, 1], n_cp),
            "name": np.tile(["Economic buyer", "Champion"], n_cp),
            "role": np.tile(["CFO", "Program lead"], n_cp),
            "decision_rights": np.tile(["Signs", "Scope"], n_cp),
            "veto": np.tile([True, False], n_cp),
            "status_concerns": "",
        }
    )
    return counterparty, stakeholder


def _deals(
    rng: np.random.Generator,
    ids: dict[str, int],
    n: int,
    counterparty: pd.DataFrame,
    today: date,
    stamp: datetime,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, np.ndarray]:
    """The deals with their evidence (three each), their alternative and their three issues; and which
    deals we sell in (the side decides each issue's direction and where the bundles hold the floor)."""
    cp_id = counterparty["id"].to_numpy()
    deal_id = ids["deal"] + np.arange(n)
    contexts = rng.choice([c.value for c in Context], n)
    stages = rng.choice([s.value for s in Stage], n)
    deal_cp = rng.choice(cp_id, n)
    cp_name_of = dict(zip(cp_id, counterparty["name"], strict=True))
    subjects = [_SUBJECTS[c][k] for c, k in zip(contexts, rng.integers(0, 4, n), strict=True)]
    value = np.round(np.exp(rng.normal(12.2, 0.9, n)), -3) + 5000
    sides = np.array([SIDE_BY_CONTEXT[Context(c)].value for c in contexts])  # as a deal made on a screen
    sell_side = sides == DealSide.sell.value  # we want the price high
    price_res = np.where(sell_side, value * rng.uniform(0.8, 0.95, n), value * rng.uniform(1.05, 1.2, n))
    their_wa = np.where(sell_side, value * rng.uniform(0.75, 1.0, n), value * rng.uniform(1.0, 1.25, n))
    their_t = np.where(sell_side, their_wa * rng.uniform(0.8, 1.0, n), their_wa * rng.uniform(1.0, 1.2, n))

    ev_id = ids["evidence"] + np.arange(3 * n)
    evidence = pd.DataFrame(
        {
            "id": ev_id,
            "deal_id": np.repeat(deal_id, 3),
            "position": np.tile([0, 1, 2], n),
            "kind": np.tile([e[0] for e in _EVIDENCE], n),
            "title": np.tile([e[1] for e in _EVIDENCE], n),
            "source": np.tile([e[2] for e in _EVIDENCE], n),
            "date": np.repeat([today - timedelta(days=int(d)) for d in rng.integers(1, 400, n)], 3),
            "internal": np.tile([False, True, True], n),
            "note": "",
        }
    )
    has_deadline = rng.random(n) < 0.9
    deal = pd.DataFrame(
        {
            "id": deal_id,
            "name": [
                f"{cp_name_of[c].rsplit(' ', 1)[0]} — {s}" for c, s in zip(deal_cp, subjects, strict=True)
            ],
            "context": contexts,
            "side": sides,
            "stage": stages,
            "counterparty_id": deal_cp,
            "value": value,
            "currency": "EUR",
            "owner": rng.choice(_OWNERS, n),
            "deadline": [
                today + timedelta(days=int(d)) if h else None
                for d, h in zip(rng.integers(-10, 120, n), has_deadline, strict=True)
            ],
            "deadline_reason": rng.choice(_REASONS, n),
            "deadline_evidence_id": _where(rng.random(n) < 0.5, ev_id[1::3]),
            "mandate": np.round(value * rng.uniform(0.03, 0.1, n), -2),
            "pressured_issue_id": ids["issue"] + 3 * np.arange(n),
            "notes": "",
            "created_at": stamp,
        }
    )
    alternative = pd.DataFrame(
        {
            "id": ids["alternative"] + np.arange(n),
            "deal_id": deal_id,
            "position": 0,
            "description": "Next-best counterparty",
            "money": np.round(value * rng.uniform(0.5, 1.0, n), -2),
            "time_days": rng.integers(7, 180, n),
            "risk": rng.integers(1, 6, n),
            "political_cost": rng.integers(1, 6, n),
            "evidence_id": _where(rng.random(n) < 0.6, ev_id[0::3]),
        }
    )
    # Three issues per deal: price (the pressured one), payment days (ceiling), term in years (floor).
    issue = pd.DataFrame(
        {
            "id": ids["issue"] + np.arange(3 * n),
            "deal_id": np.repeat(deal_id, 3),
            "position": np.tile([0, 1, 2], n),
            "name": np.tile(["Price", "Payment terms", "Term"], n),
            "unit": np.tile(["EUR", "days", "years"], n),
            "direction": np.column_stack(
                [np.where(sell_side, "floor", "ceiling"), np.full(n, "ceiling"), np.full(n, "floor")]
            ).ravel(),
            "target": np.column_stack([value, np.full(n, 30.0), np.full(n, 3.0)]).ravel(),
            "reservation": np.column_stack(
                [np.round(price_res, -2), np.full(n, 60.0), np.full(n, 1.0)]
            ).ravel(),
            "their_target": np.column_stack(
                [np.round(their_t, -2), np.full(n, 90.0), np.full(n, 1.0)]
            ).ravel(),
            "their_walk_away": np.column_stack(
                [np.round(their_wa, -2), np.full(n, 45.0), np.full(n, 2.0)]
            ).ravel(),
            "confidence": rng.choice(["low", "medium", "high"], 3 * n),
            "estimate_source": "",
            "priority": np.tile([5, 3, 2], n),
            "tradeable": np.tile([False, True, True], n),
            "evidence_id": np.column_stack(
                [_where(rng.random(n) < 0.7, ev_id[0::3]), np.full(n, None), np.full(n, None)]
            ).ravel(),
        }
    )
    return deal, evidence, alternative, issue, sell_side


def _assessments(
    rng: np.random.Generator, ids: dict[str, int], deal_id: pd.Series, evidence_id: pd.Series, stamp: datetime
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One power assessment per deal, seven sources a side, about half of them evidenced."""
    n = len(deal_id)
    ev_id = evidence_id.to_numpy()
    power_assessment = pd.DataFrame(
        {
            "id": ids["power_assessment"] + np.arange(n),
            "deal_id": deal_id.to_numpy(),
            "assessed_at": [stamp - timedelta(days=int(d)) for d in rng.integers(0, 30, n)],
            "assessed_by": "synthetic",
        }
    )
    k = len(PowerSource) * 2
    evidenced = rng.random(n * k) < 0.45
    power_score = pd.DataFrame(
        {
            "assessment_id": np.repeat(power_assessment["id"].to_numpy(), k),
            "source": np.tile(np.repeat([s.value for s in PowerSource], 2), n),
            "side": np.tile(["us", "them"], n * 7),
            "score": rng.integers(0, 6, n * k),
            "evidence_id": _where(evidenced, np.repeat(ev_id[0::3], k)),
            "note": "",
        }
    )
    return power_assessment, power_score


def _concessions(
    rng: np.random.Generator, ids: dict[str, int], deal: pd.DataFrame, m: int, stamp: datetime
) -> pd.DataFrame:
    """`m` lines per deal, about 15 % of them one-way, five to a round, logged a second apart."""
    if not m:
        return pd.DataFrame()
    n = len(deal)
    total = n * m
    pick = rng.integers(0, len(_ITEMS), total)
    one_way = rng.random(total) < 0.15
    size = np.repeat(deal["value"].to_numpy(), m) * rng.uniform(0.001, 0.02, total)
    return pd.DataFrame(
        {
            "id": ids["concession"] + np.arange(total),
            "deal_id": np.repeat(deal["id"].to_numpy(), m),
            "item": np.array([i[0] for i in _ITEMS])[pick],
            "you_give": np.array([i[1] for i in _ITEMS])[pick],
            "you_get": np.where(one_way, "", np.array([i[2] for i in _ITEMS])[pick]),
            "value_to_you": np.round(np.where(one_way, -size, size * rng.uniform(-1.0, 0.6, total)), 2),
            "value_to_them": np.round(size * rng.uniform(0.5, 1.5, total), 2),
            "trigger": np.where(rng.random(total) < 0.3, "Only with a signed order", ""),
            "round": np.tile(np.arange(m) // 5 + 1, n),
            "issue_id": None,
            "new_position": None,
            "final_offer": False,
            "logged_at": np.repeat(np.datetime64(stamp, "us"), total)
            - (total - np.arange(total)).astype("timedelta64[s]"),
            "deleted_at": None,
        }
    )


def _bundles(
    ids: dict[str, int], deal: pd.DataFrame, issue: pd.DataFrame, sell_side: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three MESO bundles per deal in round 1: every one holds the price floor (or ceiling); they differ
    on payment days and term."""
    n = len(deal)
    value = deal["value"].to_numpy()
    price_res = issue["reservation"].to_numpy()[0::3]
    bundle_id = ids["meso_bundle"] + np.arange(3 * n)
    meso_bundle = pd.DataFrame(
        {
            "id": bundle_id,
            "deal_id": np.repeat(deal["id"].to_numpy(), 3),
            "round": 1,
            "position": np.tile([0, 1, 2], n),
            "name": np.tile(["Price-led", "Term-led", "Payment-led"], n),
            "deleted_at": None,
        }
    )
    price_hold = np.where(sell_side, np.maximum(price_res, value * 0.95), np.minimum(price_res, value * 1.05))
    terms = np.empty((n, 3, 3))
    terms[:, :, 0] = np.round(price_hold, -2)[:, None]
    terms[:, :, 1] = [30.0, 45.0, 60.0]
    terms[:, :, 2] = [1.0, 3.0, 2.0]
    meso_term = pd.DataFrame(
        {
            "bundle_id": np.repeat(bundle_id, 3),
            "issue_id": np.repeat(issue["id"].to_numpy().reshape(n, 1, 3), 3, axis=1).ravel(),
            "value": terms.ravel(),
        }
    )
    return meso_bundle, meso_term


def load_synthetic(
    store: Store, deals: int, concessions_per_deal: int = 50, seed: int = 7, part: int = SYNTHETIC_PART
) -> dict[str, int]:
    """Generate and bulk-insert a synthetic pipeline a part at a time, each part in one transaction with
    the facts kept for its deals, so memory stays flat however many deals (100,000 deals and 5 million
    lines under 1 GB); returns rows per table."""
    counts: dict[str, int] = {}
    for frames in synthetic_parts(store, deals, concessions_per_deal, seed, part):
        for table, rows in store.queries.bulk_insert(frames).items():
            counts[table] = counts.get(table, 0) + rows
    return counts
