"""Recognise model artefacts and data files from their content.

Artefacts are untrusted input: a pickle runs arbitrary code when it is loaded, so nothing here
ever deserialises one. The file name is ignored on purpose, because an uploader controls it
and a pickle renamed ``model.onnx`` must still be treated as a pickle.

Every detector reads a bounded prefix (and, where the format keeps its tail at the end, a
bounded suffix) so that classifying a multi-gigabyte upload costs a few hundred kilobytes of
I/O. The one exception is ONNX, whose top-level protobuf fields are walked by seeking over
their payloads; that is a handful of reads, whatever the size of the graph.

This module imports nothing from Django so that it can run in the web process, in workers
and in plain unit tests alike.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import io
import json
import lzma
import pickletools
import re
import weakref
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Literal, get_args

import charset_normalizer

from registry.inspection.sources import Source, is_path, open_binary, source_size

__all__ = [
    "ARTEFACT_FORMATS",
    "DATA_FORMATS",
    "DESCRIPTOR_FORMATS",
    "PICKLE_FORMATS",
    "SAFE_FORMATS",
    "ArtefactFormat",
    "DataFormatError",
    "LLMApplicationError",
    "detect_artefact_format",
    "detect_data_format",
    "detect_text_encoding",
    "parse_llm_application",
    "sniff_csv_delimiter",
]

#: Every artefact format the registry recognises ("unknown" is stored, never loaded). This is
#: the one definition: the loaders in ``audits.checks.loading`` read it from here.
ArtefactFormatName = Literal[
    "onnx",
    "xgboost_json",
    "xgboost_ubj",
    "lightgbm_text",
    "skops",
    "pickle",
    "joblib",
    "cloudpickle",
    "llm_application",
    "unknown",
]
ARTEFACT_FORMATS: tuple[str, ...] = get_args(ArtefactFormatName)
#: Formats a worker may load without running code from the file.
SAFE_FORMATS = frozenset(
    {"onnx", "xgboost_json", "xgboost_ubj", "lightgbm_text", "skops", "llm_application"}
)
#: Formats that describe an application built on a hosted model: stored and read as JSON,
#: never loaded as a predictive model (their checks judge recorded outputs).
DESCRIPTOR_FORMATS = frozenset({"llm_application"})
#: Formats whose loading runs code from the file: refused unless an admin trusted the artefact.
PICKLE_FORMATS = frozenset({"pickle", "joblib", "cloudpickle"})

#: How much of a file the cheap detectors look at.
PREFIX_BYTES = 256 * 1024
SUFFIX_BYTES = 4 * 1024
#: Upper bound on decompressed bytes inspected inside a compressed joblib file; enough for
#: the class names at the start of the pickle stream, small enough to defuse a zip bomb.
DECOMPRESSED_PREFIX_BYTES = 256 * 1024
#: Upper bound on the pickle opcodes walked; the framework's globals come first.
MAX_PICKLE_OPCODES = 20_000


@dataclass(frozen=True)
class ArtefactFormat:
    """What an artefact is, which library made it, and whether loading it is safe.

    ``safe`` is False for the pickle family and for anything unrecognised: loading either
    could run code, so workers refuse them unless an admin has trusted that artefact.
    """

    format: str
    framework: str
    safe: bool
    detail: str


class DataFormatError(ValueError):
    """A data upload that cannot be read; ``code`` is machine-readable, ``message`` is not.

    The message never quotes cell contents, because those may hold personal data and error
    messages end up in logs and API responses.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


# --------------------------------------------------------------------------------------------
# Artefacts
# --------------------------------------------------------------------------------------------


def detect_artefact_format(source: Source) -> ArtefactFormat:
    """Classify a model artefact by its bytes, never by its name, without deserialising it.
    ``source`` is a path or a seekable binary file object."""
    size = source_size(source)
    if size == 0:
        return _unknown("empty file")
    with open_binary(source) as fh:
        head = fh.read(PREFIX_BYTES)
        if size > len(head):
            # Overlapping the head is harmless and keeps a key that straddles it whole.
            fh.seek(max(size - SUFFIX_BYTES, 0))
            tail = fh.read(SUFFIX_BYTES)
        else:
            tail = head[-SUFFIX_BYTES:]
        fh.seek(0)

        if head.startswith(b"PK\x03\x04"):
            return _detect_zip(fh)
        if head.startswith(b"tree\nversion=v") or head.startswith(b"tree\r\nversion=v"):
            return _detect_lightgbm(head)
        xgb_json = _detect_xgboost_json(head, tail)
        if xgb_json is not None:
            return xgb_json
        application = _detect_llm_application(head, complete=size <= len(head))
        if application is not None:
            return application
        if head[:1] == b"{" and _looks_like_xgboost_ubj(head):
            return ArtefactFormat(
                "xgboost_ubj", "xgboost", True, "XGBoost model in Universal Binary JSON"
            )
        compressed = _detect_compressed_joblib(fh, head)
        if compressed is not None:
            return compressed
        pickled = _classify_pickle(head, complete=size <= len(head))
        if pickled is not None:
            return pickled
        onnx = _detect_onnx(fh, size)
        if onnx is not None:
            return onnx
    return _unknown("content matches no supported artefact format")


