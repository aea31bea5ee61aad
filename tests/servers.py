"""An HTTP server on 127.0.0.1 for tests of what the portal sends and reads: it records each
request and answers as the test says, and the test can change the answer at any time."""

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


class LocalServer:
    def __init__(self, reply: Reply | None = None):
        self.reply = reply or Reply()
        self.received: list[tuple[str, dict, bytes]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                server.received.append((self.command, dict(self.headers), self.rfile.read(length)))
                reply = server.reply
                time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in {"Content-Type": "text/html", **reply.headers}.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the portal hung up on a reply too slow or too large: as tested

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class DripServer:
    """A TCP server answering every connection with ``answer`` one byte at a time, ``every``
    seconds apart, whatever was asked: a peer that never pauses long enough for a read
    timeout, yet would hold a reader for hours."""

    def __init__(self, answer: bytes, every: float):
        self.answer, self.every = answer, every
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._drip, args=(connection,), daemon=True).start()

    def _drip(self, connection):
        with connection:
            for byte in self.answer:
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return  # the reader hung up: as tested
                time.sleep(self.every)

    def close(self):
        self.listener.close()
