"""The error every workbook reader and guard raises for a file that cannot be read at all."""

from __future__ import annotations


class WorkbookError(Exception):
    """A workbook that cannot be read at all; the message names the file and the reason.
    `code` is the rule (schemas/rules.py) the run records the failure under."""

    def __init__(self, message: str, code: str = "WB001") -> None:
        super().__init__(message)
        self.code = code

    # Its rule and an OSError behind it survive the trip from a worker process
    # (flows/workers.py): the flow retries a file that could not be opened (flows/tasks.py).
    def __reduce__(self) -> tuple:
        cause = self.__cause__ if isinstance(self.__cause__, OSError) else None
        return _rebuilt, (type(self), str(self), self.code, cause)


def _rebuilt(
    cls: type[WorkbookError], message: str, code: str, cause: OSError | None
) -> WorkbookError:
    error = cls(message, code)
    error.__cause__ = cause
    return error