class LLMApplicationError(ValueError):
    """An LLM application descriptor that lacks what the registry needs to know."""


#: The foundation model reference of an LLM application descriptor: key -> (type, required).
FOUNDATION_MODEL_FIELDS: dict[str, tuple[type, bool]] = {
    "provider": (str, True),
    "model_id": (str, True),
    "model_version": (str, True),
    "terms_url": (str, False),
    "general_purpose": (bool, True),
    "systemic_risk": (bool, True),
}


def parse_llm_application(data: bytes) -> dict:
    """The descriptor of an application built on a hosted foundation model.

    ``{"llm_application": {"name": ..., "foundation_model": {"provider", "model_id",
    "model_version", "terms_url", "general_purpose", "systemic_risk"}, ...}}``: the model is
    registered by reference (nothing is downloaded or called), so the descriptor's hash is
    what an approval binds, and a change of foundation model is a change of artefact."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise LLMApplicationError("the descriptor is not valid UTF-8 JSON") from exc
    app = doc.get("llm_application") if isinstance(doc, dict) else None
    if not isinstance(app, dict):
        raise LLMApplicationError('the descriptor has no "llm_application" object')
    fm = app.get("foundation_model")
    if not isinstance(fm, dict):
        raise LLMApplicationError('"llm_application" has no "foundation_model" object')
    problems = []
    for key, (kind, required) in FOUNDATION_MODEL_FIELDS.items():
        if key not in fm:
            if required:
                problems.append(f"{key} is missing")
        elif not isinstance(fm[key], kind) or (kind is str and not fm[key].strip()):
            problems.append(f"{key} must be a {'boolean' if kind is bool else 'non-empty text'}")
    if fm.get("systemic_risk") is True and fm.get("general_purpose") is False:
        problems.append("systemic_risk applies to general-purpose models only")
    if problems:
        raise LLMApplicationError("foundation_model: " + "; ".join(problems))
    return app


def _detect_llm_application(head: bytes, *, complete: bool) -> ArtefactFormat | None:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not complete or not re.match(rb'\{\s*"llm_application"\s*:', text):
        return None
    try:
        app = parse_llm_application(head)
    except LLMApplicationError as exc:
        return _unknown(f"LLM application descriptor: {exc}")
    fm = app["foundation_model"]
    return ArtefactFormat(
        "llm_application",
        "llm",
        True,
        f"LLM application on {fm['provider']} {fm['model_id']} {fm['model_version']}",
    )


def _unknown(detail: str) -> ArtefactFormat:
    return ArtefactFormat("unknown", "unknown", False, detail)


# --- LightGBM and XGBoost -------------------------------------------------------------------


def _detect_lightgbm(head: bytes) -> ArtefactFormat:
    first_lines = head[:200].decode("ascii", errors="replace").splitlines()
    version = first_lines[1].partition("=")[2] if len(first_lines) > 1 else "?"
    return ArtefactFormat(
        "lightgbm_text", "lightgbm", True, f"LightGBM text model, format {version}"
    )


_XGB_VERSION_RE = re.compile(rb'"version"\s*:\s*\[\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\]')


def _detect_xgboost_json(head: bytes, tail: bytes) -> ArtefactFormat | None:
    """XGBoost writes ``{"learner": {...}, "version": [x, y, z]}``.

    Keys come out sorted, so ``learner`` opens the file and ``version`` closes it; a 2 GB
    model is recognised from its first and last few kilobytes without parsing the trees.
    """
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"{"):
        return None
    if not re.match(rb'\{\s*"learner"\s*:\s*\{', text) and b'"learner"' not in text[:4096]:
        return None
    version = _XGB_VERSION_RE.search(tail) or _XGB_VERSION_RE.search(head)
    if version is None:
        return None
    markers = b'"gradient_booster"' in head or b'"learner_model_param"' in head
    # A large model may keep those markers beyond the prefix; then learner+version suffice.
    if not markers and len(head) < PREFIX_BYTES:
        return None
    dotted = ".".join(part.decode() for part in version.groups())
    return ArtefactFormat(
        "xgboost_json", "xgboost", True, f"XGBoost JSON model written by XGBoost {dotted}"
    )


def _looks_like_xgboost_ubj(head: bytes) -> bool:
    """Check for a UBJSON object whose first key is ``learner`` or ``version``.

    UBJSON keys are written as an integer-type marker, a length and the bytes, with no
    ``S`` marker; XGBoost uses int64 (``L``) lengths, other writers may use shorter ones.
    """
    match = re.match(rb"\{(?:[iUIlL])", head)
    if match is None:
        return False
    for marker, width in ((b"i", 1), (b"U", 1), (b"I", 2), (b"l", 4), (b"L", 8)):
        for key in (b"learner", b"version"):
            length = len(key).to_bytes(width, "big")
            if head.startswith(b"{" + marker + length + key):
                return b"learner" in head[:4096]
    return False


# --- zip containers: skops, and pickles hidden in zips ---------------------------------------

_SKOPS_MODULE_RE = re.compile(rb'"__module__"\s*:\s*"([A-Za-z0-9_.]+)"')
_SKOPS_CLASS_RE = re.compile(rb'"__class__"\s*:\s*"([A-Za-z0-9_.]+)"')


def _detect_zip(fh: BinaryIO) -> ArtefactFormat:
    """Tell skops archives from other zips by their members; zipfile reads only the index."""
    try:
        with zipfile.ZipFile(fh) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "schema.json" in names:
                with archive.open("schema.json") as member:
                    schema_head = member.read(64 * 1024)
                module = _SKOPS_MODULE_RE.search(schema_head)
                cls = _SKOPS_CLASS_RE.search(schema_head)
                module_name = module.group(1).decode() if module else "?"
                class_name = cls.group(1).decode() if cls else "?"
                framework = _framework_for_modules([module_name]) if module else "unknown"
                if framework == "unknown" and module:
                    framework = module_name.split(".")[0]
                return ArtefactFormat(
                    "skops",
                    framework,
                    True,
                    f"skops archive of {module_name}.{class_name} ({len(infos)} members)",
                )
            pickled = sorted(n for n in names if n.endswith(("data.pkl", ".pkl", ".pickle")))
            if pickled:
                # PyTorch's torch.save format: a zip whose data.pkl is an ordinary pickle.
                framework = "pytorch" if any(n.endswith("data.pkl") for n in pickled) else None
                with archive.open(pickled[0]) as member:
                    inner = _classify_pickle(member.read(PREFIX_BYTES), complete=False)
                if framework is None:
                    framework = inner.framework if inner else "unknown"
                return ArtefactFormat(
                    "pickle",
                    framework,
                    False,
                    f"zip archive containing a pickle ({pickled[0]}); loading it runs code",
                )
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        return _unknown(f"zip archive that cannot be read: {type(exc).__name__}")
    return _unknown("zip archive without schema.json (not a skops file)")


# --- pickle family -------------------------------------------------------------------------

#: Top-level module name -> framework label. The first ML framework named in the pickle
#: stream wins, because the outermost object's class is written first.
_FRAMEWORK_MODULES = {
    "sklearn": "sklearn",
    "xgboost": "xgboost",
    "lightgbm": "lightgbm",
    "catboost": "catboost",
    "torch": "pytorch",
    "tensorflow": "tensorflow",
    "keras": "keras",
    "statsmodels": "statsmodels",
    "imblearn": "sklearn",
    "skops": "sklearn",
}

_STRING_OPCODES = frozenset(
    {
        "SHORT_BINUNICODE",
        "BINUNICODE",
        "BINUNICODE8",
        "UNICODE",
        "STRING",
        "BINSTRING",
        "SHORT_BINSTRING",
    }
)
_MODULE_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_GET_OPCODES = frozenset({"GET", "BINGET", "LONG_BINGET"})
_PUT_OPCODES = frozenset({"PUT", "BINPUT", "LONG_BINPUT"})


def _framework_for_modules(modules: list[str]) -> str:
    for module in modules:
        framework = _FRAMEWORK_MODULES.get(module.split(".")[0])
        if framework is not None:
            return framework
    return "unknown"


def _pickle_globals(data: bytes) -> tuple[list[str], int, bool]:
    """Walk pickle opcodes (never executing them) and return the modules they import.

    Returns ``(modules, opcode_count, reached_stop)``. ``STACK_GLOBAL`` takes its module
    and name from the stack, so strings pushed, memoised and fetched again are tracked with
    a small shadow stack; that is enough for the class references picklers write.
    Parsing stops at the first malformed opcode: joblib writes raw array bytes between
    pickle frames, and a bounded prefix ends mid-stream.
    """
    modules: list[str] = []
    shadow: list[str | None] = []
    memo: dict[int, str | None] = {}
    count = 0
    stopped = False
    try:
        for opcode, arg, _pos in pickletools.genops(io.BytesIO(data)):
            count += 1
            name = opcode.name
            if name in _STRING_OPCODES:
                shadow.append(arg if isinstance(arg, str) else None)
            elif name in _GET_OPCODES:
                shadow.append(memo.get(arg))
            elif name == "MEMOIZE":
                memo[len(memo)] = shadow[-1] if shadow else None
            elif name in _PUT_OPCODES:
                memo[arg] = shadow[-1] if shadow else None
            elif name == "GLOBAL" or name == "INST":
                module = str(arg).split(" ", 1)[0]
                if not _MODULE_NAME_RE.fullmatch(module):
                    # Text that happens to start with "c" parses as GLOBAL; a real pickle
                    # always names an importable module.
                    break
                modules.append(module)
                shadow.append(None)
            elif name == "STACK_GLOBAL":
                if len(shadow) >= 2 and isinstance(shadow[-2], str):
                    modules.append(shadow[-2])
                del shadow[-2:]
                shadow.append(None)
            elif name in {"FRAME", "PROTO"}:
                pass
            elif name == "STOP":
                stopped = True
                break
            else:
                shadow.append(None)
            if len(shadow) > 64:
                del shadow[:-16]
            if count >= MAX_PICKLE_OPCODES:
                break
    except (ValueError, EOFError, KeyError, UnicodeDecodeError, IndexError):
        pass
    return modules, count, stopped


def _classify_pickle(
    data: bytes, *, complete: bool, compression: str | None = None
) -> ArtefactFormat | None:
    """Decide whether ``data`` (a prefix of the file, or all of it) is a pickle and whose.

    Protocol 2+ pickles open with ``PROTO n``. Older protocols have no magic, so they are
    accepted only if the opcodes parse cleanly for a while and import something: random
    bytes rarely form even eight valid opcodes in a row.
    """
    if not data:
        return None
    has_proto = data[0] == 0x80 and len(data) > 1 and 2 <= data[1] <= 5
    modules, count, stopped = _pickle_globals(data)
    if has_proto and not (stopped or count >= 4):
        return None
    if not has_proto:
        plausible = (stopped and complete and count >= 2) or (count >= 8 and modules)
        if not plausible:
            return None
    unique_modules = list(dict.fromkeys(modules))
    framework = _framework_for_modules(unique_modules)
    protocol = data[1] if has_proto else 0
    shown = ", ".join(unique_modules[:6]) or "none seen"
    how = f"{compression}-compressed " if compression else ""
    if any(m.split(".")[0] == "cloudpickle" for m in unique_modules):
        fmt = "cloudpickle"
    elif any(m.split(".")[0] == "joblib" for m in unique_modules) or compression:
        fmt = "joblib"
    else:
        fmt = "pickle"
    return ArtefactFormat(
        fmt,
        framework,
        False,
        f"{how}pickle stream (protocol {protocol}) importing {shown}; loading it runs code",
    )


def _drain(decompress: Callable[[bytes, int], bytes], raw: BinaryIO) -> bytes:
    """Feed compressed chunks until DECOMPRESSED_PREFIX_BYTES are out, never more.

    Each call is told how much output it may produce, so a decompression bomb costs at
    most the bounded prefix in memory.
    """
    out = bytearray()
    while len(out) < DECOMPRESSED_PREFIX_BYTES:
        chunk = raw.read(16 * 1024)
        if not chunk:
            break
        out += decompress(chunk, DECOMPRESSED_PREFIX_BYTES - len(out))
    return bytes(out[:DECOMPRESSED_PREFIX_BYTES])


def _decompress_prefix(kind: str, raw: BinaryIO) -> bytes:
    raw.seek(0)
    if kind in {"zlib", "gzip"}:
        # wbits 47 auto-detects zlib and gzip headers.
        decompressor = zlib.decompressobj(47)
        return _drain(decompressor.decompress, raw)
    if kind == "joblib-zlib":
        # joblib < 0.10: "ZF", the hex length padded to 19 characters, then a zlib stream.
        raw.seek(2 + 19)
        decompressor = zlib.decompressobj()
        return _drain(decompressor.decompress, raw)
    if kind == "bz2":
        bz = bz2.BZ2Decompressor()
        return _drain(lambda chunk, limit: bz.decompress(chunk, limit), raw)
    if kind in {"xz", "lzma"}:
        lz = lzma.LZMADecompressor(lzma.FORMAT_XZ if kind == "xz" else lzma.FORMAT_ALONE)
        return _drain(lambda chunk, limit: lz.decompress(chunk, limit), raw)
    if kind == "lz4":
        try:
            # lz4 is optional: joblib only writes it when the author installed it.
            import lz4.frame  # noqa: PLC0415 - heavy optional library, loaded only where it is used
        except ImportError:
            return b""
        frame = lz4.frame.LZ4FrameDecompressor()
        return _drain(lambda chunk, limit: frame.decompress(chunk, max_length=limit), raw)
    return b""


#: joblib's compressors write standard containers; ``ZF`` marks joblib's own pre-0.10 zlib
#: format.
_COMPRESSION_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x04\x22\x4d\x18", "lz4"),
    (b"ZF0x", "joblib-zlib"),
)


def _compression_kind(head: bytes) -> str | None:
    for magic, kind in _COMPRESSION_MAGIC:
        if head.startswith(magic):
            return kind
    # zlib: CMF 0x78 and a header checksum that is a multiple of 31.
    if len(head) >= 2 and head[0] == 0x78 and (head[0] * 256 + head[1]) % 31 == 0:
        return "zlib"
    # lzma "alone" format: properties byte 0x5d then a little-endian dictionary size.
    if head.startswith(b"\x5d\x00\x00"):
        return "lzma"
    return None


def _detect_compressed_joblib(raw: BinaryIO, head: bytes) -> ArtefactFormat | None:
    """Recognise joblib's compressed dumps and look inside a bounded decompressed prefix."""
    kind = _compression_kind(head)
    if kind is None:
        return None
    try:
        inner = _decompress_prefix(kind, raw)
    except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError, RuntimeError):
        inner = b""
    label = "zlib" if kind == "joblib-zlib" else kind
    if not inner:
        if kind == "lz4" and head[4:5]:
            return ArtefactFormat(
                "joblib",
                "unknown",
                False,
                "lz4-compressed stream (joblib's lz4 compression); contents not inspected",
            )
        return None
    classified = _classify_pickle(
        inner, complete=len(inner) < DECOMPRESSED_PREFIX_BYTES, compression=label
    )
    if classified is None:
        return None
    return classified


