"""An answer's head (status line and header fields), read without the email package.

http.client parses header fields with email.parser, built for mail
messages: a third of the Python time of a whole request to a fast server
(measured with cProfile on the bench farm). Answer is http.client's
HTTPResponse with its begin() rewritten around a plain reader of header
lines, with the same limits (at most 100 fields, 64 KiB per line) and the
same framing rules, which decide where the body ends and whether the
connection can be kept: begin() and _check_close() follow CPython 3.11's
http.client line by line.
"""

from __future__ import annotations

import http.client
from typing import IO

MAX_LINE = 65_536  # http.client's _MAXLINE
MAX_FIELDS = 100  # http.client's _MAXHEADERS
_END = (b"\r\n", b"\n", b"")


class Headers:
    """Header fields in the order received; get() finds a name in any case."""

    __slots__ = ("_fields", "_first")

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        self._fields = fields
        first: dict[str, str] = {}
        for name, value in fields:
            first.setdefault(name.lower(), value)
        self._first = first

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of the field called name (any case), else default."""
        return self._first.get(name.lower(), default)

    def get_all(self, name: str, default: list[str] | None = None) -> list[str] | None:
        """Every value of the field called name, in order (http.client's getheader)."""
        key = name.lower()
        found = [value for field, value in self._fields if field.lower() == key]
        return found or default

    def items(self) -> list[tuple[str, str]]:
        """(name, value) of every field, repeated names included, in order."""
        return list(self._fields)


def read_header_lines(fp: IO[bytes]) -> list[bytes]:
    """The raw header lines up to the blank line, within http.client's limits."""
    lines: list[bytes] = []
    while True:  # ends: at the blank line, or after MAX_FIELDS lines (raises)
        line = fp.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise http.client.LineTooLong("header line")
        if line in _END:
            return lines
        lines.append(line)
        if len(lines) > MAX_FIELDS:
            raise http.client.HTTPException(f"got more than {MAX_FIELDS} headers")


def parse_fields(lines: list[bytes]) -> Headers:
    """Header lines as fields: name up to the first ':', value trimmed.

    A line starting with a space or tab continues the previous value
    (obsolete line folding); a line with no ':' is dropped, as email.parser
    drops it (it records a defect nobody reads).
    """
    fields: list[tuple[str, str]] = []
    for raw in lines:
        line = raw.decode("iso-8859-1").rstrip("\r\n")
        if line[:1] in (" ", "\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {line.strip()}".strip())
            continue
        name, colon, value = line.partition(":")
        if colon:
            fields.append((name.rstrip(" \t"), value.strip(" \t")))
    return Headers(fields)


class Answer(http.client.HTTPResponse):
    """HTTPResponse whose head is parsed by parse_fields (see the module docstring)."""

    headers: Headers  # type: ignore[assignment]
    msg: Headers  # type: ignore[assignment]

    def begin(self) -> None:
        """Read the status line and the fields; work out how the body is framed."""
        if self.headers is not None:
            return
        version, status, reason = self._read_interim_and_status()
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10  # a "0.9" answer is treated as 1.0, as http.client does
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        self.headers = self.msg = parse_fields(read_header_lines(self.fp))
        self._frame_body(status)

    def _read_interim_and_status(self) -> tuple[str, int, str]:
        """The first status line that is not 100 Continue (interim heads skipped)."""
        while True:  # ends: a server sends finitely many 100s before its answer
            version, status, reason = self._read_status()  # type: ignore[attr-defined]
            if status != http.client.CONTINUE:
                return version, status, reason
            read_header_lines(self.fp)

    def _frame_body(self, status: int) -> None:
        """Chunked or not, the length if known, and whether the connection ends."""
        encoding = self.headers.get("transfer-encoding")
        self.chunked = bool(encoding and encoding.lower() == "chunked")
        if self.chunked:
            self.chunk_left = None
        self.will_close = self._check_close()  # type: ignore[attr-defined]
        self.length = None
        length = self.headers.get("content-length")
        if length and not self.chunked:
            try:
                self.length = int(length)
            except ValueError:
                self.length = None
            else:
                if self.length < 0:  # a nonsensical negative length is ignored
                    self.length = None
        bodiless = status in (http.client.NO_CONTENT, http.client.NOT_MODIFIED)
        if bodiless or 100 <= status < 200 or self._method == "HEAD":  # type: ignore[attr-defined]
            self.length = 0
        if not self.will_close and not self.chunked and self.length is None:
            self.will_close = True  # no length, not chunked: the body ends with the connection
