"""Schema and statistics of uploaded CSV and Parquet files, in bounded memory.

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
column rather than fail the upload. Parquet columns keep their stored types.

This module imports nothing from Django.
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from registry.inspection.formats import DataFormatError, sniff_csv_delimiter

__all__ = [
    "DEFAULT_MAX_COLUMNS",
    "DEFAULT_MAX_UNCOMPRESSED_BYTES",
    "DTYPES",
    "ColumnProfile",
    "DataProfile",
    "profile_data_file",
]

DTYPES = ("integer", "float", "boolean", "string", "datetime", "categorical")
DEFAULT_MAX_COLUMNS = 2000
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

_UTF8_CHECK_BLOCK = 1024 * 1024
_RAGGED_RE = re.compile(r"Expected (\d+) columns, got (\d+)")


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
        if self._exact is not None:
            self._exact = np.union1d(self._exact, hashes)
            if self._exact.size > DISTINCT_EXACT_CAP:
                self._exact = None

    @property
    def approximate(self) -> bool:
        return self._exact is None

    def count(self) -> int:
        if self._exact is not None:
            return int(self._exact.size)
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
    return pd.util.hash_array(values.to_numpy(zero_copy_only=False), categorize=False)


# --------------------------------------------------------------------------------------------
# Column accumulator
# --------------------------------------------------------------------------------------------


class _ColumnAccumulator:
    """Collects one column's statistics over record batches.

    In ``text`` mode (CSV) the column's type is not known until the end: each batch
    narrows the candidates (integer, float, boolean, datetime) and keeps the statistics
    that a surviving candidate needs. In ``typed`` mode (Parquet) the arrow type decides.
    """

    def __init__(self, name: str, position: int, *, sample_size: int, kind: str) -> None:
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
        self._sample_priority = np.empty(0, dtype=np.uint64)
        self._sample_rows = np.empty(0, dtype=np.int64)
        self._sample_values: list[str] = []

    # -- per batch --------------------------------------------------------------------------

    def add(self, values: pa.Array, row_offset: int) -> None:
        self.rows += len(values)
        self.nulls += values.null_count
        if values.null_count == len(values):
            return
        valid_rows = np.flatnonzero(pc.is_valid(values).to_numpy(zero_copy_only=False))
        non_null = values.filter(pc.is_valid(values))
        self._update_counts(non_null)
        if self.kind == "text":
            self._narrow_text_types(non_null)
        else:
            self._update_typed_stats(non_null)
        self._update_sample(non_null, valid_rows + row_offset)

    def _update_counts(self, non_null: pa.Array) -> None:
        counted = pc.value_counts(non_null)
        distinct_values = counted.field("values")
        self.distinct.add(_hash_values(distinct_values))
        if self.kind in {"integer", "float"}:
            return  # top values are only reported for non-numeric columns
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

    def _narrow_text_types(self, text: pa.Array) -> None:
        if self.may_be_int:
            try:
                ints = pc.cast(text, pa.int64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                self.may_be_int = False
            else:
                lo, hi = pc.min_max(ints).values()
                self.int_min = _min(self.int_min, lo.as_py())
                self.int_max = _max(self.int_max, hi.as_py())
        if self.may_be_float:
            try:
                floats = pc.cast(text, pa.float64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                self.may_be_float = False
            else:
                self.moments.add(floats.to_numpy(zero_copy_only=False))
        if self.may_be_bool:
            lowered = pc.utf8_lower(pc.utf8_trim_whitespace(text))
            self.may_be_bool = bool(
                pc.all(pc.is_in(lowered, value_set=pa.array(["true", "false"]))).as_py()
            )
        if self.may_be_datetime:
            self._narrow_datetime(text)

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

    def _update_sample(self, non_null: pa.Array, rows: np.ndarray) -> None:
        if self.sample_size <= 0:
            return
        priority = _splitmix64(rows)
        if len(priority) > self.sample_size:
            chosen = np.argpartition(priority, self.sample_size - 1)[: self.sample_size]
        else:
            chosen = np.arange(len(priority))
        if self._sample_priority.size >= self.sample_size:
            threshold = self._sample_priority.max()
            chosen = chosen[priority[chosen] < threshold]
            if chosen.size == 0:
                return
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
            lo, hi = _finite(self.moments.min), _finite(self.moments.max)
            mean = _finite(self.moments.mean, rounded=True)
            std = _finite(self.moments.std(), rounded=True)
        elif dtype == "datetime":
            lo, hi = self.dt_min, self.dt_max
        if dtype in {"integer", "float"} and not self.moments.count:
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
# CSV
# --------------------------------------------------------------------------------------------


def _check_utf8(path: Path) -> None:
    """Decode the whole file as UTF-8 in blocks and report the first bad byte's offset.

    A multi-byte character split by a block boundary is carried into the next block, so
    the offset reported is exact.
    """
    carry = b""
    offset = 0  # absolute offset of data[0]
    with path.open("rb") as fh:
        while True:
            block = fh.read(_UTF8_CHECK_BLOCK)
            data = carry + block
            if not data:
                return
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                truncated_tail = (
                    block and exc.reason == "unexpected end of data" and exc.end == len(data)
                )
                if not truncated_tail:
                    raise DataFormatError(
                        "not_utf8",
                        f"The file is not valid UTF-8: first bad byte at offset "
                        f"{offset + exc.start}. Save it as UTF-8.",
                    ) from None
                carry = data[exc.start :]
                offset += exc.start
            else:
                if not block:
                    return
                carry = b""
                offset += len(data)


def _read_header(path: Path, delimiter: str) -> list[str]:
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        for record in csv.reader(fh, delimiter=delimiter):
            if record and any(cell.strip() for cell in record):
                return record
            if record:
                raise DataFormatError("no_columns", "The header row names no columns.")
    raise DataFormatError("empty_file", "The file holds no rows.")


def _locate_ragged_row(path: Path, delimiter: str, expected: int) -> tuple[int, int] | None:
    """On the error path only: find the first record whose field count differs."""
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        for record in reader:
            if not record:
                continue
            if len(record) != expected:
                return reader.line_num, len(record)
    return None


def _csv_batches(path: Path, delimiter: str, column_count: int) -> Iterator[pa.RecordBatch]:
    names = [f"c{i}" for i in range(column_count)]
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names, block_size=CSV_BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )
    yield from reader


def _profile_csv(path: Path, *, sample_size: int, max_columns: int) -> DataProfile:
    if path.stat().st_size == 0:
        raise DataFormatError("empty_file", "The file is empty.")
    delimiter = sniff_csv_delimiter(path)
    _check_utf8(path)
    header = _read_header(path, delimiter)
    if len(header) > max_columns:
        raise DataFormatError(
            "too_many_columns",
            f"The file has {len(header)} columns; at most {max_columns} are supported.",
        )
    header[0] = header[0].lstrip("\ufeff")
    columns = [
        _ColumnAccumulator(name, i, sample_size=sample_size, kind="text")
        for i, name in enumerate(header)
    ]
    rows = 0
    first = True
    try:
        for batch in _csv_batches(path, delimiter, len(header)):
            if first:
                batch = batch.slice(1)  # the header row, read as data to name the columns
                first = False
            for accumulator, values in zip(columns, batch.columns, strict=True):
                accumulator.add(values, rows)
            rows += batch.num_rows
    except pa.ArrowInvalid as exc:
        raise _csv_error(path, delimiter, len(header), exc) from None
    return DataProfile(
        data_format="csv",
        row_count=rows,
        columns=[c.finish() for c in columns],
        delimiter=delimiter,
    )


def _csv_error(path: Path, delimiter: str, expected: int, exc: Exception) -> DataFormatError:
    message = str(exc)
    if _RAGGED_RE.search(message):
        located = _locate_ragged_row(path, delimiter, expected)
        if located is not None:
            line, fields = located
            return DataFormatError(
                "malformed_csv",
                f"Line {line} has {fields} fields but the header has {expected}.",
            )
        return DataFormatError("malformed_csv", "A row has a different number of fields.")
    if "UTF8" in message or "utf8" in message.lower():
        return DataFormatError("not_utf8", "The file is not valid UTF-8.")
    # Arrow's message quotes the offending row, which may be personal data: keep it out.
    first_clause = message.split(":", 1)[0]
    return DataFormatError("malformed_csv", f"The CSV cannot be parsed ({first_clause}).")


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


def _open_parquet(path: Path) -> pq.ParquetFile:
    size = path.stat().st_size
    if size == 0:
        raise DataFormatError("empty_file", "The file is empty.")
    with path.open("rb") as fh:
        head = fh.read(4)
        fh.seek(max(size - 4, 0))
        tail = fh.read(4)
    if head != b"PAR1" or tail != b"PAR1" or size < 12:
        raise DataFormatError(
            "truncated_parquet",
            "The file lacks Parquet's start or end marker; it was probably cut short.",
        )
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataFormatError(
            "truncated_parquet",
            f"The Parquet footer cannot be read ({type(exc).__name__}); the file is damaged.",
        ) from None


def _declared_uncompressed_bytes(metadata: pq.FileMetaData) -> int:
    """Sum of every column chunk's uncompressed size, as the footer states it."""
    return sum(
        metadata.row_group(g).column(c).total_uncompressed_size
        for g in range(metadata.num_row_groups)
        for c in range(metadata.num_columns)
    )


