"""The shop adapter: the only layer that talks to the Open API.

    settings   ShopCredentials from TTS_* (sandbox target: the sandbox's own credentials)
    limiter    per-API token bucket (adaptive on 429), retry timing (backoff, jitter, Retry-After)
    wire       signed request/response exchange: retries, throttle budget, error translation
    tokens     access-token refresh on the auth host, retried through its outages
    masking    announces secrets learnt at run time (refreshed token, cipher) to the CLI's masker
    client     ShopClient: typed methods per endpoint → parsed results (models)
    models     WriteResult / BatchResult (per item, per platform), reference-data values
    normalize  Get Product / Search wire → LiveProduct (engine.plan.live) in spec.py conventions
    cache      on-disk normalised products keyed by (product_id, update_time)
    read       read_snapshot(): Search pages + Get only where needed → LiveSnapshot
    connect    client_for(shop_config), read_catalog(catalog): wiring for the CLI / plan / apply
"""
