"""A whole client as one JSON file: export it, and import it into another installation.

The format is described in docs/transfer.md. Rows refer to each other by keys local to
the file ("t1" for a team member, "m1" for a milestone), never by database ids, and the
file carries no wall-clock time of its own, so exporting, importing into an empty
database and exporting again gives the same bytes. Secrets are not exported: the
self-assessment link, respondents' resume links and API tokens are made anew on import.

Import checks everything before it writes anything: the bytes (size, UTF-8, NUL,
nesting, duplicate keys; `parse`), the shape (pydantic, unknown fields refused, lengths
and counts capped; `schema`), then every reference against the catalogue and within the
file (`check`). Each problem names its place, e.g. `assessments[0].respondents[2].answers
[5].value: '7' is not an answer (0-5, na, unknown)`. Rows are then added in one
transaction that the caller commits (`store`); on any error nothing is added.
"""

from .export import dumps, export_client
from .schema import FORMAT, MAX_DEPENDENCIES, MAX_FILE_BYTES, VERSION, TransferError
from .store import import_client, read, store, unlinked_consultants

__all__ = ["FORMAT", "MAX_DEPENDENCIES", "MAX_FILE_BYTES", "VERSION", "TransferError", "dumps",
           "export_client", "import_client", "read", "store", "unlinked_consultants"]
