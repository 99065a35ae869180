"""A local fake of the few GitHub REST endpoints the GitOps commands use (Starlette + uvicorn).

    GET   /repos/{owner}/{repo}/issues/{number}/comments   per_page (≤ 100, default 30), page; Link header
    POST  /repos/{owner}/{repo}/issues/{number}/comments   403 without write, 422 body missing / too long
    PATCH /repos/{owner}/{repo}/issues/comments/{id}       403 without write or on someone else's comment
    GET   /repos/{owner}/{repo}/commits/{sha}/pulls

Like GitHub: 401 for an unknown token, 404 for a repository the token cannot see, for an
unknown pull request or comment; 403 "Resource not accessible by integration" for a write
with a read-only token. `fail_next(n, status, headers)` makes the next n requests fail (502,
a secondary rate limit…). `log` records every request (method, path, query, headers without
Authorization, body) so tests can grep what was sent.

    fake = FakeGitHub()
    fake.add_repo("acme/catalog", pulls={7: []})
    fake.add_token("t0k3n", login="github-actions[bot]")
    with serving(fake) as base_url: ...
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

COMMENT_LIMIT = 65_536


@dataclass
class Token:
    login: str
    user_type: str = "Bot"
    write: bool = True
    repos: set[str] | None = None  # None: every repository


@dataclass
class Repo:
    issues: dict[int, list[dict]] = field(default_factory=dict)
    commit_pulls: dict[str, list[dict]] = field(default_factory=dict)


@dataclass
class Fault:
    status: int
    headers: dict[str, str]
    message: str
    method: str | None


class FakeGitHub:
    def __init__(self) -> None:
        self.repos: dict[str, Repo] = {}
        self.tokens: dict[str, Token] = {}
        self.log: list[dict] = []
        self.faults: list[Fault] = []
        self._next_id = 1000
        self._lock = threading.Lock()
        self.app = Starlette(routes=[
            Route("/repos/{owner}/{repo}/issues/{number:int}/comments", self.comments, methods=["GET", "POST"]),
            Route("/repos/{owner}/{repo}/issues/comments/{comment_id:int}", self.update, methods=["PATCH"]),
            Route("/repos/{owner}/{repo}/commits/{sha}/pulls", self.pulls, methods=["GET"]),
        ])

    # ------------------------------------------------------------------ setup
    def add_repo(self, name: str, pulls: dict[int, list[dict]] | None = None) -> Repo:
        repo = self.repos.setdefault(name, Repo())
        for number, comments in (pulls or {}).items():
            repo.issues[number] = list(comments)
        return repo

    def add_token(self, token: str, login: str = "github-actions[bot]", **kw) -> None:
        self.tokens[token] = Token(login, **kw)

    def seed_comment(self, repo: str, number: int, body: str, login: str, user_type: str = "User") -> dict:
        comment = self._new_comment(repo, number, body, login, user_type)
        self.repos[repo].issues[number].append(comment)
        return comment

    def fail_next(self, count: int, status: int = 502, headers: dict[str, str] | None = None,
                  message: str = "Server Error", method: str | None = None) -> None:
        self.faults += [Fault(status, dict(headers or {}), message, method) for _ in range(count)]

    def comments_on(self, repo: str, number: int) -> list[dict]:
        return self.repos[repo].issues[number]

    # ------------------------------------------------------------------ helpers
    def _new_comment(self, repo: str, number: int, body: str, login: str, user_type: str) -> dict:
        self._next_id += 1
        owner, name = repo.split("/")
        return {"id": self._next_id, "body": body, "user": {"login": login, "type": user_type},
                "html_url": f"https://github.example/{owner}/{name}/pull/{number}#issuecomment-{self._next_id}"}

    async def _begin(self, request: Request) -> tuple[Token | None, Response | None, object]:
        body = None
        if request.method in ("POST", "PATCH"):
            try:
                body = await request.json()
            except ValueError:
                body = "<not json>"
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        with self._lock:
            self.log.append({"method": request.method, "path": request.url.path, "query": request.url.query,
                             "headers": headers, "body": body})
            fault = next((f for f in self.faults if f.method in (None, request.method)), None)
            if fault is not None:
                self.faults.remove(fault)
                return None, JSONResponse({"message": fault.message}, fault.status, headers=fault.headers), body
        auth = request.headers.get("authorization", "")
        token = self.tokens.get(auth.removeprefix("Bearer ").removeprefix("token ")) if auth else None
        if token is None:
            return None, JSONResponse({"message": "Bad credentials"}, 401), body
        name = f"{request.path_params['owner']}/{request.path_params['repo']}"
        if name not in self.repos or (token.repos is not None and name not in token.repos):
            return None, _not_found(), body
        return token, None, body

    # ------------------------------------------------------------------ endpoints
    async def comments(self, request: Request) -> Response:
        token, refused, body = await self._begin(request)
        if refused is not None:
            return refused
        repo_name = f"{request.path_params['owner']}/{request.path_params['repo']}"
        issue = self.repos[repo_name].issues.get(request.path_params["number"])
        if issue is None:
            return _not_found()
        if request.method == "POST":
            return self._create(repo_name, request.path_params["number"], issue, token, body)
        try:
            per_page = min(max(int(request.query_params.get("per_page", 30)), 1), 100)
            page = max(int(request.query_params.get("page", 1)), 1)
        except ValueError:
            return JSONResponse({"message": "Invalid page"}, 422)
        start = (page - 1) * per_page
        last = max((len(issue) + per_page - 1) // per_page, 1)
        links = []
        base = str(request.url.replace(query=""))
        if page < last:
            links.append(f'<{base}?{urlencode({"per_page": per_page, "page": page + 1})}>; rel="next"')
            links.append(f'<{base}?{urlencode({"per_page": per_page, "page": last})}>; rel="last"')
        if page > 1:
            links.append(f'<{base}?{urlencode({"per_page": per_page, "page": 1})}>; rel="first"')
        headers = {"Link": ", ".join(links)} if links else {}
        return JSONResponse(issue[start:start + per_page], headers=headers)

    def _create(self, repo: str, number: int, issue: list[dict], token: Token, body: object) -> Response:
        if not token.write:
            return _forbidden()
        problem = _body_problem(body)
        if problem:
            return problem
        comment = self._new_comment(repo, number, body["body"], token.login, token.user_type)
        issue.append(comment)
        return JSONResponse(comment, 201)

    async def update(self, request: Request) -> Response:
        token, refused, body = await self._begin(request)
        if refused is not None:
            return refused
        repo = self.repos[f"{request.path_params['owner']}/{request.path_params['repo']}"]
        found = [c for comments in repo.issues.values() for c in comments if c["id"] == request.path_params["comment_id"]]
        if not found:
            return _not_found()
        if not token.write or found[0]["user"]["login"] != token.login:
            return _forbidden()
        problem = _body_problem(body)
        if problem:
            return problem
        found[0]["body"] = body["body"]
        return JSONResponse(found[0])

    async def pulls(self, request: Request) -> Response:
        _, refused, _ = await self._begin(request)
        if refused is not None:
            return refused
        repo = self.repos[f"{request.path_params['owner']}/{request.path_params['repo']}"]
        return JSONResponse(repo.commit_pulls.get(request.path_params["sha"], []))


def _not_found() -> Response:
    return JSONResponse({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}, 404)


def _forbidden() -> Response:
    return JSONResponse({"message": "Resource not accessible by integration",
                         "documentation_url": "https://docs.github.com/rest"}, 403)


def _body_problem(body: object) -> Response | None:
    if not isinstance(body, dict) or not isinstance(body.get("body"), str):
        return JSONResponse({"message": "Invalid request.\n\n\"body\" wasn't supplied."}, 422)
    if len(body["body"]) > COMMENT_LIMIT:
        return JSONResponse({"message": "Validation Failed", "errors": [
            {"resource": "IssueComment", "code": "custom", "field": "body",
             "message": f"body is too long (maximum is {COMMENT_LIMIT} characters)"}]}, 422)
    return None


@contextmanager
def serving(fake: FakeGitHub | object) -> Iterator[str]:
    """Serve the fake (or any ASGI app) on 127.0.0.1, ephemeral port, in a thread; yields the base URL."""
    app = fake.app if isinstance(fake, FakeGitHub) else fake
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not server.started:
        raise RuntimeError("the local server did not start")
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
