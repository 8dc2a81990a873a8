"""Numbers the dashboards share: rate base, hot-spot size, default assessment weights."""

from decimal import Decimal

RATE_BASE = 10_000  # cases per 10,000 residents (万人发案率)
HOT_SPOT_COUNT = 10
HOT_SPOT_LEVELS = (4, 5)  # towns/streets and communities/villages
MAX_RANGE_DAYS = 3 * 366
REFRESH_SECONDS = 15.0  # beat interval of the rollup refresh: figures lag at most ~this

# Metric -> default weight. The office edits the current weights; a period keeps a copy.
DEFAULT_WEIGHTS: dict[str, int] = {
    "within_deadline": 40,  # completed within deadline / received
    "ack_in_time": 20,  # acknowledged within the ack deadline / with an ack deadline
    "completion": 20,  # completed / received
    "not_overdue": 10,  # 1 - escalated / received
    "not_rejected": 10,  # 1 - rejected / received
    "dissuasion_in_time": 30,  # dissuasion tasks done in time / dissuasion tasks (stations, communities)
    "solve_rate": 20,  # cases solved or closed / registered (stations)
}
ZERO = Decimal("0")
# Below these bases a relative change says nothing ("▲7350%" over 2 cases): shown as "—" with a note.
MIN_BASE_CASES = 10
MIN_BASE_LOSS = Decimal("10000")  # yuan
LAST_DAYS = 30  # the default period: the last 30 days up to today
