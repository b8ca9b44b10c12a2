"""Teaches drf-spectacular the error envelope every operation can answer with."""

from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every API error: a 4xx status with this body.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "A stable code, e.g. invalid."},
                "message": {
                    "type": "string",
                    "description": "A sentence in the reader's language.",
                },
                "fields": {
                    "type": "object",
                    "description": "The message(s) of each invalid field, by field name.",
                    "additionalProperties": {},
                },
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}
WRITES = {"post", "put", "patch", "delete"}
ERRORS = {
    "400": "The request is not valid (a field, a query parameter or the body); `fields` says why.",
    "401": "No valid credentials were sent.",
    "403": "The signed-in user may not do this.",
    "404": "Not found, or outside the reader's scope (the two are not told apart).",
    "409": "The record changed since it was read (a newer version), or the step is not allowed"
    " in its present state.",
    "422": "This Idempotency-Key was already used with a different request.",
    "429": "Too many attempts from this address or for this account; try again later.",
}


def _content() -> dict[str, Any]:
    # A new dict each time: a shared one would be written as a YAML alias.
    return {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _error(code: str) -> dict[str, Any]:
    return {"description": ERRORS[code], "content": _content()}


def error_responses_hook(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A spectacular postprocessing hook: documents the error envelope of `api.errors` for the
    answers any operation can give (SPEC §3) — 400 for bad input, 401/403 for credentials and
    permissions, 404 for a record missing or out of scope, 409 and 422 for writes (a version
    or the state of a record, an Idempotency-Key reused), 429 for sign-in and public-channel
    throttling — and the web server's own 414. Answers an operation documents itself are kept,
    with the envelope as their body when they name none."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            # Credentials that are sent are checked before an operation's own permissions, so
            # even an open operation answers 401 to a token that is not valid.
            codes = ["400", "401", "403", "404"]
            # Writes of a signed-in user name a version or take an Idempotency-Key (SPEC §3);
            # signing in does neither.
            if method in WRITES and any(operation.get("security", [])):
                codes += ["409", "422"]
            if "/auth/" in path or "/public/" in path:
                codes.append("429")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, _error(code))
            # Answered by the web server in front of Django, before any of our code runs.
            responses.setdefault(
                "414",
                {
                    "description": "The address is longer than the web server accepts.",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
            )
            for code, response in responses.items():
                if code[0] in "45" and "content" not in response:
                    response["content"] = _content()
    return result
