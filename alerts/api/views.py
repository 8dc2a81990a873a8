"""The requests API: list/create/retrieve and the lifecycle moves, plus signals."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.idempotency import idempotent
from core.db import planned_as_written

from ..filtersets import RequestFilterSet
from ..models import Request, ReturnProposal
from ..selectors import request_list, return_proposals
from ..services import (
    request_acknowledge,
    request_claim,
    request_complete,
    request_create,
    request_extend,
    request_not_subscriber,
    request_reject,
    request_release,
    request_unclaim,
    requests_acknowledge_many,
    requests_stop_all,
    return_instalment_issue,
    return_proposal_decide,
    signal_receive,
)
from .serializers import (
    BulkAcknowledgeResultSerializer,
    BulkAcknowledgeSerializer,
    ClaimSerializer,
    CompleteSerializer,
    IssueRestSerializer,
    MoneyTreeSerializer,
    RejectSerializer,
    ReleaseSerializer,
    RequestCreateSerializer,
    RequestSerializer,
    ReturnProposalSerializer,
    SignalSerializer,
    StopAllSerializer,
)

IDEMPOTENCY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
                               description="The same key twice makes one request.")


class RequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Requests my agency issued or received; a receiving agency sees only its own."""

    serializer_class = RequestSerializer
    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a query error
    filterset_class = RequestFilterSet

    def get_queryset(self):
        return request_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        with planned_as_written():
            return super().list(request, *args, **kwargs)

    @extend_schema(request=RequestCreateSerializer, responses={201: RequestSerializer}, parameters=[IDEMPOTENCY])
    def create(self, request):
        def handler():
            form = RequestCreateSerializer(data=request.data, context={"request": request})
            form.is_valid(raise_exception=True)
            # Refusals (the policy, bad input, a second open request) raise: the API's exception
            # handler answers them, and an Idempotency-Key stays free for a corrected retry.
            req = request_create(issuer=request.user, http_request=request, **form.validated_data)
            return Response(RequestSerializer(req, context={"request": request}).data, status=status.HTTP_201_CREATED)

        return idempotent(request, request.path, handler)

    @extend_schema(request=StopAllSerializer, responses={201: RequestSerializer(many=True), 409: None},
                   parameters=[IDEMPOTENCY],
                   description="Stop all: one stop-payment per receiving account of the case's transactions, for the "
                               "sum that reached it (accounts already under an open stop-payment are left alone; "
                               "409 when none is left). The same Idempotency-Key twice stops once.")
    @action(detail=False, methods=["post"], url_path="stop-all")
    def stop_all(self, request):
        def handler():
            form = StopAllSerializer(data=request.data, context={"request": request})
            form.is_valid(raise_exception=True)
            created = requests_stop_all(actor=request.user, case=form.validated_data["case"],
                                        accounts=form.validated_data.get("accounts"), http_request=request)
            context = {"request": request}
            return Response(RequestSerializer(created, many=True, context=context).data, status=status.HTTP_201_CREATED)

        return idempotent(request, request.path, handler)

    def _authorized(self, request, pk, move: str) -> None:
        """404 outside the caller's scope, 403 if the policy refuses the move on this request:
        before the body is validated, so a refused caller learns nothing from a 400."""
        from core.policy import authorize

        authorize(request.user, "request." + move, get_object_or_404(self.get_queryset(), pk=pk))

    def _move(self, request, pk, service, **kwargs):
        get_object_or_404(self.get_queryset(), pk=pk)  # not visible -> 404, never 403

        def handler():
            req = service(request_id=int(pk), actor=request.user, http_request=request, **kwargs)
            return Response(RequestSerializer(req, context={"request": request}).data)

        return idempotent(request, request.path, handler)

    @extend_schema(request=None, responses={200: RequestSerializer, 409: None}, parameters=[IDEMPOTENCY])
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._move(request, pk, request_acknowledge)

    @extend_schema(request=CompleteSerializer, responses={200: RequestSerializer, 409: None}, parameters=[IDEMPOTENCY])
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        self._authorized(request, pk, "complete")
        form = CompleteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._move(request, pk, request_complete, **form.validated_data)

    @extend_schema(request=RejectSerializer, responses={200: RequestSerializer, 409: None}, parameters=[IDEMPOTENCY])
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        self._authorized(request, pk, "reject")
        form = RejectSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._move(request, pk, request_reject, reason=form.validated_data["reason"])

    @extend_schema(request=None, responses={200: RequestSerializer, 409: None}, parameters=[IDEMPOTENCY])
    @action(detail=True, methods=["post"], url_path="not-subscriber")
    def not_subscriber(self, request, pk=None):
        return self._move(request, pk, request_not_subscriber)

    @extend_schema(request=None, responses={200: RequestSerializer, 409: None}, parameters=[IDEMPOTENCY],
                   description="Extend a stop-payment once by 48 hours, or renew a freeze by its term (issuing side).")
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        return self._move(request, pk, request_extend)

    @extend_schema(request=ReleaseSerializer, responses={200: RequestSerializer, 409: None}, parameters=[IDEMPOTENCY],
                   description="Release a completed freeze (issuing side).")
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        self._authorized(request, pk, "release")
        form = ReleaseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._move(request, pk, request_release, reason=form.validated_data.get("reason", ""))

    @extend_schema(request=ClaimSerializer, responses={200: RequestSerializer, 403: None, 404: None, 409: None},
                   parameters=[IDEMPOTENCY],
                   description="Claim a request for the calling clerk (receiving agency), so that another clerk "
                               "of the agency cannot act on it without taking it over (`take_over: true`, "
                               "audited). 409 names the holder when another clerk has it.")
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        self._authorized(request, pk, "claim")
        form = ClaimSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._move(request, pk, request_claim, take_over=form.validated_data["take_over"])

    @extend_schema(request=None, responses={200: RequestSerializer, 403: None, 404: None}, parameters=[IDEMPOTENCY],
                   description="Let a claim go (its holder, or the receiving agency's supervisor). Idempotent.")
    @action(detail=True, methods=["post"])
    def unclaim(self, request, pk=None):
        return self._move(request, pk, request_unclaim)

    @extend_schema(request=BulkAcknowledgeSerializer, responses={200: BulkAcknowledgeResultSerializer, 403: None},
                   parameters=[IDEMPOTENCY],
                   description="Acknowledge several delivered requests in one transaction, each audited. "
                               "Idempotent on retry: one already acknowledged is skipped with code `already`; "
                               "ids outside the caller's inbox with `not_found`.")
    @action(detail=False, methods=["post"], url_path="bulk-acknowledge")
    def bulk_acknowledge(self, request):
        form = BulkAcknowledgeSerializer(data=request.data)
        form.is_valid(raise_exception=True)

        def handler():
            result = requests_acknowledge_many(request_ids=form.validated_data["ids"], actor=request.user,
                                               http_request=request)
            context = {"request": request}
            return Response({
                "acknowledged": RequestSerializer(result["acknowledged"], many=True, context=context).data,
                "skipped": result["skipped"],
            })

        return idempotent(request, request.path, handler)


