"""Reading spreadsheets people actually have, and writing ones that are safe to open.

CSV may come as UTF-8, UTF-8 with the BOM Excel writes, or Windows-1256 (Arabic
Windows); XLSX through openpyxl. Every cell is read as text so that national IDs
keep their leading zeros.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from pathlib import Path

import pandas as pd

from data_layer.core.errors import JesrError

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Limits checked before a file is parsed, so a hostile upload costs a refusal, not the server's
# memory: a 100,000-household CSV is about 15 MB of 13 columns; XLSX is a zip, and its declared
# unpacked size bounds what reading it may inflate to.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ROWS = 500_000
MAX_COLUMNS = 100
MAX_XLSX_UNPACKED_BYTES = 256 * 1024 * 1024
# A workbook's parts deflate about 2-16 times (a sheet of 50,000 identical rows: 16); a zip bomb
# a thousand times. A bomb under the size limit would still cost openpyxl about a second per
# unpacked MB, so a part over MAX_XLSX_RATIO is refused too (small parts may be anything).
MAX_XLSX_RATIO = 100
XLSX_RATIO_FROM_BYTES = 1024 * 1024
MB = 1024 * 1024


class UnreadableFile(JesrError):
    code = "error.file_unreadable"


def decode_csv_bytes(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1256"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("error.file_encoding")


def _parse_csv(data: bytes, separator: str) -> pd.DataFrame:
    """Cells as text. pyarrow's multi-threaded reader takes a quarter of the C parser's time on
    a 100,000-row file and gives the same table, straight from the bytes when they are UTF-8
    (it checks them, which costs less than decoding to Python text and encoding back). It
    refuses ragged rows and other encodings; those files are decoded and go through the C
    parser as before (missing cells empty)."""
    try:
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, sep=separator, engine="pyarrow")
    except Exception:  # noqa: BLE001 - any refusal: let the C parser read it or say why
        return pd.read_csv(io.StringIO(decode_csv_bytes(data)), dtype=str, keep_default_na=False, sep=separator)


def read_table(source: str | Path | bytes, *, filename: str | None = None) -> pd.DataFrame:
    """A table of strings from a CSV or XLSX path, or from uploaded bytes with their file name."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        filename = filename or path.name
        if not path.is_file():
            raise UnreadableFile("error.file_missing", path=str(path))
        data = path.read_bytes()
    else:
        data = source
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile("error.file_too_large", max_mb=MAX_FILE_BYTES // MB)
    name = (filename or "").lower()
    try:
        if name.endswith((".xlsx", ".xlsm")):
            _check_xlsx_size(data)
            frame = pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl", keep_default_na=False)
        else:
            data = data.removeprefix(codecs.BOM_UTF8)
            header = data.split(b"\n", 1)[0]
            # French-locale Excel separates columns with ";" (lists inside cells use ";" too,
            # so only the header line tells which it is; both are ASCII in every encoding we read).
            separator = ";" if b";" in header and b"," not in header else ","
            _check_shape(header.count(separator.encode()) + 1, data.count(b"\n"))
            frame = _parse_csv(data, separator)
    except UnreadableFile:
        raise
    except Exception as exc:  # pandas raises many kinds for broken files
        raise UnreadableFile("error.file_unreadable", detail=str(exc)[:200]) from exc
    _check_shape(len(frame.columns), len(frame))
    frame.columns = [str(c).strip().lower().lstrip("\ufeff") for c in frame.columns]
    return frame


def _check_shape(columns: int, rows: int) -> None:
    if columns > MAX_COLUMNS:
        raise UnreadableFile("error.file_too_many_columns", columns=columns, max_columns=MAX_COLUMNS)
    if rows > MAX_ROWS + 1:  # the header line is not a row
        raise UnreadableFile("error.file_too_many_rows", max_rows=MAX_ROWS)


def _check_xlsx_size(data: bytes) -> None:
    """Refuse a workbook whose parts would inflate past the limit (a zip bomb), before reading it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise UnreadableFile("error.file_unreadable", detail="not an XLSX workbook") from exc
    # The sizes are the archive's own word; zipfile never inflates a part past its declared size.
    if sum(entry.file_size for entry in entries) > MAX_XLSX_UNPACKED_BYTES:
        raise UnreadableFile("error.file_too_large_unpacked", max_mb=MAX_XLSX_UNPACKED_BYTES // MB)
    for entry in entries:
        if entry.file_size > XLSX_RATIO_FROM_BYTES and entry.file_size > MAX_XLSX_RATIO * max(1, entry.compress_size):
            raise UnreadableFile("error.file_packed_too_tightly")


_PLAIN_SIGNED_NUMBER = re.compile(r"^[+-][\d\s.,]+$")
# Excel in French or Arabic locales splits a comma file on ";", so a piece after a separator
# opens as a cell of its own and must not start a formula either.
_PIECES = re.compile(r"([;,])")


def _runs_as_formula(piece: str) -> bool:
    return piece.startswith(FORMULA_PREFIXES) and not _PLAIN_SIGNED_NUMBER.match(piece)


def neutralise_cell(value: object) -> object:
    """Make a text cell that a spreadsheet would run as a formula open as text.

    The cell, and each piece of it after a separator, gets a "'" prefix where it would start a
    formula. A signed plain number (a phone number such as +21698123456) runs nothing and is kept.
    """
    if not isinstance(value, str):
        return value
    pieces = _PIECES.split(value)
    for index in range(0, len(pieces), 2):
        piece = pieces[index] if index == 0 else pieces[index].lstrip(" ")
        if _runs_as_formula(piece):
            pieces[index] = "'" + piece
    return "".join(pieces)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_cell)
    return safe


def write_table(frame: pd.DataFrame, path: str | Path, fmt: str) -> Path:
    """Write CSV (UTF-8 with BOM, so Excel shows Arabic) or XLSX, formulas neutralised."""
    out = Path(path)
    safe = neutralise_formulas(frame)
    if fmt == "csv":
        safe.to_csv(out, index=False, encoding="utf-8-sig")
    elif fmt == "xlsx":
        if len(safe) > 1_048_575:
            raise JesrError("error.xlsx_too_many_rows", rows=len(safe))
        safe.to_excel(out, index=False, engine="openpyxl")
    else:
        raise JesrError("error.unknown_format", value=fmt)
    return out


def table_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """The same file as `write_table`, in memory, for a download button."""
    safe = neutralise_formulas(frame)
    if fmt == "csv":
        return safe.to_csv(index=False).encode("utf-8-sig")
    buffer = io.BytesIO()
    safe.to_excel(buffer, index=False, engine="openpyxl")
    return buffer.getvalue()
