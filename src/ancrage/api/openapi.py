"""The OpenAPI 3.1 document of the public HSDS API, served at /hsds/openapi.json and
/api/openapi.json.

Paths and query parameters come from the API's own signatures (django-ninja); the response bodies
are the HSDS 3.0 core schemas (`hsds/schema/*.json`, the specification's files) made into
components, with the HSDA `Page` around lists, and the errors the API answers: 400 for a bad
parameter, 404 for an unknown id, 429 past the rate limit, each `{"detail": "…"}`.
"""

import copy
import functools
import json
from pathlib import Path
from typing import Any

from django.http import HttpRequest, JsonResponse

from ancrage.directory.models import CONTENT_LANGUAGES

SCHEMA_DIR = Path(__file__).resolve().parent / "hsds" / "schema"

# JSON Schema keywords kept from the HSDS files (the others describe the tabular format).
KEPT_KEYWORDS = {
    "type",
    "properties",
    "items",
    "required",
    "enum",
    "description",
    "title",
    "$ref",
    "format",
    "minimum",
    "maximum",
}
# HSDS formats that JSON Schema does not know.
DROPPED_FORMATS = {"csv"}

PAGE = {
    "type": "object",
    "description": "A page of results (HSDA).",
    "required": [
        "total_items",
        "total_pages",
        "page_number",
        "size",
        "first_page",
        "last_page",
        "empty",
        "contents",
    ],
    "properties": {
        "total_items": {"type": "integer", "minimum": 0},
        "total_pages": {"type": "integer", "minimum": 0},
        "page_number": {"type": "integer", "minimum": 1},
        "size": {"type": "integer", "minimum": 0},
        "first_page": {"type": "boolean"},
        "last_page": {"type": "boolean"},
        "empty": {"type": "boolean"},
        "contents": {"type": "array"},
    },
}
ERROR = {
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"type": "string", "description": "What was wrong, in words."}},
}
MINIMAL_SERVICE = {
    "type": "object",
    "required": ["id", "last_modified"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "last_modified": {"type": "string", "format": "date-time"},
    },
}
ROOT = {
    "type": "object",
    "required": ["version", "openapi_url"],
    "properties": {
        "version": {"type": "string"},
        "openapi_url": {"type": "string", "format": "uri"},
        "x-ancrage-languages": {"type": "array", "items": {"type": "string"}},
    },
}

# operationId of django-ninja → (HSDS resource of the answer, a list of them?)
RESPONSES = {
    "services": ("service", True),
    "service": ("service", False),
    "organizations": ("organization", True),
    "organization": ("organization", False),
    "service_at_locations": ("service_at_location", True),
    "service_at_location": ("service_at_location", False),
    "taxonomies": ("taxonomy", True),
    "taxonomy": ("taxonomy", False),
    "taxonomy_terms": ("taxonomy_term", True),
    "taxonomy_term": ("taxonomy_term", False),
}

# Bounds the API enforces (api.py), stated in the document so clients and fuzzers know them.
NO_CONTROL_CHARACTERS = "^[^\\u0000-\\u001f]*$"
# An empty filter (`?taxonomy_id=`, as a form sends it) is the same as no filter.
EMPTY = {"type": "string", "maxLength": 0}
UUID_OR_EMPTY = {"anyOf": [{"type": "string", "format": "uuid"}, EMPTY]}
PARAMETER_BOUNDS: dict[str, dict[str, Any]] = {
    "page": {"type": "integer", "minimum": 1, "default": 1},
    "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
    "search": {"type": "string", "maxLength": 200, "pattern": NO_CONTROL_CHARACTERS},
    # The directory's languages; the codes of Ancrage's other languages are accepted too.
    "lang": {"type": "string", "enum": list(CONTENT_LANGUAGES)},
    "postcode": {"type": "string", "pattern": "^([A-Za-z0-9]{3}( ?[A-Za-z0-9]{3})?)?$"},
    "proximity": EMPTY,
    "format": {"type": "string", "enum": ["json", ""]},
    "modified_after": {"anyOf": [{"type": "string", "format": "date-time"}, EMPTY]},
    "taxonomy_term_id": UUID_OR_EMPTY,
    "taxonomy_id": UUID_OR_EMPTY,
    "organization_id": UUID_OR_EMPTY,
    "parent_id": UUID_OR_EMPTY,
}


