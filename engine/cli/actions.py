"""GitHub Actions (issue 7): secrets masked before anything else prints, and validation
problems also printed as workflow annotations when GITHUB_ACTIONS=true or `validate --annotations`.

Every workflow command goes to stderr (the runner reads them there as well): stdout carries only
what the command was asked to print, so `plan --format json`, `live --format json`, `shops --json`
stay valid JSON inside GitHub Actions (issue 15)."""

from __future__ import annotations

import click

_ACTIONS: dict = {"annotate": False, "workspace": None}


def enable_annotations() -> None:
    """`validate --annotations`: annotate outside GitHub Actions too."""
    _ACTIONS["annotate"] = True


def annotate(diagnostics) -> None:
    if not _ACTIONS["annotate"] or not diagnostics:
        return
    from engine.github.workflow import annotation_lines, repo_root

    for line in annotation_lines(diagnostics, repo_root(_ACTIONS["workspace"])):
        click.echo(line, err=True)


def github_actions_setup() -> None:
    """Inside GitHub Actions: `::add-mask::` every secret value before anything else prints."""
    from engine.github.settings import GitHubSettings

    settings = GitHubSettings.from_env()
    _ACTIONS.update(annotate=settings.actions, workspace=settings.workspace)
    if not settings.actions:
        return
    from pydantic import ValidationError

    from engine.github.workflow import mask_commands
    from engine.shop.settings import ShopCredentials

    secrets = [settings.token.get_secret_value()] if settings.token else []
    try:
        secrets += ShopCredentials().secret_values()
    except ValidationError:
        pass  # malformed TTS_* values are reported by the command that needs them
    for line in mask_commands(secrets):
        click.echo(line, err=True)
    from engine.shop.masking import set_secret_listener

    set_secret_listener(_mask_new_secret)


def _mask_new_secret(value: str) -> None:
    """A secret the shop layer learns mid-run (a refreshed token): masked too, on stderr."""
    from engine.github.settings import GitHubSettings
    from engine.github.workflow import mask_commands

    if GitHubSettings.from_env().actions:  # still inside Actions (one process may run several commands)
        for line in mask_commands([value]):
            click.echo(line, err=True)
