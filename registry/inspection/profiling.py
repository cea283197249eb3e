"""Schema and statistics of uploaded CSV, Parquet, Excel and JSON Lines files, in bounded memory.

A dataset version's profile is computed once, on upload, and is what reviewers and the PII
scan see, so it must work on files of hundreds of megabytes on a small worker:

* Files are streamed in record batches (pyarrow's CSV streaming reader, Parquet record
  batches), never loaded whole.
* Means and standard deviations use Chan et al.'s parallel form of Welford's algorithm,
  merging per-batch moments; it is numerically stable and independent of batch size.
* Distinct counts are exact up to ``DISTINCT_EXACT_CAP`` values per column (a sorted array
  of 64-bit hashes) and then switch to a HyperLogLog estimate (2**12 registers, about 1.6 %
  standard error); ``distinct_approximate`` says which one a column got.
* Top values are exact while a column has at most ``TOP_VALUES_TRACKED`` distinct values;
  beyond that only the heaviest are kept between batches (their counts become lower
  bounds) and ``top_values_approximate`` is set.
* ``sample_values`` for the PII scan are the non-null values whose row numbers hash lowest:
  a uniform, reproducible sample that does not depend on how the file was chunked, so the
  same data as CSV or Parquet gives the same sample.

CSV columns are read as text and typed afterwards (integer, float, boolean, ISO datetime,
else string or categorical), because one unparseable cell deep in a file must demote the
column rather than fail the upload; Excel cells and JSON values are brought to the same text
first. Parquet columns keep their stored types (structs flattened to ``a.b`` columns).

CSV in any encoding Python reads (detected in ``formats``), with decimal commas where the
delimiter is not a comma; repeated or blank headers are renamed as pandas renames them. What
had to be decided about a file is returned in ``DataProfile.warnings``.

This module imports nothing from Django.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
import math
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from registry.inspection.formats import DataFormatError, detect_text_encoding, sniff_csv_delimiter
from registry.inspection.sources import Source, is_path, open_binary, open_text, source_size

__all__ = [
    "DEFAULT_MAX_COLUMNS",
    "DEFAULT_MAX_UNCOMPRESSED_BYTES",
    "DTYPES",
    "ColumnProfile",
    "DataProfile",
    "column_names",
    "profile_data_file",
    "read_column_names",
    "xlsx_sheet_names",
]

DTYPES = ("integer", "float", "boolean", "string", "datetime", "categorical")
#: Wide exports (survey tools, one-hot encodings) reach a few thousand columns.
DEFAULT_MAX_COLUMNS = 10_000
DEFAULT_MAX_UNCOMPRESSED_BYTES = 2 * 1024**3

DISTINCT_EXACT_CAP = 20_000
TOP_VALUES_TRACKED = 2_000
TOP_VALUES_REPORTED = 10
#: A string column is "categorical" when it has at most this many distinct values and at
#: most half as many distinct values as non-null rows.
CATEGORICAL_MAX_DISTINCT = 50
CSV_BLOCK_BYTES = 8 * 1024 * 1024
PARQUET_BATCH_ROWS = 65_536
HLL_PRECISION = 12

_RAGGED_RE = re.compile(r"Expected (\d+) columns, got (\d+)")
#: A number written with a decimal comma, optionally with dots between thousands.
_COMMA_NUMBER_RE = r"^[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$"
#: Column names are stored in a column of this width (``registry.Column.name``).
MAX_COLUMN_NAME_CHARS = 300


@dataclass
class ColumnProfile:
    """Schema and statistics of one column; every field is JSON-serialisable.

    ``min``/``max`` are numbers for numeric columns and ISO-8601 strings for datetime
    columns; ``mean``/``std`` (sample standard deviation, as pandas computes it) only exist
    for numeric columns. Non-finite results are reported as None so the profile stays
    valid JSON.
    """

    name: str
    position: int
    dtype: str
    null_count: int
    null_share: float
    distinct_count: int
    distinct_approximate: bool
    min: int | float | str | None
    max: int | float | str | None
    mean: float | None
    std: float | None
    top_values: list[list[Any]]
    top_values_approximate: bool
    sample_values: list[str]


@dataclass
class DataProfile:
    """Row count and per-column profiles of a data file."""

    data_format: str
    row_count: int
    columns: list[ColumnProfile] = field(default_factory=list)
    delimiter: str | None = None
    #: Text encoding of CSV and JSON Lines files as detected (``utf-8``, ``cp1252``, ...).
    encoding: str | None = None
    #: The worksheet an Excel workbook was read from.
    sheet: str | None = None
    #: What a person should know about how the file was read: ``{"code", "message"}`` and,
    #: where it names columns, ``"columns"``. Codes: ``duplicate_columns``,
    #: ``unnamed_columns``, ``truncated_names``, ``decimal_comma``, ``legacy_encoding``,
    #: ``nested_columns``, ``empty_columns``, ``other_sheets``.
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, safe for ``json.dumps`` (no NaN, no numpy scalars)."""
        return asdict(self)


# --------------------------------------------------------------------------------------------
# Streaming statistics
# --------------------------------------------------------------------------------------------


def _splitmix64(values: np.ndarray) -> np.ndarray:
    """A fixed 64-bit mix of row numbers: the sampling priority of each row."""
    with np.errstate(over="ignore"):
        z = values.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


class _DistinctCounter:
    """Exact distinct count over 64-bit hashes up to a cap, HyperLogLog beyond it."""

    def __init__(self) -> None:
        self._exact: np.ndarray | None = np.empty(0, dtype=np.uint64)
        self._registers = np.zeros(1 << HLL_PRECISION, dtype=np.uint8)

    def add(self, hashes: np.ndarray) -> None:
        if hashes.size == 0:
            return
        hashes = hashes.astype(np.uint64, copy=False)
        index = (hashes >> np.uint64(64 - HLL_PRECISION)).astype(np.int64)
        rest_bits = 64 - HLL_PRECISION
        rest = hashes & np.uint64((1 << rest_bits) - 1)
        # rest < 2**52 converts to float64 exactly, so frexp gives its exact bit length.
        _, bit_length = np.frexp(rest.astype(np.float64))
        rank = (rest_bits - bit_length + 1).astype(np.uint8)
        np.maximum.at(self._registers, index, rank)
        if self._exact is None:
            return
        if self._exact.size + hashes.size > DISTINCT_EXACT_CAP and (
            self._estimate() > 1.5 * DISTINCT_EXACT_CAP
        ):
            # The estimate's error is about 1.6 %: far past the cap, no exact union is needed
            # to know the column went beyond it (it costs a sort of every value).
            self._exact = None
            return
        self._exact = np.union1d(self._exact, hashes)
        if self._exact.size > DISTINCT_EXACT_CAP:
            self._exact = None

    @property
    def approximate(self) -> bool:
        return self._exact is None

    def count(self) -> int:
        if self._exact is not None:
            return int(self._exact.size)
        return self._estimate()

    def _estimate(self) -> int:
        m = float(self._registers.size)
        alpha = 0.7213 / (1 + 1.079 / m)
        estimate = alpha * m * m / float(np.sum(np.power(2.0, -self._registers.astype(float))))
        zeros = int(np.count_nonzero(self._registers == 0))
        if estimate <= 2.5 * m and zeros:
            estimate = m * math.log(m / zeros)
        return round(estimate)


