"""The API's JSON parser: bounded in size and depth, so bad input gets a 4xx, never a 500.

DRF reads the request stream itself, past Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` check (that
one guards ``request.body`` and form fields), so a 30 MB JSON note used to be stored. And
Python's json module recurses per nesting level: a body nested 100,000 deep raised
``RecursionError`` (a 500). Both are refused here, before anything is built from the body.
"""

import json

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser, MultiPartParser

# No API body needs more: a case with its victims and transactions is a few levels deep.
MAX_JSON_DEPTH = 32


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("请求内容过大。")
    default_code = "request_too_large"


def json_depth_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when brackets outside strings nest deeper than ``limit`` (a linear scan, no
    recursion: it runs before the parser would hit its own recursion limit)."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


class BoundedJSONParser(JSONParser):
    """DRF's JSONParser with a body-size limit (``DATA_UPLOAD_MAX_MEMORY_SIZE``: 413) and a
    nesting limit (``MAX_JSON_DEPTH``: 400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if stream is None:
            raise ParseError(_("JSON 解析错误：请求内容为空。"))
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(_("JSON 解析错误：内容不是有效的 UTF-8 文本。"))
        if json_depth_exceeds(text):
            raise ParseError(_("JSON 嵌套层数过多（最多 %(limit)d 层）。") % {"limit": MAX_JSON_DEPTH})
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("JSON 解析错误：%(error)s") % {"error": exc})


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON (RFC 8259); Python accepts them unless told otherwise.
    raise ValueError(_("不接受 %(name)s。") % {"name": name})


class BoundedMultiPartParser(MultiPartParser):
    """Multipart uploads (a freeze order's PDF of up to 10 MB, photos, case imports): Django
    bounds the form fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) and each form checks its file, but
    nothing bounds the whole body; ``UPLOAD_MAX_BODY_SIZE`` does (413)."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        meta = getattr(request, "META", {}) if request is not None else {}
        try:
            length = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.UPLOAD_MAX_BODY_SIZE:
            raise RequestTooLarge()
        return super().parse(stream, media_type, parser_context)
