"""Content-addressed files: one row and one file per distinct SHA-256."""

from __future__ import annotations

from pathlib import Path

from django.db import models

from governance.kernel.objectstore import blob_local_path


class Blob(models.Model):
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.BigIntegerField()
    detected_format = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"sha256:{self.sha256[:12]}… ({self.size} bytes)"

    @property
    def path(self) -> Path:
        """A local file with the blob's bytes (on an object store, this machine's verified
        copy); it does not exist when the blob is not stored."""
        return blob_path(self.sha256)


def blob_path(sha256: str) -> Path:
    return blob_local_path(sha256)
