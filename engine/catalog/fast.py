"""The fast path: raw YAML mappings → `ProductSpec` in one pass, for products with no problem.

A catalog of 10,000 products must load within 3x of the time yaml-rs takes to parse it, so
the common case cannot afford pydantic models, a separate rules pass and a separate build
pass. `FastCompiler.compile` checks every rule of models.py and rules.py while it builds the
spec, and gives up (returns None) at the first thing that is not plainly valid: unknown key,
unexpected type, value out of range, anything that would produce an error OR a warning. The
loader then takes the slow path for that product only (pydantic, rules with messages and
positions, build.py), which is the authority: the fast path may be stricter, never looser.
tests/test_catalog_fast.py holds the two paths to the same results.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from engine.catalog.fast_values import (
    Bail,
    barcode_value,
    category_value,
    cod_value,
    decimal_text_value,
    delivery_value,
    dimensions_value,
    id_value,
    insurance_value,
    moq_value,
    name_value,
    pre_owned_value,
    pre_sale_value,
    status_value,
    title_value,
    weight_value,
)
from engine.catalog.images import ImageChecker, ImageProblem
from engine.catalog.limits import (
    KEY_PATTERN,
    MAX_IMAGES,
    MAX_SALES_ATTRIBUTES,
    MAX_SKUS,
    REQUIRED,
    SELLER_SKU_MAX,
    SPACE_OR_CONTROL,
    STOCK_MAX,
)
from engine.catalog.merge import Resolver, overlay
from engine.catalog.models import PRODUCT_FIELDS
from engine.catalog.records import assembler, maker
from engine.catalog.rules import description_is_clean
from engine.catalog.spec import (
    MANAGED_FIELDS,
    PLATFORMS,
    ImageRef,
    ProductAttribute,
    ProductSpec,
    Ref,
    SalesAttribute,
    SkuSpec,
    SourceRef,
)
from engine.catalog.templates import TemplateProblem, TemplateRenderer

PRODUCT_KEYS = frozenset(PRODUCT_FIELDS) | {"key", "extends"}
SKU_KEYS = frozenset({"seller_sku", "price", "inventory", "sales_attributes", "pre_sale", "identifier_code"})
_MANAGED = frozenset(MANAGED_FIELDS)
_REQUIRED = frozenset(REQUIRED)
_BY_SELLER_SKU = attrgetter("seller_sku")
_EMPTY: dict = {}
_ABSENT: Any = object()
_NEW_SKU = maker(SkuSpec)  # SkuSpec(...) at about half the cost


class FastCompiler:
    def __init__(self, *, warehouses: dict[str, str], defaults: dict[str, Any], resolver: Resolver,
                 templates: TemplateRenderer, images: ImageChecker) -> None:
        self.warehouses = warehouses
        self.defaults = defaults
        self.resolver = resolver
        self.templates = templates
        self.images = images
        self._sales: dict[tuple, tuple[tuple[SalesAttribute, ...], tuple]] = {}
        self._attributes: dict[tuple, ProductAttribute] = {}
        self._refs: dict[Any, Ref] = {}
        self._key = ""
        # shop defaults with product_attributes merge attribute by attribute: overlay() needed
        self._merging_defaults = "product_attributes" in defaults
        self.handlers = {
            "skus": self._skus, "title": title_value, "description": self._description, "category_id": category_value,
            "brand": self._brand, "main_images": self._images, "product_attributes": self._product_attributes,
            "package_weight": weight_value, "package_dimensions": dimensions_value, "listing_platforms": self._platforms,
            "status": status_value, "shipping_insurance_requirement": insurance_value, "is_pre_owned": pre_owned_value,
            "is_cod_allowed": cod_value, "minimum_order_quantity": moq_value, "delivery_option_ids": delivery_value,
        }
        self._platform_cache: dict[tuple, tuple[str, ...]] = {}
        self._builders: dict[tuple[str, ...], tuple[Any, bool]] = {}  # field names → (build, complete)
        self._image_lists: dict[tuple, tuple[ImageRef, ...]] = {}
        self._sales_names: dict[tuple, tuple] = {}
        self._attribute_maps: dict[tuple, tuple[ProductAttribute, ...]] = {}

    def compile(self, data: dict[str, Any], source: SourceRef) -> ProductSpec | None:
        try:
            return self._compile(data, source)
        except Exception:  # noqa: BLE001 - any surprise: not plainly valid; the slow path decides and says why
            return None

    def _compile(self, data: dict[str, Any], source: SourceRef) -> ProductSpec:
        key = data["key"]
        if type(key) is not str or not KEY_PATTERN.fullmatch(key):
            raise Bail
        self._key = key
        extends = data.get("extends")
        if extends is None and not self._merging_defaults:
            values = {**self.defaults, **data}  # what overlay() gives when nothing merges or is removed
            del values["key"]  # (an unknown key stays in values: no builder has a handler for it)
            if None in values.values():
                if not data.keys() <= PRODUCT_KEYS:
                    raise Bail
                values = dict(self.defaults)
                overlay(values, data)
        else:
            if not data.keys() <= PRODUCT_KEYS:  # overlay() skips unknown keys: refuse them here
                raise Bail
            values = dict(self.defaults)
        if extends is not None:
            if not (type(extends) is str or (type(extends) is list and all(type(n) is str for n in extends))):
                raise Bail
            entries, complete = self.resolver.parents(extends, None)
            if not complete:
                raise Bail
            for entry in entries:
                overlay(values, entry.document.data)
            overlay(values, data)
        elif self._merging_defaults:
            overlay(values, data)
        names = tuple(values)
        build, complete = self._builders.get(names) or self._builder(names)
        if not complete and (values.get("status") != "deleted" or "skus" not in values):
            raise Bail  # a required field is missing (a deleted product needs only its SKUs)
        return build(key, source, values)

    def _builder(self, names: tuple[str, ...]) -> tuple[Any, bool]:
        """(build(key, source, values), whether `names` has every required field) for products
        declaring `names`: every field through its handler, straight into the spec
        (records.assembler), with one shared 'declared' set. KeyError for an unknown field."""
        build = assembler(ProductSpec, ("key", "source"), {name: self.handlers[name] for name in names},
                          {"declared": _MANAGED.intersection(names)})
        entry = self._builders[names] = (build, _REQUIRED.issubset(names))
        return entry

    def _description(self, value: Any, values: dict[str, Any]) -> str:
        if type(value) is str:
            html = value.strip()
        elif type(value) is dict and value.keys() <= {"template", "vars"} and type(value.get("template")) is str:
            variables = value.get("vars", {})
            if type(variables) is not dict or not all(type(k) is str for k in variables):
                raise Bail
            try:
                html = self.templates.render(value["template"], variables,
                                             {"key": self._key, "title": values.get("title")})
            except TemplateProblem:
                raise Bail from None
        else:
            raise Bail
        if not description_is_clean(html):
            raise Bail
        return html

    def _brand(self, value: Any, _: Any = None) -> Ref:
        if type(value) is str:
            if not value.strip():
                raise Bail
            cache_key: Any = value
        elif type(value) is dict and value.keys() <= {"id", "name"}:
            ident = id_value(value["id"]) if value.get("id") is not None else None
            name = value.get("name")
            if (name is not None and type(name) is not str) or not (ident or name):
                raise Bail
            cache_key = (ident, name)
        else:
            raise Bail
        ref = self._refs.get(cache_key)
        if ref is None:
            ref = self._refs[cache_key] = Ref(name=value) if type(value) is str else Ref(id=cache_key[0],
                                                                                         name=cache_key[1])
        return ref

    def _images(self, value: Any, _: Any = None) -> tuple[ImageRef, ...]:
        if type(value) is not list or not 0 < len(value) <= MAX_IMAGES:
            raise Bail
        written = tuple(value)
        try:
            refs = self._image_lists.get(written)  # stored for lists of paths only: a hit is one
        except TypeError:  # an item is a mapping ({uri: ...})
            refs = None
        if refs is None:
            refs = self._image_refs(value)
            if all(type(item) is str for item in value):
                self._image_lists[written] = refs
        return refs

    def _image_refs(self, value: list) -> tuple[ImageRef, ...]:
        refs = []
        for item in value:
            if type(item) is str:
                try:
                    refs.append(self.images.check(item))
                except ImageProblem:
                    raise Bail from None
            elif type(item) is dict and item.keys() == {"uri"} and type(item["uri"]) is str:
                refs.append(ImageRef(uri=item["uri"]))
            else:
                raise Bail
        return tuple(refs)

    def _product_attributes(self, value: Any, _: Any = None) -> tuple[ProductAttribute, ...]:
        if type(value) is not dict:
            raise Bail  # the list (API) form takes the slow path
        written = tuple(value.items())
        try:
            # stored only for mappings of text to text: a hit is one (text equals no number or bool)
            attributes = self._attribute_maps.get(written)
        except TypeError:  # a list of values
            attributes = None
        if attributes is None:
            attributes = self._product_attribute_values(value)
            if all(type(v) is str for _, v in written):
                self._attribute_maps[written] = attributes
        return attributes

    def _product_attribute_values(self, value: dict) -> tuple[ProductAttribute, ...]:
        out = []
        for name, written in value.items():
            items = tuple(written) if type(written) is list else (written,)
            attribute = self._attributes.get((name, items))
            if attribute is None:
                if type(name) is not str or not name.strip() or not items:
                    raise Bail
                names = tuple(name_value(v, 2000) for v in items)
                refs = tuple(sorted({Ref(name=v) for v in names}, key=lambda r: (r.name, r.name)))
                attribute = ProductAttribute(id=None, name=name, values=refs)
                if all(type(v) is str for v in items):  # 1 == 1.0 == True: never cache by those
                    self._attributes[(name, items)] = attribute
            out.append(attribute)
        if len(out) > 1:
            out.sort(key=lambda a: (a.name, a.name))
        return tuple(out)

    # ---------------------------------------------------------------- SKUs
    def _platforms(self, value: Any, _: Any = None) -> tuple[str, ...]:
        written = tuple(value) if type(value) is list else None
        platforms = self._platform_cache.get(written)
        if platforms is None:
            if not written or len(set(written)) != len(written) or not all(p in PLATFORMS for p in written):
                raise Bail
            platforms = self._platform_cache[written] = tuple(sorted(written))
        return platforms

    def _skus(self, value: Any, _: Any = None) -> tuple[SkuSpec, ...]:
        # The hottest loop of a big load (30,000 SKUs): everything inline, names bound locally.
        if type(value) is not list or not 0 < len(value) <= MAX_SKUS:
            raise Bail
        warehouses, sales_cache, search, new_sku = self.warehouses, self._sales, SPACE_OR_CONTROL.search, _NEW_SKU
        specs = []
        names = None
        combinations = set()
        pre_orders = 0
        last, ordered = "", True  # written in seller_sku order (the usual): no sort needed
        for sku in value:
            if type(sku) is not dict:
                raise Bail
            code, price, stock = sku["seller_sku"], sku["price"], sku["inventory"]
            written = sku.get("sales_attributes", _ABSENT)
            # the 3 required keys, plus each optional one present: nothing else is in the SKU
            if len(sku) == 3 + (written is not _ABSENT):
                pre_sale = barcode = None
            else:
                pre_sale, barcode = _sku_extras(sku, written)
                pre_orders += pre_sale is not None
            if type(code) is not str or not 0 < len(code) <= SELLER_SKU_MAX or \
                    not (code.isprintable() and " " not in code) and search(code):
                raise Bail
            if code < last:
                ordered = False
            last = code
            if type(price) is int and price > 0:
                price = str(price)  # a positive int's text is canonical
            else:
                price = decimal_text_value(price, 2)
            if type(stock) is not dict:
                raise Bail
            if len(stock) == 2:  # the usual shop: two warehouses, unrolled (a third of the loop's cost)
                (name, quantity), (other, other_quantity) = stock.items()
                if type(quantity) is not int or type(other_quantity) is not int or \
                        not (0 <= quantity <= STOCK_MAX and 0 <= other_quantity <= STOCK_MAX):
                    raise Bail
                first, second = (warehouses[name], quantity), (warehouses[other], other_quantity)
                inventory = (first, second) if first <= second else (second, first)
            else:
                inventory = self._inventory(stock)
            if written is _ABSENT:
                written = _EMPTY
            elif type(written) is not dict:
                raise Bail
            cached = sales_cache.get(tuple(written.items())) or self._sales_attributes(written)
            sales, sales_names, combination = cached
            if names is None:
                names = sales_names
            elif sales_names is not names or not combination:  # (names tuples are shared: see below)
                raise Bail
            combinations.add(combination)
            # seller_sku, price, inventory, sales attributes, pre-sale days, barcode
            specs.append(new_sku(code, price, inventory, sales, pre_sale, barcode))
        if len(combinations) != len(specs) or pre_orders not in (0, len(specs)):
            raise Bail
        if ordered:
            return tuple(specs)
        specs.sort(key=_BY_SELLER_SKU)
        return tuple(specs)

    def _inventory(self, stock: dict) -> tuple[tuple[str, int], ...]:
        """((warehouse id, quantity), ...) sorted, for any number of warehouses."""
        inventory = []
        for name, quantity in stock.items():
            if type(quantity) is not int or not 0 <= quantity <= STOCK_MAX:
                raise Bail
            inventory.append((self.warehouses[name], quantity))
        if not inventory:
            raise Bail
        inventory.sort()
        return tuple(inventory)

    def _sales_attributes(self, written: Any) -> tuple[tuple[SalesAttribute, ...], tuple, tuple]:
        if type(written) is not dict:
            raise Bail
        cache_key = tuple(written.items())
        cached = self._sales.get(cache_key)
        if cached is None:
            if len(written) > MAX_SALES_ATTRIBUTES:
                raise Bail
            pairs = []
            for name, value in cache_key:
                if type(name) is not str or not 0 < len(name) <= 20 or not name.strip():
                    raise Bail
                pairs.append((name, name_value(value, 50)))
            pairs.sort()
            sales = tuple(SalesAttribute(name=n, value=v) for n, v in pairs)
            names = tuple(n for n, _ in pairs)
            names = self._sales_names.setdefault(names, names)  # one tuple per set of names: `is` compares
            cached = (sales, names, tuple(pairs))
            if all(type(v) is str for _, v in cache_key):  # 1 == 1.0 == True: never cache by those
                self._sales[cache_key] = cached
        return cached


def _sku_extras(sku: dict, written: Any) -> tuple[int | None, tuple[str, str] | None]:
    """(pre-sale days, barcode) of a SKU that has more than its required keys and sales attributes."""
    pre_sale, barcode = sku.get("pre_sale", _ABSENT), sku.get("identifier_code", _ABSENT)
    if len(sku) != 3 + (written is not _ABSENT) + (pre_sale is not _ABSENT) + (barcode is not _ABSENT):
        raise Bail  # a key that is not a SKU field
    return (None if pre_sale is _ABSENT else pre_sale_value(pre_sale),
            None if barcode is _ABSENT else barcode_value(barcode))
