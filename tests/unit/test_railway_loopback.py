"""The providers through the real urllib transport against a loopback HTTP server that answers as the
fake Railway (schema-checked) and injects faults on the wire: a connection reset before Railway saw the
request, and a connection closed without an answer after Railway acted (a lost response)."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from components.targets.railway.client import Response, TransportError, urllib_transport
from tests.unit.railway_world import RailwayWorld, Stack


class Cut(Exception):
    """The server closes the connection without answering."""


class _Handler(BaseHTTPRequestHandler):
    world: RailwayWorld

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            answer = self.world(self.path, body, dict(self.headers))
        except ConnectionResetError:  # RST instead of FIN: the client sees "connection reset by peer"
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        except Cut:
            self.close_connection = True
            return
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, *_args) -> None:
        return None


@pytest.fixture
def loopback() -> Iterator[tuple[RailwayWorld, Stack]]:
    world = RailwayWorld()
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Handler,), {"world": world}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/graphql/v2"

    def transport(_endpoint: str, body: bytes, headers: Mapping[str, str]) -> Response:
        return urllib_transport(url, body, headers, timeout=10)

    try:
        yield world, Stack(world, transport=transport)
    finally:
        server.shutdown()
        server.server_close()


def test_a_reset_connection_on_a_lookup_is_retried_over_real_http(loopback):
    world, stack = loopback
    world.inject("Services", ConnectionResetError(104, "reset"), times=2)
    stack.up()
    assert world.operations().count("Services") == 3 and world.slept[:2] == [1.0, 2.0]  # then the deploy's polls
    assert [s["name"] for s in world.services.values()] == ["grafana"]


def test_a_service_create_whose_response_was_lost_on_the_wire_is_found_and_owned(loopback):
    world, stack = loopback
    world.inject("ServiceCreate", Cut(), after=True)  # Railway made it; the connection closed unanswered
    stack.up()
    assert world.operations().count("ServiceCreate") == 1 and len(world.services) == 1
    assert stack.outs("service")["adopted"] is False
    stack.destroy()
    assert world.services == {} and world.volumes == {}


def test_the_urllib_transport_turns_a_dropped_connection_into_a_transport_error(loopback):
    world, stack = loopback
    world.inject("Projects", Cut())
    with pytest.raises(TransportError):
        stack.transport("ignored", b'{"query": "query Projects { projects { edges { node { id } } } }", '
                                   b'"variables": {}}', {"Content-Type": "application/json"})
