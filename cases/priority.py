"""The computed priority of a case (0-100): loss, the golden hour, ring size, vulnerable victim.

Kept as a pure function of plain values so that intake, the generator and the benchmark give
the same figure.
"""

import math
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

GOLDEN_HOUR_SECONDS = 3600


def priority_compute(
    *,
    loss_amount: Decimal,
    occurred_at: datetime,
    ring_size: int = 1,
    vulnerable: bool = False,
    now: datetime | None = None,
) -> int:
    now = now or timezone.now()
    score = 0.0
    loss = float(loss_amount or 0)
    # 40 points for the loss, on a log scale: 1,000 yuan ~ 13, 100,000 ~ 27, 10,000,000 ~ 40.
    if loss > 0:
        score += min(40.0, 40.0 * math.log10(1 + loss) / 7)
    # Money may still be stopped within the golden hour; a day later it rarely can.
    elapsed = (now - occurred_at).total_seconds()
    if elapsed <= GOLDEN_HOUR_SECONDS:
        score += 30
    elif elapsed <= 24 * 3600:
        score += 15
    elif elapsed <= 72 * 3600:
        score += 5
    if ring_size > 1:
        score += min(20.0, 5 * math.log2(ring_size))
    if vulnerable:
        score += 10
    return max(0, min(100, round(score)))


def is_vulnerable(victims) -> bool:
    """Elderly (60+) or minors are vulnerable victims."""
    for victim in victims:
        age = victim.get("age") if isinstance(victim, dict) else getattr(victim, "age", None)
        if age is not None and (age >= 60 or age < 18):
            return True
    return False
