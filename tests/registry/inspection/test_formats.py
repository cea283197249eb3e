"""Artefact and data-file detection on real artefacts made by the real libraries."""

from __future__ import annotations

import gzip
import io
import json
import os
import pickle
import zipfile
import zlib
from pathlib import Path

import cloudpickle
import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from registry.inspection import formats
from registry.inspection.formats import (
    ARTEFACT_FORMATS,
    SAFE_FORMATS,
    ArtefactFormat,
    DataFormatError,
    detect_artefact_format,
    detect_data_format,
)

TWO_GIB = 2 * 1024**3


@pytest.fixture(scope="module")
def training_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(7)
    features = rng.rand(120, 4).astype(np.float32)
    labels = (features[:, 0] + 0.3 * features[:, 1] > 0.7).astype(int)
    return features, labels


@pytest.fixture(scope="module")
def sklearn_model(training_data: tuple[np.ndarray, np.ndarray]) -> LogisticRegression:
    features, labels = training_data
    return LogisticRegression().fit(features, labels)


@pytest.fixture(scope="module")
def artefacts(
    tmp_path_factory: pytest.TempPathFactory,
    training_data: tuple[np.ndarray, np.ndarray],
    sklearn_model: LogisticRegression,
) -> dict[str, Path]:
    """Every supported kind of artefact, written by the library that owns the format.

    File names are deliberately meaningless (``a0``, ``a1``...) so no test can pass by
    looking at an extension.
    """
    import lightgbm  # noqa: PLC0415 - heavy optional library, loaded only where it is used
    import skops.io  # noqa: PLC0415 - heavy optional library, loaded only where it is used
    import xgboost  # noqa: PLC0415 - heavy optional library, loaded only where it is used
    from skl2onnx import to_onnx  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    features, labels = training_data
    directory = tmp_path_factory.mktemp("artefacts")
    paths: dict[str, Path] = {}

    def target(key: str) -> Path:
        paths[key] = directory / f"a{len(paths)}"
        return paths[key]

    booster = xgboost.XGBClassifier(n_estimators=3, max_depth=2).fit(features, labels)
    # XGBoost picks the encoding from the suffix, so save under one and rename.
    for key, suffix in (("xgboost_json", ".json"), ("xgboost_ubj", ".ubj")):
        named = directory / f"xgb{suffix}"
        booster.save_model(named)
        named.rename(target(key))

    lgbm = lightgbm.LGBMClassifier(n_estimators=3, verbose=-1).fit(features, labels)
    lgbm.booster_.save_model(target("lightgbm_text"))

    skops.io.dump(sklearn_model, target("skops"))
    target("onnx_skl2onnx").write_bytes(to_onnx(sklearn_model, features[:1]).SerializeToString())

    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(features, labels)
    target("pickle_p5").write_bytes(pickle.dumps(tree, protocol=5))
    target("pickle_p2").write_bytes(pickle.dumps(tree, protocol=2))
    target("pickle_p0").write_bytes(pickle.dumps(sklearn_model, protocol=0))
    joblib.dump(sklearn_model, target("joblib_plain"))
    for method in ("zlib", "gzip", "bz2", "xz", "lzma", "lz4"):
        joblib.dump(sklearn_model, target(f"joblib_{method}"), compress=(method, 3))
    # cloudpickle pickles a lambda by value, which needs its own reconstructors.
    pipeline = make_pipeline(
        FunctionTransformer(lambda x: x * 2.0), StandardScaler(), LogisticRegression()
    ).fit(features, labels)
    target("cloudpickle").write_bytes(cloudpickle.dumps(pipeline))
    xgb_pickle = target("pickle_xgboost")
    xgb_pickle.write_bytes(pickle.dumps(booster))
    return paths


