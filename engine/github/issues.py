"""One GitHub issue per shop for the daily health check, kept up to date (issue 18).

    outcome = sync_health_issue(client, repo, shop_id, title, body, clean)

The issue is found by its label (LABEL) and a hidden marker at the start of its body,
`<!-- catalog-engine:health id=<shop id> `, among open and closed issues (pull requests are
skipped): the oldest open one, else the most recently closed one.

    findings, an open issue      → title and body updated (nothing sent when they are the same)
    findings, only a closed one  → reopened with the new body (one issue per shop, its history kept)
    findings, none               → created, labelled
    clean, an open issue         → body updated to say so, then closed (state_reason completed)
    clean, no open issue         → nothing

Running it twice with the same plan changes nothing the second time. A POST that may or may
not have created the issue is followed by a second look before posting again. The token needs
`issues: write`.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.github.client import PER_PAGE, GitHubClient, Operation, UncertainWriteError
from engine.github.health import marker_prefix

LABEL = "catalog-health"


@dataclass(frozen=True)
class IssueOutcome:
    action: str  # "created" | "updated" | "reopened" | "unchanged" | "closed" | "clean"
    number: int | None = None
    url: str = ""


def find_health_issue(client: GitHubClient, repo: str, shop_id: str) -> dict | None:
    op = Operation("list the health issues of", repo, need="issues: read")
    issues = client.get_pages(f"repos/{repo}/issues?labels={LABEL}&state=all&per_page={PER_PAGE}", op, max_pages=20)
    prefix = marker_prefix(shop_id)
    mine = [i for i in issues if isinstance(i, dict) and "pull_request" not in i and isinstance(i.get("number"), int)
            and str(i.get("body") or "").startswith(prefix)]
    opened = [i for i in mine if i.get("state") == "open"]
    if opened:
        return min(opened, key=lambda i: i["number"])
    return max(mine, key=lambda i: i["number"]) if mine else None


def sync_health_issue(client: GitHubClient, repo: str, shop_id: str, title: str, body: str,
                      clean: bool) -> IssueOutcome:
    found = find_health_issue(client, repo, shop_id)
    if clean:
        if found is None or found.get("state") != "open":
            return IssueOutcome("clean", found["number"] if found else None, str(found.get("html_url", "")) if found
                                else "")
        closed = _patch(client, repo, found["number"], {"title": title, "body": body, "state": "closed",
                                                        "state_reason": "completed"})
        return IssueOutcome("closed", closed["number"], str(closed.get("html_url") or ""))
    if found is None:
        return _create(client, repo, shop_id, title, body)
    if found.get("state") != "open":
        reopened = _patch(client, repo, found["number"], {"title": title, "body": body, "state": "open"})
        return IssueOutcome("reopened", reopened["number"], str(reopened.get("html_url") or ""))
    if found.get("title") == title and found.get("body") == body:
        return IssueOutcome("unchanged", found["number"], str(found.get("html_url") or ""))
    updated = _patch(client, repo, found["number"], {"title": title, "body": body})
    return IssueOutcome("updated", updated["number"], str(updated.get("html_url") or ""))


def _create(client: GitHubClient, repo: str, shop_id: str, title: str, body: str) -> IssueOutcome:
    op = Operation("open an issue in", repo, write=True, need="issues: write")
    try:
        created = client.send_object("POST", f"repos/{repo}/issues", op, {"title": title, "body": body,
                                                                         "labels": [LABEL]})
    except UncertainWriteError:
        if find_health_issue(client, repo, shop_id) is not None:  # GitHub did create it: update, never a second
            return sync_health_issue(client, repo, shop_id, title, body, clean=False)
        created = client.send_object("POST", f"repos/{repo}/issues", op, {"title": title, "body": body,
                                                                         "labels": [LABEL]})
    return IssueOutcome("created", created.get("number"), str(created.get("html_url") or ""))


def _patch(client: GitHubClient, repo: str, number: int, fields: dict) -> dict:
    op = Operation("update issue", f"{repo}#{number}", write=True, need="issues: write")
    return client.send_object("PATCH", f"repos/{repo}/issues/{number}", op, fields)
