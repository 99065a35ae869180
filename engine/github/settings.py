"""GitHub settings, read from the environment once by the CLI (pydantic-settings).

    GITHUB_TOKEN          token for the REST API (Actions: `secrets.GITHUB_TOKEN` / `github.token`)
    GITHUB_API_URL        REST base URL (default https://api.github.com; GHES sets its own)
    GITHUB_ACTIONS        "true" inside GitHub Actions: annotations and masks are printed
    GITHUB_STEP_SUMMARY   the job summary file of the current step
    GITHUB_WORKSPACE      the checkout; annotation paths are relative to it

The token is a `SecretStr`: printing the settings shows '**********'.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from engine.errors import ConfigError

DEFAULT_API_URL = "https://api.github.com"


class GitHubSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GITHUB_", extra="ignore", frozen=True, case_sensitive=False,
                                      env_ignore_empty=True)

    token: SecretStr | None = None
    api_url: str = DEFAULT_API_URL
    actions: bool = False
    step_summary: Path | None = None
    workspace: Path | None = None

    @classmethod
    def from_env(cls) -> GitHubSettings:
        try:
            return cls()
        except ValidationError as exc:  # never echo the values
            names = sorted({"GITHUB_" + str(err["loc"][0]).upper() for err in exc.errors() if err["loc"]})
            raise ConfigError(f"invalid environment variable(s): {', '.join(names)}") from None

    def require_token(self) -> str:
        value = self.token.get_secret_value().strip() if self.token else ""
        if not value:
            raise ConfigError("GITHUB_TOKEN is not set: in a workflow pass `GITHUB_TOKEN: ${{ github.token }}` "
                              "in the step's env (with `permissions: pull-requests: write`)")
        return value