EXPECTED = {
    "xgboost_json": ("xgboost_json", "xgboost", True),
    "xgboost_ubj": ("xgboost_ubj", "xgboost", True),
    "lightgbm_text": ("lightgbm_text", "lightgbm", True),
    "skops": ("skops", "sklearn", True),
    "onnx_skl2onnx": ("onnx", "onnx", True),
    "pickle_p5": ("pickle", "sklearn", False),
    "pickle_p2": ("pickle", "sklearn", False),
    "pickle_p0": ("pickle", "sklearn", False),
    "joblib_plain": ("joblib", "sklearn", False),
    "joblib_zlib": ("joblib", "sklearn", False),
    "joblib_gzip": ("joblib", "sklearn", False),
    "joblib_bz2": ("joblib", "sklearn", False),
    "joblib_xz": ("joblib", "sklearn", False),
    "joblib_lzma": ("joblib", "sklearn", False),
    "joblib_lz4": ("joblib", "sklearn", False),
    "cloudpickle": ("cloudpickle", "sklearn", False),
    "pickle_xgboost": ("pickle", "xgboost", False),
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_real_artefacts_are_recognised(artefacts: dict[str, Path], key: str) -> None:
    detected = detect_artefact_format(artefacts[key])
    assert (detected.format, detected.framework, detected.safe) == EXPECTED[key], detected
    assert detected.format in ARTEFACT_FORMATS
    assert detected.safe == (detected.format in SAFE_FORMATS)
    assert detected.detail


def test_detection_never_unpickles(
    artefacts: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("detection must not deserialise")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    monkeypatch.setattr(joblib, "load", refuse)
    for key in EXPECTED:
        detect_artefact_format(artefacts[key])


def test_pickle_named_onnx_is_still_a_pickle(artefacts: dict[str, Path], tmp_path: Path) -> None:
    disguised = tmp_path / "model.onnx"
    disguised.write_bytes(artefacts["pickle_p5"].read_bytes())
    detected = detect_artefact_format(disguised)
    assert detected.format == "pickle"
    assert detected.safe is False


def test_onnx_named_pkl_is_still_onnx(artefacts: dict[str, Path], tmp_path: Path) -> None:
    renamed = tmp_path / "model.pkl"
    renamed.write_bytes(artefacts["onnx_skl2onnx"].read_bytes())
    detected = detect_artefact_format(renamed)
    assert detected.format == "onnx"
    assert "skl2onnx" in detected.detail


def test_minimal_onnx_graph_from_onnx_helper(tmp_path: Path) -> None:
    import onnx  # noqa: PLC0415 - heavy optional library, loaded only where it is used
    from onnx import TensorProto, helper  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "relu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    path = tmp_path / "relu"
    onnx.save_model(model, path)
    detected = detect_artefact_format(path)
    assert detected == ArtefactFormat("onnx", "onnx", True, detected.detail), detected
    assert f"IR version {model.ir_version}" in detected.detail
    assert "ai.onnx=17" in detected.detail


def test_onnx_cut_short_is_not_onnx(artefacts: dict[str, Path], tmp_path: Path) -> None:
    data = artefacts["onnx_skl2onnx"].read_bytes()
    cut = tmp_path / "cut"
    cut.write_bytes(data[: len(data) // 2])
    assert detect_artefact_format(cut).format == "unknown"


@pytest.mark.parametrize("seed", range(20))
def test_random_bytes_are_unknown(tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    path = tmp_path / "random"
    path.write_bytes(rng.bytes(int(rng.integers(1, 300_000))))
    detected = detect_artefact_format(path)
    assert detected.format == "unknown", detected
    assert detected.safe is False


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"city,name\nBerlin,Ada\nParis,Louis\n",
        b'{"learner": "not really", "note": "no version"}',
        b'{"config": {"layers": []}, "version": [1, 0, 0]}',
        b"tree\n",
        b"PAR1" + b"\x00" * 32 + b"PAR1",
        b"\x80\x05",
        b"\x1f\x8b\x08\x00garbage-after-gzip-magic",
        b"x\x9c" + b"\xff" * 64,
    ],
    ids=[
        "empty",
        "csv",
        "json-no-version",
        "json-not-xgboost",
        "short-lightgbm-lookalike",
        "parquet",
        "pickle-proto-only",
        "broken-gzip",
        "broken-zlib",
    ],
)
def test_other_content_is_unknown(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "file"
    path.write_bytes(content)
    detected = detect_artefact_format(path)
    assert detected.format == "unknown", detected
    assert detected.safe is False


def test_zip_without_schema_is_not_skops(tmp_path: Path) -> None:
    path = tmp_path / "archive"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert detect_artefact_format(path).format == "unknown"


def test_pytorch_style_zip_with_pickle_is_unsafe(
    tmp_path: Path, sklearn_model: LogisticRegression
) -> None:
    path = tmp_path / "weights"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps(sklearn_model, protocol=2))
        archive.writestr("archive/version", "3\n")
    detected = detect_artefact_format(path)
    assert (detected.format, detected.framework, detected.safe) == ("pickle", "pytorch", False)


def test_skops_reports_class(artefacts: dict[str, Path]) -> None:
    assert "LogisticRegression" in detect_artefact_format(artefacts["skops"]).detail


def test_xgboost_json_reports_version(artefacts: dict[str, Path]) -> None:
    import xgboost  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    detail = detect_artefact_format(artefacts["xgboost_json"]).detail
    assert xgboost.__version__.split("rc")[0].rstrip(".") in detail


class _CountingFile(io.RawIOBase):
    """Wraps a binary file and counts the bytes handed out."""

    def __init__(self, raw: io.BufferedReader, counter: list[int]) -> None:
        self._raw = raw
        self._counter = counter

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self._counter[0] += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        self._raw.close()
        super().close()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True


def _sparse_file(path: Path, head: bytes, tail: bytes, size: int) -> None:
    with path.open("wb") as fh:
        fh.write(head)
        fh.seek(size - len(tail))
        fh.write(tail)


@pytest.mark.parametrize("kind", ["xgboost_json", "pickle", "onnx", "unknown"])
def test_two_gigabyte_files_are_classified_from_a_bounded_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """Sparse 2 GiB files: detection must read headers, not the body."""
    path = tmp_path / "big"
    if kind == "xgboost_json":
        head = b'{"learner":{"attributes":{},"gradient_booster":{"model":{"trees":['
        _sparse_file(path, head, b']}}},"version":[2,1,0]}', TWO_GIB)
    elif kind == "pickle":
        head = pickle.dumps(LogisticRegression(), protocol=4)[:-1]
        _sparse_file(path, head, b".", TWO_GIB)
    elif kind == "onnx":
        # ir_version=9, producer "big", then a graph field whose payload fills the file.
        prefix = b"\x08\x09\x12\x03big"
        body_length = TWO_GIB - len(prefix) - 1 - 5
        graph_key = b"\x3a" + _varint(body_length)
        _sparse_file(path, prefix + graph_key, b"\x00", len(prefix) + len(graph_key) + body_length)
    else:
        _sparse_file(path, b"\x00\x01\x02garbage", b"\x00", TWO_GIB)

    counter = [0]
    real_open = Path.open

    def counting_open(self: Path, mode: str = "r", *args: object, **kwargs: object) -> object:
        handle = real_open(self, mode, *args, **kwargs)  # type: ignore[arg-type]
        if "b" in mode and self == path:
            return io.BufferedReader(_CountingFile(handle, counter))  # type: ignore[arg-type]
        return handle

    monkeypatch.setattr(Path, "open", counting_open)
    detected = detect_artefact_format(path)
    assert detected.format == kind, detected
    assert 0 < counter[0] < 4 * 1024 * 1024, f"read {counter[0]} bytes of a 2 GiB file"


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def test_compressed_bomb_is_inspected_within_bounds(tmp_path: Path) -> None:
    """A gzip stream of a pickle header plus 256 MiB of zeros: only a prefix is inflated."""
    path = tmp_path / "bomb"
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunks = [compressor.compress(pickle.dumps(LogisticRegression(), protocol=4)[:-1])]
    zeros = b"\x00" * (1024 * 1024)
    chunks += [compressor.compress(zeros) for _ in range(256)]
    chunks.append(compressor.flush())
    path.write_bytes(b"".join(chunks))
    assert path.stat().st_size < 2 * 1024 * 1024
    detected = detect_artefact_format(path)
    assert (detected.format, detected.framework) == ("joblib", "sklearn")
    assert formats.DECOMPRESSED_PREFIX_BYTES <= 1024 * 1024


def test_gzip_of_non_pickle_is_unknown(tmp_path: Path) -> None:
    path = tmp_path / "text.gz"
    path.write_bytes(gzip.compress(b"just some text, not a pickle at all\n" * 100))
    assert detect_artefact_format(path).format == "unknown"


# --------------------------------------------------------------------------------------------
# Data files
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,c\n1,2,3\n4,5,6\n", ","),
        ("a;b;c\n1,5;2;3\n4;5;6\n", ";"),
        ("a\tb\n1\t2\n", "\t"),
        ("a|b\nx|y\n", "|"),
        ("only_column\n1\n2\n3\n", ","),
        ('name,comment\n"Doe, Jane","said ""hi"""\n"Roe, R","ok"\n', ","),
    ],
    ids=["comma", "semicolon", "tab", "pipe", "single-column", "quoted"],
)
def test_csv_is_detected_with_its_delimiter(tmp_path: Path, text: str, delimiter: str) -> None:
    path = tmp_path / "data"
    path.write_text(text, encoding="utf-8")
    assert detect_data_format(path) == "csv"
    assert formats.sniff_csv_delimiter(path) == delimiter


def test_parquet_needs_magic_at_both_ends(tmp_path: Path) -> None:
    path = tmp_path / "data"
    pd.DataFrame({"a": range(100), "b": ["x"] * 100}).to_parquet(path)
    assert detect_data_format(path) == "parquet"
    cut = tmp_path / "cut"
    cut.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(DataFormatError) as error:
        detect_data_format(cut)
    assert error.value.code == "truncated_parquet"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (b"   \n\n  ", "empty_file"),
        ("name,city\nM\u00fcnchen,x\n\xff\n".encode("utf-8") + b"\xff", "not_utf8"),
        (gzip.compress(b"a,b\n1,2\n"), "unsupported_format"),
        (b'[{"a": 1}, {"a": 2}]', "unsupported_format"),
        (b'{"a": 1, "b": 2} trailing\n', "unsupported_format"),
        (b"a,b\x00c\n", "unsupported_format"),
        (b"PK\x03\x04" + b"\x00" * 40, "corrupt_xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "unsupported_format"),
    ],
    ids=[
        "empty",
        "whitespace",
        "utf8-then-junk",
        "gzip",
        "json",
        "not-json-lines",
        "nul-bytes",
        "broken-zip",
        "legacy-xls",
    ],
)
def test_bad_data_files_raise_coded_errors(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "data"
    path.write_bytes(content)
    with pytest.raises(DataFormatError) as error:
        detect_data_format(path)
    assert error.value.code == code


def test_utf8_with_a_damaged_byte_reports_its_offset(tmp_path: Path) -> None:
    """Valid UTF-8 accents before the bad byte: not a legacy file, a damaged one."""
    good = "name,city\nJos\u00e9,M\u00fcnchen\n".encode()
    content = good + b"Ana,K\xf6ln\n"
    path = tmp_path / "data"
    path.write_bytes(content)
    with pytest.raises(DataFormatError) as error:
        detect_data_format(path)
    assert error.value.code == "not_utf8"
    assert f"offset {len(good) + 5}" in error.value.message


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_legacy_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    text = "nom;ville;montant\n" + "Jos\u00e9;Z\u00fcrich;1,5\nRen\u00e9e;K\u00f6ln;2\n" * 3
    path = tmp_path / "data"
    path.write_bytes(text.encode(encoding))
    assert detect_data_format(path) == "csv"
    assert formats.detect_text_encoding(path) == "cp1252"
    assert formats.sniff_csv_delimiter(path) == ";"


def test_unicode_encodings_are_detected(tmp_path: Path) -> None:
    bom = tmp_path / "bom"
    bom.write_bytes("\ufeffa,b\n1,2\n".encode())
    assert formats.detect_text_encoding(bom) == "utf-8-sig"
    utf16 = tmp_path / "utf16"
    utf16.write_bytes("a\tb\nJos\u00e9\t2\n".encode("utf-16"))
    assert detect_data_format(utf16) == "csv"
    assert formats.detect_text_encoding(utf16) == "utf-16"
    assert formats.sniff_csv_delimiter(utf16) == "\t"


def test_json_lines_and_workbooks_are_detected(tmp_path: Path) -> None:
    lines = tmp_path / "lines"
    lines.write_bytes(b'{"a": 1, "b": 2}\n{"a": 3, "b": 4}\n')
    assert detect_data_format(lines) == "jsonl"
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["a", "b"])
    book.save(tmp_path / "book.xlsx")
    assert detect_data_format(tmp_path / "book.xlsx") == "xlsx"


