"""Working on a case: notes (with @mentions), evidence files and tasks.

Each is visible exactly when its case is: ``restrict(user)`` is the case's rule
(``Case.objects.restrict``), so a note, a file or a task of a case another agency cannot see is
a 404 for it, and banks (which never see cases) never see any of them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.querysets import RestrictedQuerySet

from .choices import EvidenceKind, TaskStatus
from .models import Case


class CaseChildQuerySet(RestrictedQuerySet):
    """Rows that belong to a case: visible to whoever may see the case (one EXISTS/IN on it)."""

    def _restrict(self, user, action: str):
        return self.filter(case__in=Case.objects.restrict(user, action).values("pk"))


class CaseNote(models.Model):
    """A comment on a case, seen by every agency the case is shared with.

    ``mentioned_users`` and ``mentioned_agencies`` are the colleagues and agencies its text
    named with @; they are told live (event ``case.mentioned``).
    """

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("作者"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("内容"), max_length=4000)
    mentioned_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("提及的人员"), blank=True, related_name="case_note_mentions"
    )
    mentioned_agencies = models.ManyToManyField(
        "agencies.Agency", verbose_name=_("提及的单位"), blank=True, related_name="case_note_mentions"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件备注")
        verbose_name_plural = _("案件备注")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="case_note_case_idx")]

    def __str__(self):
        return "%s #%s" % (self.case_id, self.pk)


class CaseEvidence(models.Model):
    """An evidence file (a screenshot, a chat export, a PDF) kept with a case.

    Stored under MEDIA_ROOT with a random name (core.storage), never in a served folder; read
    only through ``cases:evidence_download`` / the API, which check the case's visibility and
    audit each download. ``content_type`` is what the bytes are (checked on upload), not what
    the uploader's browser claimed.
    """

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("类型"), max_length=12, choices=EvidenceKind.choices)
    file = models.FileField(_("文件"), upload_to="evidence/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("内容类型"), max_length=60)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["case", "uploaded_at"], name="case_evidence_case_idx")]

    def __str__(self):
        return self.original_name


class CaseTaskQuerySet(CaseChildQuerySet):
    def open(self):
        return self.filter(status=TaskStatus.OPEN)

    def overdue(self, today=None):
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def assigned_to(self, user):
        """Tasks for ``user``: named to them, or to their agency without a person."""
        return self.filter(models.Q(assignee_user=user) | models.Q(assignee_user=None, assignee_agency_id=user.agency_id))


class CaseTask(models.Model):
    """Something to do on a case, for one person or one agency, by a date."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("任务"), max_length=200)
    description = models.TextField(_("说明"), blank=True, max_length=2000)
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="case_tasks",
    )
    # Always set: the assignee's agency when a person is named (so an agency's list shows it).
    assignee_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("负责单位"), on_delete=models.PROTECT, related_name="case_tasks"
    )
    due_date = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = CaseTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件任务")
        verbose_name_plural = _("案件任务")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["case", "due_date"], name="case_task_case_idx"),
            models.Index(fields=["assignee_user", "status", "due_date"], name="case_task_user_idx"),
            models.Index(fields=["assignee_agency", "status", "due_date"], name="case_task_agency_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status == TaskStatus.OPEN and self.due_date < timezone.localdate()
