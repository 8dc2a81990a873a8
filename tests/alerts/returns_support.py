"""A money trail whose frozen account holds two victims' money, for the returns tests.

Case A (victim 张三丰) paid ¥10,000 into an ICBC account; bank_a held ¥2,000 there and reported
¥6,000 moved on to an ABC account (a layer-2 stop-payment). Case B (victim 李四海) paid ¥4,000
straight into that ABC account. Case C (victim 王五岳), linked to A's ring by a shared account,
sent no money there. The ABC account is frozen and bank_b holds ¥8,000: the split follows the
money, 6,000 : 4,000 (¥4,800 and ¥3,200), and C gets nothing."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from .pages_support import ABC_ACCOUNT, ICBC_ACCOUNT, PDF, make_case

OTHER_ACCOUNT = "6217000000999988887"  # bank-ccb: case C's own receiving account
PAYER_A = "6222600011112222333"  # the account 张三丰 paid from


def freeze(run, users, case, account=ABC_ACCOUNT, held="8000.00"):
    """The analyst freezes ``account`` on ``case``; bank_b acknowledges and holds ``held``."""
    from alerts.models import Request
    from alerts.services import request_acknowledge, request_complete, request_create

    req = run(request_create, issuer=users["analyst"], kind="freeze", target_kind="account", target_value=account,
              case=case, legal_notice_number="W公冻字〔2026〕7号", term_months=6,
              legal_notice_file=SimpleUploadedFile("n.pdf", PDF, content_type="application/pdf"))
    _deliver(req)
    run(request_acknowledge, request_id=req.pk, actor=users["bank_b"])
    run(request_complete, request_id=req.pk, actor=users["bank_b"], amount_secured=held, balance="9000.00")
    return Request.objects.get(pk=req.pk)


def _deliver(req):
    from alerts.delivery import request_deliver

    request_deliver(request_id=req.pk)  # a no-op when the worker or the eager task did it already


def trail(w):
    """Build the trail through the services; returns (a, b, c, freeze request, proposal)."""
    from alerts.models import Request, ReturnProposal
    from alerts.services import request_acknowledge, request_complete, requests_stop_all

    users = w.users
    a = make_case(w, account=ICBC_ACCOUNT, phone="13800000021", loss="10000.00", paid=("10000.00",), victim="张三丰")
    b = make_case(w, account=ABC_ACCOUNT, phone="13800000022", loss="4000.00", paid=("4000.00",), victim="李四海")
    c = make_case(w, account=OTHER_ACCOUNT, phone="13800000023", loss="5000.00", paid=("5000.00",), victim="王五岳",
                  ring_with=ICBC_ACCOUNT)
    from cases.models import Transaction

    Transaction.objects.filter(case=a).update(payer_account=PAYER_A)  # where A's money goes back to
    (stop_a,) = w.run(requests_stop_all, actor=users["analyst"], case=a)
    w.run(requests_stop_all, actor=users["analyst"], case=b)
    w.run(request_acknowledge, request_id=stop_a.pk, actor=users["bank_a"])
    w.run(request_complete, request_id=stop_a.pk, actor=users["bank_a"], amount_secured="2000.00", balance="2000.00",
          onward_transfers=[{"amount": "6000.00", "transferred_at": timezone.now() - timedelta(minutes=30),
                             "destination_account": ABC_ACCOUNT, "destination_bank": "农业银行"}])
    assert Request.objects.get(case=a, target_value=ABC_ACCOUNT, kind="stop_payment").layer == 2
    frozen = freeze(w.run, users, a)
    return a, b, c, frozen, ReturnProposal.objects.get(request=frozen)


def approve(w, proposal):
    from alerts.services import return_proposal_decide

    return w.run(return_proposal_decide, proposal_id=proposal.pk, actor=w.users["supervisor"], approve=True)


def instalment_of(case, sequence=1):
    from alerts.models import ReturnInstalment

    return ReturnInstalment.objects.select_related("request").get(share__case=case, sequence=sequence).request


def bank_returns(w, req, amount):
    from alerts.services import request_acknowledge, request_complete

    req.refresh_from_db()
    if req.status == "delivered":
        w.run(request_acknowledge, request_id=req.pk, actor=w.users["bank_b"])
    return w.run(request_complete, request_id=req.pk, actor=w.users["bank_b"], amount_secured=amount)


D = Decimal