class _Moments:
    """Count, mean, M2, min and max, merged batch by batch (Chan et al. 1979)."""

    def __init__(self) -> None:
        self.count = 0
        self.mean = 0.0
        self.m2 = 0.0
        self.min: float | None = None
        self.max: float | None = None

    def add(self, values: np.ndarray) -> None:
        values = values[~np.isnan(values)]
        n_b = int(values.size)
        if n_b == 0:
            return
        with np.errstate(invalid="ignore", over="ignore"):
            mean_b = float(values.mean())
            m2_b = float(np.square(values - mean_b).sum())
        lo, hi = float(values.min()), float(values.max())
        self.min = lo if self.min is None else min(self.min, lo)
        self.max = hi if self.max is None else max(self.max, hi)
        if self.count == 0:
            self.count, self.mean, self.m2 = n_b, mean_b, m2_b
            return
        n_a = self.count
        n = n_a + n_b
        delta = mean_b - self.mean
        self.mean += delta * n_b / n
        self.m2 += m2_b + delta * delta * n_a * n_b / n
        self.count = n

    def std(self) -> float | None:
        if self.count < 2:
            return None
        return math.sqrt(self.m2 / (self.count - 1))


#: Means and deviations are rounded to this many significant digits: merging batches in a
#: different order changes the last bits, and the profile of the same data should not
#: depend on whether it arrived as CSV blocks or Parquet row groups.
STAT_SIGNIFICANT_DIGITS = 12


def _finite(value: float | None, *, rounded: bool = False) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    if rounded and value != 0:
        digits = STAT_SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(abs(value)))
        return round(float(value), digits)
    return float(value)


def _hash_values(values: pa.Array) -> np.ndarray:
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if _is_text_type(values.type):
        return _hash_text(values)
    return pd.util.hash_array(values.to_numpy(zero_copy_only=False), categorize=False)


def _is_text_type(arrow_type: pa.DataType) -> bool:
    return (
        pa.types.is_string(arrow_type)
        or pa.types.is_large_string(arrow_type)
        or pa.types.is_binary(arrow_type)
        or pa.types.is_large_binary(arrow_type)
    )


#: Texts up to this many bytes are hashed by numpy in 8-byte words; longer ones one by one.
_WORD_HASHED_BYTES = 64
#: ``_BYTE_MASKS[k]`` keeps the first k bytes of a little-endian 64-bit word.
_BYTE_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)