# --- ONNX ----------------------------------------------------------------------------------

#: ModelProto field number -> expected wire type (0 varint, 2 length-delimited).
_ONNX_MODEL_FIELDS = {1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2}
_MAX_ONNX_TOP_LEVEL_FIELDS = 10_000


def _read_varint(fh: BinaryIO) -> int | None:
    result = 0
    for shift in range(0, 70, 7):
        byte = fh.read(1)
        if not byte:
            return None
        result |= (byte[0] & 0x7F) << shift
        if not byte[0] & 0x80:
            return result
    return None


def _parse_varint(buf: bytes, pos: int) -> tuple[int, int] | None:
    result = 0
    for shift in range(0, 70, 7):
        if pos >= len(buf):
            return None
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
    return None


def _iter_message(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """Yield (field, wire_type, value) of a small protobuf message; stops on malformed data."""
    pos = 0
    while pos < len(buf):
        parsed = _parse_varint(buf, pos)
        if parsed is None:
            return
        key, pos = parsed
        field, wire = key >> 3, key & 7
        if wire == 0:
            parsed = _parse_varint(buf, pos)
            if parsed is None:
                return
            value, pos = parsed
            yield field, wire, value
        elif wire == 2:
            parsed = _parse_varint(buf, pos)
            if parsed is None or parsed[1] + parsed[0] > len(buf):
                return
            length, pos = parsed
            yield field, wire, buf[pos : pos + length]
            pos += length
        else:
            return


def _detect_onnx(fh: BinaryIO, size: int) -> ArtefactFormat | None:
    """Walk the top-level fields of an ONNX ModelProto without reading the graph.

    Accepts the file only if every top-level field is one ModelProto defines with the right
    wire type, lengths land exactly on the end of the file, ``ir_version`` is plausible and
    a graph is present. Random bytes essentially never satisfy all of that.
    """
    fh.seek(0)
    fields: dict[int, list[bytes | int]] = {}
    pos = 0
    seen = 0
    while pos < size:
        key = _read_varint(fh)
        if key is None:
            return None
        field, wire = key >> 3, key & 7
        if _ONNX_MODEL_FIELDS.get(field) != wire:
            return None
        if wire == 0:
            value = _read_varint(fh)
            if value is None:
                return None
            fields.setdefault(field, []).append(value)
        else:
            length = _read_varint(fh)
            if length is None:
                return None
            start = fh.tell()
            if start + length > size:
                return None
            if field in {2, 3, 4, 8} and length <= 4096:
                fields.setdefault(field, []).append(fh.read(length))
            else:
                fields.setdefault(field, []).append(b"")
                fh.seek(start + length)
        pos = fh.tell()
        seen += 1
        if seen > _MAX_ONNX_TOP_LEVEL_FIELDS:
            return None
    ir_versions = fields.get(1, [])
    if len(ir_versions) != 1 or not isinstance(ir_versions[0], int):
        return None
    ir_version = ir_versions[0]
    if not 1 <= ir_version <= 100 or 7 not in fields:
        return None
    try:
        producer = b"".join(v for v in fields.get(2, []) if isinstance(v, bytes)).decode()
        producer_version = b"".join(v for v in fields.get(3, []) if isinstance(v, bytes)).decode()
    except UnicodeDecodeError:
        return None
    opsets = []
    for raw_opset in fields.get(8, []):
        if not isinstance(raw_opset, bytes):
            continue
        domain, version = "ai.onnx", None
        for sub_field, _wire, value in _iter_message(raw_opset):
            if sub_field == 1 and isinstance(value, bytes):
                domain = value.decode(errors="replace") or "ai.onnx"
            elif sub_field == 2 and isinstance(value, int):
                version = value
        opsets.append(f"{domain}={version}")
    producer_text = f"{producer} {producer_version}".strip() or "unknown producer"
    detail = f"ONNX model, IR version {ir_version}, produced by {producer_text}"
    if opsets:
        detail += f", opsets {', '.join(opsets)}"
    return ArtefactFormat("onnx", "onnx", True, detail)


# --------------------------------------------------------------------------------------------
# Data files
# --------------------------------------------------------------------------------------------

#: Every data format a dataset version can have; the one definition.
DATA_FORMATS: tuple[str, ...] = ("csv", "parquet", "xlsx", "jsonl")

_PARQUET_MAGIC = b"PAR1"
_CSV_SAMPLE_BYTES = 64 * 1024
_CANDIDATE_DELIMITERS = ",;\t|"
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_CHECK_BLOCK = 1024 * 1024
#: When charset detection finds several equally clean single-byte readings, this one wins:
#: it is what spreadsheet programs on Windows write in Western Europe and the Americas, and
#: cp1250/cp1257 differ from it only in letters a short sample may not contain.
_PREFERRED_LEGACY_ENCODING = "cp1252"


def detect_data_format(source: Source) -> str:
    """Return one of ``DATA_FORMATS`` for a data upload, or raise DataFormatError.

    Parquet needs its magic at both ends: a file that starts like Parquet but lacks the
    footer was cut short in transit, and saying so beats a cryptic reader error later. An
    Excel workbook is a zip with ``xl/workbook.xml``; JSON Lines is text whose first line is
    a JSON object. Text in another encoding than UTF-8 is accepted (``detect_text_encoding``).
    """
    size = source_size(source)
    if size == 0:
        raise DataFormatError("empty_file", "The file is empty.")
    with open_binary(source) as fh:
        head = fh.read(_CSV_SAMPLE_BYTES)
        fh.seek(max(size - 4, 0))
        tail = fh.read(4)
    if head.startswith(_PARQUET_MAGIC):
        if size >= 12 and tail == _PARQUET_MAGIC:
            return "parquet"
        raise DataFormatError(
            "truncated_parquet",
            "The file starts like Parquet but has no Parquet footer; it was probably cut short.",
        )
    if head.startswith(b"PK\x03\x04"):
        return _detect_workbook(source)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise DataFormatError(
            "unsupported_format",
            "The file is a legacy Excel (.xls) or password-protected workbook; save it as "
            ".xlsx without a password, or as CSV.",
        )
    for magic, what in (
        (b"\x1f\x8b", "gzip-compressed"),
        (b"BZh", "bzip2-compressed"),
        (b"\xfd7zXZ\x00", "xz-compressed"),
        (b"\x28\xb5\x2f\xfd", "zstd-compressed"),
        (b"ARROW1", "an Arrow IPC file"),
        (b"\x89HDF", "an HDF5 file"),
    ):
        if head.startswith(magic):
            raise DataFormatError(
                "unsupported_format",
                f"The file is {what}; upload CSV, Parquet, Excel (.xlsx) or JSON Lines.",
            )
    if b"\x00" in head and not head.startswith(_UTF16_BOMS):
        # No text encoding a user would call CSV puts NUL bytes in a file (UTF-16 announces
        # itself with a byte-order mark): it is binary, an image, a model, an archive.
        raise DataFormatError(
            "unsupported_format",
            "The file is binary, not text; upload CSV, Parquet, Excel (.xlsx) or JSON Lines.",
        )
    encoding = detect_text_encoding(source)
    text = _decode_prefix(head, encoding, complete=size <= len(head))
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        first_line = stripped.split("\n", 1)[0].strip()
        if _is_json_object(first_line):
            return "jsonl"
        raise DataFormatError(
            "unsupported_format",
            "The file starts like JSON but its first line is not one JSON object; upload "
            "JSON Lines (one object per line), CSV or Parquet.",
        )
    _sniff_delimiter(text)
    return "csv"


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _detect_workbook(source: Source) -> str:
    """An Excel workbook is a zip holding ``xl/workbook.xml``; other zips are refused."""
    try:
        with open_binary(source) as fh, zipfile.ZipFile(fh) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError):
        raise DataFormatError(
            "corrupt_xlsx",
            "The file is a damaged zip archive (a cut-short Excel file?); upload it again.",
        ) from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names:
        raise DataFormatError(
            "unsupported_format",
            "The file is an OpenDocument spreadsheet; save it as .xlsx or CSV.",
        )
    raise DataFormatError(
        "unsupported_format",
        "The file is a zip archive; upload the CSV, Parquet, Excel or JSON Lines file itself.",
    )


