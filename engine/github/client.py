"""A small GitHub REST client on httpx: the few calls the GitOps commands make.

    list_comments(repo, number)      GET   /repos/{repo}/issues/{number}/comments  (every page)
    create_comment(repo, number, b)  POST  /repos/{repo}/issues/{number}/comments
    update_comment(repo, id, b)      PATCH /repos/{repo}/issues/comments/{id}
    pulls_for_commit(repo, sha)      GET   /repos/{repo}/commits/{sha}/pulls
    get_pages / get_object / send_object / download: the same plumbing for the workflow-run,
    artifact and issue calls of engine.github.artifacts and engine.github.issues

Pagination follows the `Link: <…>; rel="next"` header (per_page=100), only to the same origin
as the base URL (the token is never sent elsewhere), at most MAX_PAGES pages.

Retries, bounded: HTTP 5xx and transport errors (reads and PATCH, which are idempotent; a
POST that may have happened raises UncertainWriteError and the caller looks before it posts
again), HTTP 429 and 403 secondary/primary rate limits (any method: GitHub did nothing), waiting
`Retry-After` / until `X-RateLimit-Reset` when that is soon, else exponential backoff.

Refusals become GitHubError naming what is missing: 401 the token, 403 the permission
(`pull-requests: write` …), 404 the repository or pull request, 422 what GitHub did not accept.
An artifact download answers with a redirect to a pre-signed storage URL on another host: it
is followed without the Authorization header (https only, or the API's own origin), streamed
and cut off past a size bound.

The token is only ever in the Authorization header: no message contains it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from engine.errors import GitHubError, redact
from engine.github.settings import DEFAULT_API_URL

PER_PAGE = 100
MAX_PAGES = 200  # 20,000 comments: far beyond any pull request
MAX_WAIT = 60.0  # seconds one rate-limit wait may take before we give up
USER_AGENT = "catalog-engine"


class UncertainWriteError(GitHubError):
    """A POST failed in a way that does not tell whether GitHub created the resource."""


@dataclass(frozen=True)
class IssueComment:
    id: int
    body: str
    user: str = ""
    user_type: str = ""
    html_url: str = ""

    @classmethod
    def from_json(cls, data: dict) -> IssueComment:
        user = data.get("user") or {}
        return cls(int(data["id"]), data.get("body") or "", user.get("login") or "", user.get("type") or "",
                   data.get("html_url") or "")


@dataclass(frozen=True)
class Operation:
    """What a request is for: the words of its error messages."""

    doing: str  # "list the comments of", "comment on", ...
    target: str  # "OWNER/NAME#12"
    write: bool = False
    need: str = ""  # the permission a 403 means is missing (default: pull requests')


def _gh_message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.reason_phrase or ""
    if not isinstance(data, dict):
        return ""
    message = str(data.get("message") or "")
    details = [str(e.get("message") or e.get("code") or "") for e in data.get("errors") or [] if isinstance(e, dict)]
    details = [d for d in details if d]
    return message + (": " + "; ".join(details) if details else "")


def _is_rate_limited(response: httpx.Response) -> bool:
    if response.status_code == 429:
        return True
    if response.status_code != 403:
        return False
    if response.headers.get("retry-after") or response.headers.get("x-ratelimit-remaining") == "0":
        return True
    return "rate limit" in _gh_message(response).lower()


class GitHubClient:
    """`GitHubClient(token, base_url=…)`; use as a context manager. `sleep` and `clock` are for tests."""

    def __init__(self, token: str, *, base_url: str = DEFAULT_API_URL, retries: int = 4, backoff: float = 1.0,
                 timeout: float = 30.0, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time) -> None:
        self.base_url = base_url.rstrip("/")
        origin = urlsplit(self.base_url)
        if origin.scheme not in ("http", "https") or not origin.netloc:
            raise GitHubError(f"GITHUB_API_URL must be an http(s) URL, got {base_url!r}")
        self._origin = (origin.scheme, origin.netloc)
        self._secrets = (token,)  # redacted from GitHub's answers quoted in errors (engine.errors.redact)
        self.retries, self.backoff, self.sleep, self.clock = retries, backoff, sleep, clock
        self._timeout, self._transport = timeout, transport
        self._http = httpx.Client(
            base_url=self.base_url + "/", timeout=timeout, transport=transport, follow_redirects=False,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
                     "X-GitHub-Api-Version": "2022-11-28", "User-Agent": USER_AGENT})
        self.requests = 0  # calls made (retries included)

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ calls
    def list_comments(self, repo: str, number: int) -> list[IssueComment]:
        op = Operation("read the comments of", f"{repo}#{number}")
        url = f"repos/{repo}/issues/{number}/comments?per_page={PER_PAGE}"
        return [IssueComment.from_json(c) for c in self.get_pages(url, op)]

    def create_comment(self, repo: str, number: int, body: str) -> IssueComment:
        op = Operation("comment on", f"{repo}#{number}", write=True)
        response = self._send("POST", f"repos/{repo}/issues/{number}/comments", op, json={"body": body})
        return IssueComment.from_json(self._json_object(response, op))

    def update_comment(self, repo: str, comment_id: int, body: str) -> IssueComment:
        op = Operation("update comment", f"{comment_id} on {repo}", write=True)
        response = self._send("PATCH", f"repos/{repo}/issues/comments/{comment_id}", op, json={"body": body})
        return IssueComment.from_json(self._json_object(response, op))

    def pulls_for_commit(self, repo: str, sha: str) -> list[dict]:
        """Pull requests associated with a commit (the merged one for a merge commit)."""
        op = Operation("find the pull request of commit", f"{sha[:12]} in {repo}")
        response = self._send("GET", f"repos/{repo}/commits/{sha}/pulls?per_page={PER_PAGE}", op)
        return [p for p in self._json_list(response, op) if isinstance(p, dict)]

    # ------------------------------------------------------------------ generic calls
    def get_pages(self, url: str, op: Operation, key: str | None = None, max_pages: int = MAX_PAGES) -> list:
        """Every item of a paginated GET (a list, or the list under `key` of an object); more than
        `max_pages` pages is an error."""
        items: list = []
        next_url = url
        for _ in range(max_pages):
            response = self._send("GET", next_url, op)
            if key is None:
                items += self._json_list(response, op)
            else:
                found = self.json_dict(response, op).get(key)
                if not isinstance(found, list):
                    raise GitHubError(f"GitHub sent an unexpected answer to {op.doing} {op.target}: no {key!r} list")
                items += found
            following = self._next_page(response)
            if following is None:
                return items
            next_url = following
        raise GitHubError(f"{op.target} has more than {max_pages} pages of answers; refusing to page further")

    def get_object(self, url: str, op: Operation) -> dict:
        return self.json_dict(self._send("GET", url, op), op)

    def send_object(self, method: str, url: str, op: Operation, body: dict) -> dict:
        return self.json_dict(self._send(method, url, op, json=body), op)

    def download(self, url: str, op: Operation, max_bytes: int) -> bytes:
        """The bytes behind `url` (an artifact's zip): GitHub redirects to storage on another host,
        which is fetched without the token; more than `max_bytes` is an error."""
        response = self._send("GET", url, op, redirect=True)
        if not response.is_redirect:
            if len(response.content) > max_bytes:
                raise GitHubError(f"cannot {op.doing} {op.target}: larger than {max_bytes:,} bytes")
            return response.content
        target = urljoin(self.base_url + "/", response.headers.get("location", ""))
        parts = urlsplit(target)
        if parts.scheme != "https" and (parts.scheme, parts.netloc) != self._origin:
            raise GitHubError(f"cannot {op.doing} {op.target}: GitHub redirected to a non-https URL; not following it")
        return self._fetch_plain(target, op, max_bytes)

    def _fetch_plain(self, url: str, op: Operation, max_bytes: int) -> bytes:
        """GET without credentials (a pre-signed URL), streamed, bounded, retried on 5xx / transport errors."""
        with httpx.Client(timeout=self._timeout, transport=self._transport, follow_redirects=False,
                          headers={"User-Agent": USER_AGENT}) as plain:
            for attempt in range(1, self.retries + 2):
                self.requests += 1
                try:
                    with plain.stream("GET", url) as response:
                        if response.status_code >= 500 and attempt <= self.retries:
                            self.sleep(self._backoff(attempt))
                            continue
                        if response.status_code != 200:
                            raise GitHubError(f"cannot {op.doing} {op.target}: the storage answered HTTP "
                                              f"{response.status_code}")
                        return _bounded(response, op, max_bytes)
                except httpx.TransportError as exc:
                    if attempt > self.retries:
                        raise GitHubError(f"cannot {op.doing} {op.target}: the download failed "
                                          f"({exc.__class__.__name__}, {attempt} attempts)") from exc
                    self.sleep(self._backoff(attempt))
        raise GitHubError(f"cannot {op.doing} {op.target}: the storage kept failing")

    # ------------------------------------------------------------------ plumbing
    def _send(self, method: str, url: str, op: Operation, json: dict | None = None,
              redirect: bool = False) -> httpx.Response:
        attempt = 0
        while True:
            attempt += 1
            self.requests += 1
            try:
                response = self._http.request(method, url, json=json)
            except httpx.TransportError as exc:
                if method == "POST":
                    raise UncertainWriteError(f"GitHub did not answer while trying to {op.doing} {op.target} "
                                              f"({exc.__class__.__name__}); it may or may not have happened") from exc
                if attempt > self.retries:
                    raise GitHubError(f"cannot reach GitHub at {self.base_url} to {op.doing} {op.target} "
                                      f"({exc.__class__.__name__}, {attempt} attempts)") from exc
                self.sleep(self._backoff(attempt))
                continue
            if response.status_code < 300 or (redirect and response.is_redirect):
                return response
            wait = self._retry_wait(response, method, attempt)
            if wait is None and method == "POST" and response.status_code >= 500:
                raise UncertainWriteError(f"GitHub failed while trying to {op.doing} {op.target} "
                                          f"(HTTP {response.status_code}); it may or may not have happened")
            if wait is None:
                raise self._refusal(response, op, attempt)
            self.sleep(wait)

    def _backoff(self, attempt: int) -> float:
        return self.backoff * 2 ** (attempt - 1)

    def _retry_wait(self, response: httpx.Response, method: str, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None when this answer is final."""
        if attempt > self.retries:
            return None
        if _is_rate_limited(response):
            wait = self._rate_limit_wait(response, attempt)
            return wait if wait <= MAX_WAIT else None
        if response.status_code >= 500 and method != "POST":
            return self._backoff(attempt)
        return None

    def _rate_limit_wait(self, response: httpx.Response, attempt: int) -> float:
        retry_after = response.headers.get("retry-after", "")
        if retry_after.strip().isdigit():
            return float(retry_after)
        if retry_after:
            try:
                return max(0.0, parsedate_to_datetime(retry_after).timestamp() - self.clock())
            except (TypeError, ValueError):
                pass
        reset = response.headers.get("x-ratelimit-reset", "")
        if response.headers.get("x-ratelimit-remaining") == "0" and reset.isdigit():
            return max(0.0, int(reset) - self.clock()) + 1
        return max(self._backoff(attempt), 1.0)

    def _refusal(self, response: httpx.Response, op: Operation, attempts: int) -> GitHubError:
        status, said = response.status_code, redact(_gh_message(response), self._secrets)
        where = f"(HTTP {status}{': ' + said if said else ''})"
        if status == 401:
            return GitHubError(f"GitHub refused the token {where}: GITHUB_TOKEN is missing, expired or revoked")
        if _is_rate_limited(response):
            return GitHubError(f"GitHub rate limit: cannot {op.doing} {op.target} {where}; "
                               "try again later (secondary limits clear within minutes)")
        if status == 403 and op.need:
            return GitHubError(f"GitHub refused to let the token {op.doing} {op.target} {where}: "
                               f"the token needs `{op.need}` in the workflow's `permissions:`")
        if status == 403:
            need = ("`pull-requests: write` (and `issues: write`) in the workflow's `permissions:`; pull requests "
                    "from forks get a read-only token" if op.write else
                    "`pull-requests: read` and `contents: read` in the workflow's `permissions:`")
            return GitHubError(f"GitHub refused to let the token {op.doing} {op.target} {where}: "
                               f"the token needs {need}")
        if status == 404:
            what = ("the comment (deleted meanwhile?)" if op.doing == "update comment" else
                    "the repository, pull request or commit")
            return GitHubError(f"GitHub cannot find {op.target} {where}: {what} does not exist, or the token "
                               "cannot see it (a private repository needs `contents: read`)")
        if status == 422:
            return GitHubError(f"GitHub did not accept the request to {op.doing} {op.target} {where}")
        if status == 410:
            gone = ("it has expired or was deleted" if op.need == "actions: read" else
                    "issues are disabled for the repository")
            return GitHubError(f"cannot {op.doing} {op.target} {where}: {gone}")
        if status >= 500:
            return GitHubError(f"GitHub failed to {op.doing} {op.target} {where} after {attempts} attempt(s)")
        return GitHubError(f"GitHub refused to {op.doing} {op.target} {where}")

    def _json(self, response: httpx.Response, op: Operation) -> object:
        try:
            return response.json()
        except ValueError as exc:
            raise GitHubError(f"GitHub sent an answer that is not JSON to {op.doing} {op.target} "
                              f"(HTTP {response.status_code})") from exc

    def _json_list(self, response: httpx.Response, op: Operation) -> list:
        data = self._json(response, op)
        if not isinstance(data, list):
            raise GitHubError(f"GitHub sent an unexpected answer to {op.doing} {op.target}: expected a list")
        return data

    def json_dict(self, response: httpx.Response, op: Operation) -> dict:
        data = self._json(response, op)
        if not isinstance(data, dict):
            raise GitHubError(f"GitHub sent an unexpected answer to {op.doing} {op.target}: expected an object")
        return data

    def _json_object(self, response: httpx.Response, op: Operation) -> dict:
        data = self._json(response, op)
        if not isinstance(data, dict) or "id" not in data:
            raise GitHubError(f"GitHub sent an unexpected answer to {op.doing} {op.target}: expected a comment")
        return data

    def _next_page(self, response: httpx.Response) -> str | None:
        link = response.links.get("next", {}).get("url")
        if not link:
            return None
        parts = urlsplit(link)
        if (parts.scheme, parts.netloc) != self._origin:
            raise GitHubError(f"GitHub's next page points to another host ({parts.netloc}); "
                              "not following it with the token")
        return link


def _bounded(response: httpx.Response, op: Operation, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise GitHubError(f"cannot {op.doing} {op.target}: {int(declared):,} bytes, over the limit of {max_bytes:,}")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise GitHubError(f"cannot {op.doing} {op.target}: more than {max_bytes:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
