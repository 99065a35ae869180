"""The contract: the platform's official OpenAPI spec, and a checker for one HTTP exchange.

The spec comes from the npm package @tts-open-toolkit/cli@0.1.7 (files
skills/tts-openapi-guide/references/oas/paths/{product,authorization,logistics}.json). It is
fetched once with `npm pack` into the git-ignored /work/main/.cache/spec and reused; it is
never committed. Without npm the spec cannot be fetched: `load_contract()` raises
`SpecUnavailable` with a message saying so (the fixtures then skip validation locally but
FAIL when the environment variable CI=true).

`Contract.check(request_info, response_info)` returns a list of problems (empty = fine):
- the path + method are declared (token endpoints /api/v2/token/* are not in the spec: skipped);
- every query parameter is declared (plus the common app_key, timestamp, sign), required
  query parameters and headers are present;
- request body field names are declared, recursively, with the declared JSON types;
- response fields are declared, recursively (undeclared = error), with the declared types,
  except `data.errors[]` on write endpoints (the Tokopedia per-platform error array).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "@tts-open-toolkit/cli@0.1.7"
ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "spec"
SPEC_FILES = ("product.json", "authorization.json", "logistics.json")
INNER = "package/skills/tts-openapi-guide/references/oas/paths/"
COMMON_QUERY = frozenset({"app_key", "timestamp", "sign"})
UNSPECIFIED_PREFIXES = ("/api/v2/token/",)
TYPES = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,), "array": (list,),
         "object": (dict,)}


class SpecUnavailable(RuntimeError):
    """The official spec could not be fetched (npm missing or offline)."""


def fetch_spec(cache: Path = CACHE) -> Path:
    """Directory holding the spec's path files, fetched with `npm pack` on first use."""
    if all((cache / name).is_file() for name in SPEC_FILES):
        return cache
    npm = shutil.which("npm")
    if npm is None:
        raise SpecUnavailable(f"npm is not installed: cannot fetch the official spec ({PACKAGE}); "
                              "install npm (the CI installs it) to run the contract checks")
    cache.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache.parent) as tmp:
        try:
            result = subprocess.run([npm, "pack", PACKAGE, "--silent", "--pack-destination", tmp],
                                    capture_output=True, text=True, timeout=300, check=False)
        except (subprocess.TimeoutExpired, OSError) as exc:
            raise SpecUnavailable(f"`npm pack {PACKAGE}` did not finish: {exc}") from None
        tarballs = list(Path(tmp).glob("*.tgz"))
        if result.returncode != 0 or not tarballs:
            raise SpecUnavailable(f"`npm pack {PACKAGE}` failed: {result.stderr.strip()[-500:]}")
        staging = Path(tmp) / "spec"
        staging.mkdir()
        with tarfile.open(tarballs[0]) as archive:
            for name in SPEC_FILES:
                member = archive.extractfile(INNER + name)
                if member is None:
                    raise SpecUnavailable(f"{PACKAGE} has no {INNER + name}")
                (staging / name).write_bytes(member.read())
        if not cache.exists():
            try:
                staging.rename(cache)
            except OSError:
                pass  # another process won the race; its copy is identical
    return cache


def _type_ok(value: Any, declared: str | None) -> bool:
    if declared is None or declared not in TYPES:
        return True
    if isinstance(value, bool) and declared in ("integer", "number"):
        return False
    return isinstance(value, TYPES[declared])


def walk(value: Any, schema: dict[str, Any], path: str, problems: list[str],
         skip: frozenset[str] = frozenset()) -> None:
    """Check `value` against `schema`: declared names only, declared types."""
    if path in skip:
        return
    if value is None:
        problems.append(f"{path}: null is not a declared value")
        return
    declared = schema.get("type")
    if not _type_ok(value, declared):
        problems.append(f"{path}: expected {declared}, got {type(value).__name__} {json.dumps(value)[:60]}")
        return
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        for key in sorted(value):
            if f"{path}.{key}" in skip:
                continue
            if key not in properties:
                problems.append(f"{path}.{key}: not declared in the spec")
            else:
                walk(value[key], properties[key], f"{path}.{key}", problems, skip)
    elif isinstance(value, list):
        items = schema.get("items") or {}
        for index, item in enumerate(value):
            walk(item, items, f"{path}[{index}]", problems, skip)


