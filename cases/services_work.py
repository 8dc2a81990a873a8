"""Writes for working a case: notes with @mentions, evidence files, tasks.

Each starts with the policy (``core.policy``: ``note.create``, ``evidence.create``,
``task.create``, ``task.complete``, with the case as the object), writes the row, a timeline
line and an audit line in one transaction, and sends its live events after the commit.
"""

import hashlib
import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, User
from core.choices import AuditAction
from core.policy import authorize
from core.services import audit_record

from .choices import EvidenceKind, TaskStatus
from .models import Case, CaseEvidence, CaseNote, CaseTask
from .services import case_timeline_add

NOTE_MAX = 4000
MENTION = re.compile(r"@([\w.\-]+)")


def evidence_max_bytes() -> int:
    return int(getattr(settings, "CASES_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


def case_audience(case: Case) -> set[int]:
    """The agencies that may see the case (its visibility rule, read the other way)."""
    return Case.objects.audience(case)


# ---------------------------------------------------------------- notes


def _mentions(case: Case, body: str, users, agencies) -> tuple[list[User], list[Agency]]:
    """Explicit choices plus ``@username`` / ``@agency-code`` in the text; each must be able to
    see the case (a mention never widens who sees it: share the case first)."""
    users, agencies = {u.pk: u for u in users or []}, {a.pk: a for a in agencies or []}
    tokens = set(MENTION.findall(body or ""))
    if tokens:
        for user in User.objects.filter(username__in=tokens, is_active=True).select_related("agency"):
            users.setdefault(user.pk, user)
        for agency in Agency.objects.filter(code__in=tokens, is_active=True):
            agencies.setdefault(agency.pk, agency)
    if not users and not agencies:
        return [], []
    audience = case_audience(case)
    blocked = [u.get_full_name() or u.username for u in users.values() if u.agency_id not in audience]
    blocked += [a.name for a in agencies.values() if a.pk not in audience]
    if blocked:
        raise ValidationError({"mentions": _("%(names)s 看不到本案，不能提及；请先共享案件。") % {"names": "、".join(blocked)}})
    return list(users.values()), list(agencies.values())


def mention_audience(note: CaseNote) -> set[int]:
    """Who hears of a mention (events.schemas ``case.mentioned``): the agencies named, and the
    agencies of the people named; every one of them may see the case (``_mentions``)."""
    agencies = set(note.mentioned_agencies.values_list("pk", flat=True))
    agencies |= set(note.mentioned_users.exclude(agency=None).values_list("agency_id", flat=True))
    return agencies & case_audience(note.case)


@transaction.atomic
def note_create(*, case: Case, actor, body: str, users=(), agencies=(), request=None) -> CaseNote:
    """A note on the case; ``users``/``agencies`` (and @-tokens in ``body``) are told live."""
    authorize(actor, "note.create", case, message=_("您无权在该案件上添加备注。"))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("请填写备注内容。")})
    if len(body) > NOTE_MAX:
        raise ValidationError({"body": _("备注不能超过 %(n)s 字。") % {"n": NOTE_MAX}})
    users, agencies = _mentions(case, body, users, agencies)
    note = CaseNote.objects.create(case=case, author=actor, agency=actor.agency, body=body)
    if users:
        note.mentioned_users.set(users)
    if agencies:
        note.mentioned_agencies.set(agencies)
    names = [u.get_full_name() or u.username for u in users] + [a.name for a in agencies]
    case_timeline_add(case=case, kind="note_added", actor=actor,
                      message=_("添加备注") + ("（@%s）" % "、@".join(names) if names else ""),
                      detail={"note_id": note.pk})
    audit_record(actor=actor, action=AuditAction.CREATE, obj=note, request=request,
                 detail={"case_id": case.pk, "mentioned_users": [u.pk for u in users],
                         "mentioned_agencies": [a.pk for a in agencies]})
    _note_events(case, note, actor, users, agencies)
    return note


