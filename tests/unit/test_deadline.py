from datetime import date

import pytest

from core.deadline import countdown, days_left

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("deadline", "days", "said"),
    [(date(2026, 12, 16), 21, "21 days"), (date(2026, 11, 26), 1, "1 day"), (TODAY, 0, "today"),
     (date(2026, 11, 23), -2, "2 days ago"), (None, None, "none")],
)  # fmt: skip
def test_the_countdown_to_the_deadline(deadline, days, said):
    assert days_left(deadline, TODAY) == days and countdown(deadline, TODAY) == said
