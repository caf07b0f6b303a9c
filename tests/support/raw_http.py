"""HTTP/1.1 on a bare socket, misbehaving on demand: the faults werkzeug will not make.

Used by the extractor's integration tests and by the end-to-end fault suite, so both test
one implementation. `faults[path]` is either a list consumed one request at a time (then
the path is served normally) or a single fault for every request:

* "reset": the connection is reset (RST) after the request is read;
* "truncate": Content-Length says the whole body, half of it is sent, the connection closed;
* "stall": the request is read, then nothing is ever sent;
* "stall_body": the headers and half of the body are sent, then nothing more;
* "trickle": the headers, then one byte of the body every `trickle_interval` seconds (less
  than a read timeout, so that only a total time budget can end it);
* "trickle_head": the status line, then the headers one byte every `trickle_interval`.

A stalled or trickling connection is held until the client closes it (or the server is
closed, or `stall_limit` passes); when the client closed it is recorded, so a test can tell
how long the client waited.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass

FAULTS = ("reset", "truncate", "stall", "stall_body", "trickle", "trickle_head")


@dataclass
class Seen:
    """One request as the server saw it."""

    path: str
    fault: str  # "ok" when served normally
    head: bytes  # request line and headers
    at: float  # time.monotonic() when the request was read
    closed_at: float | None = None  # for a stall: when the client gave up (closed)


class RawServer:
    """Serves `files` (path -> body) on 127.0.0.1; see the module docstring for `faults`."""

    def __init__(
        self, files: dict[str, bytes], *, stall_limit: float = 120.0, trickle_interval: float = 0.5
    ) -> None:
        self.files = files
        self.trickle_interval = trickle_interval
        self.faults: dict[str, list[str] | str] = {}
        self.seen: list[Seen] = []
        self._stall_limit = stall_limit  # a stalled connection is dropped after this anyway
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.05)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def paths(self) -> list[str]:
        return [s.path for s in self.seen]

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}{path}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _next_fault(self, path: str) -> str:
        with self._lock:
            pending = self.faults.get(path)
            if isinstance(pending, str):
                return pending
            return pending.pop(0) if pending else "ok"

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            path = head.split(b" ", 2)[1].decode()
            fault = self._next_fault(path)
            seen = Seen(path, fault, head.split(b"\r\n\r\n", 1)[0], time.monotonic())
            self.seen.append(seen)
            body = self.files.get(path)
            if body is None:
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                return
            headers = (
                f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            ).encode()
            if fault == "reset":  # linger 0: close() sends RST, not FIN
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif fault == "stall":
                self._hold(conn, seen)
            elif fault == "stall_body":
                conn.sendall(headers + body[: len(body) // 2])
                self._hold(conn, seen)
            elif fault == "trickle":
                conn.sendall(headers)
                self._hold(conn, seen, trickle=body)
            elif fault == "trickle_head":
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                self._hold(conn, seen, trickle=b"X-Slow: " + b"a" * 60_000 + b"\r\n")
            elif fault == "truncate":
                conn.sendall(headers + body[: len(body) // 2])
            else:
                conn.sendall(headers + body)

    def _hold(self, conn: socket.socket, seen: Seen, trickle: bytes = b"") -> None:
        """Send nothing more (or `trickle`, a byte at a time) until the client closes the
        connection; note when it did."""
        conn.settimeout(0.05)
        deadline = time.monotonic() + self._stall_limit
        next_byte = time.monotonic() + self.trickle_interval
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                if trickle and time.monotonic() >= next_byte:
                    conn.sendall(trickle[:1])
                    trickle, next_byte = trickle[1:], next_byte + self.trickle_interval
                if conn.recv(4096) == b"":
                    break
            except TimeoutError:
                continue
            except OSError:  # reset by the client
                break
        else:
            return
        seen.closed_at = time.monotonic()
