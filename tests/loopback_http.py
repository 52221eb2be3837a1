"""A real HTTP server on 127.0.0.1 for the fetch tests: routes serve real files with an ETag
(and 304 on a match), a 500 before succeeding, a slow answer, a body over a cap, or any bytes;
every other path is a 404. Every request is recorded."""

import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Route:
    body: bytes
    content_type: str = "application/octet-stream"
    etag: str | None = None
    fail_first: int = 0  # answer 500 to this many requests before succeeding
    delay: float = 0.0  # seconds before answering
    served: int = 0

    @classmethod
    def of_bytes(cls, body: bytes, content_type: str, etag: bool = True, **kwargs) -> "Route":
        return cls(
            body, content_type, f'"{hashlib.sha256(body).hexdigest()[:16]}"' if etag else None, **kwargs
        )

    @classmethod
    def of_file(cls, path: Path, content_type: str, etag: bool = True, **kwargs) -> "Route":
        return cls.of_bytes(path.read_bytes(), content_type, etag, **kwargs)


@dataclass
class LoopbackServer:
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict]] = field(default_factory=list)

    def __enter__(self) -> "LoopbackServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
                if route is None:
                    return self._answer(404, b"<html><body>Not Found</body></html>", "text/html")
                route.served += 1
                if route.delay:
                    time.sleep(route.delay)
                if route.served <= route.fail_first:
                    return self._answer(500, b"Internal Server Error", "text/plain")
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    return self._answer(304, b"", None, route.etag)
                return self._answer(200, route.body, route.content_type, route.etag)

            def _answer(self, status, body, content_type, etag=None):
                try:
                    self.send_response(status)
                    if content_type:
                        self.send_header("Content-Type", content_type)
                    if etag:
                        self.send_header("ETag", etag)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def paths_requested(self) -> list[str]:
        return [path for path, _ in self.requests]

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
