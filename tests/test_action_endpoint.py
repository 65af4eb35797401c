"""The action server's connection fails now and then (busy, restarting): the
call is retried, and if it still fails the person gets an apology in their
language instead of silence. Real sockets on loopback, no mocks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from bot.engine import Assistant, RetryingEndpoint, speed_up_rasa

BODY = b'{"events": [], "responses": []}'
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(BODY), BODY))


class FlakyServer:
    """Drops the first ``drops`` connections without a word, then answers with JSON."""

    def __init__(self, drops: int) -> None:
        self.drops = drops
        self.connections = 0
        self.server: asyncio.AbstractServer | None = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        if self.connections > self.drops:
            head = (await reader.readuntil(b"\r\n\r\n")).decode().lower()
            length = next(int(line.split(":")[1]) for line in head.splitlines() if line.startswith("content-length:"))
            await reader.readexactly(length)  # the whole request, or closing would reset the connection
            writer.write(RESPONSE)
            await writer.drain()
        writer.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/webhook"


@contextlib.asynccontextmanager
async def flaky(drops: int) -> AsyncIterator[FlakyServer]:
    server = FlakyServer(drops)
    server.server = await asyncio.start_server(server._serve, "127.0.0.1", 0)
    try:
        yield server
    finally:
        server.server.close()
        await server.server.wait_closed()


async def test_a_dropped_connection_to_the_action_server_is_tried_again() -> None:
    async with flaky(drops=2) as server:
        answer = await RetryingEndpoint(url=server.url).request(json={"next_action": "action_answer_recognition"})
    assert answer == {"events": [], "responses": []}
    assert server.connections == 3


async def test_an_action_server_that_keeps_failing_gives_up_after_three_attempts() -> None:
    async with flaky(drops=10) as server:
        with pytest.raises(Exception, match="[Dd]isconnect|[Cc]onnect|closing"):
            await RetryingEndpoint(url=server.url).request(json={})
    assert server.connections == RetryingEndpoint.attempts


async def test_when_an_action_fails_the_person_gets_an_apology_in_their_language(assistant: Assistant) -> None:
    user = "test-action-endpoint"
    assistant.set_language(user, "pl", chosen=True)
    await assistant.handle(user, "gdzie jest etablerertjeneste")  # asks for the municipality
    agent = assistant.agent
    working = agent.processor.action_endpoint  # type: ignore[union-attr]
    async with flaky(drops=100) as server:
        broken = RetryingEndpoint(url=server.url)
        agent.action_endpoint = agent.processor.action_endpoint = broken  # type: ignore[union-attr]
        try:
            replies = await assistant.handle(user, "Fredrikstad")  # answered by a custom action
        finally:
            agent.action_endpoint = agent.processor.action_endpoint = working  # type: ignore[union-attr]
    assert server.connections >= RetryingEndpoint.attempts
    assert [r.text for r in replies] == [assistant.render("utter_error", "pl").text]
    assert "Przepraszam" in replies[0].text


ANSWERS = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "municipality_code", "value": "3107"}], "responses": [{"text": "Hei"}]},
    {"events": "none"},
    {"events": [{"event": "slot", "timestamp": "yesterday"}]},
    {"responses": ["a bare string"]},
    [],
]


@pytest.mark.parametrize("answer", ANSWERS)
def test_an_action_servers_answer_is_checked_exactly_as_rasa_checks_it(answer: object) -> None:
    import jsonschema
    from rasa.core.actions.action import RemoteAction

    speed_up_rasa()  # the check compiled once instead of on every answer
    try:
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())  # Rasa 3.6's own call
        rasa_error = None
    except jsonschema.ValidationError as error:
        rasa_error = error.message
    action = RemoteAction("action_answer_recognition", None)
    if rasa_error is None:
        assert action._validate_action_result(answer) is True  # type: ignore[arg-type]
    else:
        with pytest.raises(jsonschema.ValidationError) as raised:
            action._validate_action_result(answer)  # type: ignore[arg-type]
        assert raised.value.message.startswith(rasa_error)
