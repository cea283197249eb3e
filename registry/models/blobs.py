"""Content-addressed files: one row and one file per distinct SHA-256."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models


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
        return blob_path(self.sha256)


def blob_path(sha256: str) -> Path:
    # Two levels of fan-out keep directories small with millions of blobs.
    return Path(settings.BLOB_ROOT) / sha256[:2] / sha256[2:4] / sha256
