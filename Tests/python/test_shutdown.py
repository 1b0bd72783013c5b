"""SIGTERM: streams in flight finish within `shutdown_timeout_ms`, or are cut in their API's format and
recorded; then the gateway exits."""
import sqlite3
import threading
import time

import anthropic
import openai
import pytest

from conftest import Servers


def servers(tmp_path, event_delay_ms, shutdown_timeout_ms):
    s = Servers(tmp_path, stub_args=["--event-delay-ms", str(event_delay_ms)],
                config_extra=f"shutdown_timeout_ms: {shutdown_timeout_ms}\n")
    s.start()
    return s


def records(s, account):
    with sqlite3.connect(s.tmp / "hg.sqlite") as db:
        return db.execute(
            "SELECT status, output_tokens, stream FROM usage_events WHERE account_id = ?", (account,)).fetchall()


def stream_in_thread(start):
    """Runs `start()` (which iterates a stream) in a thread; returns (thread, result dict, first-event flag)."""
    result, first = {}, threading.Event()

    def run():
        try:
            result["text"] = start(first)
        except Exception as error:  # what the SDK raised
            result["error"] = error
        result["ended"] = time.time()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result, first


def openai_stream(key, base_url):
    def start(first):
        client = openai.OpenAI(api_key=key, base_url=base_url + "/v1", max_retries=0, timeout=30)
        text = ""
        for chunk in client.chat.completions.create(
                model="stub-small", max_tokens=32, stream=True, messages=[{"role": "user", "content": "count"}]):
            first.set()
            if chunk.choices and chunk.choices[0].delta.content:
                text += chunk.choices[0].delta.content
        return text
    return start


def anthropic_stream(key, base_url):
    def start(first):
        client = anthropic.Anthropic(api_key=key, base_url=base_url, max_retries=0, timeout=30)
        with client.messages.stream(
                model="stub-small", max_tokens=32, messages=[{"role": "user", "content": "count"}]) as stream:
            text = ""
            for piece in stream.text_stream:
                first.set()
                text += piece
        return text
    return start


def test_a_stream_in_flight_finishes_before_the_gateway_exits(tmp_path):
    # About 25 events 100 ms apart: 2.5 s, well within the 20 s allowed.
    s = servers(tmp_path, event_delay_ms=100, shutdown_timeout_ms=20000)
    try:
        key = s.create_key("py_drain", "card")["secret"]
        thread, result, first = stream_in_thread(openai_stream(key, s.base_url))
        assert first.wait(10)
        gateway = s.processes[-1]
        gateway.terminate()
        thread.join(20)
        assert "error" not in result, result.get("error")
        assert len(result["text"].split()) >= 10
        gateway.wait(10)  # exits once the stream is done
        assert gateway.returncode == 0
        [(status, output_tokens, stream)] = records(s, "py_drain")
        assert (status, stream) == (200, 1)
        assert output_tokens >= 10
    finally:
        s.stop()


@pytest.mark.parametrize("sdk", ["openai", "anthropic"])
def test_a_stream_past_the_deadline_is_cut_with_an_error_and_recorded(tmp_path, sdk):
    # About 25 events 400 ms apart: 10 s, far past the 500 ms allowed.
    s = servers(tmp_path, event_delay_ms=400, shutdown_timeout_ms=500)
    try:
        account = f"py_cut_{sdk}"
        key = s.create_key(account, "card")["secret"]
        start = openai_stream if sdk == "openai" else anthropic_stream
        thread, result, first = stream_in_thread(start(key, s.base_url))
        assert first.wait(10)
        gateway = s.processes[-1]
        signalled = time.time()
        gateway.terminate()
        thread.join(20)
        # The SDK raises rather than taking the cut answer for a whole one.
        error = result.get("error")
        assert isinstance(error, (openai.APIError, anthropic.APIError)), repr(error)
        assert "shutting down" in str(error)
        assert result["ended"] - signalled < 5
        gateway.wait(10)
        assert gateway.returncode == 0
        [(status, output_tokens, stream)] = records(s, account)
        assert (status, stream) == (200, 1)
        assert 1 <= output_tokens < 20  # what was sent before the cut
    finally:
        s.stop()