#: The encoding found for a file object, kept while the object lives: detection, the column
#: names and the profile of one upload each ask, and reading a remote upload through again for
#: every answer would triple its transfer. (A path is read again: the file may change.)
_ENCODING_OF_OBJECT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def detect_text_encoding(source: Source) -> str:
    """Name the text encoding of a file: ``utf-8``, ``utf-8-sig``, ``utf-16`` or a legacy one.

    UTF-8 is checked over the whole file in blocks, because a single accented letter deep
    in an otherwise ASCII export decides it. Only a file that is not UTF-8 goes to
    charset-normalizer, on its start plus the neighbourhood of the first bad byte. Raises
    ``unknown_encoding`` when no encoding reads the file cleanly. A file object is read once
    however often it is asked about (its bytes must not change meanwhile).
    """
    if is_path(source):
        return _detect_text_encoding(source)
    try:
        return _ENCODING_OF_OBJECT[source]
    except KeyError:
        pass
    except TypeError:  # an object that cannot be weakly referenced: not remembered
        return _detect_text_encoding(source)
    encoding = _ENCODING_OF_OBJECT[source] = _detect_text_encoding(source)
    return encoding


def _detect_text_encoding(source: Source) -> str:
    with open_binary(source) as fh:
        head = fh.read(_CSV_SAMPLE_BYTES)
    if head.startswith(_UTF16_BOMS):
        return "utf-16"
    bad_offset = _first_invalid_utf8_offset(source)
    if bad_offset is None:
        return "utf-8-sig" if head.startswith(_UTF8_BOM) else "utf-8"
    with open_binary(source) as fh:
        fh.seek(max(bad_offset - 4096, 0))
        around = fh.read(_CSV_SAMPLE_BYTES)
    window_start = max(bad_offset - 4096, 0)
    before_bad = head[:bad_offset] + around[: bad_offset - window_start]
    if any(byte >= 0x80 for byte in before_bad):
        # Accented letters before the bad byte were valid UTF-8: the file is UTF-8 with a
        # damaged or pasted-in byte, and reading it all as cp1252 would garble every one.
        raise DataFormatError(
            "not_utf8",
            f"The file is UTF-8 but the byte at offset {bad_offset} is not; it was probably "
            "damaged or pasted together from two exports. Fix that byte or save the file "
            "again as UTF-8.",
        )
    sample = head if bad_offset < len(head) else head + b"\n" + around
    results = list(charset_normalizer.from_bytes(sample))
    if not results:
        raise DataFormatError(
            "unknown_encoding",
            f"The file is not UTF-8 (first bad byte at offset {bad_offset}) and no other text "
            "encoding reads it cleanly; save it as UTF-8 CSV.",
        )
    cleanest = min(r.chaos for r in results)
    # Encodings that give the very same text are grouped under one result; any of them
    # reads the file identically, so the most common one is named.
    readings = [r for r in results if r.chaos <= cleanest]
    if any(_PREFERRED_LEGACY_ENCODING in r.could_be_from_charset for r in readings):
        return _PREFERRED_LEGACY_ENCODING
    return codecs.lookup(readings[0].encoding).name


