"""What an evidence file may be: PDF, JPEG or PNG by content, up to a size."""

from __future__ import annotations

from fairscreen.shared.errors import PayloadTooLarge, ValidationFailed

MAX_SIZE = 10 * 1024 * 1024
# Checked against the first bytes: a file's name or declared type proves nothing.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff_type(data: bytes) -> str:
    """Return the content type of a PDF, JPEG or PNG, or refuse anything else."""
    for magic, content_type in SIGNATURES:
        if data.startswith(magic):
            return content_type
    raise ValidationFailed("Upload only PDF, JPEG or PNG files.", field="file")


def check_size(size: int, max_size: int = MAX_SIZE) -> None:
    """Refuse empty files and files over the limit."""
    if size == 0:
        raise ValidationFailed("The file is empty.", field="file")
    if size > max_size:
        raise PayloadTooLarge(f"An evidence file may be at most {max_size} bytes.")