def _clean(node: Any) -> Any:
    """An HSDS schema node as plain JSON Schema, its `x.json` references made components."""
    if isinstance(node, list):
        return [_clean(item) for item in node]
    if not isinstance(node, dict):
        return node
    cleaned = {}
    for key, value in node.items():
        if key not in KEPT_KEYWORDS:
            continue
        if key == "$ref":
            name = value.rsplit("/", 1)[-1].removesuffix(".json")
            return {"$ref": f"#/components/schemas/{name}"}
        if key == "format" and value in DROPPED_FORMATS:
            continue
        if key == "properties":
            cleaned[key] = {name: _clean(sub) for name, sub in value.items()}
        elif key in {"required", "enum"}:
            cleaned[key] = value
        else:
            cleaned[key] = _clean(value)
    return cleaned


@functools.cache
def hsds_components() -> dict[str, Any]:
    components = {}
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        schema = _clean(json.loads(path.read_text(encoding="utf-8")))
        schema.setdefault("type", "object")
        components[path.stem] = schema
    return components


def _parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    """A ninja parameter with a plain schema (no `null`: a query parameter is absent or a
    string) and the bounds the API enforces."""
    schema = parameter.get("schema", {})
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    plain = {k: v for k, v in (options[0] if options else {}).items() if k != "title"}
    if "default" in schema:
        plain["default"] = schema["default"]
    if parameter["in"] == "query" and parameter["name"] in PARAMETER_BOUNDS:
        bounds = PARAMETER_BOUNDS[parameter["name"]]
        kept = {k: v for k, v in plain.items() if k in {"description", "default"}}
        plain = {**kept, **bounds} if "anyOf" in bounds else {**plain, **bounds}
    result = {
        "name": parameter["name"],
        "in": parameter["in"],
        "required": parameter.get("required", False),
        "schema": plain,
    }
    if parameter.get("description") or schema.get("description"):
        result["description"] = parameter.get("description") or schema["description"]
    return result


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json({"$ref": "#/components/schemas/Error"}, description)


def _responses(name: str) -> dict[str, Any]:
    limited = _error("Too many requests from this address; see the Retry-After header.")
    limited["headers"] = {
        "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
    }
    if name == "root":
        return {
            "200": _json({"$ref": "#/components/schemas/Root"}, "About this API."),
            "429": limited,
        }
    resource, is_list = RESPONSES[name]
    item = {"$ref": f"#/components/schemas/{resource}"}
    if is_list:
        if resource == "service":
            item = {"anyOf": [item, {"$ref": "#/components/schemas/MinimalService"}]}
        body = {
            "allOf": [
                {"$ref": "#/components/schemas/Page"},
                {"properties": {"contents": {"type": "array", "items": item}}},
            ]
        }
        responses = {"200": _json(body, "A page of results.")}
    else:
        responses = {
            "200": _json(item, "The object, fully nested."),
            "404": _error("No public object has this id."),
        }
    responses["400"] = _error("A parameter is not valid; the message names it.")
    responses["429"] = limited
    return responses


@functools.cache
def document() -> dict[str, Any]:
    from .hsds.api import api

    generated = api.get_openapi_schema(path_prefix="/hsds/")
    paths = {}
    for path, operations in generated["paths"].items():
        for method, operation in operations.items():
            name = operation["operationId"].rsplit("_api_", 1)[-1]
            paths.setdefault(path, {})[method] = {
                "operationId": name,
                "summary": operation.get("summary", ""),
                "parameters": [_parameter(p) for p in operation.get("parameters", [])],
                "responses": _responses(name),
            }
    components = {
        **hsds_components(),
        "Page": PAGE,
        "Error": ERROR,
        "MinimalService": MINIMAL_SERVICE,
        "Root": ROOT,
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": generated["info"]["title"],
            "version": generated["info"]["version"],
            "description": generated["info"]["description"]
            + " Objects follow the Open Referral HSDS 3.0 schemas (CC BY-SA 4.0); lists are"
            " HSDA pages. Each address may make a limited number of requests per minute.",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "paths": paths,
        "components": {"schemas": copy.deepcopy(components)},
    }


def openapi_json(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(document(), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"  # public and read-only, like the API
    return response