def _profile_parquet(
    path: Path, *, sample_size: int, max_columns: int, max_uncompressed_bytes: int
) -> DataProfile:
    parquet = _open_parquet(path)
    schema = parquet.schema_arrow
    if len(schema) == 0:
        raise DataFormatError("no_columns", "The Parquet file has no columns.")
    if len(schema) > max_columns:
        raise DataFormatError(
            "too_many_columns",
            f"The file has {len(schema)} columns; at most {max_columns} are supported.",
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
    parquet = pq.ParquetFile(path, read_dictionary=text_columns)
    columns = [
        _ColumnAccumulator(f.name, i, sample_size=sample_size, kind=_parquet_kind(f.type))
        for i, f in enumerate(schema)
    ]
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
            for accumulator, values in zip(columns, batch.columns, strict=True):
                accumulator.add(_plain_array(values), rows)
            rows += batch.num_rows
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataFormatError(
            "corrupt_parquet",
            f"A Parquet page cannot be decoded ({type(exc).__name__}); the file is damaged.",
        ) from None
    return DataProfile(data_format="parquet", row_count=rows, columns=[c.finish() for c in columns])


def _plain_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Bring exotic Parquet types to ones the accumulator handles: decimals become floats;
    times, durations and nested values are profiled as their text."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_decimal(values.type):
        return pc.cast(values, pa.float64())
    if (
        pa.types.is_time(values.type)
        or pa.types.is_duration(values.type)
        or pa.types.is_nested(values.type)
    ):
        return pa.array([None if v is None else str(v) for v in values.to_pylist()], pa.string())
    return values


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def profile_data_file(
    path: str | Path,
    *,
    data_format: str,
    sample_rows_for_pii: int = 200,
    max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES,
    max_columns: int = DEFAULT_MAX_COLUMNS,
) -> DataProfile:
    """Profile a CSV or Parquet file (``data_format`` from ``detect_data_format``).

    Raises DataFormatError with a machine-readable ``code`` for input that cannot be
    profiled: ``empty_file``, ``no_columns``, ``not_utf8``, ``malformed_csv``,
    ``truncated_parquet``, ``corrupt_parquet``, ``too_many_columns``,
    ``decompression_bomb``, ``unsupported_format``.
    """
    path = Path(path)
    if data_format == "csv":
        return _profile_csv(path, sample_size=sample_rows_for_pii, max_columns=max_columns)
    if data_format == "parquet":
        return _profile_parquet(
            path,
            sample_size=sample_rows_for_pii,
            max_columns=max_columns,
            max_uncompressed_bytes=max_uncompressed_bytes,
        )
    raise DataFormatError("unsupported_format", f"Cannot profile data format {data_format!r}.")
