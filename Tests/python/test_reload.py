"""SIGHUP and `POST /admin/reload`: the gateway reads its config and range lists again while it runs and
keeps serving; a file that cannot be used, or a change that takes a restart, leaves everything as it was."""
import json
import signal
import time
import urllib.error
import urllib.request

import openai
import pytest

from conftest import ADMIN_TOKEN, Servers, eventually

CLEAN = "cidr,kind,provider\n192.0.2.0/24,vpn,ExampleVPN\n"
LOOPBACK_VPN = CLEAN + "127.0.0.0/8,vpn,ExampleVPN\n"
CARD = "    concurrent: 100\n"


@pytest.fixture
def reloading(tmp_path):
    ranges = tmp_path / "ranges.csv"
    ranges.write_text(LOOPBACK_VPN)
    s = Servers(tmp_path, config_extra=f'intel: {{ip_ranges: ["{ranges}"]}}\n')
    s.start()
    yield s, ranges
    s.stop()


def chat(s, key):
    client = openai.OpenAI(base_url=f"{s.base_url}/v1", api_key=key, max_retries=0)
    return client.chat.completions.create(
        model="stub-small", max_tokens=8, messages=[{"role": "user", "content": "hello"}])


def served(s, key):
    try:
        return bool(chat(s, key).choices[0].message.content)
    except openai.PermissionDeniedError as error:
        assert error.status_code == 403 and "anonymizer_not_allowed" in str(error.body), error
        return False


def metric(s, name):
    with urllib.request.urlopen(f"http://127.0.0.1:{s.admin_port}/metrics", timeout=5) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return None


def admin_reload(s):
    request = urllib.request.Request(
        f"http://127.0.0.1:{s.admin_port}/admin/reload", method="POST",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_sighup_reloads_the_config_and_range_lists_and_a_bad_file_changes_nothing(reloading):
    s, ranges = reloading
    gateway = s.processes[-1]
    key = s.create_key("acct_reload", "card")["secret"]
    assert served(s, key)  # 127.0.0.1 is listed as a VPN, and the card tier lets VPNs through

    # The config: the card tier now refuses anonymisers.
    original = s.config.read_text()
    s.config.write_text(original.replace(CARD, CARD + "    anonymizers: deny\n"))
    gateway.send_signal(signal.SIGHUP)
    eventually(lambda: not served(s, key), "refused from a VPN after the config's reload")
    assert gateway.poll() is None, "SIGHUP ended the gateway"
    assert metric(s, "hydraguard_reloads_total") == 1

    # The range list: loopback is no longer a VPN.
    ranges.write_text(CLEAN)
    gateway.send_signal(signal.SIGHUP)
    eventually(lambda: served(s, key), "served after the range list's reload")
    assert metric(s, "hydraguard_reloads_total") == 2

    # A range list that cannot be read: the gateway keeps running with the ranges in force.
    ranges.write_text(CLEAN + "198.51.100.0/24,hosting,X\n")
    gateway.send_signal(signal.SIGHUP)
    eventually(lambda: metric(s, "hydraguard_reload_failures_total") == 1, "the failed reload counted")
    assert gateway.poll() is None
    assert served(s, key)

    # The admin API names the file and line.
    status, body = admin_reload(s)
    assert status == 422
    assert f"{ranges}:3" in body["error"]
    ranges.write_text(CLEAN)

    # A change that takes a restart is refused, naming the key; then the file is put back.
    with_restart = s.config.read_text().replace(f"port: {s.port}}}", f"port: {s.port + 1}}}")
    assert with_restart != s.config.read_text()
    s.config.write_text(with_restart)
    status, body = admin_reload(s)
    assert status == 409
    assert "listen changed; it takes a restart" in body["error"]
    assert served(s, key)
    s.config.write_text(original)
    status, body = admin_reload(s)
    assert (status, body["changed"], body["intel_files"], body["ranges"]) == (200, ["tiers"], [str(ranges)], 1)
    assert body["config"] == str(s.config)
    assert served(s, key)

    gateway.terminate()
    assert gateway.wait(timeout=30) == 0


def test_check_names_what_a_start_or_reload_would_refuse(tmp_path):
    import subprocess
    ranges = tmp_path / "ranges.csv"
    ranges.write_text(LOOPBACK_VPN)
    s = Servers(tmp_path, config_extra=f'intel: {{ip_ranges: ["{ranges}"]}}\n')

    def check():
        return subprocess.run([s.bin, "gateway", "--config", str(s.config), "--check"],
                              env=s.env, capture_output=True, text=True, timeout=60)

    ok = check()
    assert ok.returncode == 0, ok.stderr
    assert f"{s.config}: ok:" in ok.stdout and "intel 1 files, 2 ranges" in ok.stdout
    assert not (tmp_path / "hg.sqlite").exists()  # the store is not opened

    ranges.write_text(CLEAN + "198.51.100.0/24,hosting,X\n")
    bad_ranges = check()
    assert bad_ranges.returncode != 0
    assert f"{ranges}:3" in bad_ranges.stderr

    ranges.write_text(CLEAN)
    s.config.write_text(s.config.read_text().replace("requests_per_minute: 60", "requests_per_minute: sixty"))
    bad_config = check()
    assert bad_config.returncode != 0
    assert "tiers.email.requests_per_minute" in bad_config.stderr and f"{s.config}:" in bad_config.stderr


def test_reloads_under_load_drop_no_request(reloading):
    import threading
    s, ranges = reloading
    gateway = s.processes[-1]
    key = s.create_key("acct_load", "card")["secret"]
    body = json.dumps({"model": "stub-small", "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]}).encode()
    statuses, errors, stop = [], [], threading.Event()

    def client():
        while not stop.is_set():
            request = urllib.request.Request(
                f"{s.base_url}/v1/chat/completions", data=body, method="POST",
                headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
            except OSError as error:  # a dropped connection
                errors.append(error)

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    for _ in range(10):
        time.sleep(0.2)
        gateway.send_signal(signal.SIGHUP)
    eventually(lambda: metric(s, "hydraguard_reloads_total") == 10, "ten reloads counted")
    stop.set()
    for t in threads:
        t.join()
    assert errors == []
    assert len(statuses) > 100 and set(statuses) == {200}, (len(statuses), set(statuses))
    assert gateway.poll() is None
