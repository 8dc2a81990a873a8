"""Working a case: notes, evidence files, tasks, and "my tasks".

Every row is found through its ``restrict(user)`` (the case's rule): another agency's note, file
or task is a 404; banks, carriers and platforms never reach these pages (the policy gate).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from core.policy import allowed
from core.views import private_file_response

from .. import services_work
from ..choices import TaskStatus
from ..forms_work import EvidenceForm, NoteForm, TaskForm
from ..models import Case, CaseEvidence, CaseNote, CaseTask
from ..validation import error_text
from .access import CaseReaderMixin, get_visible_case


def work_context(case: Case, user, *, note_form=None, evidence_form=None, task_form=None) -> dict:
    """The notes, files and tasks of the case page, and their forms where the user may write."""
    audience = None

    def aud():
        nonlocal audience
        if audience is None:
            audience = services_work.case_audience(case)
        return audience

    can_note = allowed(user, "note.create", case)
    can_evidence = allowed(user, "evidence.create", case)
    can_task = allowed(user, "task.create", case)
    tasks = list(CaseTask.objects.filter(case=case).select_related("assignee_user", "assignee_agency").order_by("status", "due_date", "id"))
    return {
        "notes": notes_of(case),
        "evidence": CaseEvidence.objects.filter(case=case).select_related("uploaded_by", "agency").order_by("-uploaded_at", "-id"),
        "tasks": tasks,
        "tasks_overdue": sum(1 for t in tasks if t.is_overdue),
        "note_form": (note_form or NoteForm(audience=aud())) if can_note else None,
        "evidence_form": (evidence_form or EvidenceForm()) if can_evidence else None,
        "task_form": (task_form or TaskForm(audience=aud())) if can_task else None,
        "today": timezone.localdate(),
    }


def notes_of(case: Case):
    return (CaseNote.objects.filter(case=case).select_related("author", "agency")
            .prefetch_related("mentioned_users", "mentioned_agencies").order_by("created_at", "id"))


class NotesView(CaseReaderMixin, View):
    """GET: the notes list (the live helper re-fetches it); POST: add one."""

    def get(self, request, pk):
        case = get_visible_case(request.user, pk)
        return render(request, "cases/_notes.html", {"case": case, "notes": notes_of(case)})

    def post(self, request, pk):
        case = get_visible_case(request.user, pk)
        form = NoteForm(request.POST, audience=services_work.case_audience(case))
        if form.is_valid():
            try:
                services_work.note_create(case=case, actor=request.user, body=form.cleaned_data["body"],
                                          users=form.cleaned_data["users"], agencies=form.cleaned_data["agencies"],
                                          request=request)
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("备注已添加。"))
        else:
            messages.error(request, _("请填写备注内容。"))
        return redirect("cases:detail", pk=case.pk)


class EvidenceView(CaseReaderMixin, View):
    def post(self, request, pk):
        case = get_visible_case(request.user, pk)
        form = EvidenceForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("请选择要上传的文件。"))
        else:
            try:
                services_work.evidence_upload(case=case, actor=request.user, upload=form.cleaned_data["file"],
                                              description=form.cleaned_data["description"], request=request)
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("证据已上传。"))
        return redirect("cases:detail", pk=case.pk)


@login_required
def evidence_download_view(request, pk):
    """The file, to a user who may see its case (else 404); every download is audited."""
    if not allowed(request.user, "case.view"):
        raise PermissionDenied
    evidence = get_object_or_404(CaseEvidence.objects.restrict(request.user), pk=pk)
    services_work.evidence_download(evidence=evidence, actor=request.user, request=request)
    return private_file_response(evidence.file, filename=evidence.original_name,
                                 content_type=evidence.content_type.split(";")[0])


class TasksView(CaseReaderMixin, View):
    def post(self, request, pk):
        case = get_visible_case(request.user, pk)
        form = TaskForm(request.POST, audience=services_work.case_audience(case))
        if not form.is_valid():
            messages.error(request, _("请填写任务内容、负责人或单位以及截止日期。"))
        else:
            data = form.cleaned_data
            try:
                services_work.task_create(case=case, actor=request.user, title=data["title"], due_date=data["due_date"],
                                          assignee_user=data["assignee_user"], assignee_agency=data["assignee_agency"],
                                          description=data["description"], request=request)
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("任务已分派。"))
        return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def task_done_view(request, pk):
    task = get_object_or_404(CaseTask.objects.restrict(request.user).select_related("case"), pk=pk)
    services_work.task_complete(task=task, actor=request.user, request=request)
    messages.success(request, _("任务已完成。"))
    if request.POST.get("next") == "mine":
        return redirect("cases:my_tasks")
    return redirect("cases:detail", pk=task.case_id)


def my_tasks(user):
    """The open tasks for ``user`` (named, or for their agency) on cases they may see."""
    return (CaseTask.objects.restrict(user).assigned_to(user).filter(status=TaskStatus.OPEN)
            .select_related("case", "assignee_user", "assignee_agency").order_by("due_date", "id"))


class MyTasksView(CaseReaderMixin, View):
    def get(self, request):
        tasks = list(my_tasks(request.user)[:500])
        today = timezone.localdate()
        template = "cases/_my_task_rows.html" if request.GET.get("rows") else "cases/my_tasks.html"
        return render(request, template, {
            "tasks": tasks, "overdue": sum(1 for t in tasks if t.due_date < today), "today": today,
        })
