"""One sticky comment per shop on a pull request, and the job summary.

Every comment we post starts with a hidden marker on its first line:

    <!-- catalog-engine:plan id=toko-nusantara shop=Toko%20Nusantara digest=3de552956640abcd sha=9f1c2e0 -->

(`kind` plan | apply; `id` the shop's folder id — `ShopDir.id`, what `catalog shops --json` prints;
the shop's display name percent-encoded; `digest` of the posted file; `sha` the pull request's
head commit). A comment is ours for a shop when its body STARTS with
`<!-- catalog-engine:<kind> id=<id> ` — the display name, digest and sha are not matched — so
two shop folders whose shop.yaml has the same `name` keep one comment each, the same comment
is updated in place on every push, and comments of other bots, of people (quoting a marker
does not put it first) and of other shops are left alone. An unchanged body is not sent again.

Comments posted before markers carried the id start with `<!-- catalog-engine:<kind> shop=<name> `
(LEGACY): when a shop has no comment with its id yet, the oldest legacy comment with its display
name is taken over — updated in place, which rewrites its marker to the id form — so an existing
pull request's comment is updated, not duplicated. A second folder with the same name then finds
no legacy comment left and posts its own.

Bodies stay within GitHub's limits: a comment ≤ 65,536 characters (COMMENT_LIMIT) and a job
summary ≤ 1 MiB of UTF-8 (SUMMARY_LIMIT, shared by everything the step appends); the renderer
keeps what must never be elided (engine.render.markdown).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from engine.errors import GitHubError
from engine.github.client import GitHubClient, IssueComment, UncertainWriteError

COMMENT_LIMIT = 65_536  # characters
SUMMARY_LIMIT = 1024 * 1024  # bytes, per step
SAFETY = 64  # room left under each limit
KINDS = ("plan", "apply")


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


SHOP_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def shop_id_of(name: str) -> str:
    """The id of a shop known only by its display name (`catalog comment` without --shop-id):
    ShopDir.id's rule applied to the name."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", name)[:100] or "shop"


@dataclass(frozen=True)
class Sticky:
    """Which comment is ours: its kind and the shop's folder id; the display name finds LEGACY ones."""

    kind: str
    shop_id: str
    shop: str

    def marker(self, digest: str, sha: str | None) -> str:
        return (f"<!-- catalog-engine:{self.kind} id={self.shop_id} shop={quote(self.shop, safe='')} "
                f"digest={digest} sha={sha or '-'} -->")

    @property
    def prefix(self) -> str:
        return f"<!-- catalog-engine:{self.kind} id={self.shop_id} "

    @property
    def legacy_prefix(self) -> str:
        return f"<!-- catalog-engine:{self.kind} shop={quote(self.shop, safe='')} "


_MARKER = re.compile(r"^<!-- catalog-engine:(?P<kind>[a-z]+) (?:id=(?P<id>\S+) )?shop=(?P<shop>\S+) "
                     r"digest=(?P<digest>\S+) sha=(?P<sha>\S+) -->")


def parse_marker(body: str) -> dict[str, str] | None:
    """The marker's fields (`id` is None in a LEGACY marker), or None when the body has none."""
    match = _MARKER.match(body)
    return match.groupdict() if match else None


def find_sticky(comments: list[IssueComment], sticky: Sticky) -> IssueComment | None:
    """Our comment for (kind, shop id): the oldest whose body starts with the id marker, else the
    oldest LEGACY one with the shop's display name."""
    for prefix in (sticky.prefix, sticky.legacy_prefix):
        mine = [c for c in comments if c.body.startswith(prefix)]
        if mine:
            return min(mine, key=lambda c: c.id)
    return None


@dataclass(frozen=True)
class Posted:
    action: str  # "created" | "updated" | "unchanged"
    comment: IssueComment


def post_sticky(client: GitHubClient, repo: str, number: int, sticky: Sticky, body: str) -> Posted:
    """Create the shop's comment once; afterwards update it in place (never a second one)."""
    existing = find_sticky(client.list_comments(repo, number), sticky)
    if existing is not None:
        return _update(client, repo, existing, body)
    try:
        return Posted("created", client.create_comment(repo, number, body))
    except UncertainWriteError:
        # GitHub may have created it: look again before posting a second time.
        existing = find_sticky(client.list_comments(repo, number), sticky)
        if existing is not None:
            return _update(client, repo, existing, body)
        return Posted("created", client.create_comment(repo, number, body))


def _update(client: GitHubClient, repo: str, existing: IssueComment, body: str) -> Posted:
    if existing.body == body:
        return Posted("unchanged", existing)
    return Posted("updated", client.update_comment(repo, existing.id, body))


def find_pull_request(client: GitHubClient, repo: str, sha: str) -> int | None:
    """The pull request a commit on the default branch came from (merged ones first)."""
    pulls = client.pulls_for_commit(repo, sha)
    merged = [p for p in pulls if p.get("merged_at")]
    chosen = merged or pulls
    if not chosen or not isinstance(chosen[0].get("number"), int):
        return None
    return chosen[0]["number"]


# --------------------------------------------------------------------------- bodies
@dataclass(frozen=True)
class Content:
    """What to post: the kind, the shop, and a renderer taking a size budget and a measure."""

    kind: str
    shop: str
    digest: str
    render: Callable[..., str]  # render(max_chars, measure) -> Markdown


def artifact_pointer(artifact_url: str | None, what: str = "plan") -> str:
    command = "`catalog show plan.json` prints it" if what == "plan" else "it holds every product"
    if artifact_url:
        safe = artifact_url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        return f"the whole {what} is in [the {what} artifact]({safe}) ({command})"
    return f"the whole {what} is in the workflow run's artifacts ({command})"


def footer(sha: str | None, artifact_url: str | None, what: str) -> str:
    parts = ["catalog-engine"]
    if sha:
        parts.append(f"commit {sha[:12]}")
    if artifact_url:
        parts.append(f"[full {what}]({artifact_url.replace(' ', '%20').replace(')', '%29')})")
    return "\n<sub>" + " · ".join(parts) + "</sub>\n"


def comment_body(content: Content, sticky: Sticky, sha: str | None, artifact_url: str | None, what: str) -> str:
    head = sticky.marker(content.digest, sha) + "\n"
    tail = footer(sha, artifact_url, what)
    budget = COMMENT_LIMIT - len(head) - len(tail) - SAFETY
    body = head + content.render(budget, len).rstrip("\n") + "\n" + tail
    if len(body) > COMMENT_LIMIT:  # a renderer broke its promise: never post what GitHub refuses
        raise GitHubError(f"the {what} comment is {len(body):,} characters, over GitHub's {COMMENT_LIMIT:,}")
    return body


def append_summary(path: Path, content: Content) -> int:
    """Append the Markdown to the step's job summary within SUMMARY_LIMIT; returns bytes written."""
    try:
        used = path.stat().st_size if path.exists() else 0
    except OSError as exc:
        raise GitHubError(f"cannot read the job summary file {path}: {exc.strerror or exc}") from exc
    budget = SUMMARY_LIMIT - used - SAFETY
    if budget < 2_000:
        raise GitHubError(f"the job summary of this step is full ({used:,} of {SUMMARY_LIMIT:,} bytes)")
    text = content.render(budget, utf8_size).rstrip("\n") + "\n\n"
    if utf8_size(text) > budget:
        raise GitHubError(f"the job summary would be {utf8_size(text):,} bytes, over the room left ({budget:,})")
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise GitHubError(f"cannot write the job summary {path}: {exc.strerror or exc}") from exc
    return utf8_size(text)
