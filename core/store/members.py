"""Members, their roles, who is on which deal, and the sponsor's approvals of gives over the mandate.

Every read and write of the store passes through one of the guards below with the acting person
(`Store.acting_as`); `tests/unit/test_store_access.py` checks that no public method is left unguarded.
"""

from __future__ import annotations

import copy
import functools
import inspect
import numbers
from collections.abc import Callable
from datetime import datetime
from typing import Any, Self

import pandas as pd

from ..access import (
    Action,
    Identity,
    Part,
    Person,
    Role,
    email_address,
    may,
    reads_every_deal,
    refusal,
)
from ..audit import Change
from ..formatting import fmt_amount
from ..models import AccessAction, Approval, Deal, Decision, InvalidInput, Member, validate
from .backends import PostgresBackend
from .engine import (
    PARTS_IN_CALL,
    Cursor,
    Engine,
    NotAllowed,
    NotFound,
    UnitOfWork,
    insert,
    now,
    visible_condition,
)
from .repository import Repository

GUARD = "__access__"  # the mark every public store method carries: how it checks the acting person


def _acting(receiver: Members | Repository) -> Members:
    """The store a guarded method acts in: the store itself (members, approvals), or a repository's."""
    return receiver.store if isinstance(receiver, Repository) else receiver


def _marked(kind: str, fn: Callable) -> Callable:
    """Mark `fn` with its guard, and read the acting member's role from the database again before each
    outermost call: a page open for minutes (its live parts, a button, a download built on click) acts
    with the role the member has now, and not at all once they are removed."""

    @functools.wraps(fn)
    def as_they_are_now(self: Members | Repository, *args: Any, **kwargs: Any) -> Any:
        if PARTS_IN_CALL.get() is not None:
            return fn(self, *args, **kwargs)
        token = PARTS_IN_CALL.set({})
        try:
            _acting(self)._read_person_again()
            return fn(self, *args, **kwargs)
        finally:
            PARTS_IN_CALL.reset(token)

    setattr(as_they_are_now, GUARD, kind)
    return as_they_are_now


def _record_id(value: Any, named: str) -> int:
    """What names a record, as an int: an id of any integer type (numpy's from a frame too), or a model
    carrying its id. Anything else is refused in one sentence, before the database is asked."""
    value = getattr(value, "id", value) if not isinstance(value, numbers.Integral) else value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidInput([f"{named.replace('_', ' ').capitalize()}: {value!r} is not a record's id"])
    return int(value)


def _on_first(kind: str, check: Callable[[Members, int], object]) -> Callable[[Callable], Callable]:
    """A guard for methods whose first argument names what is checked: an id, or a model with its id.
    Passed by position or by name; the method receives a plain int where an id was given."""

    def decorate(fn: Callable) -> Callable:
        named = list(inspect.signature(fn).parameters)[1]

        @functools.wraps(fn)
        def guarded(self: Members | Repository, *args: Any, **kwargs: Any) -> Any:
            if args:
                first, rest = args[0], args[1:]
            elif named in kwargs:
                first, rest = kwargs.pop(named), ()
            else:
                raise InvalidInput([f"{named.replace('_', ' ').capitalize()}: missing"])
            record_id = _record_id(first, named)
            check(_acting(self), record_id)
            return fn(self, record_id if isinstance(first, numbers.Integral) else first, *rest, **kwargs)

        return _marked(kind, guarded)

    return decorate


def _allowed(kind: str, action: Action, refused: str) -> Callable[[Callable], Callable]:
    """A guard on the acting person's role alone: an action on no deal."""

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def guarded(self: Members | Repository, *args: Any, **kwargs: Any) -> Any:
            if not may(_acting(self).person, action):
                raise NotAllowed(refused)
            return fn(self, *args, **kwargs)

        return _marked(kind, guarded)

    return decorate


