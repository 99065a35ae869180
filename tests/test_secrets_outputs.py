"""No secret in anything the engine writes: the whole seller workflow against `target: api`
with distinctive credentials, every output grepped for every secret value in use.

The shop is the sandbox over HTTP. `catalog sandbox serve` only knows the seed's credentials
(engine/sandbox/seed/shop.json; there is no option to give it others), so this test builds the
in-thread sandbox from a copy of the seed whose credentials and shop cipher are the distinctive
values below, and the CLI gets them through TTS_* as in production. Access tokens expire every
few seconds (fault token_ttl), so the run also refreshes them: the refreshed tokens the shop
hands out are secrets too and are grepped for as well.

Outputs: stdout and stderr of every command (each run in a subprocess with logging at DEBUG,
httpx's request logs included), saved plans, reports in every format, the comment bodies, the
read cache and the upload map — and the error output of runs with a wrong secret / token.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import demo_copy

from engine.sandbox.seed import Seed, load_seed

ROOT = Path(__file__).resolve().parent.parent
APP_KEY = "ck-app-7f3e9a21"  # public (it travels in every URL), not grepped for
SECRETS = {
    "TTS_APP_SECRET": "s3cr3t-app-9d41c6f0e2b7",
    "TTS_ACCESS_TOKEN": "TTP_acc3ss-5b8e2f71c9d0",
    "TTS_REFRESH_TOKEN": "ROW_r3fr3sh-a6c4e9f1b2d8",
    "TTS_SHOP_CIPHER": "ROW_c1ph3r-e4f7a2b9c0d6",
}
WRONG_SECRET = "wr0ng-s3cr3t-1c2d3e4f5a6b"
DEBUG_MAIN = ("import logging, sys; logging.basicConfig(level=logging.DEBUG, stream=sys.stderr); "
              "from engine.cli import main; sys.argv = ['catalog'] + sys.argv[1:]; main()")


@pytest.fixture
def secret_shop(monkeypatch, request):
    """sandbox_http built from a seed holding the distinctive credentials."""
    raw = copy.deepcopy(load_seed().raw)
    raw["credentials"].update(app_key=APP_KEY, app_secret=SECRETS["TTS_APP_SECRET"],
                              access_token=SECRETS["TTS_ACCESS_TOKEN"], refresh_token=SECRETS["TTS_REFRESH_TOKEN"])
    raw["shop"]["cipher"] = SECRETS["TTS_SHOP_CIPHER"]
    seed = Seed(raw)
    monkeypatch.setattr("engine.sandbox.app.load_seed", lambda *args: seed)
    monkeypatch.setattr("engine.sandbox.seed.load_seed", lambda *args: seed)
    return request.getfixturevalue("sandbox_http")


class Outputs:
    """Runs `catalog` commands (subprocess, DEBUG logging) and keeps everything they print."""

    def __init__(self, env: dict[str, str]) -> None:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("TTS_", "GITHUB_"))}
        self.env = {**clean, "NO_COLOR": "1", "PYTHONPATH": str(ROOT), "TTS_APP_KEY": APP_KEY, **env}
        self.texts: list[tuple[str, str]] = []

    def run(self, *args: object, env: dict[str, str] | None = None, expect: tuple[int, ...] = (0,)) -> str:
        done = subprocess.run([sys.executable, "-c", DEBUG_MAIN, *map(str, args)], cwd=ROOT, capture_output=True,
                              text=True, env={**self.env, **(env or {})}, timeout=180)
        name = " ".join(map(str, args))
        self.texts += [(f"stdout of {name}", done.stdout), (f"stderr of {name}", done.stderr)]
        assert done.returncode in expect, (name, done.returncode, done.stderr[-3000:])
        assert "Traceback" not in done.stderr, done.stderr
        return done.stdout + done.stderr

    def file(self, path: Path) -> None:
        """Any file, text or not (the read cache is SQLite): its bytes, searched as text."""
        self.texts.append((str(path), path.read_bytes().decode("utf-8", errors="replace")))

    def tree(self, directory: Path) -> None:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                self.file(path)


@pytest.mark.sandbox(faults="token_ttl=3")
def test_no_secret_in_any_output_file_log_or_comment(secret_shop, tmp_path):
    root = demo_copy(tmp_path / "shop", "api")
    out = Outputs({**SECRETS, "TTS_API_BASE_URL": secret_shop.base_url, "TTS_AUTH_BASE_URL": secret_shop.base_url})
    plan, report = tmp_path / "plan.json", tmp_path / "report"

    out.run("validate", root)
    assert "10 to create" in out.run("plan", root, "--out", plan, "--detailed-exitcode", expect=(2,))
    out.run("plan", root, "--format", "markdown", expect=(0,))
    out.run("show", plan)
    out.run("comment", plan)
    out.run("apply", plan, "--catalog", root, "--auto-approve", "--report", f"{report}-saved.json", expect=(0, 3))
    kopi = root / "products" / "kopi.yaml"
    kopi.write_text(kopi.read_text().replace("price: 27500", "price: 28500"))
    for suffix in (".md", ".json"):  # the text report is what apply prints
        out.run("apply", root, "--auto-approve", "--report", f"{report}{suffix}", expect=(0, 3))
    out.run("comment", f"{report}.json")
    out.run("live", root, "--format", "json", "--no-cache")
    out.run("import", root, expect=(0, 1))
    with secret_shop.off_contract():  # deliberately wrong credentials
        wrong = out.run("plan", root, env={"TTS_APP_SECRET": WRONG_SECRET}, expect=(1,))
        assert "check TTS_APP_SECRET" in wrong
        wrong = out.run("plan", root, env={"TTS_ACCESS_TOKEN": WRONG_SECRET}, expect=(1,))
        assert "re-authorize the app" in wrong
    for path in (plan, *sorted(tmp_path.glob("report*"))):
        out.file(path)
    out.tree(root / ".catalog-cache")

    refreshed = {str(response["json"]["data"]["access_token"]) for request, response in secret_shop.exchanges
                 if request["route"] == "/api/v2/token/refresh" and (response["json"] or {}).get("code") == 0}
    used = {request["headers"].get("x-tts-access-token") for request, _ in secret_shop.exchanges}
    assert SECRETS["TTS_ACCESS_TOKEN"] in used and refreshed & used, "the distinctive and refreshed tokens were used"
    assert secret_shop.store.counts()["products"] == 10
    secrets = {**SECRETS, "wrong secret": WRONG_SECRET, **{f"refreshed token {t[:6]}…": t for t in refreshed}}
    leaks = [(where, name) for where, text in out.texts for name, value in secrets.items() if value in text]
    assert not leaks, leaks
    assert len(out.texts) > 30 and any("HTTP Request" in text for _, text in out.texts)  # DEBUG logs were read
