"""The upload form, read the way the API's own server reads it.

Starlette's `request.form()` answers 400 for anything it dislikes (too many fields,
a missing boundary, a broken body), a status the API never gives. Here the form is
parsed with Starlette's parser, keeping only what the route uses: the one `file`
part and the named text fields. Unknown text fields are skipped without being
kept in memory; a second `file` part, a header past the limit or a body the parser
cannot read is a 422 on `["body", "file"]`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import parse_options_header
from starlette.datastructures import FormData
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect, Request

from service.errors import ValidationFailed, invalid

FILE = "file"


class _UploadParser(MultiPartParser):
    """One `file` part, the `wanted` text fields, nothing else kept.

    Only the parser callbacks (python-multipart's, which Starlette's parser
    implements) are extended; what this needs of the part being read (its header
    so far, its Content-Disposition, the file parts passed on) is kept here, not
    read from the parser's private fields.
    """

    def __init__(self, request: Request, stream: AsyncGenerator[bytes, None],
                 wanted: frozenset[str], max_part_size: int, max_header_size: int) -> None:
        super().__init__(request.headers, stream, max_files=1, max_fields=float("inf"),
                         max_part_size=max_part_size)
        self.wanted = wanted
        self.max_header_size = max_header_size
        self._skipping = False
        self._header_name = b""  # the part header being read
        self._header_value = b""
        self._disposition: bytes | None = None  # the part's Content-Disposition
        self._file_parts = 0  # parts with a filename passed on to Starlette's parser

    def on_part_begin(self) -> None:
        super().on_part_begin()
        self._skipping = False
        self._disposition = None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._check_header(end - start)
        self._header_name += data[start:end]
        super().on_header_field(data, start, end)

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._check_header(end - start)
        self._header_value += data[start:end]
        super().on_header_value(data, start, end)

    def on_header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""
        super().on_header_end()

    def _check_header(self, more: int) -> None:
        size = len(self._header_name) + len(self._header_value) + more
        if size > self.max_header_size:
            raise MultiPartException(
                f"A part header is longer than {self.max_header_size} bytes.")

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = options.get(b"name", b"").decode("latin-1")
        if name != FILE and name not in self.wanted:
            self._skipping = True  # an unknown field, text or file: read past it
            return
        if name == FILE and b"filename" in options and self._file_parts:
            raise MultiPartException("Only one file may be uploaded, in the part `file`.")
        super().on_headers_finished()
        if b"filename" in options:
            self._file_parts += 1

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if not self._skipping:
            super().on_part_data(data, start, end)

    def on_part_end(self) -> None:
        if not self._skipping:
            super().on_part_end()


def _malformed(message: str) -> ValidationFailed:
    return ValidationFailed([invalid(("body", FILE), f"Malformed multipart body: {message}",
                                     "value_error")])


async def read_upload(request: Request, wanted: frozenset[str], *, max_part_size: int,
                      max_header_size: int) -> FormData:
    """The form with at most one `file` part; raises ValidationFailed (422) for a bad body."""
    content_type, params = parse_options_header(request.headers.get("content-type"))
    if content_type != b"multipart/form-data":
        raise ValidationFailed([invalid(("body", FILE), "Field required (the body must be "
                                        "multipart/form-data)", "missing")])
    if b"boundary" not in params:
        raise _malformed("the Content-Type has no boundary")
    parser = _UploadParser(request, request.stream(), wanted, max_part_size, max_header_size)
    try:
        return await parser.parse()
    except MultiPartException as exc:
        raise _malformed(exc.message) from None
    except (MultipartParseError, ClientDisconnect, UnicodeDecodeError) as exc:
        raise _malformed(str(exc) or type(exc).__name__) from None
