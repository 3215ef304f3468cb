"""The one error family users see: a problem in one of their files, at a line."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


class SiteError(Exception):
    """A user error: bad input in a site file. Printed as ``path:line: message``.

    ``path`` is relative to the site root (``content/coal.md``); ``line`` is 1-based or
    ``None`` when the problem concerns the whole file. ``hint`` says what would help.
    """

    def __init__(self, path: str, line: int | None, message: str, hint: str | None = None):
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message
        self.hint = hint

    def __reduce__(self) -> tuple[type, tuple[str, int | None, str, str | None]]:
        return (SiteError, (self.path, self.line, self.message, self.hint))  # crosses process boundaries

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


@dataclass(frozen=True)
class SiteWarning:
    """Something a reader would notice that does not stop a build: printed by ``build`` and
    shown by ``serve`` as ``path:line: warning: message``; a problem under ``check`` and
    ``--strict``."""

    path: str
    line: int | None
    message: str

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        return f"{self.location}: warning: {self.message}"


def known(names: Iterable[object]) -> str:
    """A hint listing the names a user could have meant, sorted."""
    return "known: " + ", ".join(sorted(str(n) for n in names)) if names else "none defined"


# C0 controls but tab, newline and carriage return; DEL and C1 controls; surrogates and
# the non-characters U+FFFE/U+FFFF: none may appear in XML or reach a rasteriser.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def control_problem(text: str) -> str | None:
    """Why ``text`` can't be published as it is (a control character), or None."""
    match = CONTROL.search(text)
    return None if match is None else f"control character U+{ord(match.group()):04X} is not allowed in text"
