"""`catalog sandbox serve` as a black box: a subprocess answered by a hand-written client (urllib +
hmac, no engine code), restart persistence, clean stop on SIGTERM / Ctrl-C, reset, and several
processes on one database file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from rawclient import RawClient, batik, png

ROOT = Path(__file__).resolve().parent.parent


def catalog(*args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True, timeout=60,
                          env=env, **kwargs)


class Served:
    """A `catalog sandbox serve --port 0` subprocess; `.url` once it listens."""

    def __init__(self, db: Path, *extra: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen([sys.executable, "-m", "engine", "sandbox", "serve", "--port", "0",
                                         "--db", str(db), *extra], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, env=env)
        line = self.process.stdout.readline()
        assert line.startswith("Sandbox shop listening on http://127.0.0.1:"), (line, self.process.stderr.read())
        self.url = line.split(" on ")[1].split()[0]

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        self.process.send_signal(sig)
        _, err = self.process.communicate(timeout=30)
        return self.process.returncode, err


@pytest.fixture
def served(tmp_path):
    servers: list[Served] = []

    def start(*extra: str, db: Path | None = None) -> Served:
        server = Served(db or tmp_path / "shop.db", *extra)
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.stop()


def test_serve_answers_a_plain_signed_client_and_persists_across_restart(served, tmp_path):
    server = served()
    client = RawClient(server.url)
    uri = client.upload(png(1024, 1024)).data["uri"]
    created = client.call("POST", "/product/202309/products", body=batik(uri, platforms=["TIKTOK_SHOP", "TOKOPEDIA"]))
    assert created.code == 0, created.json
    product_id = created.data["product_id"]
    wrong = RawClient(server.url, secret="not-the-secret").call("GET", "/logistics/202309/warehouses")
    assert wrong.code == 106001
    code, err = server.stop(signal.SIGTERM)
    assert code == 0 and "Traceback" not in err and "stopped" in err

    again = served()
    product = RawClient(again.url).call("GET", f"/product/202309/products/{product_id}")
    assert product.code == 0 and product.data["status"] == "ACTIVATE"
    assert RawClient(again.url).call("POST", "/product/202309/products", body=batik(uri)).code == 0
    code, err = again.stop(signal.SIGINT)
    assert code == 0 and "Traceback" not in err


def test_reset_forgets_products(served, tmp_path):
    server = served()
    client = RawClient(server.url)
    uri = client.upload(png(800, 800)).data["uri"]
    assert client.call("POST", "/product/202309/products", body=batik(uri)).code == 0
    result = catalog("sandbox", "reset", "--db", str(tmp_path / "shop.db"))  # while serving
    assert result.returncode == 0 and "Sandbox reset" in result.stdout
    page = client.call("POST", "/product/202502/products/search", query={"page_size": "10"}, body={})
    assert page.data["total_count"] == 0
    assert client.call("POST", "/product/202309/products", body=batik(uri)).code == 12052722  # images forgotten too


def test_busy_port_and_bad_faults_are_clean_errors(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = str(busy.getsockname()[1])
        result = catalog("sandbox", "serve", "--port", port, "--db", str(tmp_path / "a.db"))
    assert result.returncode == 1 and "Traceback" not in result.stderr and "cannot listen" in result.stderr
    bad = catalog("sandbox", "serve", "--faults", "5xx=2", "--db", str(tmp_path / "b.db"))
    assert bad.returncode == 1 and "rate must be between 0 and 1" in bad.stderr and "Traceback" not in bad.stderr
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("not a database")
    for command in ("serve", "reset"):
        port = ["--port", "0"] if command == "serve" else []
        result = catalog("sandbox", command, "--db", str(not_a_db), *port)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "cannot open the sandbox database" in result.stderr


def test_several_processes_share_one_database(served, sandbox_http, tmp_path):
    """A served subprocess and this process write to the same SQLite file at the same time."""
    server = served(db=sandbox_http.db_path)
    errors: list[str] = []
    created: list[str] = []

    def writer(url: str, prefix: str) -> None:
        client = RawClient(url)
        uri = client.upload(png(800, 800)).data["uri"]
        for n in range(15):
            response = client.call("POST", "/product/202309/products", body=batik(uri, prefix=f"{prefix}{n}",
                                                                                   idempotency_key=f"{prefix}{n}"))
            if response.code:
                errors.append(str(response.json))
            else:
                created.append(response.data["product_id"])

    threads = [threading.Thread(target=writer, args=(url, name)) for url, name in
               ((server.url, "SUB"), (sandbox_http.base_url, "HTTP"), (server.url, "SUB2"))]
    for thread in threads:
        thread.start()
    seeded = sandbox_http.store.seed_products([batik("u", prefix=f"SEED{i}") for i in range(20)], status="ACTIVATE")
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(created + seeded)) == 65
    assert sandbox_http.store.counts()["products"] == 65