def _hash_text(values: pa.Array) -> np.ndarray:
    """64-bit hashes of the non-null texts of an Arrow string array, straight from its buffers.

    Each text is read as little-endian 8-byte words, bytes beyond its end masked off, and
    folded into its length with splitmix64; texts longer than ``_WORD_HASHED_BYTES`` are
    hashed with BLAKE2b. The hash depends on the text alone, not on the batch it arrived in,
    so distinct counts merge across batches. No Python object is made per short value.
    """
    n = len(values)
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    wide = pa.types.is_large_string(values.type) or pa.types.is_large_binary(values.type)
    buffers = values.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64 if wide else np.int32)[
        values.offset : values.offset + n + 1
    ].astype(np.int64)
    first, last = int(offsets[0]), int(offsets[-1])
    starts = offsets[:-1] - first
    lengths = np.diff(offsets)
    data = np.zeros(last - first + 8, dtype=np.uint8)  # 8 spare bytes: no word reads past
    if last > first:
        data[: last - first] = np.frombuffer(buffers[2], dtype=np.uint8)[first:last]
    # Every byte offset seen as the start of an (unaligned) 64-bit word.
    words = np.ndarray((data.size - 7,), dtype="<u8", buffer=data, strides=(1,))
    hashes = _splitmix64(lengths)
    longest = int(lengths.max(initial=0))
    for j in range(min(-(-longest // 8), _WORD_HASHED_BYTES // 8)):
        if j == 0 and longest <= _WORD_HASHED_BYTES:
            hashes = _splitmix64(hashes ^ (words[starts] & _BYTE_MASKS[np.minimum(lengths, 8)]))
            continue
        rows = np.flatnonzero((lengths > 8 * j) & (lengths <= _WORD_HASHED_BYTES))
        word = words[starts[rows] + 8 * j] & _BYTE_MASKS[np.minimum(lengths[rows] - 8 * j, 8)]
        hashes[rows] = _splitmix64(hashes[rows] ^ word)
    if longest > _WORD_HASHED_BYTES:
        for i in np.flatnonzero(lengths > _WORD_HASHED_BYTES).tolist():
            text = data[starts[i] : starts[i] + lengths[i]].tobytes()
            digest = hashlib.blake2b(text, digest_size=8).digest()
            hashes[i] = int.from_bytes(digest, "little")
    return hashes


# --------------------------------------------------------------------------------------------
# Column accumulator
# --------------------------------------------------------------------------------------------


class _ColumnAccumulator:
    """Collects one column's statistics over record batches.

    In ``text`` mode (CSV) the column's type is not known until the end: each batch
    narrows the candidates (integer, float, boolean, datetime) and keeps the statistics
    that a surviving candidate needs. In ``typed`` mode (Parquet) the arrow type decides.
    """

    def __init__(
        self,
        name: str,
        position: int,
        *,
        sample_size: int,
        kind: str,
        decimal_comma: bool = False,
    ) -> None:
        self.name = name
        self.position = position
        self.kind = kind  # "text" or one of DTYPES decided from the stored type
        self.sample_size = sample_size
        self.rows = 0
        self.nulls = 0
        self.distinct = _DistinctCounter()
        self.counts: Counter[Any] = Counter()
        self.counts_pruned = False
        self.moments = _Moments()
        self.int_min: int | None = None
        self.int_max: int | None = None
        self.dt_min: Any = None
        self.dt_max: Any = None
        self.may_be_int = self.may_be_float = self.may_be_bool = self.may_be_datetime = True
        # "1,5" is one and a half in a semicolon-separated European export; it is only
        # considered where the comma cannot be the field separator.
        self.may_be_comma_float = decimal_comma
        self.saw_decimal_comma = False
        self.comma_moments = _Moments()
        self._sample_priority = np.empty(0, dtype=np.uint64)
        self._sample_rows = np.empty(0, dtype=np.int64)
        self._sample_values: list[str] = []

    # -- per batch --------------------------------------------------------------------------

    def add_nulls(self, count: int) -> None:
        """Rows that lack this column (a JSON Lines key first seen later, a short row)."""
        self.rows += count
        self.nulls += count

    def add(self, values: pa.Array, row_offset: int, priority: np.ndarray | None = None) -> None:
        """One batch of this column; ``priority`` is ``_splitmix64`` of the batch's row
        numbers when the caller computed it once for all columns."""
        self.rows += len(values)
        self.nulls += values.null_count
        if values.null_count == len(values):
            return
        if priority is None:
            priority = _splitmix64(np.arange(row_offset, row_offset + len(values)))
        if values.null_count:
            valid = pc.is_valid(values)
            valid_rows = np.flatnonzero(valid.to_numpy(zero_copy_only=False))
            non_null = values.filter(valid)
            priority = priority[valid_rows]
        else:
            valid_rows = np.arange(len(values))
            non_null = values
        if self.kind == "text":
            self._narrow_text_types(non_null)
        else:
            self._update_typed_stats(non_null)
        self._update_counts(non_null)
        self._update_sample(non_null, valid_rows + row_offset, priority)

    def _numeric_candidate(self) -> bool:
        if self.kind == "text":
            return self.may_be_int or self.may_be_float or self.may_be_comma_float
        return self.kind in {"integer", "float"}

    def _update_counts(self, non_null: pa.Array) -> None:
        """Distinct counts, and top-value counts where a column may end up non-numeric.

        Top values are only reported for non-numeric columns. A column that still reads as
        numbers is counted only while it has at most ``TOP_VALUES_TRACKED`` distinct values
        (coded answers, small integers); beyond that its counts would be pruned to lower
        bounds anyway, so it is hashed for the distinct count and no more, which is where
        most of the time of wide numeric files went.
        """
        numeric = self._numeric_candidate()
        if numeric and not self._counting_numbers():
            if self.kind == "text":
                self.counts_pruned = True
            self.distinct.add(_hash_values(non_null))
            return
        counted = pc.value_counts(non_null)
        distinct_values = counted.field("values")
        self.distinct.add(_hash_values(distinct_values))
        if self.kind in {"integer", "float"}:
            return
        counts = counted.field("counts").to_numpy()
        if len(counts) > TOP_VALUES_TRACKED:
            keep = np.argpartition(counts, -TOP_VALUES_TRACKED)[-TOP_VALUES_TRACKED:]
            distinct_values = distinct_values.take(pa.array(keep))
            counts = counts[keep]
            self.counts_pruned = True
        for value, count in zip(
            _display_values(distinct_values, self.kind), counts.tolist(), strict=True
        ):
            self.counts[value] += count
        if len(self.counts) > TOP_VALUES_TRACKED:
            self.counts = Counter(dict(self.counts.most_common(TOP_VALUES_TRACKED // 2)))
            self.counts_pruned = True

    def _counting_numbers(self) -> bool:
        """Whether a column that reads as numbers still gets its values counted."""
        if self.kind != "text":
            return False
        if self.counts_pruned or self.distinct.approximate:
            return False
        return self.distinct.count() <= TOP_VALUES_TRACKED

    def _narrow_text_types(self, text: pa.Array) -> None:
        """Rule out the types this batch's text cannot have.

        A batch that parses as numbers cannot be boolean or ISO dates, so those checks (a
        regular expression over every value) are skipped for numeric columns.
        """
        ints = floats = None
        if self.may_be_int:
            try:
                ints = _cast_or_fail(text, pa.int64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                self.may_be_int = False
            else:
                lo, hi = pc.min_max(ints).values()
                self.int_min = _min(self.int_min, lo.as_py())
                self.int_max = _max(self.int_max, hi.as_py())
                if ints.null_count == 0:
                    # Integers are floats too: converting the parsed integers costs far less
                    # than parsing the text a second time.
                    floats = ints.to_numpy(zero_copy_only=False).astype(np.float64)
        if self.may_be_float and floats is not None:
            self.moments.add(floats)
        elif self.may_be_float:
            try:
                parsed = _cast_or_fail(text, pa.float64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                self.may_be_float = False
            else:
                self.moments.add(parsed.to_numpy(zero_copy_only=False))
        if self.may_be_comma_float:
            if floats is not None:
                # Plain integers read the same with a decimal comma: no regex needed.
                self.comma_moments.add(floats)
            else:
                self._narrow_comma_float(text)
        if self.may_be_int or self.may_be_float:
            self.may_be_bool = self.may_be_datetime = False
            return
        if self.may_be_bool:
            lowered = pc.utf8_lower(pc.utf8_trim_whitespace(text))
            self.may_be_bool = bool(
                pc.all(pc.is_in(lowered, value_set=pa.array(["true", "false"]))).as_py()
            )
        if self.may_be_datetime:
            self._narrow_datetime(text)

    def _narrow_comma_float(self, text: pa.Array) -> None:
        trimmed = pc.utf8_trim_whitespace(text)
        if not pc.all(pc.match_substring_regex(trimmed, _COMMA_NUMBER_RE)).as_py():
            self.may_be_comma_float = False
            return
        if pc.any(pc.match_substring(trimmed, ",")).as_py():
            self.saw_decimal_comma = True
        plain = pc.replace_substring(pc.replace_substring(trimmed, ".", ""), ",", ".")
        try:
            floats = pc.cast(plain, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            self.may_be_comma_float = False
            return
        self.comma_moments.add(floats.to_numpy(zero_copy_only=False))

    def _narrow_datetime(self, text: pa.Array) -> None:
        # Only ISO-8601 is accepted: 03/04/2021 means different days in different places.
        iso = pc.match_substring_regex(text, r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}|$)")
        if not pc.all(iso).as_py():
            self.may_be_datetime = False
            return
        parsed = None
        for target in (pa.timestamp("us"), pa.timestamp("us", tz="UTC")):
            try:
                parsed = pc.cast(text, target)
                break
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue
        if parsed is None:
            self.may_be_datetime = False
            return
        self._update_datetime_range(parsed)

    def _update_datetime_range(self, values: pa.Array) -> None:
        lo, hi = pc.min_max(values).values()
        self.dt_min = _min(self.dt_min, _iso(lo.as_py()))
        self.dt_max = _max(self.dt_max, _iso(hi.as_py()))

    def _update_typed_stats(self, values: pa.Array) -> None:
        if self.kind == "integer":
            lo, hi = pc.min_max(values).values()
            self.int_min = _min(self.int_min, lo.as_py())
            self.int_max = _max(self.int_max, hi.as_py())
            self.moments.add(pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False))
        elif self.kind == "float":
            self.moments.add(pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False))
        elif self.kind == "datetime":
            self._update_datetime_range(values)

    def _update_sample(self, non_null: pa.Array, rows: np.ndarray, priority: np.ndarray) -> None:
        if self.sample_size <= 0:
            return
        full = self._sample_priority.size >= self.sample_size
        if full:
            # Only rows that beat the worst kept one can enter: usually a handful.
            chosen = np.flatnonzero(priority < self._sample_priority.max())
            if chosen.size == 0:
                return
            if chosen.size > self.sample_size:
                best = np.argpartition(priority[chosen], self.sample_size - 1)
                chosen = chosen[best[: self.sample_size]]
        elif len(priority) > self.sample_size:
            chosen = np.argpartition(priority, self.sample_size - 1)[: self.sample_size]
        else:
            chosen = np.arange(len(priority))
        new_values = _display_values(non_null.take(pa.array(chosen)), self.kind)
        all_priority = np.concatenate([self._sample_priority, priority[chosen]])
        all_rows = np.concatenate([self._sample_rows, rows[chosen]])
        all_values = self._sample_values + [str(v) for v in new_values]
        keep = np.argsort(all_priority, kind="stable")[: self.sample_size]
        self._sample_priority = all_priority[keep]
        self._sample_rows = all_rows[keep]
        self._sample_values = [all_values[i] for i in keep]

    # -- result ------------------------------------------------------------------------------

    def _decide_dtype(self) -> str:
        if self.kind != "text":
            return self.kind
        if self.rows == self.nulls:
            return "string"
        if self.may_be_bool:
            return "boolean"
        if self.may_be_int:
            return "integer"
        if self.may_be_float:
            return "float"
        if self.may_be_comma_float and self.saw_decimal_comma:
            return "float"
        if self.may_be_datetime:
            return "datetime"
        return "string"

    def finish(self) -> ColumnProfile:
        dtype = self._decide_dtype()
        non_null = self.rows - self.nulls
        distinct = self.distinct.count() if non_null else 0
        if (
            dtype == "string"
            and non_null
            and distinct <= CATEGORICAL_MAX_DISTINCT
            and distinct <= non_null / 2
        ):
            dtype = "categorical"
        lo: int | float | str | None = None
        hi: int | float | str | None = None
        mean = std = None
        if dtype == "integer":
            lo, hi = self.int_min, self.int_max
            mean = _finite(self.moments.mean, rounded=True)
            std = _finite(self.moments.std(), rounded=True)
        elif dtype == "float":
            moments = self.moments if self.may_be_float else self.comma_moments
            lo, hi = _finite(moments.min), _finite(moments.max)
            mean = _finite(moments.mean, rounded=True)
            std = _finite(moments.std(), rounded=True)
        elif dtype == "datetime":
            lo, hi = self.dt_min, self.dt_max
        if dtype in {"integer", "float"} and not (self.moments.count or self.comma_moments.count):
            mean = std = None
        top_values: list[list[Any]] = []
        if dtype not in {"integer", "float"}:
            merged: Counter[Any] = Counter()
            for value, count in self.counts.items():
                merged[_canonical(value, dtype)] += int(count)
            ranked = sorted(merged.items(), key=lambda item: (-item[1], str(item[0])))
            top_values = [[value, count] for value, count in ranked[:TOP_VALUES_REPORTED]]
        order = np.argsort(self._sample_rows, kind="stable")
        sample = [_canonical_text(self._sample_values[i], dtype) for i in order]
        return ColumnProfile(
            name=self.name,
            position=self.position,
            dtype=dtype,
            null_count=self.nulls,
            null_share=round(self.nulls / self.rows, 6) if self.rows else 0.0,
            distinct_count=distinct,
            distinct_approximate=self.distinct.approximate,
            min=lo,
            max=hi,
            mean=mean,
            std=std,
            top_values=top_values,
            top_values_approximate=self.counts_pruned,
            sample_values=sample,
        )


#: Values tried before a whole batch is cast: a failed cast of a long array costs far more
#: than a successful one, and text columns fail on their first values.
_CAST_PROBE = 64


def _cast_or_fail(text: pa.Array, target: pa.DataType) -> pa.Array:
    """``pc.cast``, trying the first values alone first (same result, same exceptions)."""
    if len(text) > 4 * _CAST_PROBE:
        pc.cast(text.slice(0, _CAST_PROBE), target)
    return pc.cast(text, target)


def _min(current: Any, new: Any) -> Any:
    if new is None:
        return current
    return new if current is None or new < current else current


def _max(current: Any, new: Any) -> Any:
    if new is None:
        return current
    return new if current is None or new > current else current


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _display_values(values: pa.Array, kind: str) -> list[Any]:
    """Python values used for counting and sampling; one spelling per logical value."""
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if pa.types.is_boolean(values.type):
        return ["true" if v else "false" for v in values.to_pylist()]
    if pa.types.is_timestamp(values.type) or pa.types.is_date(values.type):
        return [_iso(v) for v in values.to_pylist()]
    if pa.types.is_binary(values.type) or pa.types.is_large_binary(values.type):
        return [v.hex() if isinstance(v, bytes) else v for v in values.to_pylist()]
    python_values = values.to_pylist()
    if kind in {"integer", "float"}:
        return [repr(v) if isinstance(v, float) else str(v) for v in python_values]
    if kind in {"string", "categorical", "text"}:
        return [v if isinstance(v, str) else str(v) for v in python_values]
    return python_values


def _canonical(value: Any, dtype: str) -> Any:
    """Top-value keys: booleans spelled the same whether they came from CSV or Parquet."""
    if isinstance(value, str):
        return _canonical_text(value, dtype)
    return value if isinstance(value, (int, float, str)) else str(value)


def _canonical_text(value: str, dtype: str) -> str:
    if dtype == "boolean":
        return value.strip().lower()
    return value


# --------------------------------------------------------------------------------------------
# Column names
# --------------------------------------------------------------------------------------------


def column_names(raw: list[Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """Header cells as stored column names, and the warnings that say what was changed.

    Blank headers become ``Unnamed: <position>`` and repeated ones are numbered ``name``,
    ``name.1``, ``name.2`` exactly as ``pandas.read_csv`` does, so a notebook and the
    registry agree on the names. Nothing is dropped: two columns called ``amount`` may
    hold different things.
    """
    warnings: list[dict[str, Any]] = []
    names: list[str] = []
    unnamed: list[str] = []
    truncated: list[str] = []
    for position, cell in enumerate(raw):
        name = "" if cell is None else str(cell).replace("\ufeff", "")
        if not name.strip():
            name = f"Unnamed: {position}"
            unnamed.append(name)
        if len(name) > MAX_COLUMN_NAME_CHARS:
            name = name[:MAX_COLUMN_NAME_CHARS]
            truncated.append(name)
        names.append(name)
    deduplicated = _deduplicate(names)
    renamed = [new for old, new in zip(names, deduplicated, strict=True) if old != new]
    if renamed:
        repeated = sorted({old for old, new in zip(names, deduplicated, strict=True) if old != new})
        warnings.append(
            {
                "code": "duplicate_columns",
                "message": (
                    f"The header repeats {_quoted(repeated)}; every column "
                    f"was kept and the repeats renamed {_quoted(renamed)} (as pandas does)."
                ),
                "columns": renamed,
            }
        )
    if unnamed:
        warnings.append(
            {
                "code": "unnamed_columns",
                "message": f"Columns without a header were named {_quoted(unnamed)}.",
                "columns": unnamed,
            }
        )
    if truncated:
        warnings.append(
            {
                "code": "truncated_names",
                "message": f"{len(truncated)} column names longer than "
                f"{MAX_COLUMN_NAME_CHARS} characters were shortened.",
                "columns": [_deduplicated_name(n, names, deduplicated) for n in truncated],
            }
        )
    return deduplicated, warnings


def _deduplicate(names: list[str]) -> list[str]:
    """pandas' ``dedup_names``: the n-th repeat of ``x`` becomes ``x.n``, skipping taken names."""
    counts: dict[str, int] = {}
    result = list(names)
    for i, name in enumerate(result):
        count = counts.get(name, 0)
        while count > 0:
            counts[name] = count + 1
            name = f"{name}.{count}"
            count = counts.get(name, 0)
        result[i] = name
        counts[name] = count + 1
    return result


def _deduplicated_name(name: str, before: list[str], after: list[str]) -> str:
    return after[before.index(name)]


def _quoted(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _empty_column_warning(columns: list[ColumnProfile], rows: int) -> list[dict[str, Any]]:
    empty = [c.name for c in columns if rows and c.null_count == rows]
    if not empty:
        return []
    return [
        {
            "code": "empty_columns",
            "message": f"{_quoted(empty)} hold no values in any row.",
            "columns": empty,
        }
    ]


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


def _arrow_encoding(encoding: str) -> str:
    # Arrow reads UTF-8 natively (a BOM is skipped); anything else goes through a codec.
    return "utf8" if encoding in {"utf-8", "utf-8-sig"} else encoding


def _read_header(source: Source, delimiter: str, encoding: str) -> list[str]:
    python_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    with open_text(source, encoding=python_encoding, newline="") as fh:
        for record in csv.reader(fh, delimiter=delimiter):
            if record and any(cell.strip() for cell in record):
                return record
            if record:
                raise DataFormatError("no_columns", "The header row names no columns.")
    raise DataFormatError("empty_file", "The file holds no rows.")


def _locate_ragged_row(
    source: Source, delimiter: str, expected: int, encoding: str
) -> tuple[int, int] | None:
    """On the error path only: find the first record whose field count differs."""
    python_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    with open_text(source, encoding=python_encoding, newline="", errors="replace") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        for record in reader:
            if not record:
                continue
            if len(record) != expected:
                return reader.line_num, len(record)
    return None


#: Encodings in which a quote and a line break are the ASCII bytes: the quote scan reads them.
_ASCII_COMPATIBLE = re.compile(r"utf-8(-sig)?|cp\d+|latin-?1|iso-?8859-\d+|ascii|mac-\w+|koi8-\w")
QUOTE_SCAN_BYTES = 16 * 1024 * 1024


def _has_quoted_line_break(source: Source, encoding: str) -> bool:
    """Whether any quoted CSV value spans a line break.

    Arrow splits a file into blocks much faster when it may cut at every line break; that
    is only right when no quoted value holds one. A line break is inside quotes when an odd
    number of quote characters precede it (a doubled quote inside a value counts twice).
    Read in blocks, so memory stays flat; a file without any quote costs one ``memchr``
    per block. Encodings where a quote is not the byte 0x22 are assumed to need the slow
    path.
    """
    if not _ASCII_COMPATIBLE.fullmatch(encoding.lower()):
        return True
    inside = False
    with open_binary(source) as fh:
        while block := fh.read(QUOTE_SCAN_BYTES):
            if b'"' not in block:
                if inside and (b"\n" in block or b"\r" in block):
                    return True
                continue
            data = np.frombuffer(block, dtype=np.uint8)
            quotes = np.flatnonzero(data == ord('"'))
            breaks = np.flatnonzero((data == ord("\n")) | (data == ord("\r")))
            before = np.searchsorted(quotes, breaks) + int(inside)
            if np.any(before % 2 == 1):
                return True
            inside = (quotes.size + int(inside)) % 2 == 1
    return False


def _csv_batches(
    source: Source, delimiter: str, column_count: int, encoding: str
) -> Iterator[pa.RecordBatch]:
    """The file's records as batches of text columns, one block of the file at a time.

    Arrow's own streaming reader reads up to 32 blocks ahead on a background thread, which
    for a large file holds a quarter of a gigabyte however slowly the batches are used. So
    where no quoted value spans a line (nearly every export), the file is cut into blocks at
    line breaks here and each block is parsed when it is needed: memory stays at one block.
    Files with multi-line values go through Arrow's reader, which knows where quotes end.
    """
    names = [f"c{i}" for i in range(column_count)]
    convert_options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in names},
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    if _has_quoted_line_break(source, encoding):
        with _arrow_input(source) as arrow_input:
            yield from pacsv.open_csv(
                arrow_input,
                read_options=pacsv.ReadOptions(
                    column_names=names,
                    block_size=CSV_BLOCK_BYTES,
                    encoding=_arrow_encoding(encoding),
                ),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
                convert_options=convert_options,
            )
        return
    read_options = pacsv.ReadOptions(
        column_names=names,
        block_size=CSV_BLOCK_BYTES + 1024,
        encoding=_arrow_encoding(encoding),
    )
    parse_options = pacsv.ParseOptions(delimiter=delimiter)
    for piece in _line_aligned_blocks(source):
        table = pacsv.read_csv(
            pa.BufferReader(piece),
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
        )
        yield from table.to_batches()


def _line_aligned_blocks(source: Source) -> Iterator[bytes]:
    """About ``CSV_BLOCK_BYTES`` of the file at a time, each ending at a line break (a line
    longer than a block makes that block longer)."""
    carry = b""
    with open_binary(source) as fh:
        while block := fh.read(CSV_BLOCK_BYTES):
            data = carry + block
            cut = max(data.rfind(b"\n"), data.rfind(b"\r"))
            if cut < 0:
                carry = data
                continue
            carry = data[cut + 1 :]
            yield data[: cut + 1]
    if carry.strip():
        yield carry


def _encoding_warnings(encoding: str) -> list[dict[str, Any]]:
    if encoding in {"utf-8", "utf-8-sig", "utf-16"}:
        return []
    return [
        {
            "code": "legacy_encoding",
            "message": f"The file is not Unicode; it was read as {encoding}. Check that accented "
            "letters in the top values look right.",
        }
    ]


def _profile_csv(source: Source, *, sample_size: int, max_columns: int) -> DataProfile:
    if source_size(source) == 0:
        raise DataFormatError("empty_file", "The file is empty.")
    encoding = detect_text_encoding(source)
    delimiter = sniff_csv_delimiter(source, encoding)
    header = _read_header(source, delimiter, encoding)
    if len(header) > max_columns:
        raise DataFormatError(
            "too_many_columns",
            f"The file has {len(header)} columns; at most {max_columns} are supported.",
        )
    names, warnings = column_names(header)
    columns = [
        _ColumnAccumulator(
            name, i, sample_size=sample_size, kind="text", decimal_comma=delimiter != ","
        )
        for i, name in enumerate(names)
    ]
    rows = 0
    first = True
    try:
        for batch in _csv_batches(source, delimiter, len(header), encoding):
            if first:
                batch = batch.slice(1)  # the header row, read as data to name the columns
                first = False
            # The sampling priority of each row, shared by every column.
            priority = _splitmix64(np.arange(rows, rows + batch.num_rows))
            for accumulator, values in zip(columns, batch.columns, strict=True):
                accumulator.add(values, rows, priority)
            rows += batch.num_rows
    except pa.ArrowInvalid as exc:
        raise _csv_error(source, delimiter, len(header), encoding, exc) from None
    except UnicodeDecodeError as exc:
        raise DataFormatError(
            "unknown_encoding",
            f"The file changes encoding part-way: it started as {encoding} but a later byte "
            f"({exc.object[exc.start : exc.start + 1].hex()}) is not {encoding}. Save it as "
            "UTF-8.",
        ) from None
    finished = [c.finish() for c in columns]
    comma = [a.name for a in columns if a.saw_decimal_comma and not a.may_be_float]
    comma = [c.name for c in finished if c.name in comma and c.dtype == "float"]
    if comma:
        warnings.append(
            {
                "code": "decimal_comma",
                "message": f"{_quoted(comma)} use decimal commas (1,5) and were read as numbers.",
                "columns": comma,
            }
        )
    return DataProfile(
        data_format="csv",
        row_count=rows,
        columns=finished,
        delimiter=delimiter,
        encoding=encoding,
        warnings=_encoding_warnings(encoding) + warnings + _empty_column_warning(finished, rows),
    )


def _csv_error(
    source: Source, delimiter: str, expected: int, encoding: str, exc: Exception
) -> DataFormatError:
    message = str(exc)
    if _RAGGED_RE.search(message):
        located = _locate_ragged_row(source, delimiter, expected, encoding)
        if located is not None:
            line, fields = located
            return DataFormatError(
                "malformed_csv",
                f"Line {line} has {fields} fields but the header has {expected}; quote values "
                "that contain the delimiter or fix that line.",
            )
        return DataFormatError("malformed_csv", "A row has a different number of fields.")
    if "UTF8" in message or "utf8" in message.lower():
        return DataFormatError("not_utf8", "The file is not valid UTF-8; save it as UTF-8.")
    # Arrow's message quotes the offending row, which may be personal data: keep it out.
    first_clause = message.split(":", 1)[0]
    return DataFormatError("malformed_csv", f"The CSV cannot be parsed ({first_clause}).")


# --------------------------------------------------------------------------------------------
# Rows of Python values: Excel workbooks and JSON Lines
# --------------------------------------------------------------------------------------------

ROW_BATCH = 65_536


def _cell_text(value: Any) -> str | None:
    """One spelling per logical value, so Excel and JSON cells type like CSV text does."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    text = str(value)
    return text if text.strip() else None


class _RowTable:
    """Accumulators over rows of cells whose columns may grow as rows arrive."""

    def __init__(self, *, sample_size: int, max_columns: int) -> None:
        self.sample_size = sample_size
        self.max_columns = max_columns
        self.columns: list[_ColumnAccumulator] = []
        self.rows = 0

    def ensure_columns(self, names: list[str]) -> None:
        for name in names[len(self.columns) :]:
            if len(self.columns) >= self.max_columns:
                raise DataFormatError(
                    "too_many_columns",
                    f"The file has more than {self.max_columns} columns; at most "
                    f"{self.max_columns} are supported.",
                )
            accumulator = _ColumnAccumulator(
                name, len(self.columns), sample_size=self.sample_size, kind="text"
            )
            accumulator.add_nulls(self.rows)
            self.columns.append(accumulator)

    def add(self, cells_by_column: list[list[str | None]], count: int) -> None:
        for position, accumulator in enumerate(self.columns):
            cells = cells_by_column[position] if position < len(cells_by_column) else None
            if cells is None:
                accumulator.add_nulls(count)
            else:
                accumulator.add(pa.array(cells, type=pa.string()), self.rows)
        self.rows += count


class _Workbook:
    """One worksheet of an Excel file, read streaming; close() releases the file."""

    def __init__(self, source: Source, sheet: str | None) -> None:
        # A file object, not the path: openpyxl judges a path by its extension, and stored
        # blobs have none.
        self._fh = open_binary(source)
        try:
            self._book = openpyxl.load_workbook(self._fh, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            self._fh.close()
            raise DataFormatError(
                "corrupt_xlsx",
                f"The Excel file cannot be opened ({type(exc).__name__}); open it in Excel, "
                "save it again as .xlsx and upload that.",
            ) from None
        self.sheet_names = list(self._book.sheetnames)
        if sheet is not None and sheet not in self.sheet_names:
            self.close()
            raise DataFormatError(
                "unknown_sheet",
                f"The workbook has no sheet {sheet!r}; its sheets are {_quoted(self.sheet_names)}.",
            )
        self.sheet = sheet if sheet is not None else self.sheet_names[0]
        self.worksheet = self._book[self.sheet]

    def close(self) -> None:
        self._book.close()
        self._fh.close()


def xlsx_sheet_names(source: Source) -> list[str]:
    workbook = _Workbook(source, None)
    workbook.close()
    return workbook.sheet_names


def _xlsx_rows(worksheet) -> Iterator[list[str | None]]:
    for row in worksheet.iter_rows(values_only=True):
        cells = [_cell_text(v) for v in row]
        while cells and cells[-1] is None:
            cells.pop()
        if cells:  # rows left empty (often just formatted) are not data
            yield cells


def _profile_xlsx(
    source: Source, *, sample_size: int, max_columns: int, sheet: str | None
) -> DataProfile:
    workbook = _Workbook(source, sheet)
    chosen, names = workbook.sheet, workbook.sheet_names
    try:
        rows = _xlsx_rows(workbook.worksheet)
        header = next(rows, None)
        if header is None:
            raise DataFormatError("empty_file", f"The sheet {chosen!r} holds no cells.")
        table = _RowTable(sample_size=sample_size, max_columns=max_columns)
        raw_header: list[Any] = list(header)
        batch: list[list[str | None]] = []
        try:
            for cells in rows:
                batch.append(cells)
                if len(batch) >= ROW_BATCH:
                    _add_row_batch(table, raw_header, batch)
                    batch = []
            if batch or not table.columns:
                _add_row_batch(table, raw_header, batch)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise DataFormatError(
                "corrupt_xlsx",
                f"A worksheet of the Excel file cannot be read ({type(exc).__name__}); save it "
                "again as .xlsx.",
            ) from None
    finally:
        workbook.close()
    finished = [c.finish() for c in table.columns]
    _, warnings = column_names(raw_header)
    if len(names) > 1:
        warnings.insert(
            0,
            {
                "code": "other_sheets",
                "message": f"Read sheet {chosen!r}; the workbook also has "
                f"{_quoted([n for n in names if n != chosen])}. Upload again with 'sheet' to "
                "profile another one.",
            },
        )
    return DataProfile(
        data_format="xlsx",
        row_count=table.rows,
        columns=finished,
        sheet=chosen,
        warnings=warnings + _empty_column_warning(finished, table.rows),
    )


def _add_row_batch(table: _RowTable, raw_header: list[Any], batch: list[list[str | None]]) -> None:
    """Cells beyond the header get ``Unnamed: n`` columns, as pandas gives them."""
    width = max([len(raw_header), *(len(cells) for cells in batch)])
    raw_header.extend([None] * (width - len(raw_header)))
    names, _ = column_names(raw_header)
    table.ensure_columns(names)
    by_column: list[list[str | None]] = [[] for _ in range(width)]
    for cells in batch:
        for position in range(width):
            by_column[position].append(cells[position] if position < len(cells) else None)
    table.add(by_column, len(batch))


def _flatten_json(value: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, inner in value.items():
        name = f"{prefix}{key}"
        if isinstance(inner, dict) and inner:
            yield from _flatten_json(inner, f"{name}.")
        else:
            yield name, inner


def _profile_jsonl(source: Source, *, sample_size: int, max_columns: int) -> DataProfile:
    encoding = detect_text_encoding(source)
    python_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    table = _RowTable(sample_size=sample_size, max_columns=max_columns)
    keys: list[str] = []
    positions: dict[str, int] = {}
    nested = False
    batch: list[dict[str, str | None]] = []

    def flush() -> None:
        if not batch and table.columns:
            return
        table.ensure_columns(keys)
        by_column: list[list[str | None]] = [[] for _ in keys]
        for record in batch:
            for key, position in positions.items():
                by_column[position].append(record.get(key))
        table.add(by_column, len(batch))
        batch.clear()

    try:
        with open_text(source, encoding=python_encoding) as fh:
            for line_number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except ValueError:
                    raise DataFormatError(
                        "malformed_jsonl",
                        f"Line {line_number} is not valid JSON; each line must hold one JSON "
                        "object.",
                    ) from None
                if not isinstance(value, dict):
                    raise DataFormatError(
                        "malformed_jsonl",
                        f"Line {line_number} holds a JSON {type(value).__name__}, not an "
                        "object; each line must hold one object with the same keys.",
                    )
                record = {}
                nested = nested or any(isinstance(v, (dict, list)) for v in value.values())
                for key, inner in _flatten_json(value):
                    if key not in positions:
                        positions[key] = len(keys)
                        keys.append(key)
                    record[key] = _cell_text(inner)
                batch.append(record)
                if len(batch) >= ROW_BATCH:
                    flush()
    except UnicodeDecodeError:
        raise DataFormatError(
            "unknown_encoding", f"The file cannot be read as {encoding}; save it as UTF-8."
        ) from None
    flush()
    if not keys:
        raise DataFormatError("no_columns", "The JSON objects have no keys.")
    finished = [c.finish() for c in table.columns]
    warnings = _encoding_warnings(encoding)
    if nested:
        warnings.append(
            {
                "code": "nested_columns",
                "message": "Nested objects were flattened into dotted column names "
                "(address.city); lists are profiled as JSON text.",
            }
        )
    return DataProfile(
        data_format="jsonl",
        row_count=table.rows,
        columns=finished,
        encoding=encoding,
        warnings=warnings + _empty_column_warning(finished, table.rows),
    )


# --------------------------------------------------------------------------------------------
# Parquet
# --------------------------------------------------------------------------------------------


def _parquet_kind(arrow_type: pa.DataType) -> str:
    if pa.types.is_dictionary(arrow_type):
        return "categorical"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type):
        return "integer"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "float"
    if pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type):
        return "datetime"
    return "string"


def _arrow_input(source: Source):
    """What Arrow reads: the path itself (Arrow's own file reader), or a reader of its own
    over a file object (closed with the context)."""
    return contextlib.nullcontext(str(source)) if is_path(source) else open_binary(source)


def _open_parquet(source: Source, **options: Any) -> pq.ParquetFile:
    """The Parquet file with its footer read; it keeps reading ``source`` while in use."""
    size = source_size(source)
    if size == 0:
        raise DataFormatError("empty_file", "The file is empty.")
    with open_binary(source) as fh:
        head = fh.read(4)
        fh.seek(max(size - 4, 0))
        tail = fh.read(4)
    if head != b"PAR1" or tail != b"PAR1" or size < 12:
        raise DataFormatError(
            "truncated_parquet",
            "The file lacks Parquet's start or end marker; it was probably cut short. Upload "
            "it again.",
        )
    try:
        return pq.ParquetFile(str(source) if is_path(source) else open_binary(source), **options)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataFormatError(
            "truncated_parquet",
            f"The Parquet footer cannot be read ({type(exc).__name__}); the file is damaged. "
            "Upload it again.",
        ) from None


def _declared_uncompressed_bytes(metadata: pq.FileMetaData) -> int:
    """Sum of every column chunk's uncompressed size, as the footer states it."""
    return sum(
        metadata.row_group(g).column(c).total_uncompressed_size
        for g in range(metadata.num_row_groups)
        for c in range(metadata.num_columns)
    )


def _flat_fields(schema: pa.Schema) -> list[pa.Field]:
    """Struct columns become one column per leaf (``address.city``), as they are read."""
    fields: list[pa.Field] = []
    pending = list(schema)
    while pending:
        current = pending.pop(0)
        if pa.types.is_struct(current.type):
            children = [
                pa.field(f"{current.name}.{child.name}", child.type) for child in current.type
            ]
            pending[0:0] = children
        else:
            fields.append(current)
    return fields


def _flat_batch(batch: pa.RecordBatch) -> list[pa.Array]:
    arrays: list[pa.Array] = []
    pending = list(batch.columns)
    while pending:
        array = pending.pop(0)
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        if pa.types.is_struct(array.type):
            # A null struct makes each of its leaves null in that row.
            pending[0:0] = list(array.flatten())
        else:
            arrays.append(array)
    return arrays


def _profile_parquet(
    source: Source, *, sample_size: int, max_columns: int, max_uncompressed_bytes: int
) -> DataProfile:
    parquet = _open_parquet(source)
    schema = parquet.schema_arrow
    if len(schema) == 0:
        raise DataFormatError("no_columns", "The Parquet file has no columns.")
    fields = _flat_fields(schema)
    if len(fields) > max_columns:
        raise DataFormatError(
            "too_many_columns",
            f"The file has {len(fields)} columns; at most {max_columns} are supported.",
        )
    declared = _declared_uncompressed_bytes(parquet.metadata)
    if declared > max_uncompressed_bytes:
        raise DataFormatError(
            "decompression_bomb",
            f"The file would expand to {declared} bytes, above the limit of "
            f"{max_uncompressed_bytes}.",
        )
    # Reading text columns dictionary-encoded keeps a few long repeated strings from
    # expanding into gigabytes in memory; statistics are computed on the dictionary.
    text_columns = [
        f.name
        for f in schema
        if pa.types.is_string(f.type)
        or pa.types.is_large_string(f.type)
        or pa.types.is_binary(f.type)
    ]
    parquet = _open_parquet(source, read_dictionary=text_columns)
    names, warnings = column_names([f.name for f in fields])
    columns = [
        _ColumnAccumulator(name, i, sample_size=sample_size, kind=_parquet_kind(f.type))
        for i, (name, f) in enumerate(zip(names, fields, strict=True))
    ]
    nested = [f.name for f in schema if pa.types.is_nested(f.type)]
    if nested:
        warnings.append(
            {
                "code": "nested_columns",
                "message": f"Nested columns {_quoted(nested)} were flattened: structs into "
                "one column per field (address.city), lists and maps into JSON text.",
                "columns": nested,
            }
        )
    baseline = pa.total_allocated_bytes()
    rows = 0
    try:
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
            # Metadata can lie; the allocator cannot. Stop before memory runs away.
            if pa.total_allocated_bytes() - baseline > max_uncompressed_bytes:
                raise DataFormatError(
                    "decompression_bomb",
                    "Decoding the file used more memory than the uncompressed-size limit.",
                )
            priority = _splitmix64(np.arange(rows, rows + batch.num_rows))
            for accumulator, values in zip(columns, _flat_batch(batch), strict=True):
                accumulator.add(_plain_array(values), rows, priority)
            rows += batch.num_rows
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataFormatError(
            "corrupt_parquet",
            f"A Parquet page cannot be decoded ({type(exc).__name__}); the file is damaged. "
            "Upload it again.",
        ) from None
    finished = [c.finish() for c in columns]
    return DataProfile(
        data_format="parquet",
        row_count=rows,
        columns=finished,
        warnings=warnings + _empty_column_warning(finished, rows),
    )


def _plain_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Bring exotic Parquet types to ones the accumulator handles: decimals become floats;
    times and durations are profiled as their text, lists and maps as JSON."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_decimal(values.type):
        return pc.cast(values, pa.float64())
    if pa.types.is_nested(values.type):
        return pa.array(
            [None if v is None else _cell_text(_jsonable(v)) for v in values.to_pylist()],
            pa.string(),
        )
    if pa.types.is_time(values.type) or pa.types.is_duration(values.type):
        return pa.array([None if v is None else str(v) for v in values.to_pylist()], pa.string())
    return values


def _jsonable(value: Any) -> Any:
    # A Parquet map arrives as a list of (key, value) tuples.
    if isinstance(value, list) and value and all(isinstance(v, tuple) for v in value):
        return {str(k): v for k, v in value}
    return value


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def read_column_names(source: Source, *, data_format: str, sheet: str | None = None) -> list[str]:
    """The stored column names from the header alone: cheap even for a huge file, so
    settings that name columns are checked at upload time. JSON Lines names come from the
    first thousand objects (keys seen later still become columns when profiling)."""
    if data_format == "parquet":
        schema = _open_parquet(source).schema_arrow
        return column_names([f.name for f in _flat_fields(schema)])[0]
    if data_format == "csv":
        encoding = detect_text_encoding(source)
        delimiter = sniff_csv_delimiter(source, encoding)
        return column_names(_read_header(source, delimiter, encoding))[0]
    if data_format == "xlsx":
        workbook = _Workbook(source, sheet)
        try:
            header = next(_xlsx_rows(workbook.worksheet), None)
        finally:
            workbook.close()
        if header is None:
            raise DataFormatError("empty_file", "The sheet holds no cells.")
        return column_names(list(header))[0]
    if data_format == "jsonl":
        encoding = detect_text_encoding(source)
        keys: dict[str, None] = {}
        python_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
        with open_text(source, encoding=python_encoding) as fh:
            for line, _ in zip(fh, range(1000), strict=False):
                try:
                    value = json.loads(line) if line.strip() else {}
                except ValueError:
                    break
                if isinstance(value, dict):
                    keys.update((key, None) for key, _ in _flatten_json(value))
        return list(keys)
    raise DataFormatError("unsupported_format", f"Cannot read data format {data_format!r}.")


def profile_data_file(
    source: Source,
    *,
    data_format: str,
    sample_rows_for_pii: int = 200,
    max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES,
    max_columns: int = DEFAULT_MAX_COLUMNS,
    sheet: str | None = None,
) -> DataProfile:
    """Profile a data file (``data_format`` from ``detect_data_format``): a path or a
    seekable binary file object.

    Raises DataFormatError with a machine-readable ``code`` for input that cannot be
    profiled: ``empty_file``, ``no_columns``, ``unknown_encoding``, ``malformed_csv``,
    ``malformed_jsonl``, ``truncated_parquet``, ``corrupt_parquet``, ``corrupt_xlsx``,
    ``unknown_sheet``, ``too_many_columns``, ``decompression_bomb``, ``unsupported_format``.
    """
    if data_format == "csv":
        return _profile_csv(source, sample_size=sample_rows_for_pii, max_columns=max_columns)
    if data_format == "parquet":
        return _profile_parquet(
            source,
            sample_size=sample_rows_for_pii,
            max_columns=max_columns,
            max_uncompressed_bytes=max_uncompressed_bytes,
        )
    if data_format == "xlsx":
        return _profile_xlsx(
            source, sample_size=sample_rows_for_pii, max_columns=max_columns, sheet=sheet
        )
    if data_format == "jsonl":
        return _profile_jsonl(source, sample_size=sample_rows_for_pii, max_columns=max_columns)
    raise DataFormatError("unsupported_format", f"Cannot profile data format {data_format!r}.")
