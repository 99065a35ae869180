"""The shop's daily listing limit at apply: listings stop at the shop's first refusal.

A listing is a create or an edit that goes (back) to review (engine.plan.quota.is_listing).
The plan already defers what is past shop.yaml `daily_listing_limit`; this gate handles what the
plan cannot know — listings the shop made earlier today (an earlier apply, Seller Center) — and
shops whose limit the catalog does not give:

- the first listing of a run goes alone (a probe): when the day's listings are used up already
  (a second apply on the same day), it is the one call the shop refuses (12052093), and every
  other listing of the run is deferred without a call;
- once the probe passes, listings run concurrently like every other write, started in listing
  order (engine.plan.quota.listing_order); when the limit is reached in the middle of the run, no
  listing is sent after the first refusal, and the calls already on their way when it came back
  may be refused too: at most `--concurrency` refused calls in a run (one per listing in flight).

A refused listing is reported `deferred` (with the shop's code and message), never `failed`,
and does not stop the product's other writes (price, stock) or the run's removals.
"""

from __future__ import annotations

import asyncio

LISTING_LIMIT = 12052093  # "Exceeded the product listing limit for the seller" ([DOC-CREATE])
PLANNED_LATER = "past the daily listing limit in shop.yaml: the plan leaves it for a later day"
DEFERRED_NOTE = (f"not sent: the shop refused an earlier listing of this run ({LISTING_LIMIT}, the daily listing "
                 "limit is used up); `catalog apply` on the next day sends it")


class ListingGate:
    """Whether a listing may be sent now: see the module docstring."""

    def __init__(self) -> None:
        self.used_up = ""  # the shop's refusal ("12052093 …") once one came back
        self.refused = 0  # listing calls the shop refused in this run
        self._probe_sent = False
        self._probed = asyncio.Event()

    async def admit(self) -> bool:
        """True: send this listing now (then call `settle`); False: defer it without a call."""
        if self.used_up:
            return False
        if not self._probe_sent:
            self._probe_sent = True
            return True
        await self._probed.wait()
        return not self.used_up

    def settle(self, refusal: str = "") -> None:
        """After a listing call: `refusal` is the shop's answer when it refused it for the limit."""
        if refusal:
            self.refused += 1
            self.used_up = self.used_up or refusal
        self._probed.set()