def test_utf8_character_cut_at_sample_boundary_is_fine(tmp_path: Path) -> None:
    line = "name,city\n" + "Ana,M\u00fcnchen\n" * 20_000
    path = tmp_path / "data"
    path.write_text(line, encoding="utf-8")
    assert os.path.getsize(path) > formats._CSV_SAMPLE_BYTES
    assert detect_data_format(path) == "csv"


def test_data_format_ignores_file_name(tmp_path: Path) -> None:
    path = tmp_path / "table.parquet"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    assert detect_data_format(path) == "csv"
    json_path = tmp_path / "table.csv"
    json_path.write_text(json.dumps([{"a": 1}]), encoding="utf-8")
    with pytest.raises(DataFormatError):
        detect_data_format(json_path)


class _RangeOnlyFile(io.RawIOBase):
    """A seekable file object that is not a file on disk (like a reader over a stored
    object), counting the bytes it hands out."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data, self._pos, self.bytes_read = data, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self._pos = {0: 0, 1: self._pos, 2: len(self._data)}[whence] + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readinto(self, buffer) -> int:  # type: ignore[override]
        chunk = self._data[self._pos : self._pos + len(buffer)]
        buffer[: len(chunk)] = chunk
        self._pos += len(chunk)
        self.bytes_read += len(chunk)
        return len(chunk)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_artefacts_are_recognised_from_a_file_object_as_from_a_path(
    artefacts: dict[str, Path], key: str
) -> None:
    data = artefacts[key].read_bytes()
    source = _RangeOnlyFile(data)
    from_object = detect_artefact_format(source)
    assert from_object == detect_artefact_format(artefacts[key])
    assert not source.closed  # the caller's object stays open for the caller


def test_a_large_artefact_object_is_classified_from_a_bounded_read() -> None:
    head = b'{"learner":{"attributes":{},"gradient_booster":{"model":{"trees":['
    tail = b']}}},"version":[2,1,0]}'
    source = _RangeOnlyFile(head + b" " * (64 * 1024 * 1024) + tail)
    assert detect_artefact_format(source).format == "xgboost_json"
    assert source.bytes_read < 2 * 1024 * 1024


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"a;b\n1,5;2\n3,5;4\n", "csv"),
        (b'{"a": 1}\n{"a": 2}\n', "jsonl"),
        ("nom;âge\nJosé;31\n".encode("cp1252"), "csv"),
        (b"\x00\x01binary", DataFormatError),
        (b"PAR1 cut short", DataFormatError),
    ],
)
def test_data_files_are_recognised_from_a_file_object_as_from_a_path(
    tmp_path: Path, content: bytes, expected: object
) -> None:
    path = tmp_path / "data"
    path.write_bytes(content)
    if expected is DataFormatError:
        with pytest.raises(DataFormatError) as from_path:
            detect_data_format(path)
        with pytest.raises(DataFormatError) as from_object:
            detect_data_format(_RangeOnlyFile(content))
        assert from_object.value.code == from_path.value.code
        return
    assert detect_data_format(_RangeOnlyFile(content)) == detect_data_format(path) == expected
    assert formats.detect_text_encoding(_RangeOnlyFile(content)) == formats.detect_text_encoding(
        path
    )


def test_workbooks_are_recognised_from_a_file_object(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["a", "b"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert detect_data_format(_RangeOnlyFile(buffer.getvalue())) == "xlsx"


def test_the_encoding_of_a_file_object_is_found_by_one_read() -> None:
    source = _RangeOnlyFile("nom;ville\nJosé;Genève\n".encode() * 50_000)
    assert formats.detect_text_encoding(source) == "utf-8"
    first = source.bytes_read
    assert first >= len(source._data)  # the whole file was checked
    assert detect_data_format(source) == "csv"
    assert formats.detect_text_encoding(source) == "utf-8"
    # Then only the head (a read-ahead's worth) and the tail are read, not the file again.
    assert source.bytes_read - first < len(source._data) // 4
