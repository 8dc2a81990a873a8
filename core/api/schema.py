"""drf-spectacular post-processing hook: every operation documents the one error body.

The API's exception handler (core/api/exceptions.py) answers every error with
``{"detail", "code", "errors"?}``; this adds that shape as the ``Error`` component and as the
400, 401, 403 and 404 answers of each operation (and fills in 409/422 answers declared without
a body), so clients and schemathesis know what a refusal looks like.
"""

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every API error: one sentence in the caller's language, a machine code, and on "
                   "invalid input the messages per field.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "example": "forbidden"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        "rows": {"type": "array", "items": {}},
    },
    "required": ["detail", "code"],
}
ERROR_STATUSES = ("400", "401", "403", "404")
WITH_BODY = ("409", "413", "422", "429")
DESCRIPTIONS = {"400": "Invalid input", "401": "Not authenticated", "403": "Refused by the policy",
                "404": "Not found, or outside the caller's scope", "409": "The object moved on (another clerk acted)",
                "413": "Body too large", "422": "Idempotency-Key reused with another body", "429": "Too many attempts"}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code in ERROR_STATUSES:
                responses.setdefault(code, {"description": DESCRIPTIONS[code]})
            for code, response in responses.items():
                if (code in ERROR_STATUSES or code in WITH_BODY) and "content" not in response:
                    response["content"] = ref
                    response.setdefault("description", DESCRIPTIONS.get(code, ""))
    return result
