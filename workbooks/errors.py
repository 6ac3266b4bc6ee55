"""The error every workbook reader and guard raises for a file that cannot be read at all."""

from __future__ import annotations


class WorkbookError(Exception):
    """A workbook that cannot be read at all; the message names the file and the reason.
    `code` is the rule (schemas/rules.py) the run records the failure under."""

    def __init__(self, message: str, code: str = "WB001") -> None:
        super().__init__(message)
        self.code = code