def _first_invalid_utf8_offset(source: Source) -> int | None:
    """Offset of the first byte that is not UTF-8, or None; a character split by a block
    boundary is carried into the next block, so the offset is exact."""
    carry = b""
    offset = 0  # absolute offset of data[0]
    with open_binary(source) as fh:
        while True:
            block = fh.read(_UTF8_CHECK_BLOCK)
            data = carry + block
            if not data:
                return None
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                truncated_tail = (
                    block and exc.reason == "unexpected end of data" and exc.end == len(data)
                )
                if not truncated_tail:
                    return offset + exc.start
                carry = data[exc.start :]
                offset += exc.start
            else:
                if not block:
                    return None
                carry = b""
                offset += len(data)


def sniff_csv_delimiter(source: Source, encoding: str | None = None) -> str:
    """Return the delimiter of a CSV file (in ``encoding``, detected when not given)."""
    size = source_size(source)
    if size == 0:
        raise DataFormatError("empty_file", "The file is empty.")
    encoding = encoding or detect_text_encoding(source)
    with open_binary(source) as fh:
        head = fh.read(_CSV_SAMPLE_BYTES)
    return _sniff_delimiter(_decode_prefix(head, encoding, complete=size <= len(head)))


def _decode_prefix(head: bytes, encoding: str, *, complete: bool) -> str:
    """Decode a prefix, tolerating a multi-byte character cut at the sample's edge."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        text = decoder.decode(head, final=complete)
    except UnicodeDecodeError as exc:
        raise DataFormatError(
            "unknown_encoding",
            f"The file cannot be read as {encoding} (bad byte at offset {exc.start}); save "
            "it as UTF-8.",
        ) from None
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise DataFormatError(
            "unsupported_format", "The file holds binary data; upload CSV or Parquet."
        )
    return text


def _sniff_delimiter(text: str) -> str:
    """Find the delimiter of CSV text, or raise ``unsupported_format``/``empty_file``.

    ``csv.Sniffer`` is tried first; a one-column file has no delimiter to sniff, so a
    sample whose lines all lack every candidate delimiter is accepted as one column.
    JSON is refused explicitly because commas make it sniff as CSV.
    """
    stripped = text.strip()
    if not stripped:
        raise DataFormatError("empty_file", "The file holds only whitespace.")
    if stripped[0] in "{[":
        raise DataFormatError(
            "unsupported_format",
            "The file looks like JSON; upload JSON Lines (one object per line), CSV or Parquet.",
        )
    lines = [line for line in stripped.splitlines() if line.strip()]
    # Drop a last line that may have been cut by the sample boundary.
    sample_lines = lines[:-1] if len(lines) > 2 else lines
    sample = "\n".join(sample_lines[:200])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=_CANDIDATE_DELIMITERS)
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ""
    if delimiter == "," and _decimal_commas_in_semicolon_file(sample_lines):
        delimiter = ";"
    if delimiter and delimiter in sample_lines[0]:
        return delimiter
    counts = {
        d: [len(next(csv.reader([line], delimiter=d))) for line in sample_lines[:200]]
        for d in _CANDIDATE_DELIMITERS
    }
    # The sniffer gives up on ragged files; a delimiter that splits the header and most
    # rows alike is still the right one, and the profiler then names the ragged rows.
    plausible = [
        d for d, c in counts.items() if c[0] > 1 and sum(n == c[0] for n in c) >= 0.5 * len(c)
    ]
    if plausible:
        return max(plausible, key=lambda d: counts[d][0])
    if all(max(c) == 1 for c in counts.values()):
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in sample)
        if sample and printable / len(sample) > 0.99:
            return ","
    raise DataFormatError(
        "unsupported_format",
        "The file is text but not recognisable as delimited data (CSV, semicolon- or "
        "tab-separated).",
    )


def _decimal_commas_in_semicolon_file(lines: list[str]) -> bool:
    """European exports separate with ``;`` and write ``1,5``: the sniffer may take the
    comma. The semicolon wins when it splits every line into the same number of fields."""
    widths = {len(next(csv.reader([line], delimiter=";"))) for line in lines[:200]}
    return len(widths) == 1 and widths.pop() > 1
