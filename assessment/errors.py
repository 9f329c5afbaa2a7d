"""Bad input on one field: the one error every operation raises and every surface shows.

A web form puts the message beside the field, the API answers with the field's name and
the status, the command line prints both. The message may be a lazy translation: it is
turned into text in the language of whoever reads it.
"""

from __future__ import annotations


class FieldError(ValueError):
    """Input that cannot be taken, with the field it concerns and the HTTP status to give."""

    def __init__(self, field: str, message: object, status: int = 400):
        super().__init__(message)
        self.field = field
        self.status = status

    def __str__(self) -> str:
        return str(self.args[0])
