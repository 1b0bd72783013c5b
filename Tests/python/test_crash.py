"""A crash of the gateway loses no record of an answered request, and records none twice."""
import sqlite3
import threading
import time

import openai
import pytest

from conftest import Servers


@pytest.fixture
def crash_servers(tmp_path):
    # Commits far apart: everything answered before the kill is in the journal only.
    s = Servers(tmp_path, records_extra=", commit_interval_ms: 600000")
    s.start()
    yield s
    s.stop()


def test_answered_requests_survive_a_kill(crash_servers):
    s = crash_servers
    key = s.create_key("py_crash", "card")["secret"]
    answered, lock, stop = [], threading.Lock(), threading.Event()

    def client_loop():
        client = openai.OpenAI(api_key=key, base_url=s.base_url + "/v1", max_retries=0, timeout=5)
        while not stop.is_set():
            try:
                raw = client.chat.completions.with_raw_response.create(
                    model="stub-small", max_tokens=8, messages=[{"role": "user", "content": "count to three"}])
            except openai.APIError:
                return  # the gateway is gone
            with lock:
                answered.append(raw.headers["x-request-id"])

    threads = [threading.Thread(target=client_loop) for _ in range(6)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    s.processes[-1].kill()  # SIGKILL mid-traffic: no shutdown, no final commit
    stop.set()
    for t in threads:
        t.join(timeout=10)
    assert len(answered) > 50

    def recorded():
        with sqlite3.connect(s.tmp / "hg.sqlite") as db:
            return [r[0] for r in db.execute("SELECT request_id FROM usage_events WHERE account_id = 'py_crash'")]

    assert recorded() == []  # not in the store yet: in the journal only
    s.start_gateway()  # commits what the journal holds before it serves
    rows = recorded()
    assert set(answered) <= set(rows), f"{len(set(answered) - set(rows))} answered requests lost"
    assert len(rows) == len(set(rows)), "a record was committed twice"
