"""`catalog sandbox serve`: the sandbox shop over real HTTP (uvicorn).

Binds the socket first so `--port 0` picks a free port, prints one line
`Sandbox shop listening on http://HOST:PORT (db PATH)` (flushed: scripts and tests read it),
serves until Ctrl-C or SIGTERM, then shuts down gracefully and returns (exit code 0, no
traceback). State lives in the SQLite file and survives restarts.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from types import FrameType

import uvicorn

from engine.sandbox.app import create_app


class _Server(uvicorn.Server):
    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        self._captured_signals.clear()  # a requested stop is a normal exit, not a re-raised signal


def serve(host: str = "127.0.0.1", port: int = 8765, db_path: Path | str = ".sandbox/shop.db",
          latency_ms: float = 0, qps: float | None = None, faults: str = "", seed: int = 0,
          review_seconds: float | None = None, daily_listing_limit: int | None = None) -> None:
    app = create_app(db_path, latency_ms=latency_ms, qps=qps, faults=faults, seed=seed,
                     review_seconds=review_seconds, daily_listing_limit=daily_listing_limit)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    print(f"Sandbox shop listening on http://{shown}:{bound} (db {db_path})", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=5)
    try:
        _Server(config).run(sockets=[sock])
    finally:
        sock.close()
    print("Sandbox shop stopped.", file=sys.stderr, flush=True)
