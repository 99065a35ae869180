"""shop.yaml → `ShopConfig`: which shop, where it lives, what every product inherits.

Credentials are never read from files: a credential-looking key anywhere in shop.yaml is an
error that names the TTS_* environment variable to use instead, and its value is never
repeated in a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from engine.catalog.diagnose import CREDENTIAL_ENV, credential_message, errors_of
from engine.catalog.files import CatalogFiles, FileProblem
from engine.catalog.guard_settings import DEFAULT_GUARDS, GuardSettings, guard_settings, limit_findings
from engine.catalog.limits import read_amount
from engine.catalog.models import DEFAULT_OWNERS, LISTING_LIMIT_MAX, ShopFile
from engine.catalog.rules import owners, template_number_findings
from engine.catalog.source import Document
from engine.errors import Diagnostic

DEFAULT_BASE_URL = "https://open-api.tiktokglobalshop.com"
DEFAULT_AUTH_URL = "https://auth.tiktok-shops.com"
DEFAULT_SANDBOX_DB = ".sandbox/shop.db"
DEFAULT_QPS = 50.0
MAX_QPS = 1000.0


@dataclass(frozen=True)
class ShopConfig:
    """The shop a catalog describes (shop.yaml), with defaults filled in."""

    name: str
    market: str = "ID"
    target: str = "sandbox"  # "sandbox" | "api"
    base_url: str = DEFAULT_BASE_URL
    auth_url: str = DEFAULT_AUTH_URL
    sandbox_db: Path = Path(DEFAULT_SANDBOX_DB)  # absolute: <catalog>/.sandbox/shop.db by default
    rate_limit_qps: float = DEFAULT_QPS
    warehouses: dict[str, str] = field(default_factory=dict)  # name -> warehouse id
    defaults: dict[str, Any] = field(default_factory=dict)  # shop.yaml `defaults`, as written
    template_vars: dict[str, Any] = field(default_factory=dict)
    daily_listing_limit: int | None = None  # listings (creates, edits back to review) a day; None: unknown
    guards: GuardSettings = DEFAULT_GUARDS  # shop.yaml `guards:` (engine.catalog.guard_settings)
    owners: tuple[str, str] = DEFAULT_OWNERS  # shop.yaml `manage:` (stock, price) before bases and products

    def warehouse_name(self, warehouse_id: str) -> str | None:
        """The seller's name for a warehouse id (for display), or None."""
        for name, ident in self.warehouses.items():
            if ident == warehouse_id:
                return name
        return None


def parse_shop(document: Document, root: Path) -> tuple[ShopConfig | None, ShopFile | None, list[Diagnostic]]:
    """Validate shop.yaml's one document: (config, model, diagnostics).

    Credential keys are reported and left out; when the rest is well-formed the config is
    still returned (with the diagnostics) so the products can be checked in the same run.
    """
    data = document.data
    if not isinstance(data, dict):
        return None, None, [document.diagnostic((), "shop.yaml must be a mapping of fields (name, warehouses, ...)")]
    secrets = _credential_keys(data, ())
    problems = [document.diagnostic(path, credential_message(str(path[-1])) or "", at_key=True) for path in secrets]
    cleaned = _without(data, {path for path in secrets})
    model: ShopFile | None
    try:
        model = ShopFile.model_validate(cleaned)
    except ValidationError as exc:
        problems += [document.diagnostic(path, message, at_key=at_key)
                     for path, message, at_key in errors_of(exc, ShopFile)]
        model = _provisional(cleaned)
        if model is None:
            return None, None, _unique(problems)
    problems += _check(model, document, root)
    qps = read_amount(model.rate_limit_qps) if model.rate_limit_qps is not None else None
    config = ShopConfig(
        name=model.name, market=model.market, target=model.target,
        base_url=(model.base_url or DEFAULT_BASE_URL).rstrip("/"),
        auth_url=(model.auth_url or DEFAULT_AUTH_URL).rstrip("/"),
        sandbox_db=root / (model.sandbox_db or DEFAULT_SANDBOX_DB),
        rate_limit_qps=float(qps) if qps and 0 < qps <= MAX_QPS else DEFAULT_QPS,
        warehouses=dict(model.warehouses),
        defaults=model.defaults.model_dump(mode="json", exclude_unset=True),
        template_vars=dict(model.template_vars),
        daily_listing_limit=model.daily_listing_limit if _listing_limit_problem(model) is None else None,
        guards=guard_settings(model.guards, document.where),
        owners=owners({"manage": model.manage.model_dump(mode="json", exclude_none=True)} if model.manage else {}),
    )
    return config, model, _unique(problems)


