"""Shared fixtures: the sandbox shop, in-process and over real HTTP, checked against the contract.

    sandbox        in-process sandbox (fresh SQLite file under tmp_path)
                   .transport  httpx.ASGITransport for httpx.AsyncClient(transport=..., base_url=.base_url)
                   .base_url   "http://sandbox"
                   .store      engine.sandbox.store.SandboxStore on the same file (seed_products,
                               set_status, outside_edit, products, counts, calls)
                   .clock      SandboxClock: real time + offset; .advance(s), .freeze(), .unfreeze()
                   .app, .db_path, .exchanges (every (request_info, response_info) observed)
                   .client()   a hand-signing RawClient (tests/rawclient.py) bound to this sandbox
    sandbox_http   the same over HTTP: uvicorn on 127.0.0.1, ephemeral port, in a thread
                   .base_url   "http://127.0.0.1:PORT"; plus .store, .clock, .app, .db_path, .exchanges
    sandbox_any    parametrized: the test runs once in-process and once over HTTP

Options per test with the marker (every create_app keyword is accepted):

    @pytest.mark.sandbox(faults="5xx=0.2", seed=3, qps=5, review_seconds=60, daily_listing_limit=2)

Both fixtures validate every exchange against the official spec (tests/contract.py) and FAIL
the test at teardown if the sandbox answered, or the client sent, anything the spec does
not declare. A test that sends a deliberately invalid request wraps it in
`with sandbox.off_contract():` (requests are then not checked; responses still are).
A sandbox bug (an unexpected exception: the client got HTTP 500 / 36009003) fails the test too.
Without npm the spec cannot be fetched: validation is skipped with a warning locally, and
the tests fail when CI=true.

Credentials (seed data, not secrets): app key sandbox-app-key, secret sandbox-app-secret,
access token sandbox-access-token, refresh token sandbox-refresh-token, cipher ROW_SANDBOX_ID.
"""

from __future__ import annotations

import socket
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from contract import SpecUnavailable, is_ci, load_contract
from rawclient import RawClient

from engine.sandbox.app import create_app
from engine.sandbox.store import SandboxStore


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sandbox(**options): create_app options for the sandbox fixtures")


class SandboxClock:
    """The sandbox's clock: real time plus an offset that tests move; can be frozen."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.frozen: float | None = None

    def __call__(self) -> float:
        return self.frozen if self.frozen is not None else time.time() + self.offset

    def advance(self, seconds: float) -> None:
        if self.frozen is not None:
            self.frozen += seconds
        else:
            self.offset += seconds

    def freeze(self) -> None:
        self.frozen = self()

    def unfreeze(self) -> None:
        if self.frozen is not None:
            self.offset = self.frozen - time.time()
            self.frozen = None


class SandboxHandle:
    def __init__(self, db_path: Path, options: dict[str, Any]) -> None:
        self.db_path = db_path
        self.clock = SandboxClock()
        self.exchanges: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self.violations: list[str] = []
        self._checking_requests = True
        self._clients: list[RawClient] = []
        try:
            self.contract = load_contract()
        except SpecUnavailable as exc:
            if is_ci():
                pytest.fail(f"contract spec unavailable in CI: {exc}")
            warnings.warn(f"contract validation skipped: {exc}", stacklevel=2)
            self.contract = None
        options = {"clock": self.clock, **options}
        self.app = create_app(db_path, observer=self._observe, **options)
        self.store = SandboxStore(db_path, clock=self.clock)
        self.transport = httpx.ASGITransport(app=self.app)
        self.base_url = "http://sandbox"

    def _observe(self, request_info: dict[str, Any], response_info: dict[str, Any]) -> None:
        self.exchanges.append((request_info, response_info))
        if self.contract is not None:
            self.violations.extend(self.contract.check(request_info, response_info,
                                                       requests_too=self._checking_requests))

    @contextmanager
    def off_contract(self) -> Iterator[None]:
        """Requests sent inside are deliberately invalid: do not check them (responses still are)."""
        self._checking_requests = False
        try:
            yield
        finally:
            self._checking_requests = True

    def client(self, **options: Any) -> RawClient:
        """A hand-signing client (tests/rawclient.py) on this sandbox; RawClient options pass through."""
        if self.base_url.startswith("http://127.0.0.1"):
            client = RawClient(self.base_url, **options)
        else:
            client = RawClient(self.base_url, transport=self.transport, **options)
        self._clients.append(client)
        return client

    def finish(self) -> None:
        for client in self._clients:
            client.close()
        self.store.close()
        self.app.state.shop.db.close()
        errors = self.app.state.gateway.internal_errors
        if errors:
            pytest.fail("the sandbox raised unexpected exceptions:\n  " + "\n  ".join(errors), pytrace=False)
        if self.violations:
            shown = "\n  ".join(dict.fromkeys(self.violations))
            pytest.fail(f"{len(self.violations)} contract violation(s):\n  {shown}", pytrace=False)


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("sandbox")
    return dict(marker.kwargs) if marker else {}


@pytest.fixture
def sandbox(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[SandboxHandle]:
    handle = SandboxHandle(tmp_path / "sandbox" / "shop.db", _options(request))
    yield handle
    handle.finish()


@pytest.fixture
def sandbox_http(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[SandboxHandle]:
    handle = SandboxHandle(tmp_path / "sandbox_http" / "shop.db", _options(request))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    server = uvicorn.Server(uvicorn.Config(handle.app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not server.started:
        pytest.fail("the sandbox HTTP server did not start")
    handle.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    yield handle
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    handle.finish()


@pytest.fixture(params=["sandbox", "sandbox_http"])
def sandbox_any(request: pytest.FixtureRequest) -> SandboxHandle:
    """The test runs twice: in-process (ASGITransport) and over real HTTP (uvicorn)."""
    return request.getfixturevalue(request.param)
