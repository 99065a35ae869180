"""The shop adapter: the only layer that talks to the Open API.

    settings   ShopCredentials and HostSettings from TTS_* (sandbox target: the sandbox's own credentials)
    hosts      which API / auth hosts a catalog may use: the official ones or those the environment names
    limiter    per-API token bucket (adaptive on 429), retry timing (backoff, jitter, Retry-After)
    wire       signed request/response exchange: retries, throttle budget, error translation
    tokens     access-token refresh on the auth host, retried through its outages
    masking    announces secrets learnt at run time (refreshed token, cipher) to the CLI's masker
    client     ShopClient: typed methods per endpoint → parsed results (models)
    models     WriteResult / BatchResult (per item, per platform), reference-data values
    normalize  Get Product / Search wire → LiveProduct (engine.plan.live) in spec.py conventions
    cache      the read cache: one SQLite file per shop (products by (product_id, update_time), the
               last listing's create times, shop metadata)
    listing    Search at the rate limit: create-time windows paged concurrently, checked against total_count
    progress   progress of a read: a bar on a terminal, a line every few seconds otherwise (stderr)
    metadata   the shop's reference data: categories per platform, rules, attributes, brands, warehouses
    read       read_snapshot(): the listing + Get only where needed → LiveSnapshot
    fetch      Get Product for chosen products through the cache (catalog import)
    connect    client_for(shop_config), read_catalog(catalog): wiring for the CLI / plan / apply
"""
