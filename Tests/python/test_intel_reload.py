"""SIGHUP and `POST /admin/intel/reload`: the gateway reads its range lists again while it runs, keeps
serving, and keeps the intelligence in force when a new file cannot be read."""
import json
import signal
import time
import urllib.error
import urllib.request

import openai
import pytest

from conftest import ADMIN_TOKEN, Servers

CLEAN = "cidr,kind,provider\n192.0.2.0/24,vpn,ExampleVPN\n"
LOOPBACK_VPN = "cidr,kind,provider\n192.0.2.0/24,vpn,ExampleVPN\n127.0.0.0/8,vpn,ExampleVPN\n"


@pytest.fixture
def reloading(tmp_path):
    ranges = tmp_path / "ranges.csv"
    ranges.write_text(CLEAN)
    s = Servers(tmp_path, config_extra=f'intel: {{ip_ranges: ["{ranges}"]}}\n')
    # Card-tier accounts may not come through anonymisers.
    s.config.write_text(s.config.read_text().replace("    concurrent: 100\n", "    concurrent: 100\n    anonymizers: deny\n"))
    s.start()
    yield s, ranges
    s.stop()


def chat(s, key):
    client = openai.OpenAI(base_url=f"{s.base_url}/v1", api_key=key, max_retries=0)
    return client.chat.completions.create(
        model="stub-small", max_tokens=8, messages=[{"role": "user", "content": "hello"}])


def wait_until_refused(s, key, seconds=10):
    """The first refusal within `seconds` (a reload completes off the signal's thread)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            chat(s, key)
        except openai.PermissionDeniedError as error:
            return error
        time.sleep(0.05)
    pytest.fail(f"requests from 127.0.0.1 were still served {seconds} s after the reload")


def metric(s, name):
    with urllib.request.urlopen(f"http://127.0.0.1:{s.admin_port}/metrics", timeout=5) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return None


def admin_reload(s):
    request = urllib.request.Request(
        f"http://127.0.0.1:{s.admin_port}/admin/intel/reload", method="POST",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_sighup_reloads_the_range_lists_and_a_bad_file_changes_nothing(reloading):
    s, ranges = reloading
    gateway = s.processes[-1]
    key = s.create_key("acct_reload", "card")["secret"]
    assert chat(s, key).choices[0].message.content

    ranges.write_text(LOOPBACK_VPN)
    gateway.send_signal(signal.SIGHUP)
    refused = wait_until_refused(s, key)
    assert refused.status_code == 403
    assert "anonymizer_not_allowed" in str(refused.body) or "anonymi" in str(refused).lower()
    assert gateway.poll() is None, "SIGHUP ended the gateway"
    assert metric(s, "hydraguard_intel_reloads_total") == 1

    # A file that cannot be read: the gateway keeps running with the ranges in force.
    ranges.write_text(LOOPBACK_VPN + "198.51.100.0/24,hosting,X\n")
    gateway.send_signal(signal.SIGHUP)
    deadline = time.time() + 10
    while metric(s, "hydraguard_intel_reload_failures_total") != 1 and time.time() < deadline:
        time.sleep(0.05)
    assert metric(s, "hydraguard_intel_reload_failures_total") == 1
    assert gateway.poll() is None
    with pytest.raises(openai.PermissionDeniedError):
        chat(s, key)

    # The admin API names the file and line, then reloads a good file.
    status, body = admin_reload(s)
    assert status == 500
    assert f"{ranges}:4" in body["error"]
    ranges.write_text(CLEAN)
    status, body = admin_reload(s)
    assert (status, body["ranges"], body["files"]) == (200, 1, [str(ranges)])
    assert chat(s, key).choices[0].message.content
    assert metric(s, "hydraguard_intel_reloads_total") == 2

    # Both refusals and answers were recorded, and the gateway still stops cleanly.
    gateway.terminate()
    assert gateway.wait(timeout=30) == 0