def _note_events(case, note, actor, users, agencies) -> None:
    from events.services import event_emit

    event_emit(kind="case.noted", subject=case, case_id=case.pk,
               payload={"case_id": case.pk, "number": case.number, "note_id": note.pk})
    if users or agencies:
        event_emit(
            kind="case.mentioned", subject=note, case_id=case.pk,
            payload={"case_id": case.pk, "number": case.number, "note_id": note.pk,
                     "author": actor.get_full_name() or actor.username, "excerpt": note.body[:80],
                     "user_ids": sorted(u.pk for u in users), "agency_ids": sorted(a.pk for a in agencies)},
        )


# ---------------------------------------------------------------- evidence

# What each accepted kind of file is, by its first bytes (never by its name or claimed type).
_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"GIF87a", "image/gif", (".gif",)),
    (b"GIF89a", "image/gif", (".gif",)),
)
TEXT_EXTENSIONS = {".txt": "text/plain", ".csv": "text/csv", ".json": "application/json"}


def evidence_sniff(head: bytes, name: str) -> tuple[str, str]:
    """(kind, content type) of an upload from its bytes; the extension must agree with them.
    Raises ValidationError for anything else (an executable renamed .png, an HTML page ...)."""
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    for magic, ctype, exts in _IMAGES:
        if head.startswith(magic):
            if ext not in exts:
                break
            return EvidenceKind.SCREENSHOT, ctype
    else:
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and ext == ".webp":
            return EvidenceKind.SCREENSHOT, "image/webp"
        if head.startswith(b"%PDF-") and ext == ".pdf":
            return EvidenceKind.PDF, "application/pdf"
        if ext in TEXT_EXTENSIONS and _is_text(head):
            return EvidenceKind.CHAT, TEXT_EXTENSIONS[ext] + "; charset=utf-8"
    raise ValidationError(
        {"file": _("只接受截图（PNG/JPEG/GIF/WEBP）、聊天记录导出（TXT/CSV/JSON 文本）和 PDF，且文件内容须与扩展名一致。")},
        code="type")


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    # A chunk may end inside a multi-byte character: decode what is whole.
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(data) - 3 and encoding == "utf-8":
                return True
    return False


