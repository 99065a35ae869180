"""Shop access gone wrong (`target: api`): missing or wrong credentials, an expired token that
cannot be refreshed, an unreachable API. Each ends with a clear message naming what to fix,
exit 1, no traceback, and nothing written to the shop.

The shop is the sandbox served over HTTP (conftest `sandbox_http`); the catalog's shop.yaml
says `target: api`, the environment names the host (TTS_API_BASE_URL / TTS_AUTH_BASE_URL) and
the TTS_* variables carry the credentials, as in production.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from clirun import demo_copy, run_cli

from engine.shop.settings import SANDBOX_DEFAULTS

GOOD = {f"TTS_{name.upper()}": value for name, value in SANDBOX_DEFAULTS.items()}


def hosts(base_url: str) -> dict[str, str]:
    """The operator's variables naming a served shop as API and auth host."""
    return {"TTS_API_BASE_URL": base_url, "TTS_AUTH_BASE_URL": base_url}


def run(monkeypatch, capsys, env: dict[str, str], *args: object) -> tuple[int, str]:
    for name in (*GOOD, "TTS_API_BASE_URL", "TTS_AUTH_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, err = run_cli(monkeypatch, capsys, *args)
    return code, out + err


def assert_clean_failure(code: int, output: str, phrase: str) -> None:
    assert code == 1, output
    assert phrase in output, output
    assert "Traceback" not in output, output


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("missing, phrase", [
    (tuple(GOOD), "missing environment variable(s) for target api: TTS_APP_KEY, TTS_APP_SECRET, "
                  "TTS_ACCESS_TOKEN, TTS_REFRESH_TOKEN"),
    (("TTS_REFRESH_TOKEN",), "missing environment variable(s) for target api: TTS_REFRESH_TOKEN ("),
    (("TTS_APP_SECRET", "TTS_SHOP_CIPHER"), "for target api: TTS_APP_SECRET ("),
], ids=["all", "refresh-token", "secret"])
def test_missing_credentials_name_the_variables(monkeypatch, capsys, tmp_path, missing, phrase):
    root = api_catalog(tmp_path)
    env = {**hosts(f"http://127.0.0.1:{closed_port()}"), **{k: v for k, v in GOOD.items() if k not in missing}}
    assert_clean_failure(*run(monkeypatch, capsys, env, "plan", root), phrase)


@pytest.mark.parametrize("variable, value, phrase", [
    ("TTS_APP_SECRET", "not-the-app-secret", "the shop rejected the request signature; check TTS_APP_SECRET"),
    ("TTS_ACCESS_TOKEN", "not-the-access-token", "access token invalid or not for this shop; re-authorize the app"),
    ("TTS_APP_KEY", "not-the-app-key", "unknown app_key"),
    ("TTS_SHOP_CIPHER", "ROW_ANOTHER_SHOP", "the access token is not authorized for this shop"),
], ids=["app-secret", "access-token", "app-key", "shop-cipher"])
@pytest.mark.parametrize("command", ["plan", "apply"])
def test_wrong_credentials_are_refused_and_nothing_is_written(monkeypatch, capsys, sandbox_http, tmp_path,
                                                              command, variable, value, phrase):
    root = api_catalog(tmp_path)
    args = (command, root, "--auto-approve") if command == "apply" else (command, root)
    env = {**GOOD, **hosts(sandbox_http.base_url), variable: value}
    with sandbox_http.off_contract():  # deliberately wrong signatures / tokens
        assert_clean_failure(*run(monkeypatch, capsys, env, *args), phrase)
    assert sandbox_http.store.products() == []
    assert value not in "\n".join(str(response) for _, response in sandbox_http.exchanges)  # never echoed


@pytest.mark.sandbox(faults="token_ttl=60")
def test_an_expired_token_with_a_refresh_token_the_shop_refuses(monkeypatch, capsys, sandbox_http, tmp_path):
    root = api_catalog(tmp_path)
    sandbox_http.clock.advance(3600)  # the access token expired an hour ago
    env = {**GOOD, **hosts(sandbox_http.base_url), "TTS_REFRESH_TOKEN": "an-old-refresh-token"}
    code, output = run(monkeypatch, capsys, env, "apply", root, "--auto-approve")
    assert_clean_failure(code, output, "access token expired and could not be refreshed")
    assert "re-authorize the app and update TTS_ACCESS_TOKEN / TTS_REFRESH_TOKEN" in output
    assert "an-old-refresh-token" not in output
    assert sandbox_http.store.products() == []


def test_an_unreachable_api_is_a_clear_error(monkeypatch, capsys, tmp_path):
    root = api_catalog(tmp_path)
    code, output = run(monkeypatch, capsys, {**GOOD, **hosts(f"http://127.0.0.1:{closed_port()}")}, "apply", root,
                       "--auto-approve")
    assert_clean_failure(code, output, "shop unavailable")
    assert "All connection attempts failed" in output


def api_catalog(tmp_path: Path) -> Path:
    return demo_copy(tmp_path / "shop", "api")
