"""Demo requests in several states (idempotent: keyed by a note marker)."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from agencies.models import Region, User

from .choices import RequestKind, TargetKind
from .models import Request

MARK = "[demo]"


def seed_requests() -> str:
    if Request.objects.filter(note__startswith=MARK).exists():
        return "already seeded"
    from cases.models import Case

    from .delivery import request_deliver
    from .services import (
        request_acknowledge,
        request_complete,
        request_create,
        request_reject,
    )

    analyst = User.objects.get(username="analyst")
    bank_a = User.objects.get(username="bank_a")
    carrier_a = User.objects.get(username="carrier_a")
    cases = list(Case.objects.order_by("pk")[:3])
    case = cases[0] if cases else None
    region = Region.objects.filter(code="340402001001").first()
    made = []
    with transaction.atomic():
        specs = [
            (RequestKind.STOP_PAYMENT, TargetKind.ACCOUNT, "6222020200112233445", Decimal("52000.00")),
            (RequestKind.STOP_PAYMENT, TargetKind.ACCOUNT, "6222021234567890123", Decimal("18000.00")),
            (RequestKind.STOP_PAYMENT, TargetKind.ACCOUNT, "6228480011223344556", Decimal("9000.00")),
            (RequestKind.NUMBER_BLOCK, TargetKind.PHONE, "13912345678", Decimal("0")),
            (RequestKind.TAKEDOWN, TargetKind.URL, "https://fake-shop.example.xyz/pay", Decimal("0")),
        ]
        for kind, tkind, value, amount in specs:
            made.append(request_create(issuer=analyst, kind=kind, target_kind=tkind, target_value=value, case=case,
                                       amount=amount, note=MARK + " 演示数据"))
        if region is not None:
            made.append(request_create(issuer=analyst, kind=RequestKind.DISSUASION, target_kind=TargetKind.PERSON,
                                       target_value="", person_name="王阿姨", person_phone="13800001111",
                                       person_region=region, note=MARK + " 演示劝阻"))
    for req in made:
        request_deliver(request_id=req.pk)  # eager in the embedded default; idempotent otherwise
    request_acknowledge(request_id=made[0].pk, actor=bank_a)
    request_complete(request_id=made[0].pk, actor=bank_a, amount_secured=Decimal("31000.00"), balance=Decimal("31000.00"),
                     onward_transfers=[{"amount": "21000.00", "transferred_at": timezone.now().isoformat(),
                                        "destination_account": "6228481122334455667", "destination_bank": "农业银行"}])
    request_acknowledge(request_id=made[1].pk, actor=bank_a)
    carrier_req = Request.objects.get(pk=made[3].pk)
    if carrier_req.target_agency_id == carrier_a.agency_id:
        request_reject(request_id=carrier_req.pk, actor=carrier_a, reason="号码已销户")
    return "%d requests" % len(made)
