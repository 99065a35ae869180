"""Tokens (API.md §4): Get Access Token, Refresh, and the access-token check of every call.

The default credentials come from the seed. Each app start (re)issues the default access
and refresh tokens from "now", so a long-lived sandbox database keeps working; tokens issued
by /api/v2/token/get and /refresh are new random opaque strings. Only SHA-256 digests are
stored. Expired access token → 105002; unknown → 101000.
"""

from __future__ import annotations

import secrets
from typing import Any

from engine.sandbox import codes
from engine.sandbox.codes import PlatformError
from engine.sandbox.shop import Shop


def issue_default_tokens(shop: Shop) -> None:
    creds, now = shop.seed.credentials, shop.now()
    with shop.db.write() as tx:
        tx.add_token("access", creds["access_token"], now, now + shop.settings.access_token_ttl)
        tx.add_token("refresh", creds["refresh_token"], now, now + shop.settings.refresh_token_ttl)


def check_access_token(shop: Shop, token: str | None, now: float) -> None:
    if not token:
        raise PlatformError(codes.INVALID_PARAM, "Invalid credentials: the x-tts-access-token header is missing")
    with shop.db.read() as tx:
        found = tx.token("access", token)
    if found is None:
        raise PlatformError(codes.TOKEN_INVALID, "The access token is invalid")
    if found[1] <= now:
        raise PlatformError(codes.TOKEN_EXPIRED, "The access token has expired; refresh it")


def _client(shop: Shop, query: dict[str, str]) -> None:
    creds = shop.seed.credentials
    if query.get("app_key") != creds["app_key"]:
        raise PlatformError(codes.INVALID_PARAM, "Invalid credentials: unknown app_key")
    if not secrets.compare_digest(query.get("app_secret", ""), creds["app_secret"]):
        raise PlatformError(codes.INVALID_PARAM, "Invalid credentials: app_secret does not match the app_key")


def _issue(shop: Shop, refresh_token: str, refresh_expiry: float) -> dict[str, Any]:
    now, creds = shop.now(), shop.seed.credentials
    access = "TTP_" + secrets.token_urlsafe(24)
    expiry = now + shop.settings.access_token_ttl
    with shop.db.write() as tx:
        tx.add_token("access", access, now, expiry)
    return {"access_token": access, "access_token_expire_in": int(expiry), "refresh_token": refresh_token,
            "refresh_token_expire_in": int(refresh_expiry), "open_id": shop.seed.shop["id"],
            "seller_name": shop.seed.shop["name"], "seller_base_region": shop.seed.shop["region"],
            "user_type": 0, "granted_scopes": list(creds["granted_scopes"])}


def token_get(shop: Shop, query: dict[str, str]) -> dict[str, Any]:
    _client(shop, query)
    if query.get("grant_type") != "authorized_code":
        raise PlatformError(codes.INVALID_PARAM, "Invalid param: grant_type must be authorized_code")
    if query.get("auth_code") != shop.seed.credentials["auth_code"]:
        raise PlatformError(codes.INVALID_PARAM, "Invalid param: the auth_code is invalid or was already used")
    now = shop.now()
    refresh = "ROW_" + secrets.token_urlsafe(24)
    expiry = now + shop.settings.refresh_token_ttl
    with shop.db.write() as tx:
        tx.add_token("refresh", refresh, now, expiry)
    return _issue(shop, refresh, expiry)


def token_refresh(shop: Shop, query: dict[str, str]) -> dict[str, Any]:
    _client(shop, query)
    if query.get("grant_type") != "refresh_token":
        raise PlatformError(codes.INVALID_PARAM, "Invalid param: grant_type must be refresh_token")
    refresh = query.get("refresh_token", "")
    with shop.db.read() as tx:
        found = tx.token("refresh", refresh) if refresh else None
    if found is None or found[1] <= shop.now():
        raise PlatformError(codes.REFRESH_TOKEN_EXPIRED, "The refresh token is invalid or has expired")
    return _issue(shop, refresh, found[1])
