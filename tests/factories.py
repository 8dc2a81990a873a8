"""Test data, written once: W city's demo world (seeded once per session, tests/conftest.py) and
the factory_boy factories every test package builds its cases and requests with.

Cases go through the real intake service (``cases.services.case_create``), so numbering,
linking, rings and priorities are the ones users get; ``CaseRowFactory`` and
``RequestRowFactory`` write bare rows for the tests whose figures depend on exact timestamps
that the services would stamp with "now".
"""

from datetime import timedelta
from decimal import Decimal
from itertools import count

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from agencies.models import Agency, Region, User

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(body17: str) -> str:
    """A valid 18-digit resident ID number (GB 11643 check digit) for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(body17, _WEIGHTS))
    return body17 + "10X98765432"[total % 11]


class DemoWorld:
    """W city's seeded agencies, users, regions and typologies, looked up by code or username."""

    def __init__(self):
        from cases.models import Typology

        self.users = {u.username: u for u in User.objects.select_related("agency", "agency__region")}
        self.agencies = {a.code: a for a in Agency.objects.all()}
        self.regions = {r.code: r for r in Region.objects.all()}
        self.typologies = {t.code: t for t in Typology.objects.all()}


class TypologyFactory(DjangoModelFactory):
    class Meta:
        model = "cases.Typology"
        django_get_or_create = ("code",)

    code = "brushing"
    name = factory.LazyAttribute(lambda o: {"brushing": "刷单返利", "impersonation": "冒充公检法",
                                            "investment": "投资理财"}.get(o.code, o.code))


class VictimFactory(factory.DictFactory):
    """One victim as the intake service takes it (a dict), with a valid ID number."""

    name = factory.Sequence(lambda n: "张三%d" % n)
    id_number = factory.Sequence(lambda n: id_number("3404021980%07d" % n))
    phone = factory.Sequence(lambda n: "139%08d" % n)
    age = 45


_case_numbers = count(1)


class CaseFactory(DjangoModelFactory):
    """A case filed by the demo user ``by`` through ``cases.services.case_create``.

    ``region`` and ``typology`` take a code or an object; ``indicators`` takes dicts or
    ``(kind, value[, role])`` tuples; ``hours_ago`` sets the occurrence time (reported 30 minutes
    later unless ``reported_at`` is given).
    """

    class Meta:
        model = "cases.Case"

    class Params:
        hours_ago = 3

    by = "officer"
    region = "340402001"
    typology = "brushing"
    occurred_at = factory.LazyAttribute(lambda o: timezone.now() - timedelta(hours=o.hours_ago))
    reported_at = factory.LazyAttribute(lambda o: o.occurred_at + timedelta(minutes=30))
    loss_amount = Decimal("5000.00")
    payment_channel = "bank_transfer"
    narrative = "测试"
    victims = factory.LazyFunction(lambda: [VictimFactory()])
    indicators = ()
    transactions = None

    @classmethod
    def _create(cls, model_class, *, by, region, typology, indicators, **fields):
        from cases.services import case_create

        actor = by if isinstance(by, User) else User.objects.select_related("agency").get(username=by)
        if isinstance(region, str):
            region = Region.objects.get(code=region)
        if isinstance(typology, str):
            typology = TypologyFactory(code=typology)
        indicators = [i if isinstance(i, dict) else dict(zip(("kind", "value", "role"), i)) for i in indicators]
        return case_create(actor=actor, reporting_agency=actor.agency, region=region, typology=typology,
                           indicators=indicators, **fields)


class CaseRowFactory(DjangoModelFactory):
    """A bare case row (no victims, indicators or linking) reported at ps-renmin."""

    class Meta:
        model = "cases.Case"

    number = factory.LazyFunction(lambda: "AJ-T-%d" % next(_case_numbers))
    reported_at = factory.LazyFunction(timezone.now)
    occurred_at = factory.LazyFunction(timezone.now)
    reporting_agency = factory.LazyFunction(lambda: Agency.objects.get(code="ps-renmin"))
    region = factory.LazyFunction(lambda: Region.objects.get(code="340402001"))
    typology = factory.SubFactory(TypologyFactory)
    loss_amount = Decimal("10000")


class RequestRowFactory(DjangoModelFactory):
    """A request row with exact timestamps (``created`` overrides the auto_now_add issue time),
    issued by the city centre to an account unless told otherwise."""

    class Meta:
        model = "alerts.Request"

    number = factory.Sequence(lambda n: "RQT%06d" % n)
    issuing_agency = factory.LazyFunction(lambda: Agency.objects.get(code="w-centre"))
    target_kind = "account"
    target_value = factory.Sequence(lambda n: "6222020000%09d" % n)
    created = None

    @classmethod
    def _create(cls, model_class, *args, created, **fields):
        request = super()._create(model_class, *args, **fields)
        if created is not None:  # auto_now_add stamps "now": set the real issue time
            model_class.objects.filter(pk=request.pk).update(created_at=created)
            request.created_at = created
        return request
