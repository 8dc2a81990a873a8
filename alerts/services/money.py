"""Writes that follow the money: "stop all" on a case, a bank's answer that adds up, and the
next layer's stop-payment for each onward transfer.

The complaint is a list of the victim's transactions (cases.Transaction). "Stop all" puts one
hold on each receiving account for the sum of the transactions that reached it; the bank answers
with what it held, the balance, an outcome and where the rest went; each onward transfer becomes
the next layer's hold at the bank its account routes to, for that amount. Two transfers into one
account make one request with both amounts; a transfer back into an account already upstream of
it (a loop) makes none.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.policy import RequestDraft, authorize

from ..choices import (
    DISPOSITIONS,
    OPEN_STATUSES,
    BlockOutcome,
    MoneyOutcome,
    RequestKind,
    TakedownOutcome,
    TargetKind,
    choice_label,
)
from ..models import OnwardTransfer, Request
from .requests import RequestConflict, RequestForbidden, request_create, request_moves_record

ZERO = Decimal("0.00")
MONEY_KINDS = (RequestKind.STOP_PAYMENT, RequestKind.FREEZE)
NOTHING_HELD = (MoneyOutcome.WITHDRAWN_CASH, MoneyOutcome.ACCOUNT_CLOSED, MoneyOutcome.NOT_OUR_ACCOUNT)


def _yuan(amount: Decimal) -> str:
    return "¥{:,.2f}".format(amount)


# ---------------------------------------------------------------- the bank's answer


def money_result_check(*, req: Request, held: Decimal, balance: Decimal | None, onward: list[Decimal],
                       disposition: str, over_amount_reason: str) -> str:
    """The outcome of a stop-payment or freeze answer, checked to add up; raises a
    ValidationError keyed by field (``amount_secured``, ``over_amount_reason``,
    ``disposition``) with every problem at once, in the user's language.

    - held at most the balance;
    - held plus moved on at most the amount requested, unless the clerk gives a reason (other
      victims' money may sit in the same account);
    - the outcome agrees with the amounts (nothing held when the money was withdrawn in cash,
      the account is closed or not the bank's; something held when "held" or "partly held").
    A blank outcome is derived from the amounts.
    """
    errors: dict[str, list[str]] = {}
    moved = sum(onward, ZERO)
    if balance is not None and held > balance:
        errors.setdefault("amount_secured", []).append(
            _("止付金额 %(held)s 不能大于账户余额 %(balance)s。") % {"held": _yuan(held), "balance": _yuan(balance)})
    # A request without an amount (a freeze whose notice covers the balance) has nothing to exceed.
    if req.amount > 0 and held + moved > req.amount and not (over_amount_reason or "").strip():
        errors.setdefault("over_amount_reason", []).append(
            _("止付金额与转出金额合计 %(total)s，超过请求金额 %(amount)s。如该账户另有其他受害人资金，请确认并填写理由。")
            % {"total": _yuan(held + moved), "amount": _yuan(req.amount)})
    if not disposition:
        if held > 0:
            disposition = MoneyOutcome.HELD if held + moved >= req.amount and not moved else MoneyOutcome.PARTLY_HELD
        elif moved > 0:
            disposition = MoneyOutcome.PARTLY_HELD if held else ""
    if disposition and disposition not in MoneyOutcome.values:
        errors.setdefault("disposition", []).append(_("请选择有效的办理结论。"))
    elif disposition in NOTHING_HELD and held > 0:
        errors.setdefault("disposition", []).append(
            _("办理结论为“%(outcome)s”时，止付金额应为 0。") % {"outcome": choice_label(MoneyOutcome, disposition)})
    elif disposition in (MoneyOutcome.HELD, MoneyOutcome.PARTLY_HELD) and held <= 0:
        errors.setdefault("disposition", []).append(
            _("办理结论为“%(outcome)s”时，请填写止付金额。") % {"outcome": choice_label(MoneyOutcome, disposition)})
    if errors:
        raise ValidationError(errors)
    return disposition


def disposition_check(*, req: Request, disposition: str, ported_to: str, refusal_reason: str) -> tuple[str, dict]:
    """A carrier's or platform's structured answer: (disposition, what to keep in ``result``).
    Blank is allowed through the API (an agency system that sends none); the form asks."""
    choices = DISPOSITIONS.get(req.kind)
    if not disposition or choices is None:
        return "", {}
    if disposition not in choices.values:
        raise ValidationError({"disposition": [_("请选择有效的办理结论。")]})
    extra = {}
    if disposition == BlockOutcome.PORTED:
        if not (ported_to or "").strip():
            raise ValidationError({"ported_to": [_("请填写号码转入的运营商。")]})
        extra["ported_to"] = ported_to.strip()[:100]
    if disposition == TakedownOutcome.REFUSED:
        if not (refusal_reason or "").strip():
            raise ValidationError({"refusal_reason": [_("拒绝处置须填写理由。")]})
        extra["refusal_reason"] = refusal_reason.strip()[:300]
    return disposition, extra


# ---------------------------------------------------------------- the next layer


def _account(value: str) -> str:
    """An onward account as the trail names it: the indicator's normalised form when it is one."""
    from cases.normalize import normalize_indicator

    try:
        return normalize_indicator("account", value).value
    except ValidationError:
        return value.strip()


def _upstream_accounts(req: Request) -> set[str]:
    """The accounts of ``req`` and of every request money reached it from (its parent and the
    sources of every transfer merged into it, and theirs): money sent to one of them is a loop.
    Two queries for the whole case, then a walk in memory."""
    if req.case_id is None:
        return {req.target_value} | ({req.parent.target_value} if req.parent_id else set())
    nodes = {r.pk: r for r in Request.objects.filter(case_id=req.case_id, kind__in=MONEY_KINDS).only(
        "pk", "parent_id", "target_value")}
    sources: dict[int, set[int]] = {}
    for request_id, follow_on_id in OnwardTransfer.objects.filter(
            follow_on__case_id=req.case_id).values_list("request_id", "follow_on_id"):
        sources.setdefault(follow_on_id, set()).add(request_id)
    seen, accounts, frontier = set(), {req.target_value}, [req.pk]
    while frontier:
        pk = frontier.pop()
        if pk in seen or pk not in nodes:
            continue
        seen.add(pk)
        accounts.add(nodes[pk].target_value)
        frontier.extend(sources.get(pk, ()))
        if nodes[pk].parent_id:
            frontier.append(nodes[pk].parent_id)
    return accounts



def onward_follow_on(req: Request, transfer: OnwardTransfer) -> Request | None:
    """Chase one onward transfer (saved) to the next bank, inside the completing transaction.

    - back into an account upstream of ``req`` (or ``req``'s own): a loop, no request
      (``transfer.loop``);
    - into an account with an open stop-payment on the case: that request's amount grows by the
      transfer (two branches into one account make one request with both amounts), and its
      bank sees the new amount (``request.amount_added``);
    - otherwise a new stop-payment one layer down, for the transfer's amount, routed by the
      account like any other.
    """
    account = _account(transfer.destination_account)
    if account in _upstream_accounts(req):
        transfer.loop = True
        transfer.save(update_fields=["loop"])
        if req.case_id is not None:
            request_moves_record([(req, "loop_refused", None,
                                   _("资金自 %(from)s 转回上游账户 %(to)s，不再续查（防止循环）")
                                   % {"from": req.target_value, "to": account}, {"amount": str(transfer.amount)})],
                                 emit=False)
        return None
    existing = None
    if req.case_id is not None:
        existing = (Request.objects.select_for_update(of=("self",))
                    .select_related("case__typology", "issuing_agency", "issued_by", "target_agency")
                    .filter(case_id=req.case_id, kind=RequestKind.STOP_PAYMENT, target_kind=TargetKind.ACCOUNT,
                            target_value=account, status__in=OPEN_STATUSES).order_by("pk").first())
    if existing is not None:
        existing.amount += transfer.amount
        existing.save(update_fields=["amount", "updated_at"])
        request_moves_record([(existing, "amount_added", None,
                               _("%(from)s 又转入 %(amount)s，止付金额增至 %(total)s")
                               % {"from": req.target_value, "amount": _yuan(transfer.amount),
                                  "total": _yuan(existing.amount)},
                               {"from_request": req.number, "amount": str(transfer.amount)})])
        follow = existing
    else:
        follow = request_create(
            issuer=None, issuing_agency=req.issuing_agency, kind=RequestKind.STOP_PAYMENT,
            target_kind=TargetKind.ACCOUNT, target_value=account, case=req.case, amount=transfer.amount,
            target_bank_name=transfer.destination_bank, parent=req, layer=req.layer + 1,
            note=_("资金自 %(account)s 转出，自动续查止付（第 %(layer)s 层）") % {"account": req.target_value,
                                                                          "layer": req.layer + 1},
        )
    transfer.follow_on = follow
    transfer.save(update_fields=["follow_on"])
    return follow


# ---------------------------------------------------------------- stop all


@transaction.atomic
def requests_stop_all(*, actor, case, accounts: list[str] | None = None, http_request=None) -> list[Request]:
    """One stop-payment per receiving account of the case's transactions, for the sum that
    reached it and covering those transactions (``alerts.selectors_money.stop_all_plan``).

    ``accounts``: the ones the analyst confirmed (the confirmation lists them); None: all.
    Accounts with an open stop-payment on the case already are left alone. All or nothing: one
    transaction, so a refusal leaves no half-stopped case. Raises RequestConflict when nothing
    is left to stop.
    """
    from ..selectors_money import stop_all_plan

    authorize(actor, "request.create", RequestDraft(kind=RequestKind.STOP_PAYMENT, target_kind=TargetKind.ACCOUNT, case=case),
              message=_("您所在单位或角色无权发起该类请求，或目标、案件不在您的范围内。"), error=RequestForbidden)
    wanted = set(accounts) if accounts is not None else None
    created = []
    for group in stop_all_plan(case=case).groups:
        if group.open_number or (wanted is not None and group.account not in wanted):
            continue
        created.append(request_create(
            issuer=actor, kind=RequestKind.STOP_PAYMENT, target_kind=TargetKind.ACCOUNT, target_value=group.account,
            case=case, amount=group.total, transactions=group.transactions, target_bank_name=group.institution,
            note=_("一键止付：%(n)s 笔交易到达该账号") % {"n": len(group.transactions)}, authorized=True,
            http_request=http_request,
        ))
    if not created:
        raise RequestConflict(_("本案没有待止付的收款账号（均已有进行中的止付请求）。"))
    return created
