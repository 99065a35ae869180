"""The README's quick start with a review that takes time (issue 20): apply, the plan says what
waits for review and sends nothing, and the plan after the review shows the outcome."""

from __future__ import annotations

from clirun import demo_copy, run_clean

from engine.sandbox.store import SandboxStore


def test_plan_shows_what_waits_for_review_then_the_outcome(monkeypatch, capsys, tmp_path):
    root = demo_copy(tmp_path / "demo")
    db = root / ".sandbox" / "shop.db"
    assert run_clean(monkeypatch, capsys, "sandbox", "config", "--db", db, "--review-seconds", "20")[0] == 0
    code, output = run_clean(monkeypatch, capsys, "apply", root, "--auto-approve")
    assert code == 3 and "now under review" in output

    code, output = run_clean(monkeypatch, capsys, "plan", root, "--detailed-exitcode")
    assert code == 0, output  # nothing to send while the platform decides
    assert output.count("… waiting for review on ") == 9 and "; 1 blocked, 9 waiting for review, 0 unmanaged." in output
    assert "… kopi-kapal-api-special" in output and "review failed" not in output
    assert "the next plan after the review shows the outcome" in output

    with SandboxStore(db) as store:
        store.advance_clock(20)
    code, output = run_clean(monkeypatch, capsys, "plan", root, "--detailed-exitcode")
    assert code == 0 and "waiting for review" not in output, output
    assert "review failed on Shop | Tokopedia: Misleading claim" in output and "; 2 blocked, 0 unmanaged." in output
