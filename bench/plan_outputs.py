"""Write the plan text, Markdown and JSON of the golden cases and of a generated shop, to diff
two versions of the engine byte for byte.

    python3 bench/plan_outputs.py OUT [--engine ROOT] [--dir CATALOG] [--products 2000]

`--engine ROOT` imports the engine from another checkout (e.g. a scratch worktree at an older
commit), so the same script writes both sides:

    python3 bench/plan_outputs.py /tmp/before --engine /tmp/base --dir /tmp/cat2k
    python3 bench/plan_outputs.py /tmp/after --dir /tmp/cat2k
    diff -r /tmp/before /tmp/after && echo identical

The generated shop (bench/gen_catalog.py, generated into --dir when it holds no catalog) is
planned in three scenarios, built in memory as bench_plan.py builds them: `empty` (every
product a create), `synced` (every product live and unchanged), `drift` (10 % changed in the
shop: title and one price). Golden cases come from tests/cases/ of this checkout.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def _engine(root: Path) -> None:
    sys.path[:0] = [str(root), str(HERE / "bench")]


def _write(out: Path, name: str, plan) -> None:
    from engine.plan.saved import dumps
    from engine.render.markdown import render_markdown
    from engine.render.text import render_text

    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.txt").write_text(render_text(plan))
    (out / f"{name}.md").write_text(render_markdown(plan))
    (out / f"{name}.budget.md").write_text(render_markdown(plan, max_chars=60_000))
    (out / f"{name}.json").write_text(dumps(plan))


def golden(out: Path) -> None:
    from engine.catalog.load import load_catalog
    from engine.plan.live import snapshot_from_dict
    from engine.plan.planner import make_plan

    for case in sorted(p for p in (HERE / "tests" / "cases").iterdir() if (p / "live.json").exists()):
        catalog = load_catalog(case / "catalog")
        snapshot = snapshot_from_dict(json.loads((case / "live.json").read_text()))
        uris_file = case / "image_uris.json"
        uris = {(p, s): u for p, s, u in json.loads(uris_file.read_text())} if uris_file.exists() else {}
        plan = replace(make_plan(catalog, snapshot, image_uris=uris), catalog_digest="")
        _write(out / "golden", case.name, plan)


def generated(out: Path, root: Path, products: int) -> None:
    from bench_plan import snapshots
    from gen_catalog import generate_catalog

    from engine.catalog.load import load_catalog
    from engine.plan.planner import make_plan

    if not (root / "shop.yaml").exists():
        generate_catalog(root, products=products)
    catalog = load_catalog(root)
    uris = {(i.path, i.sha256): f"tos-id-i-{i.sha256[:12]}" for i in catalog.images}
    shops = snapshots(catalog, uris)
    shops["mixed"] = mixed(shops["synced"])
    for scenario, snapshot in shops.items():
        _write(out / "generated", scenario, make_plan(catalog, snapshot, image_uris=uris))


def _with_ids(spec):
    """The live spec as the reader gives it: ids next to every name."""
    from engine.catalog.spec import ProductAttribute, Ref, SalesAttribute

    def ref(r, base):
        return None if r is None else Ref(r.id or f"{base}{sum(map(ord, r.name or ''))}", r.name)

    attributes = tuple(ProductAttribute(a.id or f"10{sum(map(ord, a.name or ''))}", a.name,
                                        tuple(ref(v, "20") for v in a.values)) for a in spec.product_attributes)
    skus = tuple(replace(s, sales_attributes=tuple(SalesAttribute(a.name, a.value, a.id or "30", a.value_id or
                                                                  f"31{sum(map(ord, a.value or ''))}")
                                                   for a in s.sales_attributes)) for s in spec.skus)
    return replace(spec, brand=ref(spec.brand, "70"), product_attributes=attributes, skus=skus)


def _changed(live, i: int):
    """Product i of the mixed shop: a different kind of change by i % 14 (0: none)."""
    from engine.catalog.spec import ImageRef, ProductAttribute, Ref, SalesAttribute

    spec, kind = _with_ids(live.spec), i % 14
    skus = spec.skus
    if kind == 1 and spec.brand is not None:
        spec = replace(spec, brand=Ref("7999", "Merek Lain"))
    elif kind == 2 and spec.product_attributes:
        first = spec.product_attributes[0]
        spec = replace(spec, product_attributes=(replace(first, values=(Ref("2999", "Lain"),)),)
                       + spec.product_attributes[1:])
    elif kind == 3:
        spec = replace(spec, product_attributes=spec.product_attributes
                       + (ProductAttribute("10999", "Tambahan", (Ref("2998", "Ya"),)),))
    elif kind == 4:
        spec = replace(spec, main_images=(ImageRef(uri="tos-seller-center"),) + spec.main_images[1:])
    elif kind == 5:
        spec = replace(spec, skus=(replace(skus[0], sales_attributes=(SalesAttribute("Ukuran", "XXL", "30", "3199"),)),)
                       + skus[1:])
    elif kind == 6:
        spec = replace(spec, skus=(replace(skus[0], inventory=((skus[0].inventory[0][0], 999),)
                                           + skus[0].inventory[1:]),) + skus[1:])
    elif kind == 7:
        spec = replace(spec, skus=skus + (replace(skus[-1], seller_sku=skus[-1].seller_sku + "-OLD"),))
    elif kind == 8:
        spec = replace(spec, skus=skus[:-1])
    elif kind == 9:
        spec = replace(spec, category_id="600099")
    elif kind == 10:
        spec = replace(spec, package_dimensions=(99, 9, 9), delivery_option_ids=("1", "2"), is_pre_owned=True)
    elif kind == 11:
        return replace(live, spec=spec, platform_statuses=tuple((p, "SELLER_DEACTIVATED")
                                                                for p, _ in live.platform_statuses))
    elif kind == 12:
        return replace(live, spec=replace(spec, title="Diubah"), audit_status="AUDITING",
                       platform_statuses=tuple((p, "PENDING") for p, _ in live.platform_statuses))
    elif kind == 13:
        spec = replace(spec, skus=(replace(skus[0], identifier_code=("EAN", "8991234567890"), pre_sale_days=7),)
                       + skus[1:], description=(spec.description or "") + "<p>Baru</p>")
    return replace(live, spec=spec)


def mixed(synced):
    """The synced shop read back with ids, every product but each 14th changed in one way."""
    from engine.plan.live import LiveSnapshot

    products = tuple(_changed(live, i) for i, live in enumerate(synced.products))
    return LiveSnapshot(shop_name=synced.shop_name, products=products, claims=synced.claims)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--engine", type=Path, default=HERE, help="checkout whose engine/ to import")
    parser.add_argument("--dir", type=Path, required=True, help="generated catalog (made when missing)")
    parser.add_argument("--products", type=int, default=2000)
    args = parser.parse_args()
    _engine(args.engine.resolve())
    import engine

    print(f"engine from {Path(engine.__file__).parent}", file=sys.stderr)
    golden(args.out)
    generated(args.out, args.dir, args.products)


if __name__ == "__main__":
    main()
