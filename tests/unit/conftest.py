import pytest

from tests.unit.team import ADA, ANA, JONAS, LEA, NOBODY, SAM


@pytest.fixture
def team(demo_store):
    """The curated demo with members: Ana owns deal 1, Sam sponsors it, Jonas is on deal 12."""
    admin = demo_store.acting_as(ADA)
    for person in (ADA, ANA, JONAS, SAM, LEA, NOBODY):
        admin.add_member(person.email, person.role)
    admin.share_deal(1, ANA.email, "owner")
    admin.share_deal(1, SAM.email, "sponsor")
    admin.share_deal(12, JONAS.email, "team")
    return demo_store
