"""When the annual run happens and which census year it is for.

The province's review closes on 14 December (issue 5: the department's operating calendar);
the flow runs for that year on 20 December and again on 15 January for corrections. Both
runs are for the census year whose review closed most recently, so the year is computed when
the run starts, in Vietnam's time zone, rather than fixed in a schedule (a fixed year would
be wrong the next year, and the January run falls in the next calendar year).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from config import REVIEW_CLOSES  # (month, day): the review of year Y closes on 14 December Y

TIME_ZONE = "Asia/Ho_Chi_Minh"

# slug -> (cron in TIME_ZONE, what the run is for). 06:00 local, before office hours.
SCHEDULES = {
    "december-review": ("0 6 20 12 *", "the census year just closed (20 December)"),
    "january-corrections": ("0 6 15 1 *", "corrections to the previous year's census (15 January)"),
}


def closed_census_year(today: date) -> int:
    """The census year whose review closed most recently on `today` (a local date):
    20 Dec 2025 -> 2025, 15 Jan 2026 -> 2025, 14 Dec 2025 -> 2024 (closes that evening)."""
    return today.year if (today.month, today.day) > REVIEW_CLOSES else today.year - 1


def local_today() -> date:
    return datetime.now(ZoneInfo(TIME_ZONE)).date()
