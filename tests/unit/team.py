"""The team the access tests sign in as, on the curated demo (twelve deals)."""

from core.access import Person, Role

ANA = Person("ana@example.com", Role.negotiator)  # owns deal 1
JONAS = Person("jonas@example.com", Role.negotiator)  # on the team of deal 12
SAM = Person("sam@example.com", Role.sponsor)  # sponsors deal 1
LEA = Person("lea@example.com", Role.leader)
ADA = Person("ada@example.com", Role.admin)
NOBODY = Person("carol@example.com", Role.negotiator)  # a member named on no deal
