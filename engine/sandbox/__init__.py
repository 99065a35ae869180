"""The sandbox shop: a local implementation of the Tokopedia & Shop product API (API.md).

It imports nothing from the engine but the request signer: it is an independent
implementation of the platform, so a misunderstanding in the client cannot hide behind the
same misunderstanding here. Modules:

    app.py        create_app(db_path, ...) -> Starlette app (no lifespan needed); DropConnection
    server.py     `catalog sandbox serve` (uvicorn; --port 0; clean stop on SIGTERM / Ctrl-C)
    gateway.py    per-request checks: route, app_key, timestamp, sign, token, shop_cipher, query,
                  Content-Type, rate limit, faults; the {code, message, request_id, data} envelope
    routes.py     every path / method / query parameter served (all declared in the official spec)
    auth.py       token get / refresh, access-token check (only digests are stored)
    ratelimit.py  token bucket per API per (app_key, shop_cipher), per process
    faults.py     latency, spikes, 5xx, 429 bursts, dropped connections, short token lifetime
    rules.py      product rules (+ skurules.py for SKUs, extras.py for optional objects) and the
                  deterministic review; every failure collected (codes.Problems)
    model.py      the stored record and its lifecycle (review, v1/v2, per-platform statuses)
    writes.py     create, edit, partial edit (202309 / 202509), listing check (every failure)
    batch.py      prices, inventory, activate, deactivate, delete, recover
    stock.py      SKU inventory rules (ranges, backorders) and what an order takes
    reads.py      get product, search (202309 / 202312 / 202502), categories, attributes, rules,
                  brands, warehouses, authorized shops
    views.py      wire views per endpoint and version
    images.py     images/upload (sizes read from PNG / JPEG / WEBP / BMP headers)
    db.py         every SQL statement (SQLite, WAL, one file, safe across threads and processes)
    store.py      SandboxStore: the Python API for tests, benchmarks and `catalog sandbox`
                  (seeding.py: products, states, Seller Center edits and deletes; market.py:
                  orders and promotions; settings and the shop's clock)
    shop.py       Shop: settings (stored in the database, read per request), clock, lazy review
    seed.py       the seed data file (seed/shop.json): categories, permissions, attributes, brands,
                  warehouses, review rules, limits, default credentials
    codes.py      error codes (with the choices made where API.md documents none), Problems
    RULES.md      the rule table: each rule, its code and its source
"""
