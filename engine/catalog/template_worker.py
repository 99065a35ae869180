"""The process that renders description templates, and the sandbox it renders them in.

Runs in a child process forked by templates.TemplateRenderer (see its docstring for why a
process): it reads (template name, context) requests from a pipe and answers ("ok", html) or
("problem", message, file, line). It never touches the filesystem — the templates are the
texts the parent read through files.CatalogFiles — and it gives every render a budget:

- time: a CPU timer (ITIMER_PROF) raises RenderTimeout inside the template after
  RENDER_SECONDS (and once TOTAL_SECONDS are used by all renders), so the error points at
  the line that was running; the parent kills the process if even that does not stop it;
- memory: the address space is capped (RLIMIT_AS) at what the process had when it started
  plus MEMORY_HEADROOM: a runaway allocation is a MemoryError at its line;
- output: `concat` stops a template (and each macro, block or `{% set %}` body) as soon as
  it has produced more than OUTPUT_MAX characters;
- operators: `**` with an exponent above MAX_POWER, `*` repetitions above MAX_REPEAT items and
  whole numbers above MAX_INT_DIGITS digits are refused before (or right after) they are
  computed — a number no longer fits the text of a description, and Python could not print it;
- nesting: a template that includes (or extends) itself more than MAX_NESTING levels deep is a
  RecursionError naming it.
"""

from __future__ import annotations

import gc
import inspect
import os
import resource
import signal
import time
import traceback
from collections.abc import Iterable
from typing import Any

from jinja2 import BaseLoader, StrictUndefined, TemplateError, TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from engine.catalog.limits import DESCRIPTION_MAX

MAX_POWER = 64  # `x ** n`: larger exponents are refused (10 ** 100000000 would hang validation)
MAX_REPEAT = 100_000  # `"text" * n` / `list * n`: longer results are refused
MAX_INT_DIGITS = 100  # whole numbers a template computes
MAX_NESTING = 20  # a template being rendered inside itself (`{% include %}` / `{% extends %}` of itself)
OUTPUT_MAX = 2 * DESCRIPTION_MAX  # characters: the rules then say how long a description may be
RENDER_SECONDS = 3.0  # CPU time of one render
TOTAL_SECONDS = 60.0  # CPU time of every render of one load
MEMORY_HEADROOM = 512 * 1024 * 1024  # bytes of address space a worker may add to what it started with
_MAX_INT_BITS = int(MAX_INT_DIGITS * 3.3219280948873626)


class RenderTimeout(Exception):
    """Raised inside a template whose render ran out of CPU time."""


class OutputTooLarge(Exception):
    """Raised inside a template that produced more than OUTPUT_MAX characters."""


class NotText(TemplateError):
    """A template file that is not UTF-8 text."""


class CatalogEnvironment(SandboxedEnvironment):
    """Jinja2's sandbox (no attribute of Python's internals, `range` of at most 100,000 items)
    with limits on the operators that turn a short template into a CPU or memory bomb, and
    an output-size-limited concat."""

    intercepted_binops = frozenset({"**", "*", "+", "-"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_POWER:
            raise SecurityError(f"exponent {right} is too large (at most {MAX_POWER})")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int) and len(seq) * count > MAX_REPEAT:
                    raise SecurityError(f"repetition would make {len(seq) * count} items (at most {MAX_REPEAT})")
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, int) and result.bit_length() > _MAX_INT_BITS:
            raise SecurityError(f"{operator} would make a number of more than {MAX_INT_DIGITS} digits")
        return result

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> Any:
        """The template; RecursionError when it is already being rendered MAX_NESTING times
        (a template that includes or extends itself: the error names it long before Python's
        own recursion limit, or the output limit, would stop it)."""
        if isinstance(name, str) and _rendering(name) >= MAX_NESTING:
            raise RecursionError(f"template {name!r} includes itself more than {MAX_NESTING} levels deep")
        return super().get_template(name, parent, globals)

    def concat(self, pieces: Iterable[str]) -> str:
        out, size = [], 0
        for piece in pieces:
            size += len(piece)
            if size > OUTPUT_MAX:
                problem = OutputTooLarge(f"the template writes more than {OUTPUT_MAX} characters and was stopped "
                                         f"(a description holds at most {DESCRIPTION_MAX})")
                throw = getattr(pieces, "throw", None)
                if throw is not None:  # a template's stream: raised inside it, at the line that wrote
                    throw(problem)
                raise problem
            out.append(piece)
        return "".join(out)


