"""What the detectors and profilers read: a path on disk, or a seekable binary file object.

A file object lets the web process inspect bytes that are not on its disk (an upload that
went straight into an object store, read back by byte ranges). Each ``open_binary`` of a file
object is an independent reader with its own position over the shared object, so one reader
left half-way (a generator, an archive still open) is never disturbed by another; closing it
leaves the shared object open for its owner.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

#: A file to inspect: a path, or a readable, seekable binary file object.
Source = str | os.PathLike | BinaryIO

#: Read-ahead of a reader over a file object; bigger reads go through unbuffered.
VIEW_BUFFER_BYTES = 256 * 1024


def is_path(source: Source) -> bool:
    return isinstance(source, str | os.PathLike)


def source_size(source: Source) -> int:
    if is_path(source):
        return Path(source).stat().st_size
    return source.seek(0, io.SEEK_END)


class _View(io.RawIOBase):
    """A position of its own over a shared seekable file object."""

    def __init__(self, shared: BinaryIO) -> None:
        super().__init__()
        self._shared = shared
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            target = offset
        elif whence == io.SEEK_CUR:
            target = self._pos + offset
        elif whence == io.SEEK_END:
            target = self._shared.seek(0, io.SEEK_END) + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if target < 0:
            raise OSError("negative seek position")
        self._pos = target
        return target

    def readinto(self, buffer) -> int:
        self._shared.seek(self._pos)
        count = self._shared.readinto(buffer)
        self._pos += count or 0
        return count or 0


def open_binary(source: Source) -> BinaryIO:
    """A fresh binary reader at offset 0; close it when done (the source stays open)."""
    if is_path(source):
        return Path(source).open("rb")
    return io.BufferedReader(_View(source), buffer_size=VIEW_BUFFER_BYTES)


@contextmanager
def open_text(
    source: Source, *, encoding: str, newline: str | None = None, errors: str = "strict"
) -> Iterator[TextIO]:
    """A text reader over the source, like ``open(path, "r", ...)``."""
    with io.TextIOWrapper(
        open_binary(source), encoding=encoding, newline=newline, errors=errors
    ) as text:
        yield text
