"""Starts the upstream stub and the gateway (built binaries) on free loopback ports for the SDK tests."""
import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "test-admin-token"


def binary():
    path = Path(os.environ.get("HYDRAGUARD_BIN", ROOT / ".build" / "debug" / "hydraguard"))
    if not path.exists():
        pytest.fail(f"{path} not found: run `swift build` first or set HYDRAGUARD_BIN")
    return str(path)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, process, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # answering
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up within {seconds} s")


def eventually(condition, what, seconds=10):
    """Waits for `condition()`: for what the gateway does off the caller's thread (a reload, a commit)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"not within {seconds} s: {what}")


CONFIG = """
listen: {{host: 127.0.0.1, port: {port}}}
admin: {{host: 127.0.0.1, port: {admin_port}, token_env: HG_TEST_ADMIN_TOKEN}}
upstream: {{url: "http://127.0.0.1:{stub_port}", timeout_ms: {timeout_ms}}}
store: {{path: "{store}", key_hash_secret_env: HG_TEST_KEY_SECRET}}
records: {{jsonl_directory: "{records}"{records_extra}}}
verdicts: {{degrade_max_output_tokens: 4}}
tiers:
  free:
    requests_per_minute: 2
    models: ["stub-small"]
    visible_reasoning: false
    max_output_tokens: 32
  email:
    requests_per_minute: 60
  card:
    requests_per_minute: 10000
    concurrent: 100
"""


class Servers:
    def __init__(self, tmp, stub_args=(), timeout_ms=10000, records_extra="", config_extra=""):
        self.tmp = tmp
        self.stub_args = list(stub_args)
        self.bin = binary()
        self.port, self.admin_port, self.stub_port = free_port(), free_port(), free_port()
        self.config = tmp / "hydraguard.yaml"
        self.config.write_text(CONFIG.format(
            port=self.port, admin_port=self.admin_port, stub_port=self.stub_port,
            store=tmp / "hg.sqlite", records=tmp / "records", timeout_ms=timeout_ms, records_extra=records_extra)
            + config_extra)
        self.env = dict(os.environ, HG_TEST_ADMIN_TOKEN=ADMIN_TOKEN, HG_TEST_KEY_SECRET="python-tests")
        self.processes = []

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        stub = subprocess.Popen(
            [self.bin, "upstream-stub", "--port", str(self.stub_port)] + self.stub_args, env=self.env)
        self.processes.append(stub)
        wait_for(f"http://127.0.0.1:{self.stub_port}/v1/models", stub)
        self.start_gateway()

    def start_gateway(self):
        """Starts the gateway (again, after a crash, on the same store); returns its process."""
        gateway = subprocess.Popen(
            [self.bin, "gateway", "--config", str(self.config), "--log-level", "warning"], env=self.env)
        self.processes.append(gateway)
        wait_for(f"{self.base_url}/healthz", gateway)
        return gateway

    def stop(self):
        for p in reversed(self.processes):
            if p.poll() is not None:
                continue
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()

    def create_key(self, account, tier):
        out = subprocess.run(
            [self.bin, "keys", "create", "--config", str(self.config), "--account", account, "--tier", tier],
            env=self.env, check=True, capture_output=True, text=True).stdout
        return json.loads(out)

    def admin(self, method, path, body=None):
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.admin_port}{path}", method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    s = Servers(tmp_path_factory.mktemp("gateway"))
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def stalling_servers(tmp_path_factory):
    """A gateway with a 300 ms upstream timeout in front of a stub that waits 1.5 s between stream events."""
    s = Servers(tmp_path_factory.mktemp("stalling"), stub_args=["--event-delay-ms", "1500"], timeout_ms=300)
    s.start()
    yield s
    s.stop()
