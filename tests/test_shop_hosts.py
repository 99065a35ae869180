"""Hosts come from the operator, not from the catalog (issue 15, host part; engine/shop/hosts.py).

A `base_url` / `auth_url` written only in shop.yaml is refused before any request: the served
sandbox (`sandbox_http`, which records every request it receives) is what the environment names,
and it receives nothing; no other host is even looked up. The host the environment names works.
"""

from __future__ import annotations

import socket

import pytest
from test_malformed_api import GOOD, api_catalog, hosts, run

from engine.errors import ConfigError
from engine.shop.hosts import OFFICIAL_API_URL, OFFICIAL_AUTH_URL, Hosts, resolve_hosts
from engine.shop.settings import HostSettings

SECRETS = [v for k, v in GOOD.items() if k != "TTS_APP_KEY"]
NONE = HostSettings.model_construct(api_base_url=None, auth_base_url=None)

FOREIGN = {
    "https": ("https://open-api.example.com", "names the host open-api.example.com"),
    "http": ("http://open-api.example.com", "names the host open-api.example.com"),
    "official-over-http": ("http://open-api.tiktokglobalshop.com", "over plain http"),
    "userinfo": ("https://seller:hunter2@open-api.tiktokglobalshop.com", "user name or password"),
    "ipv4": ("https://203.0.113.7", "names the IP address https://203.0.113.7"),
    "ipv6": ("http://[::1]:8080", "names the IP address http://[::1]:8080"),
    "idn-lookalike": ("https://open-api.tiktokgl\u043ebalshop.com",  # a Cyrillic o
                      "non-ASCII characters (open-api.xn--tiktokglbalshop-gsm.com)"),
    "punycode": ("https://open-api.xn--tiktokglbalshop-7nb.com", "a punycode (internationalised) host name"),
    "port": ("https://open-api.tiktokglobalshop.com:8443", "not its bare origin"),
}


# --------------------------------------------------------------------------- the rule
def test_official_hosts_by_default_and_when_shop_yaml_repeats_them():
    assert resolve_hosts(None, None, settings=NONE) == Hosts(OFFICIAL_API_URL, OFFICIAL_AUTH_URL)
    assert resolve_hosts(OFFICIAL_API_URL + "/", OFFICIAL_AUTH_URL, settings=NONE).is_official


def test_the_environment_names_another_host():
    served = HostSettings.model_construct(api_base_url="http://127.0.0.1:8000/", auth_base_url="http://127.0.0.1:9")
    assert resolve_hosts(None, None, settings=served) == Hosts("http://127.0.0.1:8000", "http://127.0.0.1:9")
    # shop.yaml may repeat the operator's URL (or the official one, which the environment overrides)
    assert resolve_hosts("http://127.0.0.1:8000", None, settings=served).api == "http://127.0.0.1:8000"
    assert resolve_hosts(OFFICIAL_API_URL, None, settings=served).api == "http://127.0.0.1:8000"
    with pytest.raises(ConfigError, match="names the IP address http://127.0.0.1:8001"):
        resolve_hosts("http://127.0.0.1:8001", None, settings=served)


@pytest.mark.parametrize("url, reason", FOREIGN.values(), ids=FOREIGN.keys())
def test_a_host_only_shop_yaml_names_is_refused(url, reason):
    for field, variable in (("base_url", "TTS_API_BASE_URL"), ("auth_url", "TTS_AUTH_BASE_URL")):
        with pytest.raises(ConfigError) as info:
            resolve_hosts(*((url, None) if field == "base_url" else (None, url)), settings=NONE)
        message = str(info.value)
        assert f"shop.yaml: {field} " in message and variable in message, message
        assert reason in message or field == "auth_url", message  # (the reasons name the API host)
        assert "hunter2" not in message and "Nothing was sent" in message


