"""One exception base; the CLIs and the UI show `message` (Chinese) and log anything else."""

from __future__ import annotations


class GongkaiError(Exception):
    """Base of every error we raise on purpose. `message` is for users, in Chinese."""

    code = "error"

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail  # English detail for logs

    def __str__(self) -> str:
        return self.message if not self.detail else f"{self.message}（{self.detail}）"


class UserFacingError(GongkaiError):
    """An error whose message can be shown to a user as it is."""


class IngestError(UserFacingError):
    """A file that cannot be ingested: unsupported, empty, corrupt, too large …"""

    code = "ingest"


class UnsupportedFileError(IngestError):
    code = "unsupported"


class EmptyFileError(IngestError):
    code = "empty"


class FileTooLargeError(IngestError):
    code = "too_large"


class CorruptFileError(IngestError):
    code = "corrupt"


class StoreError(UserFacingError):
    """A store (SQL or vectors) is unavailable or inconsistent."""

    code = "store"


class AccessError(UserFacingError):
    """An action or a document this user may not have (a public user and official documents)."""

    code = "access"