class MoneyTreeView(APIView):
    """``GET /api/v1/money-trees/{case_id}/``: the case's money trail by layer. The case's side
    sees every node; a bank only the nodes addressed to it (and what came into them); anyone
    else gets 404."""

    @extend_schema(responses=MoneyTreeSerializer)
    def get(self, request, case_pk: int):
        from django.http import Http404

        from cases.models import Case

        from ..selectors_money import money_tree, money_tree_viewer

        case = get_object_or_404(Case, pk=case_pk)
        view = money_tree_viewer(user=request.user, case=case)
        if not view:
            raise Http404
        return Response(MoneyTreeSerializer(money_tree(user=request.user, case=case, view=view)).data)


class ReturnProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Pro-rata returns of frozen money to a ring's victims, for the centre to approve."""

    serializer_class = ReturnProposalSerializer
    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a query error

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return ReturnProposal.objects.none()
        return return_proposals(user=self.request.user)

    def _decide(self, request, pk, approve: bool):
        get_object_or_404(self.get_queryset(), pk=pk)

        def handler():
            proposal = return_proposal_decide(proposal_id=int(pk), actor=request.user, approve=approve,
                                              http_request=request)
            return Response(ReturnProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data)

        return idempotent(request, request.path, handler)

    @extend_schema(request=None, responses={200: ReturnProposalSerializer, 403: None, 409: None}, parameters=[IDEMPOTENCY])
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, pk, True)

    @extend_schema(request=None, responses={200: ReturnProposalSerializer, 403: None, 409: None}, parameters=[IDEMPOTENCY])
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, pk, False)

    @extend_schema(request=IssueRestSerializer, responses={200: ReturnProposalSerializer, 403: None, 409: None},
                   parameters=[IDEMPOTENCY],
                   description="Request a share's outstanding rest (after a partial, refused or failed return) as its "
                               "next instalment, a return request to the bank holding the money.")
    @action(detail=True, methods=["post"], url_path="issue-rest")
    def issue_rest(self, request, pk=None):
        proposal = get_object_or_404(self.get_queryset(), pk=pk)
        form = IssueRestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        share = get_object_or_404(proposal.shares.all(), pk=form.validated_data["share"])

        def handler():
            return_instalment_issue(share_id=share.pk, actor=request.user, http_request=request)
            return Response(ReturnProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data)

        return idempotent(request, request.path, handler)


class SignalViewSet(viewsets.GenericViewSet):
    """Early-warning signals posted by a bank, carrier or platform."""

    serializer_class = SignalSerializer

    def get_queryset(self):
        from ..models import Signal

        return Signal.objects.restrict(self.request.user).select_related("task", "region")

    @extend_schema(request=SignalSerializer, responses={201: SignalSerializer}, parameters=[IDEMPOTENCY])
    def create(self, request):
        def handler():
            form = SignalSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            signal = signal_receive(actor=request.user, http_request=request, **form.validated_data)
            return Response(SignalSerializer(signal, context={"request": request}).data, status=status.HTTP_201_CREATED)

        return idempotent(request, request.path, handler)


__all__ = ["MoneyTreeView", "RequestViewSet", "ReturnProposalViewSet", "SignalViewSet", "Request"]
