"""A shop or a GitHub that echoes the request back in its error messages (issue 15): the engine
quotes those messages to the seller and into the CI log, so every one goes through the one
redaction (engine.errors.redact) — the access token, the shop cipher, the refresh token, the
GitHub token and any URL userinfo become ***. The servers here are hostile on purpose: the
sandbox never echoes a secret, so it cannot play this part."""

from __future__ import annotations

import pytest
from clirun import demo_copy, run_cli
from fake_github import serving
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from test_plan_builders import showcase_plan

from engine.errors import redact
from engine.plan.saved import save_plan

SECRETS = {"TTS_APP_KEY": "app-key-public", "TTS_APP_SECRET": "echo-app-secret-91zz",
           "TTS_ACCESS_TOKEN": "ROW_echo_access_TOKEN_55", "TTS_REFRESH_TOKEN": "ROW_echo_refresh_TOKEN_66",
           "TTS_SHOP_CIPHER": "ROW_echo_CIPHER_77"}
GITHUB_TOKEN = "ghs_echoGithubToken1234567890"
USERINFO = "https://deploy:hunter2-pass@mirror.example.com/x"


async def _echo(request: Request) -> JSONResponse:
    """Every request refused with a message quoting its headers, query and a URL with userinfo."""
    said = (f"invalid request {request.url.query} token={request.headers.get('x-tts-access-token')} "
            f"auth={request.headers.get('authorization')} see {USERINFO}")
    if request.url.path.startswith("/repos") or request.url.path.startswith("/user"):
        return JSONResponse({"message": said}, status_code=403)
    return JSONResponse({"code": 36009004, "message": said, "request_id": "echo-1", "data": {}})


ECHO = Starlette(routes=[Route("/{path:path}", _echo, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])])


def _assert_redacted(output: str) -> None:
    for value in (*[v for k, v in SECRETS.items() if k != "TTS_APP_KEY"], GITHUB_TOKEN, "hunter2-pass"):
        assert value not in output, (value, output)
    assert "Traceback" not in output


def test_redact_masks_every_secret_longest_first_and_url_userinfo():
    text = f"a=ROW_x b=ROW_x_long {USERINFO} http://u@h/ plain"
    assert redact(text, ["ROW_x", "ROW_x_long", ""]) == \
        "a=*** b=*** https://***@mirror.example.com/x http://***@h/ plain"


@pytest.mark.parametrize("command", [("plan",), ("live",), ("warehouses",)])
def test_a_shop_echoing_the_request_in_its_errors_leaks_no_secret(monkeypatch, capsys, tmp_path, command):
    demo = demo_copy(tmp_path / "demo", "api")
    with serving(ECHO) as url:
        for name, value in {**SECRETS, "TTS_API_BASE_URL": url, "TTS_AUTH_BASE_URL": url}.items():
            monkeypatch.setenv(name, value)
        code, out, err = run_cli(monkeypatch, capsys, *command, demo)
    assert code == 1, out + err
    assert "invalid request" in out + err and "https://***@mirror.example.com" in out + err, out + err
    _assert_redacted(out + err)


def test_a_github_echoing_the_request_in_its_errors_leaks_no_secret(monkeypatch, capsys, tmp_path):
    plan_file = tmp_path / "plan.json"
    save_plan(showcase_plan(), plan_file)
    with serving(ECHO) as url:
        monkeypatch.setenv("GITHUB_API_URL", url)
        monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN)
        code, out, err = run_cli(monkeypatch, capsys, "comment", plan_file, "--repo", "acme/catalog", "--pr", "7")
    assert code == 1 and "GitHub refused" in out + err, out + err
    assert "***" in out + err  # GitHub's message is quoted, redacted
    _assert_redacted(out + err)
