"""Numbers the dashboards share: rate base, hot-spot size, default assessment weights."""

from decimal import Decimal

RATE_BASE = 10_000  # cases per 10,000 residents (万人发案率)
HOT_SPOT_COUNT = 10
HOT_SPOT_LEVELS = (4, 5)  # towns/streets and communities/villages
MAX_RANGE_DAYS = 3 * 366
REFRESH_SECONDS = 15.0  # beat interval of the rollup refresh: figures lag at most ~this

# Indicator -> default weight. The office edits them; each period stores its own copy. Which
# indicators apply to which kind of member: assessment.KIND_INDICATORS.
DEFAULT_WEIGHTS: dict[str, int] = {
    "ack_in_time": 15,  # acknowledged within the ack deadline / with an ack deadline
    "within_deadline": 30,  # completed within deadline / received
    "money_held": 20,  # money held / money asked for (stop-payments and freezes: banks, payment institutions)
    "dissuasion_reach": 15,  # people reached (dissuaded or already paid) / dissuasion tasks done
    "dissuasion_success": 15,  # dissuaded / people reached
    "publicity_coverage": 10,  # people reached by logged outreach / residents of the area (capped at 100%)
    "not_overdue": 15,  # 1 - (escalated, or still open past the deadline) / received
}
ZERO = Decimal("0")
# Below these bases a relative change says nothing ("▲7350%" over 2 cases): shown as "—" with a note.
MIN_BASE_CASES = 10
MIN_BASE_LOSS = Decimal("10000")  # yuan
LAST_DAYS = 30  # the default period: the last 30 days up to today
# Who may answer for a listed area's rectification: the police station or the community (village
# committee) of that area. (The member list has no township government kind yet.)
RESPONSIBLE_KINDS = ("station", "community")
