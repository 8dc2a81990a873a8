"""``/api/v1/cases/{id}/notes|evidence|tasks/`` and ``/api/v1/tasks/mine/``.

The case is found through ``Case.objects.restrict(user)`` (another agency: 404) and every row
through its own ``restrict`` (the case's rule); writes go through cases.services_work, which
checks the policy with the case. Lists are paginated and read in a fixed number of queries.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from agencies.models import Agency, User
from core.views import private_file_response

from .. import services_work
from ..choices import TaskStatus
from ..models import Case, CaseEvidence, CaseNote, CaseTask
from .pagination import CasePagination


class CaseConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The case changed since it was read."


# ---------------------------------------------------------------- serializers


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True, default=None)
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    mentioned_users = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    mentioned_agencies = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = CaseNote
        fields = ["id", "case", "author", "agency", "agency_name", "body", "mentioned_users", "mentioned_agencies",
                  "created_at"]
        read_only_fields = fields


class NoteInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=4000)
    mention_users = serializers.SlugRelatedField(slug_field="username", many=True, required=False,
                                                 queryset=User.objects.filter(is_active=True))
    mention_agencies = serializers.SlugRelatedField(slug_field="code", many=True, required=False,
                                                    queryset=Agency.objects.filter(is_active=True))


class EvidenceSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True, default=None)
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvidence
        fields = ["id", "case", "kind", "original_name", "content_type", "size", "sha256", "description",
                  "uploaded_by", "agency", "agency_name", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        return "/api/v1/cases/%s/evidence/%s/download/" % (obj.case_id, obj.pk)


class EvidenceInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TaskSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    assignee_user = serializers.CharField(source="assignee_user.username", read_only=True, default=None)
    assignee_agency_name = serializers.CharField(source="assignee_agency.name", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = CaseTask
        fields = ["id", "case", "case_number", "title", "description", "assignee_user", "assignee_agency",
                  "assignee_agency_name", "due_date", "status", "is_overdue", "created_at", "completed_at"]
        read_only_fields = fields


class TaskInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    due_date = serializers.DateField()
    assignee_user = serializers.SlugRelatedField(slug_field="username", required=False, allow_null=True,
                                                 queryset=User.objects.filter(is_active=True))
    assignee_agency = serializers.SlugRelatedField(slug_field="code", required=False, allow_null=True,
                                                   queryset=Agency.objects.filter(is_active=True))


# ---------------------------------------------------------------- views


class _CaseScoped(GenericAPIView):
    pagination_class = CasePagination

    def case(self) -> Case:
        return get_object_or_404(Case.objects.restrict(self.request.user), pk=self.kwargs["case_pk"])

    def page(self, qs, serializer_class):
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(serializer_class(page, many=True).data)


class CaseNotesView(_CaseScoped):
    """Notes on a case, oldest first; POST adds one (``mention_users``/``mention_agencies`` and
    ``@username``/``@agency-code`` in the body are told live)."""

    serializer_class = NoteSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CaseNote.objects.none()
        return (CaseNote.objects.restrict(self.request.user).filter(case=self.case())
                .select_related("author", "agency").prefetch_related("mentioned_users", "mentioned_agencies")
                .order_by("created_at", "id"))

    @extend_schema(responses=NoteSerializer(many=True))
    def get(self, request, case_pk):
        return self.page(self.get_queryset(), NoteSerializer)

    @extend_schema(request=NoteInputSerializer, responses={201: NoteSerializer})
    def post(self, request, case_pk):
        case = self.case()
        ser = NoteInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        note = services_work.note_create(case=case, actor=request.user, body=ser.validated_data["body"],
                                         users=ser.validated_data.get("mention_users", []),
                                         agencies=ser.validated_data.get("mention_agencies", []), request=request)
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


class CaseEvidenceView(_CaseScoped):
    """Evidence files of a case; POST (multipart ``file``) uploads one: a PNG/JPEG/GIF/WEBP
    screenshot, a TXT/CSV/JSON chat export or a PDF, checked by content, at most 10 MB."""

    serializer_class = EvidenceSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CaseEvidence.objects.none()
        return (CaseEvidence.objects.restrict(self.request.user).filter(case=self.case())
                .select_related("uploaded_by", "agency").order_by("-uploaded_at", "-id"))

    @extend_schema(responses=EvidenceSerializer(many=True))
    def get(self, request, case_pk):
        return self.page(self.get_queryset(), EvidenceSerializer)

    @extend_schema(request={"multipart/form-data": EvidenceInputSerializer}, responses={201: EvidenceSerializer})
    def post(self, request, case_pk):
        case = self.case()
        ser = EvidenceInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        evidence = services_work.evidence_upload(case=case, actor=request.user, upload=ser.validated_data["file"],
                                                 description=ser.validated_data.get("description", ""), request=request)
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class CaseEvidenceDownloadView(_CaseScoped):
    """The file's bytes (images and PDFs inline, others as an attachment); audited."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, case_pk, pk):
        evidence = get_object_or_404(CaseEvidence.objects.restrict(request.user), pk=pk, case_id=case_pk)
        services_work.evidence_download(evidence=evidence, actor=request.user, request=request)
        return private_file_response(evidence.file, filename=evidence.original_name,
                                     content_type=evidence.content_type.split(";")[0])


class CaseTasksView(_CaseScoped):
    """Tasks of a case; POST assigns one to a person (``assignee_user``) or an agency
    (``assignee_agency``) that can see the case, with a ``due_date``."""

    serializer_class = TaskSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CaseTask.objects.none()
        return (CaseTask.objects.restrict(self.request.user).filter(case=self.case())
                .select_related("case", "assignee_user", "assignee_agency").order_by("status", "due_date", "id"))

    @extend_schema(responses=TaskSerializer(many=True))
    def get(self, request, case_pk):
        return self.page(self.get_queryset(), TaskSerializer)

    @extend_schema(request=TaskInputSerializer, responses={201: TaskSerializer})
    def post(self, request, case_pk):
        case = self.case()
        ser = TaskInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        task = services_work.task_create(case=case, actor=request.user, title=data["title"], due_date=data["due_date"],
                                         assignee_user=data.get("assignee_user"),
                                         assignee_agency=data.get("assignee_agency"),
                                         description=data.get("description", ""), request=request)
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)


class CaseTaskDoneView(_CaseScoped):
    """Mark a task done (its assignee, a colleague of the assignee's agency, or the case's owners)."""

    serializer_class = TaskSerializer

    @extend_schema(request=None, responses=TaskSerializer)
    def post(self, request, case_pk, pk):
        task = get_object_or_404(CaseTask.objects.restrict(request.user).select_related("case"), pk=pk, case_id=case_pk)
        task = services_work.task_complete(task=task, actor=request.user, request=request)
        return Response(TaskSerializer(task).data)


class MyTasksView(_CaseScoped):
    """The caller's open tasks (named to them, or to their agency), soonest due first."""

    serializer_class = TaskSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CaseTask.objects.none()
        return (CaseTask.objects.restrict(self.request.user).assigned_to(self.request.user)
                .filter(status=TaskStatus.OPEN).select_related("case", "assignee_user", "assignee_agency")
                .order_by("due_date", "id"))

    @extend_schema(responses=TaskSerializer(many=True))
    def get(self, request):
        return self.page(self.get_queryset(), TaskSerializer)
