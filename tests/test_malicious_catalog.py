"""A hostile pull request against the catalog: links out of the catalog, files that are not
files, number bombs, template bombs, a sandbox database elsewhere (issue 15, catalog side).

Every case runs `catalog validate` and `catalog plan --out plan.json` (against the in-process
sandbox shop) on a copy of the demo catalog with fake secrets in the environment, and must end
with a clear message at file:line, exit 1 and no traceback; nothing is written (no plan, no
sandbox database) and no secret value appears in the output or in any file.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from clirun import run_cli

from bench.gen_catalog import write_png
from engine.catalog import template_worker, templates

DEMO = Path(__file__).resolve().parent.parent / "catalogs" / "demo"
SECRETS = {"TTS_APP_SECRET": "fake-app-secret-4f1c9a", "GITHUB_TOKEN": "ghp_fakeGithubToken4f1c9a",
           "TTS_ACCESS_TOKEN": "fake-access-token-4f1c9a", "TTS_REFRESH_TOKEN": "fake-refresh-token-4f1c9a"}
HUGE = "9" * 5000
FORBIDDEN = ("Traceback", "Exceeds the limit", "set_int_max_str_digits", 'File "') + tuple(SECRETS.values())


@pytest.fixture
def shop(tmp_path, monkeypatch) -> Path:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    root = tmp_path / "shop"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".sandbox", ".catalog-cache"))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("\n".join(SECRETS.values()) + "\n")  # what a link could reach
    shutil.copy(root / "shop.yaml", outside / "shop.yaml")
    shutil.copytree(root / "templates", outside / "templates")
    write_png(outside / "photo.png", 400, 400, (1, 2, 3))
    return root


def edit(root: Path, rel: str, old: str, new: str) -> int:
    """Replace `old` by `new` in a catalog file; the line where the change starts."""
    path = root / rel
    text = path.read_text()
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1))
    return text[:text.index(old)].count("\n") + 1


def link(root: Path, rel: str, target: str | Path) -> None:
    path = root / rel
    if path.exists() or path.is_symlink():
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    path.symlink_to(target)


def files_of(base: Path) -> dict[str, bytes]:
    out = {}
    for path in sorted(base.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[path.relative_to(base).as_posix()] = path.read_bytes()
    return out


def assert_refused(monkeypatch, capsys, root: Path, where: str, phrase: str) -> None:
    """validate and plan: exit 1 with `phrase` at `where` (file:line in the catalog), nothing else."""
    before = files_of(root.parent)
    plan = root.parent / "plan.json"
    for args in (("validate", root), ("plan", root, "--out", plan)):
        code, out, err = run_cli(monkeypatch, capsys, *args)
        assert code == 1, (args, out, err)
        for text in FORBIDDEN:
            assert text not in out + err, (text, out + err)
        matching = [line for line in err.splitlines() if line.startswith(f"{root.as_posix()}/{where}:")]
        assert any(phrase in line for line in matching), f"no {phrase!r} at {where}:\n{err}"
        assert err.rstrip().splitlines()[-1].startswith("Error: catalog is invalid")
    assert not plan.exists() and not (root / ".sandbox").exists()
    after = files_of(root.parent)
    assert after == before  # nothing written, nothing changed
    for rel, data in after.items():
        if rel != "outside/secret.txt":
            assert not any(secret.encode() in data for secret in SECRETS.values()), rel


# --------------------------------------------------------------------------- links and special files
def template_to_environ(root: Path) -> tuple[str, str]:
    link(root, "templates/batik.html.j2", "/proc/self/environ")
    return "templates/batik.html.j2:1", "templates/batik.html.j2 is a link to /proc/self/environ, outside the catalog"


def template_to_secret(root: Path) -> tuple[str, str]:
    link(root, "templates/batik.html.j2", root.parent / "outside" / "secret.txt")
    return "templates/batik.html.j2:1", "outside the catalog directory"


def included_template_to_passwd(root: Path) -> tuple[str, str]:
    link(root, "templates/_pengiriman.html.j2", "/etc/passwd")
    return "templates/_pengiriman.html.j2:1", "_pengiriman.html.j2 is a link to /etc/passwd"


def templates_directory_out(root: Path) -> tuple[str, str]:
    link(root, "templates", root.parent / "outside" / "templates")
    return "templates:1", "templates is a link to"


def include_escaping_templates(root: Path) -> tuple[str, str]:
    line = edit(root, "templates/batik.html.j2", "{{ makna }}", "{% include '../../outside/secret.txt' %}")
    return f"templates/batik.html.j2:{line}", "included template '../../outside/secret.txt' not found"


def include_absolute(root: Path) -> tuple[str, str]:
    line = edit(root, "templates/batik.html.j2", "{{ makna }}", "{% include '/etc/passwd' %}")
    return f"templates/batik.html.j2:{line}", "included template '/etc/passwd' not found"


def extends_escaping_templates(root: Path) -> tuple[str, str]:
    path = root / "templates" / "batik.html.j2"
    path.write_text("{% extends '../shop.yaml' %}\n" + path.read_text())
    return "templates/batik.html.j2:1", "included template '../shop.yaml' not found"


def base_to_passwd(root: Path) -> tuple[str, str]:
    link(root, "bases/kemeja-batik.yaml", "/etc/passwd")
    return "bases/kemeja-batik.yaml:1", "bases/kemeja-batik.yaml is a link to /etc/passwd"


def base_to_secret(root: Path) -> tuple[str, str]:
    link(root, "bases/kemeja-batik.yaml", root.parent / "outside" / "secret.txt")
    return "bases/kemeja-batik.yaml:1", "outside the catalog directory"


def shop_yaml_out(root: Path) -> tuple[str, str]:
    link(root, "shop.yaml", root.parent / "outside" / "shop.yaml")
    return "shop.yaml:1", "shop.yaml is a link to"


def product_to_environ(root: Path) -> tuple[str, str]:
    link(root, "products/kopi.yaml", "/proc/self/environ")
    return "products/kopi.yaml:1", "products/kopi.yaml is a link to /proc/self/environ"


def products_directory_out(root: Path) -> tuple[str, str]:
    (root.parent / "outside" / "products").mkdir()
    shutil.copy(root / "products" / "kopi.yaml", root.parent / "outside" / "products" / "kopi.yaml")
    link(root, "products", root.parent / "outside" / "products")
    return "products:1", "products is a link to"


def image_to_passwd(root: Path) -> tuple[str, str]:
    link(root, "images/kopi-kapal-api-1.png", "/etc/passwd")
    line = (root / "products" / "kopi.yaml").read_text().splitlines().index(
        "main_images: [images/kopi-kapal-api-1.png]") + 1
    return f"products/kopi.yaml:{line}", "images/kopi-kapal-api-1.png is a link to /etc/passwd"


def image_to_outside_photo(root: Path) -> tuple[str, str]:
    link(root, "images/kopi-kapal-api-1.png", root.parent / "outside" / "photo.png")
    return "products/kopi.yaml:8", "outside the catalog directory"


def image_to_device(root: Path) -> tuple[str, str]:
    link(root, "images/kopi-kapal-api-1.png", "/dev/zero")
    return "products/kopi.yaml:8", "images/kopi-kapal-api-1.png is a link to /dev/zero"


def product_fifo(root: Path) -> tuple[str, str]:
    os.mkfifo(root / "products" / "pipa.yaml")  # reading it would wait for a writer forever
    return "products/pipa.yaml:1", "products/pipa.yaml is a FIFO (named pipe), not a regular file"


def template_fifo(root: Path) -> tuple[str, str]:
    (root / "templates" / "batik.html.j2").unlink()
    os.mkfifo(root / "templates" / "batik.html.j2")
    return "templates/batik.html.j2:1", "is a FIFO (named pipe), not a regular file"


def image_fifo(root: Path) -> tuple[str, str]:
    (root / "images" / "kopi-kapal-api-1.png").unlink()
    os.mkfifo(root / "images" / "kopi-kapal-api-1.png")
    return "products/kopi.yaml:8", "image images/kopi-kapal-api-1.png is a FIFO (named pipe), not a regular file"


def shop_yaml_fifo(root: Path) -> tuple[str, str]:
    (root / "shop.yaml").unlink()
    os.mkfifo(root / "shop.yaml")
    return "shop.yaml:1", "shop.yaml is a FIFO (named pipe), not a regular file"


def base_socket(root: Path) -> tuple[str, str]:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(root / "bases" / "soket.yaml"))
    server.close()
    return "bases/soket.yaml:1", "bases/soket.yaml is a socket, not a regular file"


def product_directory(root: Path) -> tuple[str, str]:
    (root / "products" / "folder.yaml").mkdir()
    return "products/folder.yaml:1", "products/folder.yaml is a directory, not a regular file"


# --------------------------------------------------------------------------- numbers
def number(rel: str, old: str, new: str, phrase: str) -> Callable[[Path], tuple[str, str]]:
    def case(root: Path) -> tuple[str, str]:
        line = edit(root, rel, old, new)
        return f"{rel}:{line}", phrase
    return case


KOPI, KAOS, TAS, BASE, SHOP = ("products/kopi.yaml", "products/kaos.yaml", "products/kerajinan.yaml",
                               "bases/kemeja-batik.yaml", "shop.yaml")
NUMBER_CASES = {
    "dimension-20-digits": number(BASE, "height: 3}", "height: 12345678901234567890}",
                                  "height must be at most 1000 centimetres (got 12345678901234567890)"),
    "moq-5000-digits": number(KAOS, "minimum_order_quantity: 3 ", f"minimum_order_quantity: {HUGE} ",
                              "minimum_order_quantity must be 1-20 (got a number of 5000 digits)"),
    "stock-5000-digits": number(KOPI, "Gudang Jakarta: 200,", f"Gudang Jakarta: {HUGE},",
                                "stock must be 0-99999 (got a number of 5000 digits)"),
    "pre-order-days-5000-digits": number(TAS, "handling_duration_days: 7}", f"handling_duration_days: {HUGE}}}",
                                         "must be 3-30 calendar days (got a number of 5000 digits)"),
    "price-5000-digits": number(KOPI, "price: 27500", f"price: {HUGE}",
                                "price must be at most 1000000000 rupiah (got a number of 5000 digits)"),
    "price-5000-digits-as-text": number(KOPI, "price: 27500", f'price: "{HUGE}"',
                                        "price must be at most 1000000000 rupiah (got a number of 5000 digits)"),
    "price-exponent": number(KOPI, "price: 27500", 'price: "1e999999999"',
                             "price must be at most 1000000000 rupiah (got 1e999999999)"),
    "weight-5000-digits": number(KOPI, "package_weight: 0.55", f"package_weight: {HUGE}",
                                 "package_weight must be at most 1000 kg (got a number of 5000 digits)"),
    "weight-tiny-exponent": number(KOPI, "package_weight: 0.55", 'package_weight: "1e-999999999"',
                                   "package_weight has at most 3 decimals in kilograms (got 1e-999999999)"),
    "price-of-a-million-digits": number(KOPI, "price: 27500", "price: " + "9" * 1_000_000,
                                        "a number of 1000000 digits: the catalog reads at most 10000 digits"),
    "price-negative": number(KOPI, "price: 27500", "price: -27500", "price must be more than 0 (got -27500)"),
    "stock-negative": number(KOPI, "Gudang Jakarta: 200,", "Gudang Jakarta: -1,", "stock must be 0-99999 (got -1)"),
    "stock-float": number(KOPI, "Gudang Jakarta: 200,", "Gudang Jakarta: 1.5,", "expected a whole number, got 1.5"),
    "moq-float": number(KAOS, "minimum_order_quantity: 3 ", "minimum_order_quantity: 2.5 ",
                        "expected a whole number, got 2.5"),
    "category-id-5000-digits": number(KOPI, 'category_id: "600050"', f"category_id: {HUGE}",
                                      "an id has at most 20 digits (got a number of 5000 digits)"),
    "boolean-5000-digits": number(KOPI, "brand: Kopi Kapal Api", f"is_cod_allowed: {HUGE}\nbrand: Kopi Kapal Api",
                                  "expected true or false, got a number of 5000 digits"),
    "warehouse-name-5000-digits": number(KOPI, "inventory: {Gudang Jakarta: 200, Gudang Surabaya: 150}",
                                         f"inventory:\n      ? {HUGE}\n      : 200", "expected text, got a number"),
    "attribute-value-5000-digits": number(KOPI, "Jenis Kopi: Robusta", f"Jenis Kopi: {HUGE}",
                                          "a number written as a value has at most 50 digits"),
    "rate-limit-5000-digits": number(SHOP, "market: ID", f"rate_limit_qps: {HUGE}\nmarket: ID",
                                     "rate_limit_qps must be a number above 0 and at most 1000"),
    "template-variable-5000-digits": number(SHOP, "toko: Toko Nusantara", f"toko: {HUGE}",
                                            "a number in template variables has at most 30 digits"),
}
def names_too_long_for_the_file_system(root: Path) -> tuple[str, str]:
    """A base, template and image name longer than a file name may be: an unknown name, not a crash."""
    long = "x" * 300
    line = edit(root, "products/batik.yaml", "extends: kemeja-batik", f"extends: {long}")
    edit(root, "products/batik.yaml", "template: batik.html.j2", f"template: {long}.j2")
    return f"products/batik.yaml:{line}", f"unknown base '{long}'"


LINK_CASES = [template_to_environ, template_to_secret, included_template_to_passwd, templates_directory_out,
              include_escaping_templates, include_absolute, extends_escaping_templates, base_to_passwd,
              base_to_secret, shop_yaml_out, product_to_environ, products_directory_out, image_to_passwd,
              image_to_outside_photo, image_to_device, product_fifo, template_fifo, image_fifo, shop_yaml_fifo,
              base_socket, product_directory, names_too_long_for_the_file_system]
CASES = [pytest.param(case, id=case.__name__.replace("_", "-")) for case in LINK_CASES] + \
        [pytest.param(case, id=name) for name, case in NUMBER_CASES.items()]


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_catalog_is_refused_before_anything_is_rendered_or_sent(monkeypatch, capsys, shop, case):
    where, phrase = case(shop)
    assert_refused(monkeypatch, capsys, shop, where, phrase)


def test_a_device_inside_the_catalog_is_not_read(monkeypatch, capsys, shop):
    try:
        os.mknod(shop / "products" / "nol.yaml", 0o600 | 0o020000, os.makedev(1, 5))  # like /dev/zero
    except (PermissionError, AttributeError):
        pytest.skip("creating a device node needs privileges this machine does not give")
    assert_refused(monkeypatch, capsys, shop, "products/nol.yaml:1", "is a character device, not a regular file")


def test_links_inside_the_catalog_are_followed(monkeypatch, capsys, shop):
    """A link that stays inside the catalog is fine: products, templates and images alike."""
    (shop / "shared").mkdir()
    shutil.move(shop / "templates" / "_pengiriman.html.j2", shop / "shared" / "pengiriman.j2")
    link(shop, "templates/_pengiriman.html.j2", "../shared/pengiriman.j2")
    shutil.move(shop / "products" / "kopi.yaml", shop / "shared" / "kopi.yaml")
    link(shop, "products/kopi.yaml", shop / "shared" / "kopi.yaml")
    link(shop, "images/kopi-kapal-api-1.png", "kaos-polos-1.png")
    code, out, err = run_cli(monkeypatch, capsys, "validate", shop)
    assert code == 0 and "valid: 10 products" in out, out + err


# --------------------------------------------------------------------------- sandbox_db
@pytest.mark.parametrize("written, phrase", [
    ("/tmp/elsewhere/shop.db", "sandbox_db must be a path inside the catalog directory, relative and without '..'"),
    ("../../shop.db", "sandbox_db must be a path inside the catalog directory, relative and without '..'"),
    ("state/shop.db", "sandbox_db must stay inside the catalog directory: state/shop.db: state is a link to"),
], ids=["absolute", "dot-dot", "through-a-link"])
def test_the_sandbox_database_stays_inside_the_catalog(monkeypatch, capsys, shop, written, phrase):
    (shop.parent / "outside" / "state").mkdir()
    (shop / "state").symlink_to(shop.parent / "outside" / "state")
    line = edit(shop, SHOP, "sandbox_db: .sandbox/shop.db", f"sandbox_db: {written}")
    assert_refused(monkeypatch, capsys, shop, f"shop.yaml:{line}", phrase)
    assert list((shop.parent / "outside" / "state").iterdir()) == []


# --------------------------------------------------------------------------- template bombs
TEMPLATE = "templates/batik.html.j2"
BOMBS = {
    "nested-range-cpu": ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                         "the template ran for more than 1 s of CPU time and was stopped"),
    "string-repetition-memory": ("{% set s = 'x' * 100000 %}{{ s | replace('x', s) }}",
                                 "the template needs more than 512 MB of memory and was stopped"),
    "center-memory": ("{{ 'x' | center(10 ** 10) }}", "the template needs more than 512 MB of memory"),
    "join-of-a-huge-list": ("{{ range(100000) | join('y' * 100000) }}", "the template needs more than 512 MB"),
    "output-size": ("{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}",
                    "the template writes more than 20000 characters and was stopped"),
    "deep-recursion": ("{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}", "RecursionError"),
    "huge-range": ("{% for i in range(10 ** 12) %}x{% endfor %}", "Range too big"),
    "big-numbers": ("{% set ns = namespace(x=2) %}{% for i in range(20000) %}{% set ns.x = ns.x * ns.x %}"
                    "{% endfor %}{{ ns.x }}", "would make a number of more than 100 digits"),
    "format-width": ("{{ '%0999999999d' | format(1) }}", "the template needs more than 512 MB"),
}


@pytest.mark.parametrize("bomb, phrase", list(BOMBS.values()), ids=list(BOMBS))
def test_a_template_bomb_is_stopped_at_its_line(monkeypatch, capsys, shop, bomb, phrase):
    monkeypatch.setattr(template_worker, "RENDER_SECONDS", 1.0)
    line = edit(shop, TEMPLATE, "{{ makna }}", bomb)
    assert_refused(monkeypatch, capsys, shop, f"{TEMPLATE}:{line}", phrase)


def test_a_render_that_even_the_cpu_timer_cannot_stop_is_killed(monkeypatch, capsys, shop):
    """When the worker does not answer in time (here its own timer is set beyond the parent's
    deadline), the parent kills it and reports the template."""
    monkeypatch.setattr(template_worker, "RENDER_SECONDS", 60.0)
    monkeypatch.setattr(templates, "RENDER_DEADLINE", 1.0)
    edit(shop, TEMPLATE, "{{ makna }}", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
                                        "{% endfor %}")
    assert_refused(monkeypatch, capsys, shop, f"{TEMPLATE}:1", "the template ran for more than 1 s and was stopped")
