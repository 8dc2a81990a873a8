"""Writes of the publicity app. Keyword-only, atomic; bad input raises ValidationError (in the
user's language), a forbidden action PermissionDenied. Views, forms and the API call these."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.choices import RegionLevel
from agencies.models import Agency, Region
from core.choices import AuditAction
from core.services import audit_record
from events.services import event_emit

from . import access
from .bulletins import build_draft, pii_problems, week_bounds, week_victim_names
from .choices import BulletinStatus, Channel, ContentStatus, TargetGroup, TitleStatus
from .constants import PHOTO_MAX_PER_OUTREACH
from .models import (
    Bulletin,
    BulletinReceipt,
    Campaign,
    ContentItem,
    FraudFreeCriteria,
    FraudFreeTitle,
    Outreach,
    OutreachPhoto,
)
from .photos import photo_clean
from .selectors import community_statuses, criteria_in_force, months_before

# --- campaigns --------------------------------------------------------------------------------


def _check_choices(values, allowed, field: str, label: str) -> list[str]:
    values = list(dict.fromkeys(values or []))
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValidationError({field: _("%(label)s不正确：%(values)s") % {"label": label, "values": "、".join(bad)}})
    return values


def _campaign_clean(data: dict) -> dict:
    data = dict(data)
    if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
    if "target_groups" in data:
        data["target_groups"] = _check_choices(data["target_groups"], TargetGroup.values, "target_groups", _("目标人群"))
    if "channels" in data:
        data["channels"] = _check_choices(data["channels"], Channel.values, "channels", _("宣传渠道"))
    if "target_regions" in data and not data["target_regions"]:
        raise ValidationError({"target_regions": _("请至少选择一个目标区域。")})
    return data


_CAMPAIGN_M2M = ("typologies", "target_regions", "agencies")


@transaction.atomic
def campaign_create(*, actor, data: dict, request=None) -> Campaign:
    if not access.can_plan_campaigns(actor):
        raise PermissionDenied(_("只有宣传部和反诈中心可以策划宣传活动。"))
    data = _campaign_clean(data)
    m2m = {k: data.pop(k) for k in _CAMPAIGN_M2M if k in data}
    campaign = Campaign.objects.create(owner_agency=actor.agency, created_by=actor, **data)
    for name, values in m2m.items():
        getattr(campaign, name).set(values)
    if actor.agency_id and not m2m.get("agencies"):
        campaign.agencies.add(actor.agency)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=campaign, request=request)
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor, data: dict, request=None) -> Campaign:
    if not Campaign.objects.restrict(actor, "change").filter(pk=campaign.pk).exists():
        raise PermissionDenied(_("您不能修改该宣传活动。"))
    merged = {"starts_on": campaign.starts_on, "ends_on": campaign.ends_on, **data}
    data = {k: v for k, v in _campaign_clean(merged).items() if k in data}
    m2m = {k: data.pop(k) for k in _CAMPAIGN_M2M if k in data}
    for name, value in data.items():
        setattr(campaign, name, value)
    if data:
        campaign.save(update_fields=[*data, "updated_at"])
    for name, values in m2m.items():
        getattr(campaign, name).set(values)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=campaign, detail={"fields": sorted([*data, *m2m])},
                 request=request)
    return campaign


# --- outreach ---------------------------------------------------------------------------------

_OUTREACH_FIELDS = ("date", "place", "region", "channel", "target_group", "people_reached", "campaign",
                    "materials_note", "note")


def _outreach_clean(*, actor, row: dict) -> dict:
    errors = {}
    agency: Agency = actor.agency
    region: Region | None = row.get("region") or agency.region
    if not region.path.startswith(agency.region.path):
        errors["region"] = _("只能记录本单位服务区域（%(area)s）内的宣传。") % {"area": agency.region.name}
    day: date | None = row.get("date")
    if day is None:
        errors["date"] = _("请填写日期。")
    elif day > timezone.localdate():
        errors["date"] = _("日期不能晚于今天。")
    if row.get("channel") not in Channel.values:
        errors["channel"] = _("请选择宣传方式。")
    if row.get("target_group") not in TargetGroup.values:
        errors["target_group"] = _("请选择对象人群。")
    reached = row.get("people_reached")
    if not isinstance(reached, int) or not 1 <= reached <= 100_000:
        errors["people_reached"] = _("覆盖人数应为 1 至 100000 之间的整数。")
    if not (row.get("place") or "").strip():
        errors["place"] = _("请填写地点。")
    campaign: Campaign | None = row.get("campaign")
    if campaign is not None and day is not None and not campaign.starts_on <= day <= campaign.ends_on:
        errors["campaign"] = _("该日期不在活动“%(title)s”期间（%(start)s 至 %(end)s）。") % {
            "title": campaign.title, "start": campaign.starts_on, "end": campaign.ends_on}
    materials = list(row.get("materials") or [])
    if any(m.status != ContentStatus.APPROVED for m in materials):
        errors["materials"] = _("只能使用宣传部审核通过的素材。")
    if errors:
        raise ValidationError(errors)
    clean = {k: row.get(k) for k in _OUTREACH_FIELDS if k in row}
    clean["region"] = region
    clean["place"] = row["place"].strip()
    clean["materials_note"] = (row.get("materials_note") or "").strip()
    clean["note"] = (row.get("note") or "").strip()
    return {**clean, "materials": materials}


def _require_logger(actor) -> None:
    if not access.can_log_outreach(actor):
        raise PermissionDenied(_("您的账号不能记录宣传。"))


def _add_photos(outreach: Outreach, photos) -> None:
    photos = list(photos or [])
    if outreach.photos.count() + len(photos) > PHOTO_MAX_PER_OUTREACH:
        raise ValidationError({"photos": _("每条记录最多 %(n)s 张照片。") % {"n": PHOTO_MAX_PER_OUTREACH}})
    for upload in photos:
        try:
            clean = photo_clean(upload)
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from None
        OutreachPhoto.objects.create(outreach=outreach, image=clean.file, width=clean.width, height=clean.height)


@transaction.atomic
def outreach_create(*, actor, photos=(), request=None, **row) -> Outreach:
    """Log one activity. ``row``: date, place, region (default: the agency's), channel,
    target_group, people_reached, campaign, materials, materials_note, note."""
    _require_logger(actor)
    data = _outreach_clean(actor=actor, row=row)
    materials = data.pop("materials")
    outreach = Outreach.objects.create(agency=actor.agency, created_by=actor, **data)
    outreach.materials.set(materials)
    _add_photos(outreach, photos)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=outreach, request=request)
    return outreach


@transaction.atomic
def outreach_bulk_create(*, actor, rows: list[dict], request=None) -> list[Outreach]:
    """A day's door-to-door round: several stops saved together, or none if one is wrong.

    Raises ValidationError whose ``error_list`` entries are dicts keyed by row index.
    """
    _require_logger(actor)
    if not rows:
        raise ValidationError(_("请至少填写一户/一处走访记录。"))
    cleaned, errors = [], {}
    for i, row in enumerate(rows):
        try:
            cleaned.append(_outreach_clean(actor=actor, row=row))
        except ValidationError as exc:
            errors[i] = exc.message_dict
    if errors:
        exc = ValidationError(_("有 %(n)s 条记录需要修改。") % {"n": len(errors)})
        exc.rows = errors
        raise exc
    created = []
    for data in cleaned:
        materials = data.pop("materials")
        outreach = Outreach.objects.create(agency=actor.agency, created_by=actor, **data)
        outreach.materials.set(materials)
        created.append(outreach)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=created[0],
                 detail={"bulk": [o.pk for o in created]}, request=request)
    return created


@transaction.atomic
def outreach_update(*, outreach: Outreach, actor, data: dict, photos=(), request=None) -> Outreach:
    if not Outreach.objects.restrict(actor, "change").filter(pk=outreach.pk).exists():
        raise PermissionDenied(_("只能修改本单位的宣传记录。"))
    row = {k: getattr(outreach, k) for k in _OUTREACH_FIELDS}
    row["materials"] = list(outreach.materials.all())
    row.update(data)
    clean = _outreach_clean(actor=actor, row=row)
    materials = clean.pop("materials")
    changed = [k for k, v in clean.items() if getattr(outreach, k) != v]
    for k in changed:
        setattr(outreach, k, clean[k])
    if changed:
        outreach.save(update_fields=[*changed, "updated_at"])
    if "materials" in data:
        outreach.materials.set(materials)
    _add_photos(outreach, photos)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=outreach, detail={"fields": changed}, request=request)
    return outreach


# --- content library --------------------------------------------------------------------------


@transaction.atomic
def content_create(*, actor, kind: str, title: str, typology=None, body: str = "", link: str = "",
                   request=None) -> ContentItem:
    _require_logger(actor)
    if not (body.strip() or link.strip()):
        raise ValidationError({"body": _("请填写正文或素材链接。")})
    item = ContentItem.objects.create(kind=kind, title=title.strip(), typology=typology, body=body, link=link,
                                      agency=actor.agency, created_by=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=item, request=request)
    return item


@transaction.atomic
def content_review(*, item: ContentItem, actor, approve: bool, note: str = "", request=None) -> ContentItem:
    """The publicity department approves an item (then usable) or sends it back with a note."""
    if not access.can_review_content(actor):
        raise PermissionDenied(_("只有宣传部可以审核宣传素材。"))
    item = ContentItem.objects.select_for_update().get(pk=item.pk)
    if not approve and not note.strip():
        raise ValidationError({"review_note": _("退回时请写明理由。")})
    before = item.status
    item.status = ContentStatus.APPROVED if approve else ContentStatus.REJECTED
    item.review_note, item.reviewed_by, item.reviewed_at = note.strip(), actor, timezone.now()
    item.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=item,
                 detail={"from": before, "to": item.status}, request=request)
    return item


# --- bulletins --------------------------------------------------------------------------------


def _require_issuer(actor) -> None:
    if not access.can_issue_bulletins(actor):
        raise PermissionDenied(_("只有反诈中心可以编发警情通报。"))


@transaction.atomic
def bulletin_draft(*, actor, week_start: date | None = None, request=None) -> Bulletin:
    """Draft (or re-draft, while still a draft) the bulletin of a past week for the actor's centre.

    Default: last week. The text is rebuilt from the cases, so a re-draft drops manual edits.
    """
    _require_issuer(actor)
    today = timezone.localdate()
    start, end = week_bounds(week_start or today - timedelta(days=7))
    if start > today:
        raise ValidationError({"week_start": _("不能为尚未开始的一周起草通报。")})
    region = actor.agency.region
    draft = build_draft(region=region, week_start=start)
    bulletin = Bulletin.objects.select_for_update().filter(agency=actor.agency, week_start=start).first()
    if bulletin is not None and bulletin.status != BulletinStatus.DRAFT:
        raise ValidationError({"week_start": _("该周的通报已发布，不能重新起草。")})
    values = {"title": draft.title, "body": draft.body, "advice": draft.advice, "figures": draft.figures}
    if bulletin is None:
        bulletin = Bulletin.objects.create(agency=actor.agency, region=region, week_start=start, created_by=actor,
                                           **values)
        audit_record(actor=actor, action=AuditAction.CREATE, obj=bulletin, request=request)
    else:
        for k, v in values.items():
            setattr(bulletin, k, v)
        bulletin.save(update_fields=[*values, "updated_at"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=bulletin, detail={"redraft": True}, request=request)
    return bulletin


def _check_no_personal_data(bulletin: Bulletin) -> None:
    names = week_victim_names(region=bulletin.region, week_start=bulletin.week_start)
    found = pii_problems("\n".join([bulletin.title, bulletin.body, bulletin.advice]), names=names)
    if found:
        labels = {"phone": _("手机号"), "id_number": _("身份证号"), "card": _("银行卡号"), "name": _("受害人姓名")}
        raise ValidationError({"body": _("通报中不能含有个人信息（发现：%(what)s），请删除后再保存。")
                               % {"what": "、".join(str(labels[f]) for f in found)}})


@transaction.atomic
def bulletin_update(*, bulletin: Bulletin, actor, title: str, body: str, advice: str, request=None) -> Bulletin:
    _require_issuer(actor)
    bulletin = Bulletin.objects.restrict(actor, "change").select_for_update().filter(pk=bulletin.pk).first()
    if bulletin is None:
        raise PermissionDenied(_("您不能修改该通报。"))
    if bulletin.status != BulletinStatus.DRAFT:
        raise ValidationError(_("已发布的通报不能再修改。"))
    if not title.strip() or not body.strip():
        raise ValidationError({"body": _("标题和正文不能为空。")})
    bulletin.title, bulletin.body, bulletin.advice = title.strip(), body.strip(), advice.strip()
    _check_no_personal_data(bulletin)
    bulletin.save(update_fields=["title", "body", "advice", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=bulletin, request=request)
    return bulletin


def bulletin_recipients(bulletin: Bulletin) -> list[int]:
    """Every active member serving the bulletin's area: inside it, or above it (city-wide banks,
    province-wide platforms), except the issuing centre itself."""
    path = bulletin.region.path
    ancestors = ["/" + "/".join(path.strip("/").split("/")[:i]) + "/" for i in range(1, path.count("/"))]
    return list(
        Agency.objects.filter(is_active=True)
        .filter(Q(region__path__startswith=path) | Q(region__path__in=ancestors))
        .exclude(pk=bulletin.agency_id)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def bulletin_publish(*, bulletin: Bulletin, actor, request=None) -> Bulletin:
    """Publish: one receipt per receiving agency; after commit, a live event to every agency that
    may now see the bulletin (the receivers, the issuing centre, the office and the department)."""
    _require_issuer(actor)
    bulletin = Bulletin.objects.restrict(actor, "change").select_for_update().filter(pk=bulletin.pk).first()
    if bulletin is None:
        raise PermissionDenied(_("您不能发布该通报。"))
    if bulletin.status != BulletinStatus.DRAFT:
        raise ValidationError(_("该通报已经发布。"))
    _check_no_personal_data(bulletin)
    bulletin.status, bulletin.published_at, bulletin.published_by = BulletinStatus.PUBLISHED, timezone.now(), actor
    bulletin.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    recipients = bulletin_recipients(bulletin)
    BulletinReceipt.objects.bulk_create([BulletinReceipt(bulletin=bulletin, agency_id=a) for a in recipients])
    event_emit(kind="bulletin.published", subject=bulletin,
               payload={"bulletin": bulletin.pk, "title": bulletin.title, "week_start": bulletin.week_start.isoformat()})
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=bulletin,
                 detail={"to": BulletinStatus.PUBLISHED, "recipients": len(recipients)}, request=request)
    return bulletin


@transaction.atomic
def bulletin_open(*, bulletin: Bulletin, user) -> BulletinReceipt | None:
    """Mark the user's agency's copy as opened (the first opening counts); None if not a receiver."""
    if not user.is_authenticated or not user.agency_id:
        return None
    receipt = BulletinReceipt.objects.select_for_update().filter(bulletin=bulletin, agency_id=user.agency_id).first()
    if receipt is None or receipt.opened_at is not None:
        return receipt
    receipt.opened_at, receipt.opened_by = timezone.now(), user
    receipt.save(update_fields=["opened_at", "opened_by"])
    event_emit(kind="bulletin.opened", subject=receipt,
               payload={"bulletin": bulletin.pk, "agency": user.agency_id})
    return receipt


# --- fraud-free communities -------------------------------------------------------------------


@transaction.atomic
def criteria_set(*, actor, months_without_case: int, coverage_per_10k: int, dissuaded_share, request=None):
    if not access.is_office(actor):
        raise PermissionDenied(_("只有联席办可以设定无诈社区标准。"))
    criteria = FraudFreeCriteria(months_without_case=months_without_case, coverage_per_10k=coverage_per_10k,
                                 dissuaded_share=dissuaded_share, set_by=actor)
    criteria.full_clean(exclude=["set_by"])
    criteria.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=criteria, request=request)
    return criteria


@transaction.atomic
def title_apply(*, actor, statement: str = "", request=None) -> FraudFreeTitle:
    """A community applies for its area; it must meet the criteria in force today."""
    if not access.can_apply_title(actor):
        raise PermissionDenied(_("只有社区可以申请无诈社区。"))
    region = actor.agency.region
    if region.level != RegionLevel.COMMUNITY:
        raise ValidationError(_("本单位的服务区域不是社区，不能申请。"))
    status = community_statuses(regions=[region])[0]
    if status.title is not None:
        raise ValidationError(_("本社区已有进行中的申请或已获授牌。"))
    if not status.meets:
        raise ValidationError(_("本社区暂未达到无诈社区标准，不能申请。"))
    snapshot = {"last_case_on": str(status.last_case_on or ""), "coverage": status.coverage,
                "dissuaded_share": status.dissuaded_share, "warnings": status.warnings}
    try:
        with transaction.atomic():
            title = FraudFreeTitle.objects.create(region=region, agency=actor.agency, statement=statement.strip(),
                                                  snapshot=snapshot, applied_by=actor)
    except IntegrityError:
        raise ValidationError(_("本社区已有进行中的申请或已获授牌。")) from None
    audit_record(actor=actor, action=AuditAction.CREATE, obj=title, request=request)
    return title


@transaction.atomic
def title_decide(*, title: FraudFreeTitle, actor, approve: bool, note: str = "", request=None) -> FraudFreeTitle:
    if not access.is_office(actor):
        raise PermissionDenied(_("只有联席办可以审批无诈社区。"))
    title = FraudFreeTitle.objects.select_for_update().get(pk=title.pk)
    if title.status != TitleStatus.APPLIED:
        raise ValidationError(_("该申请已处理。"))
    if approve and not community_statuses(regions=[title.region])[0].meets:
        raise ValidationError(_("该社区目前已不符合标准，不能授牌。"))
    if not approve and not note.strip():
        raise ValidationError({"decision_note": _("不通过时请写明理由。")})
    title.status = TitleStatus.APPROVED if approve else TitleStatus.REJECTED
    title.decided_by, title.decided_at, title.decision_note = actor, timezone.now(), note.strip()
    title.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=title, detail={"to": title.status}, request=request)
    return title


def _revoke(title: FraudFreeTitle, reason: str) -> None:
    title.status, title.revoked_at, title.revoked_reason = TitleStatus.REVOKED, timezone.now(), reason
    title.save(update_fields=["status", "revoked_at", "revoked_reason"])
    audit_record(actor=None, action=AuditAction.TRANSITION, obj=title, detail={"to": TitleStatus.REVOKED, "reason": reason})


def titles_revoke_for_case(*, case) -> int:
    """A new case inside the required case-free run takes the title from its community.

    It runs on every intake (a post_save receiver), where the answer is nearly always "no title
    here": the titles over the case's region are found in SQL (one query), and the criteria are
    read only when there is one.
    """
    # Inside the intake's transaction there is nothing to undo on its own: no savepoint.
    with transaction.atomic(savepoint=False):
        titles = list(
            FraudFreeTitle.objects.select_for_update().select_related("region")
            .filter(status=TitleStatus.APPROVED)
            .alias(case_path=Value(case.region.path, output_field=CharField()))
            .filter(case_path__startswith=F("region__path"))
        )
        if not titles:
            return 0
        criteria = criteria_in_force()
        if timezone.localtime(case.occurred_at).date() < months_before(timezone.localdate(), criteria.months_without_case):
            return 0
        for title in titles:
            _revoke(title, "案件 %s 打破连续无发案记录" % case.number)
        return len(titles)


@transaction.atomic
def titles_sweep() -> int:
    """Revoke every title whose community no longer has its case-free run (catches bulk imports)."""
    titles = list(FraudFreeTitle.objects.select_for_update().select_related("region").filter(status=TitleStatus.APPROVED))
    if not titles:
        return 0
    statuses = {s.region.pk: s for s in community_statuses(regions=[t.region for t in titles])}
    revoked = 0
    for title in titles:
        if not statuses[title.region_id].no_case_ok:
            _revoke(title, "连续无发案记录被打破")
            revoked += 1
    return revoked
