"""Where the shop's credentials may go: the official hosts, or the hosts the operator names.

A catalog repository is edited by sellers, staff and agencies, and its pull-request checks run
with the shop's credentials, so the catalog does not choose the hosts. `target: api` talks to
the platform's official API and auth hosts (API.md §1.1, §4); another host is used only when the
environment names it — `TTS_API_BASE_URL`, `TTS_AUTH_BASE_URL` — set by whoever runs the engine
(a workflow, a developer, the tests' local sandbox server).

    hosts = resolve_hosts(shop.base_url, shop.auth_url)     # before any client exists
    hosts.api, hosts.auth                                   # what the client may talk to

- The official hosts are reached over https only, at the bare origin.
- A host the environment names may be http or https (plain http is how tests and benchmarks
  reach a local sandbox server) and an IP address; it may not carry a user name or password,
  a query or a fragment.
- `base_url` / `auth_url` in shop.yaml may only repeat the official origin or exactly the one
  the environment names. Anything else — another host, plain http, a port, user info, an IP
  literal, a non-ASCII or punycode look-alike of the official name — is a ConfigError that
  names the host and the variable to set, raised before a client is built: no request is sent.

Messages show scheme, host and port only: a password in a URL is never repeated.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from engine.errors import ConfigError
from engine.shop.settings import HostSettings

OFFICIAL_API_URL = "https://open-api.tiktokglobalshop.com"
OFFICIAL_AUTH_URL = "https://auth.tiktok-shops.com"

# (shop.yaml key, environment variable, official origin, what it is)
_ROLES = {
    "api": ("base_url", "TTS_API_BASE_URL", OFFICIAL_API_URL, "API host"),
    "auth": ("auth_url", "TTS_AUTH_BASE_URL", OFFICIAL_AUTH_URL, "auth (token) host"),
}


@dataclass(frozen=True)
class Hosts:
    """The API and auth base URLs a client of this shop may use (no trailing slash)."""

    api: str = OFFICIAL_API_URL
    auth: str = OFFICIAL_AUTH_URL

    @property
    def is_official(self) -> bool:
        return self.api == OFFICIAL_API_URL and self.auth == OFFICIAL_AUTH_URL


def resolve_hosts(base_url: str | None = None, auth_url: str | None = None, *,
                  settings: HostSettings | None = None) -> Hosts:
    """The hosts for `target: api`, given what shop.yaml says (None: nothing said).
    Raises ConfigError when shop.yaml names a host the environment did not."""
    settings = settings if settings is not None else HostSettings()
    api = _resolve("api", base_url, settings.api_base_url)
    auth = _resolve("auth", auth_url, settings.auth_base_url)
    return Hosts(api=api, auth=auth)


def _resolve(role: str, from_catalog: str | None, from_env: str | None) -> str:
    key, variable, official, what = _ROLES[role]
    chosen = official
    if from_env is not None and from_env.strip():
        chosen = _operator_url(from_env, variable)
    if from_catalog is None or not from_catalog.strip():
        return chosen
    written = from_catalog.strip().rstrip("/")
    if written in (official, chosen):
        return chosen
    reason = _why_foreign(written, official)
    raise ConfigError(
        f"shop.yaml: {key} {reason}. A catalog cannot choose where the shop's credentials go: target api "
        f"uses the official {what} {urlsplit(official).hostname}; to use another host, the operator sets "
        f"{variable} in the environment (shop.yaml may then repeat that URL or leave {key} out). "
        "Nothing was sent.")


def _operator_url(value: str, variable: str) -> str:
    """A URL from the environment, checked for shape (any host: the operator chose it)."""
    text = value.strip().rstrip("/")
    try:
        parts = urlsplit(text)
        _ = parts.port  # a port that is not a number raises here
    except ValueError:
        raise ConfigError(f"{variable} is not a valid http(s) URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{variable} must be an http(s) URL, e.g. https://host or http://127.0.0.1:8000")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(f"{variable} must not contain a user name or password "
                          "(credentials come from the TTS_* variables)")
    if parts.query or parts.fragment:
        raise ConfigError(f"{variable} must not contain a query string or fragment")
    return text


def _why_foreign(text: str, official: str) -> str:
    """What is wrong with a catalog-written URL, naming its host (never its user info)."""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return "is not a valid URL"
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        return "is not an http(s) URL with a host"
    shown = f"{parts.scheme}://{f'[{host}]' if ':' in host else host}" + (f":{port}" if port is not None else "")
    if parts.username is not None or parts.password is not None:
        return f"contains a user name or password ({shown})"
    if not host.isascii():
        return f"names {shown}, a host name with non-ASCII characters ({_punycode(host)}), not the official host"
    if any(label.startswith("xn--") for label in host.split(".")):
        return f"names {shown}, a punycode (internationalised) host name, not the official host"
    if _is_ip(host):
        return f"names the IP address {shown}, not the official host"
    if host == urlsplit(official).hostname:
        if parts.scheme != "https":
            return f"names the official host over plain http ({shown}); credentials go over https only"
        return f"names the official host, but not its bare origin ({shown}{parts.path})"
    return f"names the host {host} ({shown})"


def _punycode(host: str) -> str:
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return ascii(host)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