@transaction.atomic
def evidence_upload(*, case: Case, actor, upload, description: str = "", request=None) -> CaseEvidence:
    """Keep an evidence file with the case: checked by content and size, stored under a random
    name outside every served folder (core.storage), its SHA-256 recorded."""
    authorize(actor, "evidence.create", case, message=_("您无权为该案件上传证据。"))
    if upload is None:
        raise ValidationError({"file": _("请选择文件。")})
    limit = evidence_max_bytes()
    if upload.size > limit:
        raise ValidationError({"file": _("文件不能超过 %(mb)s MB。") % {"mb": limit // (1024 * 1024)}}, code="size")
    if upload.size == 0:
        raise ValidationError({"file": _("文件是空的。")})
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    name = (getattr(upload, "name", "") or "file").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    kind, ctype = evidence_sniff(head, name)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence = CaseEvidence(case=case, kind=kind, original_name=name, content_type=ctype, size=upload.size,
                            sha256=digest.hexdigest(), description=(description or "").strip()[:200],
                            uploaded_by=actor, agency=actor.agency)
    evidence.file.save(name, upload, save=False)
    try:
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    case_timeline_add(case=case, kind="evidence_added", actor=actor, detail={"evidence_id": evidence.pk},
                      message=_("上传证据 %(name)s（%(kind)s）") % {"name": name, "kind": evidence.get_kind_display()})
    audit_record(actor=actor, action=AuditAction.CREATE, obj=evidence, request=request,
                 detail={"case_id": case.pk, "sha256": evidence.sha256, "size": evidence.size})
    from .services import _emit

    _emit(case, "case.updated", actor)
    return evidence


def evidence_download(*, evidence: CaseEvidence, actor, request=None) -> CaseEvidence:
    """Record that ``actor`` read the file (the view already found it through restrict())."""
    authorize(actor, "case.view", message=_("您无权查看该案件。"))
    audit_record(actor=actor, action=AuditAction.EXPORT, obj=evidence, request=request,
                 detail={"case_id": evidence.case_id, "evidence": evidence.pk, "name": evidence.original_name,
                         "sha256": evidence.sha256})
    return evidence


# ---------------------------------------------------------------- tasks


@transaction.atomic
def task_create(*, case: Case, actor, title: str, due_date, assignee_user=None, assignee_agency=None,
                description: str = "", request=None) -> CaseTask:
    """A task on the case for one person or one agency (who must be able to see the case)."""
    authorize(actor, "task.create", case, message=_("您无权为该案件分派任务。"))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写任务内容。")})
    if due_date is None:
        raise ValidationError({"due_date": _("请填写截止日期。")})
    if assignee_user is None and assignee_agency is None:
        raise ValidationError({"assignee": _("请指定负责人或负责单位。")})
    if assignee_user is not None:
        if assignee_agency is not None and assignee_user.agency_id != assignee_agency.pk:
            raise ValidationError({"assignee": _("负责人不属于所选单位。")})
        assignee_agency = assignee_user.agency
        if assignee_agency is None or not assignee_user.is_active:
            raise ValidationError({"assignee": _("该人员不能接收任务。")})
    if assignee_agency.pk not in case_audience(case):
        raise ValidationError({"assignee": _("%(name)s 看不到本案，不能分派；请先共享案件。") % {"name": assignee_agency.name}})
    if due_date < timezone.localdate() - timedelta(days=1):
        raise ValidationError({"due_date": _("截止日期不能早于今天。")})
    task = CaseTask.objects.create(case=case, title=title[:200], description=(description or "").strip()[:2000],
                                   assignee_user=assignee_user, assignee_agency=assignee_agency, due_date=due_date,
                                   created_by=actor)
    who = (assignee_user.get_full_name() or assignee_user.username) if assignee_user else assignee_agency.name
    case_timeline_add(case=case, kind="task_created", actor=actor, detail={"task_id": task.pk},
                      message=_("新建任务“%(title)s”，负责：%(who)s，截止 %(due)s") % {
                          "title": task.title, "who": who, "due": due_date.isoformat()})
    audit_record(actor=actor, action=AuditAction.CREATE, obj=task, request=request,
                 detail={"case_id": case.pk, "assignee_user": getattr(assignee_user, "pk", None),
                         "assignee_agency": assignee_agency.pk, "due_date": due_date.isoformat()})
    _task_event(task, "task.assigned")
    return task


@transaction.atomic
def task_complete(*, task: CaseTask, actor, request=None) -> CaseTask:
    """The assignee (or their agency, or whoever may change the case) marks it done."""
    authorize(actor, "task.complete", task, message=_("只有负责人或负责单位可以完成该任务。"))
    task = CaseTask.objects.select_for_update().get(pk=task.pk)
    if task.status == TaskStatus.DONE:
        return task
    task.status, task.completed_by, task.completed_at = TaskStatus.DONE, actor, timezone.now()
    task.save(update_fields=["status", "completed_by", "completed_at"])
    case_timeline_add(case=task.case, kind="task_done", actor=actor, detail={"task_id": task.pk},
                      message=_("完成任务“%(title)s”") % {"title": task.title})
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=task, request=request,
                 detail={"case_id": task.case_id, "status": {"before": TaskStatus.OPEN, "after": TaskStatus.DONE}})
    _task_event(task, "task.done")
    return task


def task_audience(task: CaseTask) -> set[int]:
    """A task's events go to its assignee's agency (who may see the case: ``task_create``)."""
    return {task.assignee_agency_id} & case_audience(task.case)


def _task_event(task: CaseTask, kind: str) -> None:
    from events.services import event_emit

    event_emit(kind=kind, subject=task, case_id=task.case_id,
               payload={"task_id": task.pk, "case_id": task.case_id, "title": task.title,
                        "due_date": task.due_date.isoformat(), "status": task.status,
                        "assignee_user_id": task.assignee_user_id})
