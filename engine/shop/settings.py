"""Shop credentials, read from the environment once (pydantic-settings).

    TTS_APP_KEY, TTS_APP_SECRET, TTS_ACCESS_TOKEN, TTS_REFRESH_TOKEN   required for target api
    TTS_SHOP_CIPHER                                                    optional: discovered via
                                                                       Get Authorized Shops
    TTS_API_BASE_URL, TTS_AUTH_BASE_URL                                optional: another API / auth
                                                                       host than the official ones
                                                                       (engine.shop.hosts)

Secrets are `SecretStr`: their repr/str is '**********', so a credentials object can be
logged or put in an exception without leaking anything. This is the only module of the
engine that reads the environment.

For `target: sandbox` the sandbox's own credentials (DESIGN.md §3) are used and the
environment is NOT read: the sandbox only knows its seeded credentials, and production
secrets exported in a seller's shell must never be sent to a local process.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from engine.errors import ConfigError

TARGETS = ("sandbox", "api")
ENV_PREFIX = "TTS_"
REQUIRED_FOR_API = ("app_key", "app_secret", "access_token", "refresh_token")

SANDBOX_DEFAULTS = {
    "app_key": "sandbox-app-key",
    "app_secret": "sandbox-app-secret",
    "access_token": "sandbox-access-token",
    "refresh_token": "sandbox-refresh-token",
    "shop_cipher": "ROW_SANDBOX_ID",
}


class HostSettings(BaseSettings):
    """Hosts the operator names in the environment (never a catalog file): `TTS_API_BASE_URL`,
    `TTS_AUTH_BASE_URL`. Unset means the platform's official hosts (engine.shop.hosts)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True,
                                      case_sensitive=False)

    api_base_url: str | None = None
    auth_base_url: str | None = None


class ShopCredentials(BaseSettings):
    """App and shop credentials. `app_key` is not a secret; everything else is."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True,
                                      case_sensitive=False)

    app_key: str | None = None
    app_secret: SecretStr | None = None
    access_token: SecretStr | None = None
    refresh_token: SecretStr | None = None
    shop_cipher: SecretStr | None = None

    @classmethod
    def for_target(cls, target: str) -> ShopCredentials:
        """Credentials for a catalog target: sandbox defaults, or the environment for api."""
        if target not in TARGETS:
            raise ConfigError(f"unknown shop target {target!r}: expected one of {', '.join(TARGETS)}")
        if target == "sandbox":
            return cls.sandbox()
        try:
            creds = cls()
        except ValidationError as exc:  # only possible for malformed values; never echo them
            names = sorted({ENV_PREFIX + str(err["loc"][0]).upper() for err in exc.errors() if err["loc"]})
            raise ConfigError(f"invalid credential variable(s): {', '.join(names)}") from None
        missing = [ENV_PREFIX + name.upper() for name in REQUIRED_FOR_API if not creds.has(name)]
        if missing:
            raise ConfigError(
                f"missing environment variable(s) for target api: {', '.join(missing)} "
                "(the app's credentials from Partner Center and the shop's tokens)")
        return creds

    @classmethod
    def sandbox(cls) -> ShopCredentials:
        """The sandbox shop's seeded credentials (not secrets); the environment is ignored."""
        secrets: dict[str, Any] = {k: SecretStr(v) for k, v in SANDBOX_DEFAULTS.items() if k != "app_key"}
        return cls.model_construct(app_key=SANDBOX_DEFAULTS["app_key"], **secrets)

    def has(self, name: str) -> bool:
        value = getattr(self, name)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        return bool(value and value.strip())

    def secret_values(self) -> tuple[str, ...]:
        """Every secret value (for redaction), longest first."""
        values = []
        for name in ("app_secret", "access_token", "refresh_token", "shop_cipher"):
            value = getattr(self, name)
            if isinstance(value, SecretStr) and value.get_secret_value():
                values.append(value.get_secret_value())
        return tuple(sorted(set(values), key=len, reverse=True))
