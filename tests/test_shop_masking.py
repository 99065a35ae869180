"""Secrets learned mid-run are masked in GitHub Actions job logs (issue 9, brief B item 5).

The TTS_* values are masked when the CLI starts (engine/cli/actions.py); a token refreshed
during the run and a shop cipher discovered through Get Authorized Shops did not exist then.
The shop layer announces them (engine.shop.masking) before using them and, inside Actions,
the CLI prints `::add-mask::<value>` for each on stderr. Real CLI, real sandbox over HTTP.
"""

from __future__ import annotations

import pytest
from test_malformed_api import GOOD, api_catalog, hosts, run

from engine.shop.masking import announce_secret, set_secret_listener


def issued_tokens(sandbox) -> set[str]:
    return {str(response["json"]["data"]["access_token"]) for request, response in sandbox.exchanges
            if request["route"] == "/api/v2/token/refresh" and (response["json"] or {}).get("code") == 0}


@pytest.mark.sandbox(faults="token_ttl=60")
def test_a_refreshed_token_and_a_discovered_cipher_are_masked_in_actions(monkeypatch, capsys, sandbox_http,
                                                                         tmp_path):
    root = api_catalog(tmp_path)
    sandbox_http.clock.advance(3600)  # the access token expired an hour ago: the plan refreshes it
    env = {**hosts(sandbox_http.base_url), **{k: v for k, v in GOOD.items() if k != "TTS_SHOP_CIPHER"}}  # cipher:
    # discovered
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, output = run(monkeypatch, capsys, env, "plan", root)
    assert code == 0 and "Traceback" not in output, output
    [token] = issued_tokens(sandbox_http)
    assert f"::add-mask::{token}" in output.splitlines()
    assert f"::add-mask::{GOOD['TTS_SHOP_CIPHER']}" in output.splitlines()
    assert output.count(token) == 1  # the mask command is the only place it appears


@pytest.mark.sandbox(faults="token_ttl=60")
def test_outside_actions_nothing_is_printed(monkeypatch, capsys, sandbox_http, tmp_path):
    root = api_catalog(tmp_path)
    sandbox_http.clock.advance(3600)
    env = {**GOOD, **hosts(sandbox_http.base_url)}
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    run(monkeypatch, capsys, env, "validate", root)  # an earlier command of the same process, in Actions
    monkeypatch.delenv("GITHUB_ACTIONS")
    code, output = run(monkeypatch, capsys, env, "plan", root)
    assert code == 0 and issued_tokens(sandbox_http), output
    assert "::add-mask::" not in output and not any(t in output for t in issued_tokens(sandbox_http))


def test_the_listener_gets_each_non_empty_value_and_can_be_removed():
    seen: list[str] = []
    set_secret_listener(seen.append)
    try:
        announce_secret("tok-1", "", "tok-2")
        set_secret_listener(None)
        announce_secret("tok-3")
    finally:
        set_secret_listener(None)
    assert seen == ["tok-1", "tok-2"]
