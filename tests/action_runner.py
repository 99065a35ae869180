"""Run the composite action (action.yml) the way a runner would, step by step, on this machine.

    runner = ActionRunner(workspace, fake_github_url, token)
    job = runner.run({"command": "plan", "shop-path": "catalogs/toko", "shop-id": "toko"},
                     github={"event_name": "pull_request", "sha": head, "ref": "refs/pull/12/merge",
                             "event": {"pull_request": {"number": 12, "head": {"sha": head}}}})

Every `run:` step is executed with bash (`-eo pipefail`, as `shell: bash` runs it) with the env
the step declares — `${{ }}` expressions evaluated against inputs, github, steps and runner —
plus the runner's variables (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP, GITHUB_ACTION_PATH…);
outputs are read back from GITHUB_OUTPUT. `if:` conditions are evaluated (the subset action.yml
uses: `&&`, `==`, `!=`, always(), success()), so a step that should not run does not.

The `uses:` steps are played by stand-ins: setup-python and the install step are skipped (the
engine under test is already installed in this virtualenv); `actions/cache/restore|save` keep
directories in `runner.caches` with GitHub's rules (a key is never overwritten; restore-keys
pick the newest entry with that prefix; a run sees its own ref's entries and the default
branch's); `actions/upload-artifact` zips the file into `job.artifacts` for the fake GitHub.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from fake_github import zip_of
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
DEFAULT_BRANCH = "refs/heads/main"


@dataclass
class CacheEntry:
    scope: str
    key: str
    path: Path


@dataclass
class Job:
    status: str = "success"
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)  # step id → outputs
    ran: list[str] = field(default_factory=list)  # names of the steps that ran
    logs: list[str] = field(default_factory=list)
    summary: str = ""
    artifacts: dict[str, bytes] = field(default_factory=dict)  # name → zip
    restored: str | None = None  # the cache key restored, if any
    runner_temp: Path | None = None

    @property
    def log(self) -> str:
        return "\n".join(self.logs)


class ActionRunner:
    def __init__(self, workspace: Path, api_url: str, token: str, repo: str = "acme/catalog") -> None:
        self.workspace, self.api_url, self.token, self.repo = workspace, api_url, token, repo
        self.action = YAML(typ="safe").load(ACTION.read_text())
        self.caches: list[CacheEntry] = []
        self._store = Path(tempfile.mkdtemp(prefix="action-caches-"))
        self.run_id = 100

    # ------------------------------------------------------------------ a job
    def run(self, inputs: dict[str, str], github: dict, env: dict[str, str] | None = None) -> Job:
        self.run_id += 1
        job = Job(runner_temp=Path(tempfile.mkdtemp(prefix="runner-temp-")))
        github = {"repository": self.repo, "token": self.token, "run_id": str(self.run_id), "run_attempt": "1",
                  "server_url": "https://github.example", "ref": DEFAULT_BRANCH, "event": {}, **github}
        given = dict(inputs)
        context = {"github": github, "runner": {"temp": str(job.runner_temp)}, "steps": {}, "inputs": {}}
        for name, spec in self.action["inputs"].items():
            default = str(spec.get("default", "")) if spec else ""
            context["inputs"][name] = given.pop(name, None) if name in given else substitute(default, context)
        assert not given, f"unknown inputs: {given}"
        for step in self.action["runs"]["steps"]:
            if not condition(step.get("if", ""), context, job.status):
                continue
            job.ran.append(step["name"])
            ok = self._step(step, context, job, env or {})
            if not ok:
                job.status = "failure"
        return job

    def _step(self, step: dict, context: dict, job: Job, extra_env: dict[str, str]) -> bool:
        uses = step.get("uses", "")
        with_ = {k: substitute(str(v), context) for k, v in (step.get("with") or {}).items()}
        if uses.startswith("actions/setup-python@") or step.get("id") == "install":
            assert step.get("id") != "install" or '"$GITHUB_ACTION_PATH"' in step["run"]  # from its own checkout
            return True
        if uses.startswith("actions/cache/restore@"):
            job.restored = self.restore(Path(self.workspace, with_["path"]), with_["key"], with_["restore-keys"],
                                        context["github"]["ref"])
            return True
        if uses.startswith("actions/cache/save@"):
            self.save(Path(self.workspace, with_["path"]), with_["key"], context["github"]["ref"])
            return True
        if uses.startswith("actions/upload-artifact@"):
            path = Path(with_["path"])
            assert with_["name"] not in job.artifacts, "artifact names are unique within a run"
            job.artifacts[with_["name"]] = zip_of({path.name: path.read_bytes()})
            url = f"https://github.example/{self.repo}/actions/runs/{self.run_id}/artifacts/{len(job.artifacts)}"
            set_outputs(context, job, step["id"], {"artifact-url": url})
            return True
        assert "run" in step and step.get("shell") == "bash", step["name"]
        return self._bash(step, context, job, extra_env)

    def _bash(self, step: dict, context: dict, job: Job, extra_env: dict[str, str]) -> bool:
        scratch = Path(tempfile.mkdtemp(prefix="step-"))
        output, summary = scratch / "output", scratch / "summary"
        output.touch()
        github = context["github"]
        env = {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin", "HOME": str(scratch),
               "LANG": "C.UTF-8", "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": self.repo,
               "GITHUB_SHA": github["sha"], "GITHUB_REF": github["ref"], "GITHUB_EVENT_NAME": github["event_name"],
               "GITHUB_RUN_ID": github["run_id"], "GITHUB_SERVER_URL": github["server_url"],
               "GITHUB_API_URL": self.api_url, "GITHUB_ACTION_PATH": str(ROOT),
               "GITHUB_WORKSPACE": str(self.workspace), "RUNNER_TEMP": str(job.runner_temp),
               "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary), **extra_env}
        env.update({k: substitute(str(v), context) for k, v in (step.get("env") or {}).items()})
        script = scratch / "step.sh"
        script.write_text(step["run"])
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=self.workspace,
                              env=env, capture_output=True, text=True, timeout=300)
        job.logs.append(f"## {step['name']} (exit {done.returncode})\n{done.stdout}{done.stderr}")
        if summary.exists():
            job.summary += summary.read_text()
        if step.get("id"):
            set_outputs(context, job, step["id"], read_outputs(output.read_text()))
        shutil.rmtree(scratch, ignore_errors=True)
        return done.returncode == 0

    # ------------------------------------------------------------------ actions/cache
    def restore(self, path: Path, key: str, restore_keys: str, ref: str) -> str | None:
        visible = [e for e in self.caches if e.scope in (ref, DEFAULT_BRANCH)]
        exact = [e for e in visible if e.key == key]
        found = exact[-1] if exact else None
        for prefix in [k.strip() for k in restore_keys.splitlines() if k.strip()]:
            if found is None:
                matches = [e for e in visible if e.key.startswith(prefix)]
                found = max(matches, key=lambda e: (e.scope == ref, self.caches.index(e))) if matches else None
        if found is None:
            return None
        shutil.rmtree(path, ignore_errors=True)
        shutil.copytree(found.path, path)
        return found.key

    def save(self, path: Path, key: str, ref: str) -> None:
        if not path.is_dir() or any(e.key == key and e.scope == ref for e in self.caches):
            return  # GitHub: "Path Validation Error" warning / "Cache already exists": nothing saved
        kept = self._store / str(len(self.caches))
        shutil.copytree(path, kept)
        self.caches.append(CacheEntry(ref, key, kept))


def set_outputs(context: dict, job: Job, step_id: str, outputs: dict[str, str]) -> None:
    job.outputs[step_id] = outputs
    context["steps"][step_id] = {"outputs": outputs}


def read_outputs(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def lookup(path: str, context: dict) -> object:
    value: object = context
    for part in path.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return value


def evaluate(expression: str, context: dict) -> str:
    """`a.b.c`, `'literal'`, and `x || y` (the first that is not empty)."""
    for alternative in expression.split("||"):
        term = alternative.strip()
        value = term[1:-1] if term.startswith("'") and term.endswith("'") else lookup(term, context)
        if value not in ("", None, False):
            return str(value)
    return ""


def substitute(text: str, context: dict) -> str:
    return EXPRESSION.sub(lambda m: evaluate(m.group(1), context), text)


def condition(expression: str, context: dict, status: str) -> bool:
    """The `if:` subset: terms joined by &&; always(), success(), X == 'v', X != 'v'. Without
    always() a step runs only while every earlier step succeeded (success() is implied)."""
    terms = [t.strip() for t in expression.split("&&") if t.strip()]
    result = "always()" in terms or status == "success"
    for term in terms:
        if term in ("always()", "success()"):
            result = result and (term == "always()" or status == "success")
            continue
        match = re.fullmatch(r"(\S+)\s*(==|!=)\s*'([^']*)'", term)
        assert match, f"unsupported condition {term!r}"
        left = str(lookup(match[1], context) or "")
        result = result and ((left == match[3]) == (match[2] == "=="))
    return result
