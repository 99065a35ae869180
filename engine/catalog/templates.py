"""Description templates: Jinja2, sandboxed, strict about undefined variables, with a budget.

A product's `description: {template: batik.html.j2, vars: {...}}` renders templates/batik.html.j2
with its `vars`, shop.yaml `template_vars` and `product` (key, title). Templates may include or
extend each other inside templates/. Output is HTML, so values are escaped (use `|safe` for a
variable that holds HTML on purpose). Any failure becomes a `TemplateProblem` naming the
TEMPLATE file and line (syntax errors, undefined variables, forbidden operations, budgets), so
the seller fixes the right file.

Every file under templates/ is read once, through files.CatalogFiles (inside the catalog,
regular files only); the renderer sees nothing else, so an `{% include %}` cannot reach a file
the loader refused. When any template file is refused, nothing is rendered at all.

Why renders run in a separate process. A catalog's templates come from pull requests and
`validate` runs on forks' pull requests, so a template must not be able to burn minutes of CPU
or gigabytes of memory. Inside one process nothing can really stop a runaway render: a thread
that watches the clock cannot interrupt another thread, and a signal handler runs only in the
main thread and only between bytecodes, so a single C call (`'x'.center(10**10)`, a
`|replace` that multiplies a text, a `|batch` with a huge fill) runs to its end or exhausts
memory first. The sandbox's hooks (call_binop, call, its `range`, an output-size-limited
concat) catch the common bombs early and point at their line, but filters with size
arguments, constant folding and `~` are outside every hook. So the templates are rendered by a
worker forked at the first render of a load (template_worker.py): its address space is capped,
a CPU timer stops a long render inside the template (at the line that was running), and if
even that does not stop it, the parent kills the worker after RENDER_DEADLINE seconds of wall
time and reports the template. A fork costs a few milliseconds and inherits everything
already imported; the worker lives as long as the renderer (one load).
"""

from __future__ import annotations

import hashlib
import os
import signal
import weakref
from multiprocessing.connection import Connection, Pipe
from pathlib import Path
from typing import Any

from jinja2 import TemplateNotFound
from jinja2.loaders import split_template_path

from engine.catalog.files import CatalogFiles, FileProblem
from engine.catalog.rules import template_number_findings
from engine.catalog.source import text_digest
from engine.catalog.template_worker import RENDER_SECONDS, serve

RENDER_DEADLINE = RENDER_SECONDS + 7.0  # wall seconds before the worker is killed


class TemplateProblem(Exception):
    """Where a template failed: a template file and line, or (file=None) the product's reference."""

    def __init__(self, message: str, file: str | None = None, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.file = file  # display path of the template file
        self.line = line


class TemplateRenderer:
    """The templates of one catalog: read at once, rendered by a worker process (see above)."""

    def __init__(self, directory: Path, display: str, shop_vars: dict[str, Any],
                 files: CatalogFiles | None = None) -> None:
        self.directory = directory
        self.display = display.rstrip("/")
        self.shop_vars = shop_vars
        self.files = files or CatalogFiles(directory)
        self.sources: dict[str, tuple[str | None, str]] = {}  # name -> (text or None if not UTF-8, display path)
        self.hashes: dict[str, str] = {}  # name -> content digest (for the catalog digest)
        self.problems: list[FileProblem] = []  # files refused: nothing is rendered then
        self._spent: dict[str, TemplateProblem] = {}  # templates that ran out of time or memory
        # shop.yaml reports numbers a template could not print; they are never sent to a render
        self._off = bool(template_number_findings(shop_vars, ()))
        self._worker: _Worker | None = None
        self._read()

    def names(self) -> list[str]:
        return sorted(self.sources)

    def render(self, name: str, variables: dict[str, Any], product: dict[str, Any]) -> str | None:
        """The rendered, stripped HTML; None when rendering is off (a template file was refused,
        or shop.yaml template_vars hold a number too long to print: both reported by the loader).
        Raises TemplateProblem."""
        try:
            key = "/".join(split_template_path(name))
        except TemplateNotFound:
            key = ""
        if key not in self.sources:
            raise TemplateProblem(f"template {name!r} not found in {self.display}/")
        if self.problems or self._off:
            return None
        if key in self._spent:  # not run again for the next product: it would only burn the budget again
            raise self._spent[key]
        if self._worker is None:
            self._worker = _Worker(self.sources, self.display)
        answer = self._worker.render(key, {**self.shop_vars, **variables, "product": product})
        if answer[0] == "ok":
            return answer[1]
        if answer[0] == "stopped":
            self._worker = None
            answer = ("spent", answer[1], f"{self.display}/{key}", 1)
        problem = TemplateProblem(answer[1], answer[2], answer[3])
        if answer[0] == "spent":
            self._spent[key] = problem
        raise problem

    def close(self) -> None:
        """Stop the worker (renders after this start a new one)."""
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def __enter__(self) -> TemplateRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self) -> None:
        paths, self.problems = self.files.listing(self.files.relative(self.directory))
        for path in paths:
            name = path.relative_to(self.directory).as_posix()
            try:
                raw = self.files.read(path)
            except FileProblem as problem:
                self.problems.append(problem)
                continue
            except OSError:
                continue  # gone, or not readable: as if it were not there
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.sources[name] = (None, f"{self.display}/{name}")
                self.hashes[name] = hashlib.sha256(raw).hexdigest()
                continue
            self.sources[name] = (text, f"{self.display}/{name}")
            self.hashes[name] = text_digest(text, raw)


class _Worker:
    """A forked template_worker.serve, and the pipe to it."""

    def __init__(self, sources: dict[str, tuple[str | None, str]], display: str) -> None:
        ours, theirs = Pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns into the parent's code
            try:
                ours.close()
                serve(theirs, sources, display)
            finally:
                os._exit(0)
        theirs.close()
        self.pid, self.connection = pid, ours
        self._finalizer = weakref.finalize(self, _stop, pid, ours)

    def render(self, name: str, context: dict[str, Any]) -> tuple:
        """The worker's answer, or ("stopped", message) when it had to be killed or died."""
        try:
            self.connection.send((name, context))
            if self.connection.poll(RENDER_DEADLINE):
                return self.connection.recv()
            message = f"the template ran for more than {RENDER_DEADLINE:g} s and was stopped"
        except (EOFError, OSError):
            message = "the template stopped the renderer (it ran out of time or memory)"
        self.close()
        return "stopped", message

    def close(self) -> None:
        self._finalizer()


def _stop(pid: int, connection: Connection) -> None:
    connection.close()
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
