"""The OpenAPI 3.1 document at `/api/v1/openapi.json`, generated from the route table.

Request bodies are the services' own command models less the ids the path already
gives (a `text/csv` body is a string, and the command's other fields are query
parameters); query parameters come from each route's query model (a list's default is
`limit` and `after`); responses are the models the rows name, wrapped in a page for
lists (a CSV answer is a `text/csv` string), and every error is the one `Error` shape
under the statuses it can have.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from pydantic import BaseModel, TypeAdapter

from shared.config import SERVICES
from shared.paging import PageRequest

from .routes import Route, all_routes
from .schemas import Error, Json

REF = "#/components/schemas/{model}"
ERRORS: dict[int, str] = {
    400: "invalid input: `field` names the culprit (a body field, a query parameter or a header)",
    401: "no token, or not a valid one",
    403: "the token's role or scope does not allow this",
    404: "no such thing (or no such path)",
    409: "a conflict with what is on record, e.g. insufficient_stock or idempotency_key_reused",
    413: "the body is over the configured limit",
    429: "too many bad tokens from this address",
    500: "a fault on our side: quote `request_id`",
    503: "a service, its event store or the broker is unavailable, or did not answer in time: "
         "send it again later under the same Idempotency-Key",
}
_READ_ERRORS = (400, 401, 403, 404, 429, 500, 503)
#: `Anbei-Read-After` (`services.gateway.read_after`), as a request header and a command's answer header.
_PAIR = rf" *({'|'.join(SERVICES)}) *= *[0-9]+ *"
READ_AFTER_SCHEMA: Json = {"type": "string", "minLength": 1, "maxLength": 200,
                           "pattern": rf"^{_PAIR}(,{_PAIR})*$",
                           "examples": ["inventory=1234", "inventory=1234,teams=56"]}
_COMMAND_ERRORS = (*_READ_ERRORS, 409, 413)


class Components:
    """The shared schemas, by model name; refuses two different schemas under one name."""

    def __init__(self) -> None:
        self.schemas: dict[str, Json] = {}

    def add(self, name: str, schema: Json) -> Json:
        if self.schemas.setdefault(name, schema) != schema:
            raise ValueError(f"two different schemas are both named {name}")
        return {"$ref": REF.format(model=name)}

    def of(self, annotation: Any, mode: str) -> Json:
        """A reference to (or the inline schema of) a model, a union or any pydantic type."""
        schema = TypeAdapter(annotation).json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
        for name, definition in schema.pop("$defs", {}).items():
            self.add(name, definition)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return self.add(annotation.__name__, schema)
        return schema

    def without(self, reference: Json, fields: list[str]) -> Json:
        """A request body schema without the fields the path supplies."""
        if "anyOf" in reference:
            return {"anyOf": [self.without(variant, fields) for variant in reference["anyOf"]]}
        if not fields or "$ref" not in reference:
            return reference
        name = reference["$ref"].rsplit("/", 1)[1]
        schema = copy.deepcopy(self.schemas[name])
        for field in fields:
            schema.get("properties", {}).pop(field, None)
        schema["required"] = [name for name in schema.get("required", []) if name not in fields]
        return self.add(f"{name}Body", schema)


def _parameters(route: Route) -> list[Json]:
    parameters: list[Json] = [{"name": field, "in": "path", "required": True, "schema": {"type": "string"}}
                              for field in route.path_fields]
    query = route.query or (PageRequest if route.paged else None)
    if query is not None:
        parameters += _query_parameters(query)
    if route.body == "csv":  # the command's other fields travel in the query
        parameters += _query_parameters(route.request, leave_out=("csv",))
    return parameters


def _query_parameters(model: Any, leave_out: tuple[str, ...] = ()) -> list[Json]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    return [{"name": name, "in": "query", "required": name in required, "schema": field}
            for name, field in schema["properties"].items() if name not in leave_out]


def _success(route: Route, components: Components) -> Json:
    if route.answer == "csv":
        return {"description": f"{route.summary} (UTF-8, a header row, one record a line)",
                "content": {"text/csv": {"schema": {"type": "string"}}}}
    schema = components.of(route.response, "serialization") if route.response is not None else {
        "type": "object"}
    if route.paged:
        schema = {"type": "object", "required": ["items", "next"], "properties": {
            "items": {"type": "array", "items": schema},
            "next": {"anyOf": [{"type": "string"}, {"type": "null"}],
                     "description": "pass back as `after` for the next page; null on the last"}}}
    return {"description": route.summary, "content": {"application/json": {"schema": schema}}}


def _operation(route: Route, components: Components) -> Json:
    error = components.of(Error, "serialization")
    codes = _COMMAND_ERRORS if route.kind == "command" else _READ_ERRORS
    responses: Json = {str(route.status): _success(route, components)}
    responses |= {str(code): {"description": ERRORS[code], "content": {"application/json": {
        "schema": error}}} for code in sorted(codes)}
    roles = ", ".join(sorted(route.access.roles))
    scope = ", ".join(route.access.scope)
    operation: Json = {
        "operationId": route.name, "summary": route.summary, "tags": [route.service],
        "description": f"Roles: {roles}." + (f" Scoped roles only on their own {scope}." if scope else ""),
        "parameters": _parameters(route), "responses": responses,
    }
    operation["parameters"].append(_read_after_parameter(route))
    if route.kind == "command":
        responses[str(route.status)]["headers"] = {"Anbei-Read-After": {
            "description": "where this command's events reached in its service's store (merged with the "
                           "request's own header); send it with a later read to see this write",
            "schema": READ_AFTER_SCHEMA}}
        operation["requestBody"] = _request_body(route, components)
        operation["parameters"].append({"name": "Idempotency-Key", "in": "header", "required": False,
                                        "schema": {"type": "string", "minLength": 1, "maxLength": 200,
                                                   "pattern": "^[!-~]+$"},
                                        "description": "the same key and body again return the first answer"})
    return operation


def _read_after_parameter(route: Route) -> Json:
    if route.kind == "command":
        what = "positions to carry over: the answer's header holds them merged with this command's"
    else:
        what = ("read only once the service's read models hold these store positions (a command's "
                "answer gives them): your own writes are then seen on any replica; 503 "
                "`read_models_behind` if a replica cannot catch up in time")
    return {"name": "Anbei-Read-After", "in": "header", "required": False, "schema": READ_AFTER_SCHEMA,
            "description": what}


def _request_body(route: Route, components: Components) -> Json:
    if route.body == "csv":
        return {"required": True, "content": {"text/csv": {"schema": {
            "type": "string", "description": "the file as UTF-8 text (a byte-order mark is allowed), "
                                             "a header row first"}}}}
    body = components.without(components.of(route.request, "validation"), route.path_fields)
    return {"required": True, "content": {"application/json": {"schema": body}}}


def _health(summary: str) -> Json:
    return {"get": {"summary": summary, "security": [], "tags": ["health"], "responses": {
        "200": {"description": summary, "content": {"application/json": {"schema": {"type": "object"}}}},
        "503": {"description": "not ready", "content": {"application/json": {"schema": {"type": "object"}}}},
    }}}


def _asyncapi() -> Json:
    summary = ("the AsyncAPI 3 document of the events other systems consume: exchanges, routing keys, "
               "payload schemas, versions and meanings")
    return {"get": {"summary": summary, "security": [], "tags": ["events"], "responses": {
        "200": {"description": summary, "content": {"application/json": {"schema": {"type": "object"}}}}}}}


def openapi_path(route: Route) -> str:
    url = route.url
    for field in route.path_fields:
        url = url.replace(f"<{field}>", f"{{{field}}}")
    return url


@functools.cache
def document() -> Json:
    components = Components()
    paths: Json = {"/healthz": _health("the process is alive"),
                   "/readyz": _health("every service answers"),
                   "/api/v1/asyncapi.json": _asyncapi()}
    for route in all_routes():
        paths.setdefault(openapi_path(route), {})[route.method.lower()] = _operation(route, components)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Anbei (安备) public API", "version": "1",
                 "description": "Reserve stock, rescue-team readiness and incidents of Jin'an District. "
                                "A time without a zone is read as China Standard Time (UTC+8)."},
        "paths": paths,
        "components": {"schemas": components.schemas,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    }