# A deal the acting person must be able to read, or to change (its id, or the deal itself).
reads_deal = _on_first("reads deal", lambda store, deal_id: store._require_read(deal_id))
works_deal = _on_first("works deal", lambda store, deal_id: store._require_work(deal_id))
# The counterparty (its id, or the model) of a deal the acting person may read, or works on.
reads_counterparty = _on_first(
    "reads counterparty", lambda store, cp: store._require_counterparty(cp, work=False)
)
works_counterparty = _on_first(
    "works counterparty", lambda store, cp: store._require_counterparty(cp, work=True)
)
creates_deal = _allowed(
    "creates deal", Action.create_deal, "Your role cannot start deals: ask a leader or an admin."
)
# Members, deal teams, and whole-database operations: admins (and the one local user) only.
manages = _allowed("manages", Action.manage, "Only an admin can manage members and deal teams.")
# The organisation's library: those who start deals add to it (not sponsors, who only approve).
contributes = _allowed(
    "contributes",
    Action.contribute,
    "Your role reads the library; negotiators, leaders and admins add to it.",
)


def filtered(fn: Callable) -> Callable:
    """The method reads many deals and keeps only those the acting person may read (`_visible`)."""
    return _marked("filtered", fn)


def open_to_members(fn: Callable) -> Callable:
    """Reads nothing about any deal (whether the database is empty, one's own membership)."""
    return _marked("open", fn)


# The deals whose gives, as the log's kept totals add them up, are past the mandate: the candidates whose
# lines core.approvals judges (how far over, which line needs whom); their `over` is core.approvals.overrun.
_OVER_MANDATE = """SELECT d.id AS deal_id FROM deal d JOIN concession_totals t ON t.deal_id = d.id
                   WHERE t.gives > d.mandate"""


