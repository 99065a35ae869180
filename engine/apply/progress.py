"""Progress of a running apply: a rich progress bar on a terminal, log lines otherwise.

The executor calls `start(steps, images)`, `uploaded(path)` per image, `advance(key, step)`
per attempted write and `finish()`. `LogProgress` writes a line every `every_seconds` (or
every `every_steps` steps), so a CI log shows the run is alive without a line per product.
Nothing here prints a secret: only product keys, counts and outcomes.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from typing import TYPE_CHECKING, Protocol, TextIO

from engine.plan.report import StepResult

if TYPE_CHECKING:
    from rich.progress import TaskID


class Progress(Protocol):
    def start(self, steps: int, images: int) -> None: ...

    def uploaded(self, path: str) -> None: ...

    def advance(self, key: str, step: StepResult) -> None: ...

    def finish(self) -> None: ...


class NullProgress:
    def start(self, steps: int, images: int) -> None:
        pass

    def uploaded(self, path: str) -> None:
        pass

    def advance(self, key: str, step: StepResult) -> None:
        pass

    def finish(self) -> None:
        pass


class LogProgress:
    """`apply: 120/400 steps (118 applied, 2 failed), 12 images uploaded, 14.2 s` every few seconds."""

    def __init__(self, stream: TextIO | None = None, *, every_seconds: float = 5.0, every_steps: int = 500,
                 clock=time.monotonic) -> None:
        self.stream = stream or sys.stderr
        self.every_seconds = every_seconds
        self.every_steps = every_steps
        self.clock = clock
        self.total = self.done = self.images = 0
        self.outcomes: Counter[str] = Counter()
        self.started = self.last = clock()
        self.last_done = 0

    def start(self, steps: int, images: int) -> None:
        self.total = steps
        self.started = self.last = self.clock()
        if steps or images:
            self._line(f"apply: {steps} write(s) to make" + (f", {images} image(s) to upload" if images else ""))

    def uploaded(self, path: str) -> None:
        self.images += 1
        self._maybe()

    def advance(self, key: str, step: StepResult) -> None:
        self.done += 1
        self.outcomes[step.outcome] += 1
        self._maybe()

    def finish(self) -> None:
        if self.total or self.images:
            self._line(self._status("done"))

    def _maybe(self) -> None:
        now = self.clock()
        if now - self.last >= self.every_seconds or self.done - self.last_done >= self.every_steps:
            self.last, self.last_done = now, self.done
            self._line(self._status("progress"))

    def _status(self, word: str) -> str:
        outcomes = ", ".join(f"{n} {o}" for o, n in sorted(self.outcomes.items()))
        text = f"apply {word}: {self.done}/{self.total} write(s)" + (f" ({outcomes})" if outcomes else "")
        if self.images:
            text += f", {self.images} image(s) uploaded"
        return text + f", {self.clock() - self.started:.1f} s"

    def _line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)


class RichProgress:
    """A progress bar on the terminal (stderr), removed when done."""

    def __init__(self, stream: TextIO | None = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bar

        self.bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       console=Console(file=stream or sys.stderr), transient=True)
        self.task: TaskID | None = None

    def start(self, steps: int, images: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("Applying", total=max(steps, 1))

    def uploaded(self, path: str) -> None:
        if self.task is not None:
            self.bar.update(self.task, description=f"Uploading {path}")

    def advance(self, key: str, step: StepResult) -> None:
        if self.task is not None:
            self.bar.update(self.task, advance=1, description=f"Applying {key}")

    def finish(self) -> None:
        self.bar.stop()
