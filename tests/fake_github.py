"""A local fake of the few GitHub REST endpoints the GitOps commands use (Starlette + uvicorn).

    GET   /repos/{owner}/{repo}/issues/{number}/comments   per_page (≤ 100, default 30), page; Link header
    POST  /repos/{owner}/{repo}/issues/{number}/comments   403 without write, 422 body missing / too long
    PATCH /repos/{owner}/{repo}/issues/comments/{id}       403 without write or on someone else's comment
    GET   /repos/{owner}/{repo}/commits/{sha}/pulls
    GET   /repos/{owner}/{repo}/actions/workflows/{workflow}/runs   head_sha, event
    GET   /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts     name
    GET   /repos/{owner}/{repo}/actions/artifacts/{id}/zip          302 to /blob/{id}?sig=… (no token
                                                                     needed there; 410 once expired)
    GET   /repos/{owner}/{repo}/issues                               labels, state; Link header
    POST  /repos/{owner}/{repo}/issues                               title, body, labels
    PATCH /repos/{owner}/{repo}/issues/{number}                      title, body, state, state_reason

`add_run(repo, workflow, head_sha, artifacts={name: zip bytes})` records a workflow run the
way `actions/upload-artifact` leaves it; `zip_of({"plan.json": data})` builds an artifact.

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

import io
import socket
import threading
import time
import zipfile
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
    issues: dict[int, list[dict]] = field(default_factory=dict)  # comments per issue / pull request number
    commit_pulls: dict[str, list[dict]] = field(default_factory=dict)
    runs: list[dict] = field(default_factory=list)  # workflow runs, each with "workflow" and "artifacts"
    issue_items: dict[int, dict] = field(default_factory=dict)  # issues (title, body, labels, state)


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, data in files.items():
            zipped.writestr(name, data)
    return buffer.getvalue()


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
        self.blobs: dict[int, bytes] = {}  # artifact id → zip, served at /blob/{id}
        self.app = Starlette(routes=[
            Route("/repos/{owner}/{repo}/issues/{number:int}/comments", self.comments, methods=["GET", "POST"]),
            Route("/repos/{owner}/{repo}/issues/comments/{comment_id:int}", self.update, methods=["PATCH"]),
            Route("/repos/{owner}/{repo}/commits/{sha}/pulls", self.pulls, methods=["GET"]),
            Route("/repos/{owner}/{repo}/actions/workflows/{workflow}/runs", self.runs, methods=["GET"]),
            Route("/repos/{owner}/{repo}/actions/runs/{run_id:int}/artifacts", self.artifacts, methods=["GET"]),
            Route("/repos/{owner}/{repo}/actions/artifacts/{artifact_id:int}/zip", self.artifact_zip, methods=["GET"]),
            Route("/repos/{owner}/{repo}/issues", self.issues, methods=["GET", "POST"]),
            Route("/repos/{owner}/{repo}/issues/{number:int}", self.update_issue, methods=["PATCH"]),
            Route("/blob/{artifact_id:int}", self.blob, methods=["GET"]),
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

    def add_run(self, repo: str, workflow: str, head_sha: str, artifacts: dict[str, bytes] | None = None,
                event: str = "pull_request", expired: bool = False) -> dict:
        """A finished workflow run of `workflow` (its file name) with its uploaded artifacts."""
        with self._lock:
            self._next_id += 1
            run_id = self._next_id
            uploaded = []
            for name, data in (artifacts or {}).items():
                self._next_id += 1
                self.blobs[self._next_id] = data
                uploaded.append({"id": self._next_id, "name": name, "size_in_bytes": len(data), "expired": expired,
                                 "workflow_run": {"id": run_id, "head_sha": head_sha}})
            run = {"id": run_id, "workflow": workflow, "head_sha": head_sha, "event": event, "status": "completed",
                   "run_number": len(self.repos[repo].runs) + 1, "run_attempt": 1,
                   "html_url": f"https://github.example/{repo}/actions/runs/{run_id}", "artifacts": uploaded}
            self.repos[repo].runs.append(run)
        return run

    def merge(self, repo: str, commit: str, number: int, head_sha: str) -> None:
        """`commit` on the default branch came from pull request `number` whose head was `head_sha`."""
        self.repos[repo].issues.setdefault(number, [])
        self.repos[repo].commit_pulls[commit] = [{"number": number, "merged_at": "2025-05-01T00:00:00Z",
                                                  "head": {"sha": head_sha}}]

    def issues_of(self, repo: str) -> list[dict]:
        return [self.repos[repo].issue_items[n] for n in sorted(self.repos[repo].issue_items)]

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
        wanted = request.path_params["comment_id"]
        found = [c for comments in repo.issues.values() for c in comments if c["id"] == wanted]
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


    # ------------------------------------------------------------------ actions
    async def runs(self, request: Request) -> Response:
        _, refused, _ = await self._begin(request)
        if refused is not None:
            return refused
        repo = self.repos[f"{request.path_params['owner']}/{request.path_params['repo']}"]
        workflow, query = request.path_params["workflow"], request.query_params
        if not any(r["workflow"] == workflow for r in repo.runs):
            return _not_found()
        runs = [_public(r) for r in reversed(repo.runs) if r["workflow"] == workflow
                and query.get("head_sha") in (None, r["head_sha"]) and query.get("event") in (None, r["event"])]
        return JSONResponse({"total_count": len(runs), "workflow_runs": runs})

    async def artifacts(self, request: Request) -> Response:
        _, refused, _ = await self._begin(request)
        if refused is not None:
            return refused
        repo = self.repos[f"{request.path_params['owner']}/{request.path_params['repo']}"]
        run = next((r for r in repo.runs if r["id"] == request.path_params["run_id"]), None)
        if run is None:
            return _not_found()
        name = request.query_params.get("name")
        found = [a for a in run["artifacts"] if name in (None, a["name"])]
        return JSONResponse({"total_count": len(found), "artifacts": found})

    async def artifact_zip(self, request: Request) -> Response:
        _, refused, _ = await self._begin(request)
        if refused is not None:
            return refused
        repo = self.repos[f"{request.path_params['owner']}/{request.path_params['repo']}"]
        wanted = request.path_params["artifact_id"]
        artifact = next((a for r in repo.runs for a in r["artifacts"] if a["id"] == wanted), None)
        if artifact is None:
            return _not_found()
        if artifact["expired"]:
            return JSONResponse({"message": "Artifact has expired"}, 410)
        base = str(request.base_url).rstrip("/")
        return Response(status_code=302, headers={"Location": f"{base}/blob/{wanted}?sig=presigned"})

    async def blob(self, request: Request) -> Response:
        with self._lock:
            self.log.append({"method": "GET", "path": request.url.path, "query": request.url.query,
                             "headers": dict(request.headers), "body": None})
        data = self.blobs.get(request.path_params["artifact_id"])
        if data is None or request.query_params.get("sig") != "presigned":
            return Response("<Error>AuthenticationFailed</Error>", 403)
        return Response(data, media_type="application/zip")

    # ------------------------------------------------------------------ issues
    async def issues(self, request: Request) -> Response:
        token, refused, body = await self._begin(request)
        if refused is not None:
            return refused
        name = f"{request.path_params['owner']}/{request.path_params['repo']}"
        repo = self.repos[name]
        if request.method == "POST":
            if not token.write:
                return _forbidden()
            if not isinstance(body, dict) or not isinstance(body.get("title"), str) or not body["title"]:
                return JSONResponse({"message": "Validation Failed", "errors": [{"field": "title",
                                                                                 "code": "missing_field"}]}, 422)
            with self._lock:
                number = max([0, *repo.issues, *repo.issue_items]) + 1
                issue = {"number": number, "title": body["title"], "body": body.get("body") or "",
                         "labels": [{"name": label} for label in body.get("labels") or []], "state": "open",
                         "state_reason": None, "user": {"login": token.login, "type": token.user_type},
                         "html_url": f"https://github.example/{name}/issues/{number}"}
                repo.issue_items[number] = issue
                repo.issues[number] = []
            return JSONResponse(issue, 201)
        query = request.query_params
        labels = {label for label in query.get("labels", "").split(",") if label}
        state = query.get("state", "open")
        found = [i for _, i in sorted(repo.issue_items.items(), reverse=True)
                 if labels <= {label["name"] for label in i["labels"]} and state in ("all", i["state"])]
        per_page = min(max(int(query.get("per_page", 30)), 1), 100)
        page = max(int(query.get("page", 1)), 1)
        headers = {}
        if page * per_page < len(found):
            base = str(request.url.replace(query=""))
            query_next = urlencode({"labels": ",".join(sorted(labels)), "state": state, "per_page": per_page,
                                    "page": page + 1})
            headers["Link"] = f'<{base}?{query_next}>; rel="next"'
        return JSONResponse(found[(page - 1) * per_page:page * per_page], headers=headers)

    async def update_issue(self, request: Request) -> Response:
        token, refused, body = await self._begin(request)
        if refused is not None:
            return refused
        repo = self.repos[f"{request.path_params['owner']}/{request.path_params['repo']}"]
        issue = repo.issue_items.get(request.path_params["number"])
        if issue is None:
            return _not_found()
        if not token.write:
            return _forbidden()
        if not isinstance(body, dict):
            return JSONResponse({"message": "Problems parsing JSON"}, 400)
        for key in ("title", "body", "state", "state_reason"):
            if key in body:
                issue[key] = body[key]
        if "labels" in body:
            issue["labels"] = [{"name": label} for label in body["labels"]]
        return JSONResponse(issue)


def _public(run: dict) -> dict:
    return {k: v for k, v in run.items() if k not in ("workflow", "artifacts")} | {
        "path": f".github/workflows/{run['workflow']}"}


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