class Members(Engine):
    # ---- who is acting ---------------------------------------------------------------------------
    def acting_as(self, person: Person) -> Self:
        """This store, bound to `person`: every read is filtered and every write checked for them, and
        the history records them. Shares the connection (and revision) with the store it came from."""
        bound = copy.copy(self)
        bound._person = person
        bound._person_read_at = None
        return bound

    def _read_person_again(self) -> None:
        """The bound member's role as stored now (a leader demoted a minute ago approves nothing more);
        NotAllowed once they are removed. The local user and the unbound store have nobody to re-read."""
        if self._person is None or self._person.local:
            return
        revision = (
            self.revision
        )  # every membership change is a write: unchanged since the last read, so is the role
        if self._person_read_at == revision:
            return
        rows = self.cursor().rows(
            "SELECT role FROM member WHERE email = ? AND removed_at IS NULL", [self._person.email]
        )
        if not rows:
            if not self.cursor().scalar("SELECT count(*) FROM member WHERE removed_at IS NULL"):
                return  # no team yet: the first admin is being added (a team keeps its last admin)
            raise NotAllowed("You are no longer a member of this cockpit: ask an admin to add you again.")
        role = Role(rows[0]["role"])
        if role != self._person.role:
            self._person = Person(self._person.email, role)
        self._person_read_at = revision

    def _parts(self, deal_id: int, cur: Cursor | None = None) -> frozenset[Part]:
        """The acting person's parts in a deal. Inside a transaction (`cur`) read again, since the same
        transaction may have changed them; outside, once per public call until it writes."""
        if self.person.local:  # the one local user may do everything: no need to ask the database
            return frozenset()
        known = PARTS_IN_CALL.get() if cur is None else None
        if known is not None and deal_id in known:
            return known[deal_id]
        rows = (cur or self.cursor()).rows(
            "SELECT part FROM deal_person WHERE deal_id = ? AND email = ?", [deal_id, self.person.email]
        )
        parts = frozenset(Part(r["part"]) for r in rows)
        if known is not None:
            known[deal_id] = parts
        return parts

    def _require_read(self, deal_id: int) -> frozenset[Part]:
        if reads_every_deal(self.person):
            return frozenset()
        parts = self._parts(deal_id)
        if not may(self.person, Action.read, parts):
            raise NotFound(f"There is no deal with id {deal_id}.")  # no hint that it exists
        return parts

    def _require_work(self, deal_id: int) -> None:
        if self.person.local:
            return
        self._require_read(deal_id)  # a deal they may not read is not found, not forbidden
        if not may(self.person, Action.work, self._parts(deal_id)):
            raise NotAllowed(refusal("change it"))

    def _require_counterparty(self, counterparty_id: int, work: bool) -> None:
        if self.person.local:
            return
        deals = [
            r["id"]
            for r in self.cursor().rows("SELECT id FROM deal WHERE counterparty_id = ?", [counterparty_id])
        ]
        if not work and reads_every_deal(self.person):
            return
        for deal_id in deals:
            parts = self._parts(deal_id)
            if may(self.person, Action.work if work else Action.read, parts):
                return
        if work and any(may(self.person, Action.read, self._parts(d)) for d in deals):
            raise NotAllowed(refusal("change its counterparty"))
        raise NotFound(f"There is no counterparty with id {counterparty_id}.")

    def _visible(self, column: str = "d.id") -> tuple[str, list]:
        """A condition on `column` (a deal id) that keeps the deals the acting person may read, and its
        parameters (positional)."""
        return visible_condition(self.person, column)

    def _visible_named(self, column: str = "d.id") -> tuple[str, dict]:
        """The same condition for a statement with named parameters ($who)."""
        if reads_every_deal(self.person):
            return "true", {}
        return f"{column} IN (SELECT deal_id FROM deal_person WHERE email = $who)", {"who": self.person.email}

    @filtered
    def visible_deal_ids(self) -> set[int] | None:
        """The deals the acting person may read; None when they may read every deal."""
        return UnitOfWork(self.cursor(), self.person).readable_deal_ids()

    @manages
    def grant(self, role: str) -> None:
        """On PostgreSQL, let the login `role` use this cockpit as the app servers do (rows only, under the
        row-level policies); run by the tables' owner after the schema is made or changed."""
        if not isinstance(self._backend, PostgresBackend):
            raise InvalidInput(["grant: roles are a PostgreSQL database's; a DuckDB file has none"])
        if not role.strip() or len(role) > 63:
            raise InvalidInput(["Role: a PostgreSQL role name of 1 to 63 characters"])
        self._backend.grant(role.strip())

    # ---- members ---------------------------------------------------------------------------------
    @open_to_members
    def member(self, email: str) -> Member | None:
        """A live member by e-mail (any case), or None."""
        try:
            key = email_address(email)
        except ValueError:
            return None  # not an address, or a look-alike of one: nobody
        rows = self.cursor().rows(
            "SELECT email, role, added_at, added_by, removed_at FROM member "
            "WHERE email = ? AND removed_at IS NULL",
            [key],
        )
        return Member.model_validate(rows[0]) if rows else None

    @open_to_members
    def sign_in(self, identity: Identity) -> Member | None:
        """The live member the provider's identity signs in as, or None. A member is found by the
        provider's issuer and subject once bound; an address finds only a member not yet bound, who is
        bound to this identity there and then. The first person on a database with no members is made
        its admin. NotAllowed when the address is a member bound to another account."""
        # Every page run signs in again: the usual case, a bound member, is a read, not a write (a write
        # moves the revision, and every cached screen of every session would be computed again).
        bound = self.cursor().rows(
            "SELECT email FROM member WHERE issuer = ? AND subject = ? AND removed_at IS NULL",
            [identity.issuer, identity.subject],
        )
        if bound:
            return self.member(bound[0]["email"])
        with self.transaction() as cur:
            cur.serialize("members")
            bound = cur.rows(
                "SELECT email FROM member WHERE issuer = ? AND subject = ? AND removed_at IS NULL",
                [identity.issuer, identity.subject],
            )
            if bound:
                return self.member(bound[0]["email"])
            rows = cur.rows(
                "SELECT issuer, subject FROM member WHERE email = ? AND removed_at IS NULL", [identity.email]
            )
            if rows and rows[0]["subject"] is not None:
                raise NotAllowed(
                    f"{identity.email} is a member who signs in with another account of your company's "
                    "sign-in: use that one, or ask an admin."
                )
            if not rows and cur.scalar("SELECT count(*) FROM member WHERE removed_at IS NULL"):
                return None
            if not rows:
                self._make_first_admin(cur, identity.email)
            cur.change_member("bind", email=identity.email, iss=identity.issuer, sub=identity.subject)
        return self.member(identity.email)

    @open_to_members
    def has_members(self) -> bool:
        return bool(self.cursor().scalar("SELECT count(*) FROM member WHERE removed_at IS NULL"))

    @open_to_members
    def claim_first_admin(self, email: str) -> Member | None:
        """The first person to sign in to a team database with no members becomes its admin (someone
        must be able to add the rest); on a database with members this does nothing and returns None."""
        key = email_address(email)
        with self.transaction() as cur:
            cur.serialize("members")  # who is first, and who is the last admin, hold across servers
            if cur.scalar("SELECT count(*) FROM member WHERE removed_at IS NULL"):
                return None
            self._make_first_admin(cur, key)
        return self.member(key)

    def _make_first_admin(self, cur: Cursor, key: str) -> None:
        cur.change_member("forget", email=key)
        cur.change_member("add", email=key, role=Role.admin.value, at=now(), by=key)
        self.acting_as(Person(key, Role.admin))._audit(
            cur, None, [Change("member", f"Member {key} added (first sign-in)", None, Role.admin.value)]
        )

    @manages
    def list_members(self, include_removed: bool = False) -> list[Member]:
        where = "" if include_removed else "WHERE removed_at IS NULL"
        rows = self.cursor().rows(
            f"SELECT email, role, added_at, added_by, removed_at FROM member {where} ORDER BY email"
        )
        return [Member.model_validate(r) for r in rows]

    @manages
    def add_member(self, email: str, role: Role | str) -> Member:
        """Add a member, change a member's role, or bring back a removed one. The first member of a team
        database is made admin, whatever role was asked: someone must be able to manage the rest."""
        return self._add_member(email, role)

    def _add_member(self, email: str, role: Role | str) -> Member:
        try:
            email = email_address(email)
        except ValueError as exc:
            raise InvalidInput([f"E-mail: {exc}"]) from None
        try:
            role = Role(str(role).strip().lower())
        except ValueError:
            raise InvalidInput([f"Role: '{role}' is not one of {', '.join(r.value for r in Role)}"]) from None
        with self.transaction() as cur:
            cur.serialize("members")  # who is first, and who is the last admin, hold across servers
            if not cur.scalar("SELECT count(*) FROM member WHERE removed_at IS NULL"):
                role = Role.admin
            rows = cur.rows("SELECT role, removed_at FROM member WHERE email = ?", [email])
            at, by = now(), self.person.email
            if not rows:
                cur.change_member("add", email=email, role=role.value, at=at, by=by)
                self._audit(cur, None, [Change("member", f"Member {email} added", None, role.value)])
            else:
                old = rows[0]
                admins = cur.scalar("SELECT count(*) FROM member WHERE role = 'admin' AND removed_at IS NULL")
                if (
                    old["role"] == Role.admin
                    and old["removed_at"] is None
                    and role is not Role.admin
                    and admins == 1
                ):
                    raise InvalidInput([f"Role: {email} is the last admin; make another member admin first"])
                cur.change_member("set_role", email=email, role=role.value, at=at, by=by)
                if old["removed_at"] is not None:
                    self._audit(cur, None, [Change("member", f"Member {email} added back", None, role.value)])
                elif old["role"] != role.value:
                    self._audit(
                        cur, None, [Change("member", f"Member {email} · Role", old["role"], role.value)]
                    )
        return self.member(email)

    @manages
    def remove_member(self, email: str, reassign_to: str | None = None) -> None:
        """Soft: the person can no longer sign in or see any deal; their history stays. A person who owns
        deals leaves them to `reassign_to` (who becomes their owner, in the same transaction): a deal is
        never left without an owner, so removing an owner without naming who takes over is refused."""
        try:
            key = email_address(email)
        except ValueError as exc:
            raise InvalidInput([f"E-mail: {exc}"]) from None
        with self.transaction() as cur:
            cur.serialize("members")  # who is first, and who is the last admin, hold across servers
            if not cur.scalar("SELECT count(*) FROM member WHERE email = ? AND removed_at IS NULL", [key]):
                raise NotFound(f"There is no member {email.strip()[:254]}.")
            admins = cur.scalar("SELECT count(*) FROM member WHERE role = 'admin' AND removed_at IS NULL")
            role = cur.scalar("SELECT role FROM member WHERE email = ?", [key])
            if role == Role.admin and admins == 1:
                raise InvalidInput([f"E-mail: {key} is the last admin; make another member admin first"])
            owned = [r["deal_id"] for r in cur.rows(
                "SELECT deal_id FROM deal_person WHERE email = ? AND part = 'owner' ORDER BY deal_id", [key])]  # fmt: skip
            heir = self._heir(cur, key, reassign_to, len(owned))
            cur.change_member("remove", email=key, at=now())
            deals = [r["deal_id"] for r in cur.rows("SELECT deal_id FROM deal_person WHERE email = ?", [key])]
            cur.execute("DELETE FROM deal_person WHERE email = ?", [key])
            for deal_id in deals:
                self._audit(
                    cur, deal_id, [Change("access", f"{key} taken off the deal (member removed)", None, None)]
                )
            for deal_id in owned:  # the heir owns it now (a teammate or sponsor before, owner from now)
                cur.execute("DELETE FROM deal_person WHERE deal_id = ? AND email = ?", [deal_id, heir])
                insert(
                    cur,
                    "deal_person",
                    ["deal_id", "email", "part", "added_at"],
                    [deal_id, heir, Part.owner.value, now()],
                )
                self._audit(cur, deal_id, [Change("access", f"{heir} on the deal", None, "owner",
                                                  note=f"took over from {key}, who left")])  # fmt: skip
            self._audit(cur, None, [Change("member", f"Member {key} removed", role, None)])

    def _heir(self, cur: Cursor, leaving: str, reassign_to: str | None, owned: int) -> str | None:
        """Who takes over the deals of a member who leaves: a live member other than them, named when they
        own any deal (InvalidInput says how many and what to do otherwise)."""
        if reassign_to is None or not reassign_to.strip():
            if owned:
                raise InvalidInput([f"Reassign to: {leaving} owns {owned} deal{'s' if owned != 1 else ''}; name the "
                                    "member who takes them over (--reassign-to EMAIL)"])  # fmt: skip
            return None
        try:
            heir = email_address(reassign_to)
        except ValueError as exc:
            raise InvalidInput([f"Reassign to: {exc}"]) from None
        if heir == leaving:
            raise InvalidInput(["Reassign to: someone other than the member who leaves"])
        if not cur.scalar("SELECT count(*) FROM member WHERE email = ? AND removed_at IS NULL", [heir]):
            raise InvalidInput([f"Reassign to: {heir} is not a member; add them first"])
        return heir

    @filtered
    def team_history(self) -> pd.DataFrame:
        """Changes to membership, newest first: admins only see it (others get an empty frame)."""
        if not may(self.person, Action.manage):
            return pd.DataFrame(columns=["changed_at", "subject", "old_value", "new_value", "changed_by"])
        return self.cursor().df(
            "SELECT changed_at, subject, old_value, new_value, changed_by FROM deal_event "
            "WHERE deal_id IS NULL ORDER BY changed_at DESC, id DESC"
        )

    # ---- who is on which deal --------------------------------------------------------------------
    @reads_deal
    def deal_people(self, deal_id: int) -> dict[str, Part]:
        """E-mail -> part on this deal (owner, sponsor, team)."""
        rows = self.cursor().rows(
            "SELECT email, part FROM deal_person WHERE deal_id = ? ORDER BY part, email", [deal_id]
        )
        return {r["email"]: Part(r["part"]) for r in rows}

    @manages
    def share_deal(self, deal_id: int, email: str, part: Part | str = Part.team) -> None:
        """Name a member on a deal. A deal has one owner and one sponsor: naming a new owner makes the
        previous one a team member; naming a new sponsor takes the previous one off the deal."""
        try:
            part = Part(str(part))
        except ValueError:
            raise InvalidInput([f"Part: '{part}' is not one of owner, sponsor, team"]) from None
        key = email.strip().lower()
        with self._writing(deal_id) as cur:
            if not cur.scalar("SELECT count(*) FROM member WHERE email = ? AND removed_at IS NULL", [key]):
                raise InvalidInput([f"E-mail: {key[:254]} is not a member; add them first"])
            rows = cur.rows("SELECT part FROM deal_person WHERE deal_id = ? AND email = ?", [deal_id, key])
            old = rows[0]["part"] if rows else None
            if old == part.value:
                return
            changes = []
            if part is not Part.team:
                for r in cur.rows(
                    "SELECT email FROM deal_person WHERE deal_id = ? AND part = ? AND email <> ?",
                    [deal_id, part.value, key],
                ):
                    if part is Part.owner:
                        cur.execute(
                            "UPDATE deal_person SET part = 'team' WHERE deal_id = ? AND email = ?",
                            [deal_id, r["email"]],
                        )
                        changes.append(Change("access", f"{r['email']} on the deal", "owner", "team"))
                    else:
                        cur.execute(
                            "DELETE FROM deal_person WHERE deal_id = ? AND email = ?", [deal_id, r["email"]]
                        )
                        changes.append(Change("access", f"{r['email']} on the deal", "sponsor", None))
            cur.execute("DELETE FROM deal_person WHERE deal_id = ? AND email = ?", [deal_id, key])
            insert(
                cur,
                "deal_person",
                ["deal_id", "email", "part", "added_at"],
                [deal_id, key, part.value, now()],
            )
            changes.append(Change("access", f"{key} on the deal", old, part.value))
            self._audit(cur, deal_id, changes)

    @manages
    def unshare_deal(self, deal_id: int, email: str) -> None:
        key = email.strip().lower()
        with self._writing(deal_id) as cur:
            rows = cur.rows("SELECT part FROM deal_person WHERE deal_id = ? AND email = ?", [deal_id, key])
            if not rows:
                raise NotFound(f"{key[:254]} is not on deal {deal_id}.")
            cur.execute("DELETE FROM deal_person WHERE deal_id = ? AND email = ?", [deal_id, key])
            self._audit(cur, deal_id, [Change("access", f"{key} on the deal", rows[0]["part"], None)])

    # ---- approvals of gives over the mandate -----------------------------------------------------
    @reads_deal
    def list_approvals(self, deal_id: int) -> list[Approval]:
        rows = self.cursor().rows(
            "SELECT id, concession_id, decision, decided_by, decided_at, note, value_to_you, recorded_by "
            "FROM approval WHERE deal_id = ? ORDER BY decided_at, id",
            [deal_id],
        )
        return [Approval.model_validate(r) for r in rows]

    @reads_deal
    def may_change(self, deal_id: int) -> bool:
        """Whether the acting person may change this deal (screens offer its forms only then)."""
        return may(self.person, Action.work, self._parts(deal_id))

    @reads_deal
    def may_decide(self, deal_id: int) -> bool:
        """Whether the acting person may approve gives and move the mandate on this deal."""
        return may(self.person, Action.approve, self._parts(deal_id))

    @reads_deal
    def decide_approval(
        self,
        deal_id: int,
        concession_id: int,
        decision: Decision | str,
        note: str = "",
        decided_by: str | None = None,
        decided_at: datetime | None = None,
    ) -> Approval:
        """Record a decision on a give over the mandate. Signed in, the approver is the acting person
        and the time is now; locally, the negotiator records who said yes and when."""
        with self._writing(deal_id) as cur:
            rows = cur.rows(
                "SELECT value_to_you FROM concession WHERE id = ? AND deal_id = ? AND deleted_at IS NULL",
                [concession_id, deal_id],
            )
            if not rows:
                raise NotFound(f"Concession line {concession_id} is not a live line of this deal.")
            hands = cur.rows("SELECT logged_by, changed_by FROM concession WHERE id = ?", [concession_id])[0]
            parts = self._parts(deal_id, cur)
            if not may(self.person, Action.approve, parts, (hands["logged_by"], hands["changed_by"])):
                if not self.person.local and self.person.email == hands["logged_by"]:
                    raise NotAllowed("You logged this line: another person (its sponsor) must approve it.")
                if not self.person.local and self.person.email == hands["changed_by"]:
                    raise NotAllowed(
                        "You last changed this line: another person (its sponsor) must approve it."
                    )
                raise NotAllowed(refusal("approve its gives"))
            if self.person.local:
                by, at = (decided_by or "").strip(), decided_at or now()
                if at > now():
                    raise InvalidInput(["When: the approval cannot be in the future"])
            else:
                by, at = self.person.email, now()
            approval = validate(
                Approval,
                {"concession_id": concession_id, "decision": decision, "decided_by": by, "decided_at": at,
                 "note": note.strip(), "value_to_you": rows[0]["value_to_you"], "recorded_by": self.person.email},
            )  # fmt: skip
            new_id = cur.next_id("approval")
            insert(
                cur, "approval",
                ["id", "deal_id", "concession_id", "decision", "decided_by", "decided_at", "note", "value_to_you",
                 "recorded_by", "recorded_at"],
                [new_id, deal_id, concession_id, approval.decision.value, approval.decided_by, approval.decided_at,
                 approval.note, approval.value_to_you, approval.recorded_by, now()],
            )  # fmt: skip
            item = cur.scalar("SELECT item FROM concession WHERE id = ?", [concession_id])
            self._audit(
                cur, deal_id,
                [Change("approval", f"Give over the mandate '{item}'", "pending",
                        f"{approval.decision.value} by {approval.decided_by} at {approval.decided_at:%Y-%m-%d %H:%M}",
                        private=True, note=approval.note)],
            )  # fmt: skip
            return approval.model_copy(update={"id": new_id})

    @reads_deal
    def set_mandate(self, deal_id: int, mandate: float, note: str = "") -> None:
        """The sponsor (or a leader) moves the mandate, recorded with its reason: the only way it moves."""
        if not may(self.person, Action.set_mandate, self._parts(deal_id)):
            raise NotAllowed(refusal("change its mandate"))
        if not note.strip():
            raise InvalidInput(["Why: say why the mandate moves; the history keeps it beside the change"])
        rows = self.cursor().rows("SELECT name, context, owner FROM deal WHERE id = ?", [deal_id])
        if rows:  # the mandate read as the deal form reads it: a finite amount from 0
            validate(Deal, {**rows[0], "mandate": mandate})
        with self._writing(deal_id) as cur:
            old = cur.scalar("SELECT mandate FROM deal WHERE id = ?", [deal_id])
            if old is None:
                raise NotFound(f"There is no deal with id {deal_id}.")
            cur.execute("UPDATE deal SET mandate = ? WHERE id = ?", [mandate, deal_id])
            self._audit(
                cur, deal_id,
                [Change("deal", "Deal · Mandate", fmt_amount(old), fmt_amount(mandate), private=True, note=note)],
            )  # fmt: skip

    @filtered
    def overrun_lines(self) -> tuple[pd.DataFrame, list[Approval]]:
        """The live lines of every deal the acting person may read whose gives are over its mandate and that
        has a sponsor's decision, and those decisions: core.approvals.overrun_by_deal splits each overrun into
        approved and open. A deal over its mandate with no decision at all is all open, which the pipeline's
        own aggregate already says, so its lines are not read (at 10,000 deals that was most of the time)."""
        visible, args = self._visible()
        lines = self.cursor().df(
            f"""WITH over AS ({_OVER_MANDATE}
                      AND {visible} AND EXISTS (SELECT 1 FROM approval ap WHERE ap.deal_id = d.id))
                SELECT c.id, c.deal_id, c.value_to_you, c.logged_at, d.mandate
                FROM concession c JOIN deal d ON d.id = c.deal_id JOIN over o ON o.deal_id = c.deal_id
                WHERE c.deleted_at IS NULL ORDER BY c.deal_id, c.logged_at, c.id""",
            args,
        )
        ids = sorted({int(i) for i in lines["deal_id"]}) if len(lines) else []
        if not ids:
            return lines, []
        rows = self.cursor().rows(
            "SELECT id, concession_id, decision, decided_by, decided_at, note, value_to_you, recorded_by "
            f"FROM approval WHERE deal_id IN ({', '.join('?' * len(ids))})",
            ids,
        )
        return lines, [Approval.model_validate(r) for r in rows]

    @filtered
    def approval_queue(self) -> tuple[pd.DataFrame, list[Approval]]:
        """What the acting person may decide: the live lines of every deal whose gives are over its mandate,
        among the deals they may approve on (sponsored, or every deal for a leader), and the decisions
        already made on them. The rules of what is pending are in core.approvals."""
        if self.person.local or self.person.role is Role.leader:
            where, args = "true", []
        else:
            where = "c.deal_id IN (SELECT deal_id FROM deal_person WHERE email = ? AND part = 'sponsor')"
            args = [self.person.email]
        lines = self.cursor().df(
            f"""WITH over AS ({_OVER_MANDATE})
                SELECT c.id, c.deal_id, c.item, c.value_to_you, c.logged_at, c.logged_by, c.changed_by, d.mandate,
                       d.name AS deal_name
                FROM concession c JOIN deal d ON d.id = c.deal_id JOIN over o ON o.deal_id = c.deal_id
                WHERE c.deleted_at IS NULL AND {where}
                ORDER BY c.deal_id, c.logged_at, c.id""",
            args,
        )
        ids = sorted({int(i) for i in lines["deal_id"]}) if len(lines) else []
        if not ids:
            return lines, []
        rows = self.cursor().rows(
            "SELECT id, concession_id, decision, decided_by, decided_at, note, value_to_you, recorded_by "
            f"FROM approval WHERE deal_id IN ({', '.join('?' * len(ids))})",
            ids,
        )
        return lines, [Approval.model_validate(r) for r in rows]

    # ---- who saw or took what ---------------------------------------------------------------------
    @open_to_members
    def record_access(self, action: AccessAction | str, what: str, deal_id: int | None = None) -> None:
        """Add to the access log: the acting person signed in, downloaded or exported `what` (of deal
        `deal_id`, or of many), backed up or restored the database. Its own transaction, never changed."""
        try:
            action = AccessAction(str(action))
        except ValueError:
            raise InvalidInput(
                [f"Action: '{action}' is not one of {', '.join(a.value for a in AccessAction)}"]
            ) from None
        with self.transaction(changes_screens=False) as cur:
            insert(cur, "access_event", ["id", "happened_at", "person", "action", "deal_id", "what"],
                   [cur.next_id("access_event"), now(), self.person.email, action.value,
                    None if deal_id is None else int(deal_id), str(what)[:500]])  # fmt: skip

    @manages
    def access_log(self, person: str | None = None, deal_id: int | None = None, since: datetime | None = None,
                   limit: int | None = None) -> pd.DataFrame:  # fmt: skip
        """The access log, newest first (admins): when, who, what they did, which deal, what it was."""
        where: list[str] = ["true"]
        args: list[Any] = []
        if person:
            where.append("a.person = ?")
            args.append(person.strip().casefold())
        if deal_id is not None:
            where.append("a.deal_id = ?")
            args.append(int(deal_id))
        if since is not None:
            where.append("a.happened_at >= ?")
            args.append(since)
        frame = self.cursor().df(
            "SELECT a.happened_at, a.person, a.action, a.deal_id, d.name AS deal, a.what FROM access_event a "
            f"LEFT JOIN deal d ON d.id = a.deal_id WHERE {' AND '.join(where)} ORDER BY a.happened_at DESC, a.id DESC"
            + ("" if limit is None else f" LIMIT {int(limit)}"),
            args,
        )
        return frame.astype({"deal_id": "Int64"})

    @manages
    def last_sign_ins(self) -> dict[str, datetime]:
        """Each member's last sign-in (those who never signed in are missing)."""
        rows = self.cursor().rows(
            "SELECT person, max(happened_at) AS at FROM access_event WHERE action = 'signed_in' GROUP BY person"
        )
        return {r["person"]: r["at"] for r in rows}
