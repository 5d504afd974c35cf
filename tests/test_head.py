"""Reading an answer's head without the email package (pipeline/fetch/head.py).

http.client's own HTTPResponse is the oracle: for every raw answer below,
Answer must frame the body the same way (chunked, length, keep-alive), read
the same body and find the same header values.
"""

from __future__ import annotations

import http.client
import io

import pytest

from pipeline.fetch.head import Answer, Headers, parse_fields, read_header_lines


class RawSocket:
    """Just enough of a socket for HTTPResponse: makefile() over fixed bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(io.BytesIO(self.data))


ANSWERS = {
    "length": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/html\r\n\r\nhello",
    "chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n",
    "chunked wins over length": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n"
                                b"Content-Length: 99\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "no length: ends with the connection": b"HTTP/1.1 200 OK\r\n\r\nhello",
    "connection close": b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello",
    "HTTP/1.0 without keep-alive": b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    "HTTP/1.0 keep-alive": b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n"
                           b"Content-Length: 5\r\n\r\nhello",
    "304 has no body": b"HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n",
    "204 has no body": b"HTTP/1.1 204 No Content\r\n\r\n",
    "100 Continue first": b"HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n"
                          b"HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\ngone",
    "negative length": b"HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\nhello",
    "bad length": b"HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\nhello",
    "repeated field": b"HTTP/1.1 302 Found\r\nLocation: /a\r\nlocation: /b\r\n"
                      b"Content-Length: 0\r\n\r\n",
    "bare LF lines": b"HTTP/1.1 200 OK\nContent-Length: 5\n\nhello",
    "Latin-1 value": b"HTTP/1.1 301 Moved\r\nLocation: /caf\xe9\r\nContent-Length: 0\r\n\r\n",
    "odd spacing": b"HTTP/1.1 200 OK\r\nContent-Type:text/html  \r\nETag:   \"x\"\r\n"
                   b"Content-Length: 5\r\n\r\nhello",
}
NAMES = ("content-type", "content-length", "location", "etag", "transfer-encoding",
         "connection", "x-interim")


def read(kind: type[http.client.HTTPResponse], data: bytes) -> dict[str, object]:
    response = kind(RawSocket(data))  # type: ignore[arg-type]
    response.begin()
    framing = {"status": response.status, "reason": response.reason,
               "version": response.version, "chunked": response.chunked,
               "length": response.length, "will_close": response.will_close}
    values = {name: (response.headers.get(name) or "").rstrip() for name in NAMES}
    return {**framing, **values, "body": response.read()}


@pytest.mark.parametrize("data", ANSWERS.values(), ids=ANSWERS.keys())
def test_answer_reads_like_http_client(data: bytes) -> None:
    assert read(Answer, data) == read(http.client.HTTPResponse, data)


@pytest.mark.parametrize(
    ("lines", "fields"),
    [
        ([b"Content-Type: text/html\r\n"], [("Content-Type", "text/html")]),
        ([b"ETag:\"v1\"\r\n"], [("ETag", '"v1"')]),
        ([b"X-Long: one\r\n", b"  two\r\n", b"\tthree\r\n"], [("X-Long", "one two three")]),
        ([b"no colon here\r\n", b"Server: x\r\n"], [("Server", "x")]),
        ([b"Link: <a>\r\n", b"Link: <b>\r\n"], [("Link", "<a>"), ("Link", "<b>")]),
        ([b"Location: /caf\xe9\r\n"], [("Location", "/caf\xe9")]),
    ],
)
def test_header_lines_become_fields(lines: list[bytes], fields: list[tuple[str, str]]) -> None:
    assert parse_fields(lines).items() == fields


def test_a_field_is_found_in_any_case_first_value_first() -> None:
    headers = Headers([("Link", "<a>"), ("LINK", "<b>")])
    assert (headers.get("link"), headers.get("LiNk"), headers.get("etag")) == ("<a>", "<a>", None)
    assert headers.get_all("link") == ["<a>", "<b>"] and headers.get_all("etag") is None


def test_more_than_a_hundred_fields_are_refused() -> None:
    head = b"".join(f"X-{n}: v\r\n".encode() for n in range(101)) + b"\r\n"
    with pytest.raises(http.client.HTTPException, match="more than 100 headers"):
        read_header_lines(io.BytesIO(head))


def test_a_header_line_over_64_kib_is_refused() -> None:
    with pytest.raises(http.client.LineTooLong):
        read_header_lines(io.BytesIO(b"X-Huge: " + b"h" * 70_000 + b"\r\n\r\n"))


def test_an_unknown_protocol_is_refused() -> None:
    with pytest.raises(http.client.UnknownProtocol):
        Answer(RawSocket(b"HTTP/2.0 200 OK\r\n\r\n")).begin()  # type: ignore[arg-type]