@pytest.mark.parametrize("value, phrase", [
    ("ftp://files.example.com", "must be an http(s) URL"),
    ("https://user:secret@proxy.example.com", "must not contain a user name or password"),
    ("https://proxy.example.com/?x=1", "must not contain a query string"),
    ("https://proxy.example.com:port", "is not a valid http(s) URL"),
])
def test_a_malformed_operator_url_is_refused_without_echoing_it(value, phrase):
    settings = HostSettings.model_construct(api_base_url=value, auth_base_url=None)
    with pytest.raises(ConfigError, match="TTS_API_BASE_URL") as info:
        resolve_hosts(None, None, settings=settings)
    assert phrase in str(info.value) and "secret" not in str(info.value)


# --------------------------------------------------------------------------- through the CLI
@pytest.fixture
def lookups(monkeypatch):
    """Every host name the process tries to resolve (nothing may try a catalog-named host)."""
    names: list[str] = []
    real = socket.getaddrinfo

    def spy(host, *args, **kwargs):
        names.append(str(host))
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", spy)
    return names


def with_host(root, field: str, url: str) -> None:
    text = (root / "shop.yaml").read_text()
    (root / "shop.yaml").write_text(text.replace("target: api\n", f"target: api\n{field}: {url}\n"))


@pytest.mark.parametrize("command", ["plan", "apply", "live", "import"])
@pytest.mark.parametrize("url, reason", FOREIGN.values(), ids=FOREIGN.keys())
def test_catalog_named_host_ends_the_run_before_any_request(monkeypatch, capsys, sandbox_http, tmp_path, lookups,
                                                            command, url, reason):
    root = api_catalog(tmp_path)
    with_host(root, "base_url", url)
    args = {"plan": (root,), "apply": (root, "--auto-approve"), "live": (root,), "import": (root,)}[command]
    code, output = run(monkeypatch, capsys, {**GOOD, **hosts(sandbox_http.base_url)}, command, *args)
    assert code == 1 and reason in output, output
    # user info is already a catalog error (shop.yaml:line:col); every other case names the variable
    assert "TTS_API_BASE_URL" in output or "shop.yaml:8:" in output, output
    assert "Traceback" not in output and not any(secret in output for secret in SECRETS)
    assert sandbox_http.exchanges == []  # the host the operator named got nothing either
    assert not [name for name in lookups if "example" in name or "tiktok" in name or "xn--" in name], lookups


def test_catalog_named_local_server_gets_nothing(monkeypatch, capsys, sandbox_http, tmp_path):
    """shop.yaml names the served sandbox itself (plain http, an IP): without the environment naming
    it, that server receives no request."""
    root = api_catalog(tmp_path)
    with_host(root, "base_url", sandbox_http.base_url)
    with_host(root, "auth_url", sandbox_http.base_url)
    code, output = run(monkeypatch, capsys, GOOD, "apply", root, "--auto-approve")
    assert code == 1 and f"names the IP address {sandbox_http.base_url}" in output, output
    assert sandbox_http.exchanges == [] and sandbox_http.store.products() == []
    assert not any(secret in output for secret in SECRETS)


def test_catalog_named_auth_host_is_refused_too(monkeypatch, capsys, sandbox_http, tmp_path):
    root = api_catalog(tmp_path)
    with_host(root, "auth_url", "https://auth.example.net")
    code, output = run(monkeypatch, capsys, {**GOOD, **hosts(sandbox_http.base_url)}, "plan", root)
    assert code == 1 and "auth_url names the host auth.example.net" in output and "TTS_AUTH_BASE_URL" in output
    assert sandbox_http.exchanges == []


def test_the_host_the_environment_names_is_used(monkeypatch, capsys, sandbox_http, tmp_path):
    root = api_catalog(tmp_path)
    with_host(root, "base_url", sandbox_http.base_url)  # repeating the operator's URL is fine
    code, output = run(monkeypatch, capsys, {**GOOD, **hosts(sandbox_http.base_url)}, "plan", root,
                       "--detailed-exitcode")
    assert code == 2 and "10 to create" in output, output
    assert sandbox_http.exchanges and not any(secret in output for secret in SECRETS)