def _rendering(name: str) -> int:
    """How many renders of template `name` are under way (its generator frames on the stack)."""
    count, frame = 0, inspect.currentframe()
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        count += template is not None and template.name == name and frame.f_code.co_name == "root"
        frame = frame.f_back
    return count


class SourceLoader(BaseLoader):
    """Templates by name from the texts the parent read; the file name is how messages show it."""

    def __init__(self, sources: dict[str, tuple[str | None, str]]) -> None:
        self.sources = sources  # name -> (text, or None when it is not UTF-8; display path)

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
        name = "/".join(split_template_path(template))
        if name not in self.sources:
            raise TemplateNotFound(template)
        text, shown = self.sources[name]
        if text is None:
            raise NotText(f"template {name!r} is not UTF-8 text")
        return text, shown, lambda: True


class Renderer:
    """Renders templates of one catalog with the budgets above; every failure is an answer."""

    def __init__(self, sources: dict[str, tuple[str | None, str]], display: str) -> None:
        self.display = display  # how messages name the templates directory
        self.shown = {shown: name for name, (_, shown) in sources.items()}
        self.env = CatalogEnvironment(loader=SourceLoader(sources), undefined=StrictUndefined, autoescape=True,
                                      keep_trailing_newline=False, auto_reload=False)
        self.used = 0.0

    def render(self, name: str, context: dict[str, Any]) -> tuple:
        """("ok", html), ("problem", message, file, line) or, when the template ran out of time
        or memory, ("spent", message, file, line)."""
        budget = min(RENDER_SECONDS, TOTAL_SECONDS - self.used)
        if budget <= 0:
            return ("spent", f"the templates used more than {TOTAL_SECONDS:g} s of CPU time in all and rendering "
                             "was stopped", *self._file_of(name))
        start = time.process_time()
        signal.setitimer(signal.ITIMER_PROF, budget)
        try:
            return "ok", self.env.get_template(name).render(context).strip()
        except Exception as exc:  # noqa: BLE001 - every failure is reported at the template's file:line
            kind = "spent" if isinstance(exc, (RenderTimeout, MemoryError)) else "problem"
            return (kind, self._message(exc, budget), *self._where(exc, name))
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
            self.used += time.process_time() - start

    def _message(self, exc: Exception, budget: float) -> str:
        if isinstance(exc, TemplateSyntaxError):
            return f"template syntax error: {exc.message}"
        if isinstance(exc, TemplateNotFound):
            return f"included template {exc.name!r} not found in {self.display}/"
        if isinstance(exc, UndefinedError):
            return (f"undefined variable: {exc.message} (give it in the product's description.vars or in shop.yaml "
                    "template_vars)")
        if isinstance(exc, SecurityError):
            return f"not allowed in a template: {exc}"
        if isinstance(exc, RenderTimeout):
            return f"the template ran for more than {budget:g} s of CPU time and was stopped"
        if isinstance(exc, MemoryError):
            return f"the template needs more than {MEMORY_HEADROOM // (1024 * 1024)} MB of memory and was stopped"
        if isinstance(exc, (OutputTooLarge, NotText)):
            return str(exc)
        return f"template error: {type(exc).__name__}: {exc}"

    def _where(self, exc: Exception, name: str) -> tuple[str, int]:
        """The innermost frame of the traceback that belongs to a template file (the template
        rendered, line 1, when none does)."""
        if isinstance(exc, TemplateSyntaxError) and exc.filename in self.shown:
            return exc.filename, exc.lineno or 1
        found = self._file_of(name)
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename in self.shown:
                found = (frame.filename, frame.lineno or 1)
        return found

    def _file_of(self, name: str) -> tuple[str, int]:
        return f"{self.display}/{name}", 1


def serve(connection: Any, sources: dict[str, tuple[str | None, str]], display: str) -> None:
    """The worker's life: limits, then answer requests until the parent closes the pipe."""
    gc.freeze()  # the parent's objects: never scanned here (no copy-on-write of their pages)
    gc.enable()  # (the loader pauses the collector while it forks us: the renders' cycles are collected)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGPROF, _out_of_time)
    _cap_memory()
    renderer = Renderer(sources, display)
    while True:
        try:
            name, context = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(renderer.render(name, context))


def _out_of_time(signum: int, frame: Any) -> None:
    raise RenderTimeout("out of CPU time")


def _cap_memory() -> None:
    """RLIMIT_AS at the address space in use plus MEMORY_HEADROOM (where the system has both)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            in_use = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = in_use + MEMORY_HEADROOM
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    except (OSError, ValueError):
        pass  # no /proc (macOS): the time budget and the parent's deadline still apply
