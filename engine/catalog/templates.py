"""Description templates: Jinja2, sandboxed, strict about undefined variables.

A product's `description: {template: batik.html.j2, vars: {...}}` renders templates/batik.html.j2
with its `vars`, shop.yaml `template_vars` and `product` (key, title). Templates may include or
extend each other inside templates/. Output is HTML, so values are escaped (use `|safe` for a
variable that holds HTML on purpose).

Any failure becomes a `TemplateProblem` naming the TEMPLATE file and line (syntax errors,
undefined variables, forbidden operations), so the seller fixes the right file.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment


class TemplateProblem(Exception):
    """Where a template failed: a template file and line, or (file=None) the product's reference."""

    def __init__(self, message: str, file: str | None = None, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.file = file  # display path of the template file
        self.line = line


MAX_POWER = 64  # `x ** n`: larger exponents are refused (10 ** 100000000 would hang validation)
MAX_REPEAT = 100_000  # `"text" * n` / `list * n`: longer results are refused


class _CatalogEnvironment(SandboxedEnvironment):
    """The sandbox plus limits on the two operators that turn a short template into a CPU or
    memory bomb (catalog templates are validated in CI for pull requests, forks included)."""

    intercepted_binops = frozenset({"**", "*"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_POWER:
            raise SecurityError(f"exponent {right} is too large (at most {MAX_POWER})")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int) and len(seq) * count > MAX_REPEAT:
                    raise SecurityError(f"repetition would make {len(seq) * count} items (at most {MAX_REPEAT})")
        return super().call_binop(context, operator, left, right)


def _render(template: Any, template_globals: dict[str, Any], context: dict[str, Any]) -> str:
    """Template.render(context), with the globals merged once per template instead of per call
    (`shared=True`: the dict is the context as given, globals included)."""
    try:
        return template.environment.concat(template.root_render_func(
            template.new_context({**template_globals, **context}, shared=True)))
    except Exception:  # noqa: BLE001 - what Template.render does: the traceback points into the template
        return template.environment.handle_exception()


class TemplateRenderer:
    def __init__(self, directory: Path, display: str, shop_vars: dict[str, Any]) -> None:
        self.directory = directory
        self.display = display.rstrip("/")
        self.shop_vars = shop_vars
        self.used: set[str] = set()
        self._compiled: dict[str, tuple[Any, dict[str, Any]]] = {}
        self.env = _CatalogEnvironment(loader=FileSystemLoader(str(directory)), undefined=StrictUndefined,
                                        autoescape=True, keep_trailing_newline=False, auto_reload=False)

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.relative_to(self.directory).as_posix() for p in self.directory.rglob("*") if p.is_file())

    def render(self, name: str, variables: dict[str, Any], product: dict[str, Any]) -> str:
        context = {**self.shop_vars, **variables, "product": product}
        try:
            compiled = self._compiled.get(name) or self._compile(name)
            self.used.add(name)
            return _render(*compiled, context).strip()
        except TemplateSyntaxError as exc:
            raise TemplateProblem(f"template syntax error: {exc.message}", self._display(exc.filename, exc.name),
                                  exc.lineno or 1) from None
        except TemplateNotFound as exc:
            if exc.name == name:
                raise TemplateProblem(f"template {name!r} not found in {self.display}/") from None
            file, line = self._where(exc)
            raise TemplateProblem(f"included template {exc.name!r} not found in {self.display}/", file, line) from None
        except UndefinedError as exc:
            file, line = self._where(exc)
            raise TemplateProblem(f"undefined variable: {exc.message} (give it in the product's description.vars "
                                  "or in shop.yaml template_vars)", file, line) from None
        except SecurityError as exc:
            file, line = self._where(exc)
            raise TemplateProblem(f"not allowed in a template: {exc}", file, line) from None
        except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError, AttributeError,
                RecursionError, OverflowError, OSError, MemoryError) as exc:
            file, line = self._where(exc)
            raise TemplateProblem(f"template error: {type(exc).__name__}: {exc}", file, line) from None

    def _compile(self, name: str) -> tuple[Any, dict[str, Any]]:
        """The template (get_template looks its cache up through the loader: once per name
        here) and its globals as one plain dict (Template.render copies them out of a ChainMap,
        item by item, on every render)."""
        template = self.env.get_template(name)
        compiled = self._compiled[name] = (template, dict(template.globals))
        return compiled

    def _where(self, exc: BaseException) -> tuple[str | None, int]:
        """The innermost traceback frame that belongs to a template file."""
        root = str(self.directory.resolve())
        found: tuple[str | None, int] = (None, 1)
        for frame in traceback.extract_tb(exc.__traceback__):
            path = Path(frame.filename)
            try:
                rel = path.resolve().relative_to(root)
            except (ValueError, OSError):
                continue
            found = (f"{self.display}/{rel.as_posix()}", frame.lineno or 1)
        return found

    def _display(self, filename: str | None, name: str | None) -> str | None:
        if filename:
            try:
                rel = Path(filename).resolve().relative_to(self.directory.resolve())
                return f"{self.display}/{rel.as_posix()}"
            except ValueError:
                pass
        return f"{self.display}/{name}" if name else None