class Contract:
    def __init__(self, spec_dir: Path) -> None:
        self.operations: dict[tuple[str, str], dict[str, Any]] = {}
        for name in SPEC_FILES:
            document = json.loads((spec_dir / name).read_text(encoding="utf-8"))
            for template, methods in document["paths"].items():
                for method, operation in methods.items():
                    self.operations[(method.upper(), template)] = operation

    def find(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        parts = path.strip("/").split("/")
        best: tuple[int, str, dict[str, Any]] | None = None
        for (op_method, template), operation in self.operations.items():
            wanted = template.strip("/").split("/")
            if op_method != method or len(wanted) != len(parts):
                continue
            if all(w.startswith("{") or w == p for w, p in zip(wanted, parts, strict=True)):
                literal = sum(1 for w in wanted if not w.startswith("{"))
                if best is None or literal > best[0]:
                    best = (literal, template, operation)
        return (best[1], best[2]) if best else None

    def check(self, request: dict[str, Any], response: dict[str, Any], *, requests_too: bool = True) -> list[str]:
        method, path = request["method"], request["path"]
        if path.startswith(UNSPECIFIED_PREFIXES) or response.get("dropped"):
            return []
        found = self.find(method, path)
        if found is None:
            return [f"{method} {path}: path/method not declared in the spec"] if requests_too else []
        template, operation = found
        where = f"{method} {template}"
        problems = self._check_request(operation, request) if requests_too else []
        problems += self._check_response(operation, method, response)
        return [f"{where}: {p}" for p in problems]

    @staticmethod
    def _check_request(operation: dict[str, Any], request: dict[str, Any]) -> list[str]:
        problems: list[str] = []
        params = operation.get("parameters", [])
        declared_query = {p["name"] for p in params if p["in"] == "query"} | COMMON_QUERY
        for name in sorted(set(request["query"]) - declared_query):
            problems.append(f"query parameter {name!r} is not declared")
        headers = {k.lower() for k in request["headers"]}
        for param in params:
            if param.get("required") and param["in"] == "query" and param["name"] not in request["query"]:
                problems.append(f"required query parameter {param['name']!r} is missing")
            if param.get("required") and param["in"] == "header" and param["name"].lower() not in headers:
                problems.append(f"required header {param['name']!r} is missing")
        content = (operation.get("requestBody") or {}).get("content", {})
        body = request.get("body") or b""
        content_type = request["headers"].get("content-type", "").split(";")[0].strip()
        if "application/json" in content and body.strip():
            try:
                parsed = json.loads(body)
            except ValueError:
                return problems + ["request body is not JSON"]
            walk(parsed, content["application/json"]["schema"], "body", problems)
        elif body.strip() and content and content_type not in content:
            problems.append(f"request Content-Type {content_type!r} is not declared ({', '.join(content)})")
        elif body.strip() and not content:
            problems.append("a request body is sent but the spec declares none")
        return problems

    @staticmethod
    def _check_response(operation: dict[str, Any], method: str, response: dict[str, Any]) -> list[str]:
        payload = response.get("json")
        if payload is None:
            return [f"HTTP {response.get('status')}: the response is not JSON"]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        problems: list[str] = []
        for key in ("code", "message", "request_id", "data"):
            if key not in payload:
                problems.append(f"response envelope lacks {key!r}")
        skip = frozenset({"response.data.errors"}) if method != "GET" else frozenset()
        walk(payload, schema, "response", problems, skip)
        return problems


_CONTRACT: Contract | None = None
_FAILURE: SpecUnavailable | None = None


def load_contract() -> Contract:
    """The parsed spec (fetched and parsed once per test session; a failure is not retried)."""
    global _CONTRACT, _FAILURE
    if _FAILURE is not None:
        raise _FAILURE
    if _CONTRACT is None:
        try:
            _CONTRACT = Contract(fetch_spec())
        except SpecUnavailable as exc:
            _FAILURE = exc
            raise
    return _CONTRACT


def is_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"
