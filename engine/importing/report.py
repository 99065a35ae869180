"""What `catalog import` did (or would do), and its text for the terminal.

Brand rule: the platform is "Tokopedia & Shop"; TIKTOK_SHOP is shown as "Shop | Tokopedia".
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from engine.catalog.spec import PLATFORM_LABELS

STATE_WORDS = {"ACTIVATE": "live", "PENDING": "in review", "FAILED": "review failed", "DRAFT": "draft",
               "SELLER_DEACTIVATED": "deactivated", "PLATFORM_DEACTIVATED": "deactivated by the platform",
               "FREEZE": "frozen", "DELETED": "deleted"}
MAX_LISTED = 200


@dataclass(frozen=True)
class Candidate:
    """A live product the catalog does not manage."""

    product_id: str
    title: str
    seller_skus: tuple[str, ...]
    statuses: tuple[tuple[str, str], ...]

    def where(self) -> str:
        parts = [f"{PLATFORM_LABELS.get(p, p)} ({STATE_WORDS.get(s, s.lower())})" for p, s in self.statuses]
        return ", ".join(parts) or "not listed"


@dataclass(frozen=True)
class ImportedProduct:
    key: str
    product_id: str
    title: str
    file: str  # relative to the catalog
    action: str  # "new" (own file), "added" (appended to a file), "updated" (refreshed), "unchanged"
    fields: tuple[str, ...] = ()  # updated: the fields refreshed from the shop


@dataclass(frozen=True)
class FileChange:
    path: str  # relative to the catalog
    before: str | None
    after: str

    def diff(self) -> str:
        before = [] if self.before is None else self.before.splitlines(keepends=True)
        lines = difflib.unified_diff(before, self.after.splitlines(keepends=True),
                                     "/dev/null" if self.before is None else f"a/{self.path}", f"b/{self.path}")
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


@dataclass(frozen=True)
class ImportReport:
    shop_name: str
    catalog: str  # the catalog directory as given
    candidates: tuple[Candidate, ...] = ()  # listed when nothing was chosen
    listing: bool = False  # nothing was chosen: the candidates are listed
    products: tuple[ImportedProduct, ...] = ()
    skipped: tuple[tuple[str, str, str], ...] = ()  # (product_id, title, reason)
    failed: tuple[str, ...] = ()  # product ids asked for by --product-id that could not be imported
    files: tuple[FileChange, ...] = ()
    dry_run: bool = False
    unmanaged_left: int = 0
    live_products: int = 0  # products in the shop (not deleted)

    @property
    def exit_code(self) -> int:
        return 1 if (self.listing and self.candidates) or self.failed else 0

    def text(self) -> str:
        return "\n".join(self._listing() if self.listing else self._result()) + "\n"

    def _header(self) -> str:
        return f"{self.shop_name} on Tokopedia & Shop"

    def _listing(self) -> list[str]:
        if not self.candidates:
            if not self.live_products:
                return [f"{self._header()}: the shop has no products yet; nothing to import."]
            return [f"{self._header()}: every live product is in the catalog; nothing to import."]
        lines = [f"{self._header()}: {len(self.candidates)} live product(s) are not in the catalog (unmanaged):"]
        for item in self.candidates[:MAX_LISTED]:
            skus = ", ".join(item.seller_skus[:3]) + (", …" if len(item.seller_skus) > 3 else "")
            lines.append(f"  {item.product_id}  {_quoted(item.title)}  SKUs {skus or '(none)'}  · {item.where()}")
        if len(self.candidates) > MAX_LISTED:
            lines.append(f"  … and {len(self.candidates) - MAX_LISTED} more")
        first = self.candidates[0].product_id
        every, some = f"catalog import {self.catalog} --all", f"catalog import {self.catalog} --product-id {first}"
        width = max(len(every), len(some)) + 3
        lines += ["", "Choose what to import into the catalog:",
                  f"  {every.ljust(width)}every product above",
                  f"  {some.ljust(width)}this one (repeat --product-id for more)",
                  "Add --dry-run to see the YAML first. Importing never changes the shop."]
        return lines

    def _result(self) -> list[str]:
        lines: list[str] = []
        if self.dry_run:
            lines += [change.diff() for change in self.files if change.before != change.after]
        changed = [p for p in self.products if p.action != "unchanged"]
        new = sum(1 for p in changed if p.action in ("new", "added"))
        if changed:
            imported, refreshed = ("would import", "would refresh") if self.dry_run else ("imported", "refreshed")
            done = [f"{imported} {new} new product(s)"] if new else []
            done += [f"{refreshed} {len(changed) - new} product(s) from the shop"] if len(changed) > new else []
            said = " and ".join(done)
            lines.append(f"{said[0].upper()}{said[1:]} in {self.catalog} ({self._header()}):")
        for item in self.products:
            lines.append("  " + _product_line(item))
        if not self.products:
            lines.append(f"{self._header()}: nothing to import.")
        for product_id, title, reason in self.skipped:
            lines.append(f"  skipped {product_id}  {_quoted(title)}: {reason}")
        if changed and not self.dry_run:
            lines.append("Checked: the catalog loads, and `catalog plan` changes nothing for these products.")
        if self.dry_run:
            lines.append("Dry run: nothing was written.")
        if self.unmanaged_left:
            lines.append(f"{self.unmanaged_left} live product(s) are still not in the catalog "
                         f"(`catalog import {self.catalog}` lists them).")
        return lines


def _product_line(item: ImportedProduct) -> str:
    head = f"{item.key}  product {item.product_id}  {_quoted(item.title)}"
    if item.action == "new":
        return f"+ {head}  → {item.file}"
    if item.action == "added":
        return f"+ {head}  → {item.file} (added to the file)"
    if item.action == "updated":
        return f"~ {head}  → {item.file}: {', '.join(item.fields)} refreshed from the shop"
    return f"= {head}  already matches the shop ({item.file})"


def _quoted(text: str) -> str:
    return '"' + text.replace("\n", " ") + '"'
