"""One exception tree for the whole engine, and the Diagnostic value.

    EngineError                      root; the CLI catches it once, prints it, exits 1
    ├── CatalogError                 the catalog on disk is invalid (carries Diagnostics)
    ├── ConfigError                  missing/invalid settings or credentials (names the variable)
    ├── PlanError                    a plan cannot be made or used (bad target, bad plan file)
    │   ├── StalePlanError           the live shop moved since a saved plan was made (--strict)
    │   └── GuardError               the plan trips a guard nobody acknowledged: apply refuses it
    ├── ApiError                     the shop answered with a non-zero code (code, message, request_id)
    │   ├── AuthError                token expired/invalid, bad signature, missing scope
    │   ├── RateLimitedError         HTTP 429 / 36009002 after all retries
    │   ├── TransientApiError        5xx / 36009003 / transport failure after all retries
    │   └── AmbiguousWriteError      a write may or may not have happened; never retried blindly
    └── GitHubError                  the GitHub REST API refused (names the missing permission)

Adapters translate foreign exceptions (httpx, API envelopes, YAML parsers) into this
tree with ``raise ... from exc``; nothing above the adapters sees httpx or ruamel types.
No message ever contains a secret: callers pass ids and codes, never credentials, and every
text that came from the shop or from GitHub goes through `redact` first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")  # scheme://user:password@host


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` (an error message from the shop or GitHub, which may echo the request) with every
    secret value (longest first, so one that contains another goes whole) and any URL userinfo
    replaced by ***. The one redaction: the shop's wire and token refresh, the GitHub client."""
    for value in sorted({v for v in secrets if v}, key=len, reverse=True):
        text = text.replace(value, "***")
    return _USERINFO.sub(r"\1***@", text)


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in a catalog, pointing at the place a seller must fix."""

    file: str
    line: int
    column: int
    message: str
    path: str = ""  # dotted field path, e.g. "products[2].skus[0].price"
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        field_path = f" {self.path}:" if self.path else ""
        return f"{where}: {self.severity}:{field_path} {self.message}"


class EngineError(Exception):
    """Root of every error the engine raises on purpose."""

    exit_code = 1

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class CatalogError(EngineError):
    """The catalog is invalid; ``diagnostics`` lists every problem at once."""

    def __init__(self, diagnostics: list[Diagnostic] | tuple[Diagnostic, ...], message: str = "") -> None:
        self.diagnostics = tuple(sorted(diagnostics))
        errors = sum(1 for d in self.diagnostics if d.severity == "error")
        super().__init__(message or f"catalog is invalid: {errors} error(s)")


class ConfigError(EngineError):
    """Settings or credentials are missing or invalid."""


class PlanError(EngineError):
    """A plan cannot be made, loaded or applied."""


class GuardError(PlanError):
    """The plan trips a guard that is not acknowledged (engine.plan.guards); nothing is written."""


class StalePlanError(PlanError):
    """Live products changed since the saved plan was made."""

    def __init__(self, message: str, keys: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.keys = keys


class ApiError(EngineError):
    """The shop answered with a non-zero business code or an HTTP error."""

    def __init__(self, message: str, *, code: int = 0, request_id: str = "", http_status: int = 0,
                 path: str = "") -> None:
        parts = [f"code {code}"] if code else []
        if http_status and http_status != 200:
            parts.append(f"HTTP {http_status}")
        if request_id:
            parts.append(f"request_id {request_id}")
        if path:
            parts.append(path)
        detail = f"{message} ({', '.join(parts)})" if parts else message
        super().__init__(detail)
        self.code = code
        self.api_message = message
        self.request_id = request_id
        self.http_status = http_status
        self.path = path


class AuthError(ApiError):
    """Expired/invalid token, bad signature, missing scope or shop mismatch."""


class RateLimitedError(ApiError):
    """Still throttled (HTTP 429 / 36009002) after every retry."""


class TransientApiError(ApiError):
    """Server or transport failure that persisted through every retry."""


class AmbiguousWriteError(ApiError):
    """A write failed in a way that does not tell whether it happened."""


class GitHubError(EngineError):
    """The GitHub REST API refused a call."""