def _provisional(data: dict) -> ShopFile | None:
    """The shop without its broken parts, when what products need (warehouses, defaults) is fine.

    Lets one run report the products' problems along with shop.yaml's; the load fails anyway.
    """
    needed = {key: data[key] for key in ("warehouses", "defaults", "template_vars") if key in data}
    try:
        return ShopFile.model_validate({"name": "(invalid shop.yaml)", **needed})
    except ValidationError:
        return None


def _without(data: Any, paths: set[tuple], prefix: tuple = ()) -> Any:
    """A copy of `data` without the mapping entries at `paths`."""
    if not paths:
        return data
    if isinstance(data, dict):
        return {k: _without(v, paths, prefix + (k,)) for k, v in data.items() if prefix + (k,) not in paths}
    if isinstance(data, list):
        return [_without(v, paths, prefix + (i,)) for i, v in enumerate(data)]
    return data


def _credential_keys(data: Any, path: tuple) -> list[tuple]:
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and key.lower() in CREDENTIAL_ENV:
                found.append(path + (key,))
            else:
                found += _credential_keys(value, path + (key,))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found += _credential_keys(item, path + (index,))
    return found


def _check(model: ShopFile, document: Document, root: Path) -> list[Diagnostic]:
    problems = []
    if not model.name.strip():
        problems.append(document.diagnostic(("name",), "the shop needs a name"))
    if not model.warehouses:
        problems.append(document.diagnostic(("warehouses",), "list at least one warehouse: name: id"))
    seen: dict[str, str] = {}
    for name, ident in model.warehouses.items():
        if not ident.isdigit():
            problems.append(document.diagnostic(("warehouses", name), f"warehouse id must be digits, got {ident!r}"))
        elif ident in seen:
            problems.append(document.diagnostic(("warehouses", name),
                                                f"warehouse id {ident} is also named {seen[ident]!r}"))
        seen.setdefault(ident, name)
    for name in ("base_url", "auth_url"):
        problem = _url_problem(getattr(model, name))
        if problem:
            problems.append(document.diagnostic((name,), f"{name} {problem}"))
    if model.rate_limit_qps is not None:
        qps = read_amount(model.rate_limit_qps)
        if qps is None or not 0 < qps <= MAX_QPS:
            problems.append(document.diagnostic(("rate_limit_qps",),
                                                f"rate_limit_qps must be a number above 0 and at most {MAX_QPS:g}"))
    problem = _listing_limit_problem(model)
    if problem:
        problems.append(document.diagnostic(("daily_listing_limit",), problem))
    if model.sandbox_db is not None:
        problem = _sandbox_db_problem(model.sandbox_db, root)
        if problem:
            problems.append(document.diagnostic(("sandbox_db",), problem))
    for finding in template_number_findings(model.template_vars, ("template_vars",)) + limit_findings(model.guards):
        problems.append(document.diagnostic(finding.path, finding.message))
    return problems


def _listing_limit_problem(model: ShopFile) -> str | None:
    limit = model.daily_listing_limit
    if limit is None or 1 <= limit <= LISTING_LIMIT_MAX:
        return None
    return (f"daily_listing_limit must be a whole number of listings a day, 1 to {LISTING_LIMIT_MAX:,} (the limit "
            f"shown on the Seller Center homepage; leave it out when none is known), got {limit}")


def _sandbox_db_problem(written: str, root: Path) -> str | None:
    """The sandbox database is created where shop.yaml says: only ever inside the catalog."""
    if not written.strip():
        return "sandbox_db must be a file path"
    path = Path(written)
    if path.is_absolute() or ".." in path.parts:
        return (f"sandbox_db must be a path inside the catalog directory, relative and without '..' "
                f"(got {written!r}; the default is {DEFAULT_SANDBOX_DB})")
    try:
        CatalogFiles(root).check(root / path)
    except FileProblem as problem:
        return f"sandbox_db must stay inside the catalog directory: {problem}"
    return None


def _url_problem(url: str | None) -> str | None:
    if url is None:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return f"must be an http(s) address like {DEFAULT_BASE_URL}"
    if parts.username or parts.password:
        return "must not contain a user name or password (credentials come from TTS_* environment variables)"
    if parts.query or parts.fragment:
        return "must not contain a query string"
    return None


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(set(diagnostics))
