"""The API's one exception handler (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``).

Every error answer has the same body::

    {"detail": "<one sentence in the caller's language>", "code": "<machine code>",
     "errors": {"<field>": ["<message>", ...]}}      # "errors" only on invalid input

Domain errors map here, once: ``core.policy.Forbidden`` (and Django's ``PermissionDenied``) to
403, ``alerts`` request errors to their own status (400/403/409), Django's ``ValidationError``
to 400, ``Http404`` and ``ObjectDoesNotExist`` to 404. Views raise; none builds an error body.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = "non_field_errors"


class ErrorSerializer(serializers.Serializer):
    """The body of every API error (documented in the schema on each operation)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


def _flatten(data, prefix="") -> dict[str, list[str]]:
    """DRF's nested error detail -> {"field" or "field.0.sub": [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            name = "%s.%s" % (prefix, key) if prefix else str(key)
            for k, v in _flatten(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(data, list):
        if all(not isinstance(v, (dict, list)) for v in data):
            out[prefix or NON_FIELD] = [str(v) for v in data]
        else:
            for i, value in enumerate(data):
                for k, v in _flatten(value, "%s.%d" % (prefix, i) if prefix else str(i)).items():
                    out.setdefault(k, []).extend(v)
    else:
        out[prefix or NON_FIELD] = [str(data)]
    return out


def _django_validation(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        detail = {(k if k != "__all__" else NON_FIELD): [str(m) for e in v for m in e.messages]
                  for k, v in exc.error_dict.items()}
    else:
        detail = {NON_FIELD: [str(m) for m in exc.messages]}
    rows = getattr(exc, "rows", None)
    error = exceptions.ValidationError(detail)
    error.rows = rows
    return error


def _translate(exc):
    """Domain and Django errors -> DRF's exception types (status and message kept)."""
    from alerts.services import RequestError

    from ..policy import Forbidden

    if isinstance(exc, RequestError):  # RequestConflict 409, RequestForbidden 403, else 400
        error = exceptions.APIException(exc.message)
        error.status_code = exc.status_code
        error.default_code = {409: "conflict", 403: "forbidden"}.get(exc.status_code, "invalid")
        return error, error.default_code
    if isinstance(exc, Forbidden):
        return exceptions.PermissionDenied(exc.message), exc.code
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None), "forbidden"
    if isinstance(exc, DjangoValidationError):
        return _django_validation(exc), "invalid"
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        return exceptions.NotFound(), "not_found"
    return exc, None


def exception_handler(exc, context):
    exc, code = _translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: a real 500, logged by Django
    data = response.data
    body: dict = {}
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(data)
        body["detail"] = " ".join(m for msgs in errors.values() for m in msgs) or _("输入有误。")
        body["code"] = code or "invalid"
        body["errors"] = errors
        if getattr(exc, "rows", None):
            body["rows"] = exc.rows
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else data
        body["detail"] = str(detail)
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        body["code"] = code or (codes if isinstance(codes, str) else None) or getattr(exc, "default_code", "error")
    response.data = body
    return response


ERROR_RESPONSES = {
    status.HTTP_400_BAD_REQUEST: ErrorSerializer,
    status.HTTP_403_FORBIDDEN: ErrorSerializer,
    status.HTTP_404_NOT_FOUND: ErrorSerializer,
}
