"""Data helpers for the request pages' tests: cases through the real intake service (so the
case page has indicators), requests through the real services (routing runs eagerly)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tests.factories import CaseFactory, id_number  # noqa: F401 (id_number: re-exported)

ICBC_ACCOUNT = "6222020200112233445"  # routes to bank-icbc (bank_a) by its card prefix
ABC_ACCOUNT = "6228480000111122223"  # routes to bank-abc (bank_b)
CMCC_PHONE = "13812345678"  # routes to tel-cmcc (carrier_a), then tel-cucc / tel-ctcc
VICTIM_NAME = "王受害"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_case(w, *, account=ICBC_ACCOUNT, phone=CMCC_PHONE, loss="8000.00", ring_with=None, victim=VICTIM_NAME,
              paid=("5000.00", "2500.00")):
    """A case reported at ps-renmin with an account and a phone indicator (and one victim), and
    the victim's payments ``paid`` into the account (¥7,500 of the ¥8,000 loss by default)."""
    occurred = timezone.now() - timedelta(hours=2)
    indicators = [("account", account), ("phone", phone)] + ([("account", ring_with)] if ring_with else [])
    with w.capture(execute=True):
        return CaseFactory(
            by=w.users["officer"], occurred_at=occurred, reported_at=occurred + timedelta(minutes=20),
            loss_amount=Decimal(loss), narrative="测试案情", indicators=indicators,
            victims=[{"name": victim, "id_number": id_number("34040219800101001"), "phone": "13900001111"}],
            transactions=[{"occurred_at": occurred + timedelta(minutes=i), "amount": Decimal(amount),
                           "payee_account": account, "payee_institution": "工商银行", "reference": "TX%03d" % i}
                          for i, amount in enumerate(paid)],
        )


def issue(w, case=None, *, kind="stop_payment", target_kind="account", target=ICBC_ACCOUNT, user="analyst", **extra):
    """Issue a request through the service; routing and delivery run eagerly on commit."""
    from alerts.services import request_create

    req = w.run(request_create, issuer=w.users[user], kind=kind, target_kind=target_kind, target_value=target,
                case=case, amount=Decimal("8000.00"), **extra)
    req.refresh_from_db()
    return req


def login(client, w, username):
    client.force_login(w.users[username])
    return client
