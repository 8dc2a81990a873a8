"""Synthetic cases for demos and the benchmark: rings of varied size sharing indicators.

``plan_cases`` yields plain dicts (the same shape ``case_create`` takes). ``write_via_services``
feeds them through the real intake; ``write_bulk`` COPYs them into PostgreSQL and builds the
rings with an in-memory union-find over the same links, skipping benign and suspect
indicators exactly as the incremental path does (cases.linking).
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from agencies.choices import AgencyKind, RegionLevel
from agencies.models import Agency, Region

from .choices import IndicatorRole, PaymentChannel
from .models import BenignIndicator, Typology

# Shares of cases per typology (DOMAIN.md: online scams over 75%, brushing the largest).
TYPOLOGY_WEIGHTS = {
    "brushing": 24, "online-shopping": 10, "fake-loan": 12, "impersonate-police": 8, "refund": 11,
    "investment": 13, "game-trading": 5, "romance": 7, "impersonate-acquaintance": 7, "flight-rebooking": 3,
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
MAX_INDICATOR_USES = 150  # keep generated traces under the suspect threshold


def _id_number(rng: random.Random, age: int, now) -> str:
    from .normalize import _ID_CHECK, _ID_WEIGHTS

    birth = now.date() - timedelta(days=age * 365 + rng.randint(0, 364))
    body = "340402" + birth.strftime("%Y%m%d") + f"{rng.randint(0, 999):03d}"
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS))
    return body + _ID_CHECK[total % 11]


def _ring_sizes(rng: random.Random, n: int):
    """Heavy-tailed ring sizes: many lone cases, a few rings of hundreds."""
    left = n
    while left > 0:
        r = rng.random()
        size = 1 if r < 0.45 else min(500, int(2 + rng.paretovariate(1.1) * 2))
        size = min(size, left)
        left -= size
        yield size


class _Pool:
    def __init__(self, rng, ring_no):
        self.rng, self.ring_no, self.items, self.uses = rng, ring_no, [], []

    def fresh(self):
        rng, k = self.rng, self.rng.random()
        if k < 0.4:
            item = ("phone", "1" + rng.choice("3578") + f"{rng.randint(0, 999_999_999):09d}", IndicatorRole.CALLING_NUMBER)
        elif k < 0.8:
            prefix = rng.choice(["622202", "622848", "621700", "622588", "623059"])
            item = ("account", prefix + f"{rng.randint(0, 10**13 - 1):013d}", IndicatorRole.RECEIVING_ACCOUNT_L1)
        elif k < 0.92:
            item = ("url", f"r{self.ring_no}x{rng.randint(0, 99999)}.{rng.choice(['top', 'xyz', 'cc', 'vip'])}/login", IndicatorRole.PHISHING_URL)
        else:
            item = ("social", f"wxid_{self.ring_no}_{rng.randint(0, 10**8)}", IndicatorRole.SOCIAL_ACCOUNT)
        self.items.append(item)
        self.uses.append(0)
        return len(self.items) - 1

    def pick_shared(self):
        choices = [i for i, u in enumerate(self.uses) if u < MAX_INDICATOR_USES]
        return self.rng.choice(choices) if choices else self.fresh()


def plan_cases(n: int, *, seed: int = 7, regions: list[int], typologies: dict[str, int], days: int = 365, benign: list[tuple] = ()):
    """Yield ``n`` case dicts. Cases in one ring share indicators; the ring stays connected."""
    rng = random.Random(seed)
    now = timezone.now()
    codes = [c for c in TYPOLOGY_WEIGHTS if c in typologies] or list(typologies)
    weights = [TYPOLOGY_WEIGHTS.get(c, 1) for c in codes]
    ring_no = 0
    for size in _ring_sizes(rng, n):
        ring_no += 1
        pool = _Pool(rng, ring_no)
        typology = rng.choices(codes, weights)[0]
        start = now - timedelta(days=rng.uniform(0, days))
        for k in range(size):
            picks = set()
            if k == 0 or not pool.items:
                picks.add(pool.fresh())
            else:
                picks.add(pool.pick_shared())  # ties it to an earlier case: one component
            for _ in range(rng.choice([1, 2, 2, 3])):
                picks.add(pool.fresh() if rng.random() < 0.5 else pool.pick_shared())
            if len(picks) < 3 and rng.random() < 0.8:
                picks.add(pool.fresh())
            for p in picks:
                pool.uses[p] += 1
            indicators = [{"kind": pool.items[p][0], "value": pool.items[p][1], "role": pool.items[p][2]} for p in sorted(picks)]
            if benign and rng.random() < 0.03:
                kind, value = rng.choice(benign)
                indicators.append({"kind": kind, "value": value, "role": IndicatorRole.CONTACT_NUMBER})
            occurred = min(now, start + timedelta(hours=rng.uniform(0, 24 * 30)))
            age = rng.choice([rng.randint(18, 59), rng.randint(60, 85), rng.randint(16, 22)])
            yield {
                "region_id": rng.choice(regions),
                "typology": typology,
                "occurred_at": occurred,
                "reported_at": min(now, occurred + timedelta(minutes=rng.uniform(5, 60 * 48))),
                "loss_amount": Decimal(rng.choice([rng.randint(200, 5000), rng.randint(5000, 80000), rng.randint(80000, 2_000_000)])),
                "payment_channel": rng.choice(PaymentChannel.values),
                "victims": [{
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
                    "id_number": _id_number(rng, age, now), "phone": "1" + rng.choice("3589") + f"{rng.randint(0, 999_999_999):09d}",
                    "age": age, "gender": rng.choice("MF"),
                }],
                "indicators": indicators,
            }


def context():
    """Regions, typologies and a reporting police agency per region for the generator."""
    regions = list(Region.objects.filter(level__gte=RegionLevel.TOWN).order_by("code"))
    police = list(Agency.objects.filter(kind__in=[AgencyKind.POLICE_STATION, AgencyKind.ANTI_FRAUD_CENTRE]).select_related("region"))
    reporter = {}
    for region in regions:
        best = [a for a in police if a.region_id and region.path.startswith(a.region.path)]
        best.sort(key=lambda a: len(a.region.path), reverse=True)
        if best:
            reporter[region.pk] = best[0]
    regions = [r for r in regions if r.pk in reporter]
    typologies = {t.code: t for t in Typology.objects.all()}
    benign = list(BenignIndicator.objects.filter(kind="phone").values_list("kind", "value"))
    return regions, reporter, typologies, benign


def demo_transactions(data: dict) -> list[dict]:
    """The victim's payments of a planned case: its loss split evenly over its receiving
    accounts, a few minutes apart (none when it has no account), summing to the loss."""
    accounts = [i["value"] for i in data["indicators"] if i["kind"] == "account"]
    if not accounts or data["loss_amount"] <= 0:
        return []
    share = (data["loss_amount"] / len(accounts)).quantize(Decimal("0.01"))
    amounts = [share] * (len(accounts) - 1) + [data["loss_amount"] - share * (len(accounts) - 1)]
    return [{"occurred_at": data["occurred_at"] + timedelta(minutes=3 * k), "amount": amount, "payee_account": account,
             "reference": "DEMO%s%02d" % (data["occurred_at"].strftime("%m%d%H%M%S"), k), "channel": "bank_transfer"}
            for k, (account, amount) in enumerate(zip(accounts, amounts))]


def write_via_services(n: int, *, seed: int = 7, actor=None) -> int:
    from .services import case_create

    regions, reporter, typologies, benign = context()
    region_by_id = {r.pk: r for r in regions}
    count = 0
    for data in plan_cases(n, seed=seed, regions=list(region_by_id), typologies=typologies, benign=benign):
        region = region_by_id[data["region_id"]]
        case_create(
            actor=actor, reporting_agency=reporter[region.pk], region=region, typology=typologies[data["typology"]],
            occurred_at=data["occurred_at"], reported_at=data["reported_at"], loss_amount=data["loss_amount"],
            payment_channel=data["payment_channel"], victims=data["victims"], indicators=data["indicators"],
            transactions=demo_transactions(data), system=actor is None,  # the demo/bench generator files for every station, as the platform
        )
        count += 1
    return count
