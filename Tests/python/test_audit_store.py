"""`hydraguard audit --store`: the audit reads the gateway's own store while the gateway runs (its records
and accounts), over a window (`--since`), again and again (`--every`), and applies its verdicts there."""
import json
import subprocess
import time

import openai
import pytest

from conftest import ADMIN_TOKEN, Servers, eventually


@pytest.fixture
def gateway(tmp_path):
    s = Servers(tmp_path)
    s.start()
    yield s
    s.stop()


def chat(s, key, text):
    client = openai.OpenAI(base_url=f"{s.base_url}/v1", api_key=key, max_retries=0)
    return client.chat.completions.create(
        model="stub-small", max_tokens=8, messages=[{"role": "user", "content": text}])


def audit(s, *args):
    return subprocess.run(
        [s.bin, "audit", *args], env=s.env, capture_output=True, text=True, timeout=120)


def store_count(s):
    """The records committed to the store (the admin API reads the store)."""
    return len(s.admin("GET", "/admin/usage?limit=1000")["events"])


def test_audit_reads_the_running_gateways_records_and_accounts(gateway, tmp_path):
    s = gateway
    card = s.create_key("acct_card", "card")["secret"]
    email = s.create_key("acct_email", "email")["secret"]
    for i in range(5):
        chat(s, card, f"question {i} about gardening")
    for i in range(3):
        chat(s, email, f"question {i} about cooking")
    with pytest.raises(openai.AuthenticationError):
        chat(s, "hg_nokey_wrongsecret", "hello")
    eventually(lambda: store_count(s) == 9, "nine records committed")

    store = str(tmp_path / "hg.sqlite")
    out = tmp_path / "findings.json"
    dump = tmp_path / "accounts.jsonl"
    done = audit(s, "--store", store, "--since", "1h", "--out", str(out), "--dump-accounts", str(dump))
    assert done.returncode == 0, done.stderr
    # Nine records; the one without an account is counted and not judged.
    assert "audited 9 events of 2 accounts" in done.stdout, done.stdout
    judged = {line["account_id"]: line for line in map(json.loads, dump.read_text().splitlines())}
    assert set(judged) == {"acct_card", "acct_email"}
    assert judged["acct_card"]["requests"] == 5 and judged["acct_email"]["requests"] == 3
    findings = json.loads(out.read_text())
    assert findings["version"] == 1 and findings["accounts"] == []

    # A window that starts after every record reads none; one given as an RFC 3339 time before them all.
    later = audit(s, "--store", store, "--since", "2099-01-01T00:00:00Z", "--out", str(out))
    assert later.returncode == 0 and "audited 0 events of 0 accounts" in later.stdout, later.stdout + later.stderr
    earlier = audit(s, "--store", store, "--since", "2020-01-01T00:00:00Z", "--out", str(out))
    assert "audited 9 events of 2 accounts" in earlier.stdout, earlier.stdout

    # The audit of the store and that of the gateway's own JSON Lines records (published at shutdown), with
    # the store's accounts written as an accounts file, judge the same.
    s.stop()
    accounts = tmp_path / "accounts-file.jsonl"
    accounts.write_text(
        '{"account_id":"acct_card","created_at":"2026-01-01T00:00:00Z","tier":"card"}\n'
        '{"account_id":"acct_email","created_at":"2026-01-01T00:00:00Z","tier":"email"}\n')
    files_dump = tmp_path / "files.jsonl"
    from_files = audit(
        s, "--events", str(tmp_path / "records"), "--accounts", str(accounts), "--out", str(tmp_path / "f2.json"),
        "--dump-accounts", str(files_dump))
    assert from_files.returncode == 0, from_files.stderr
    assert "audited 9 events of 2 accounts" in from_files.stdout, from_files.stdout
    by_file = {line["account_id"]: line for line in map(json.loads, files_dump.read_text().splitlines())}
    for account in judged:
        for field in ("requests", "risk", "verdict", "signals", "countries", "keys"):
            assert by_file[account][field] == judged[account][field], (account, field)


def test_every_audits_again_with_new_records_and_applies_verdicts(gateway, tmp_path):
    s = gateway
    key = s.create_key("acct_live", "card")["secret"]
    s.create_key("acct_flagged", "card")
    # A person's verdict: the audit never weakens it.
    s.admin("PUT", "/admin/verdicts/acct_flagged", {"verdict": "block", "reason": "manual"})
    chat(s, key, "first")
    eventually(lambda: store_count(s) == 1, "first record committed")
    store = str(tmp_path / "hg.sqlite")
    out = tmp_path / "findings.json"
    metrics_file = tmp_path / "audit.prom"
    looping = subprocess.Popen(
        [s.bin, "audit", "--store", store, "--since", "1h", "--every", "1s", "--out", str(out), "--apply", store,
         "--metrics-file", str(metrics_file), "--quiet"],
        env=s.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The first audit has written its findings before the next records arrive.
        eventually(lambda: out.exists(), "the first audit's findings", seconds=30)
        for i in range(4):
            chat(s, key, f"more {i}")
        eventually(lambda: store_count(s) == 5, "five records committed")
        time.sleep(2.5)
    finally:
        looping.terminate()
        stdout, stderr = looping.communicate(timeout=10)
    audits = [line for line in stdout.splitlines() if line.startswith("audited ")]
    assert len(audits) >= 2, stdout + stderr
    assert audits[0].startswith("audited 1 events of 1 accounts"), audits
    assert audits[-1].startswith("audited 5 events of 1 accounts"), audits
    assert stderr.count("applied verdicts to") == len(audits), stderr
    assert json.loads(out.read_text())["version"] == 1
    verdict = s.admin("GET", "/admin/accounts/acct_flagged")["verdict"]
    assert verdict["verdict"] == "block" and verdict["source"] == "admin"
    # The metrics file (Prometheus text) says what the loop did, for an alert on a stalled audit.
    metrics = prometheus(metrics_file)
    assert metrics["hydraguard_audit_runs_total"] == len(audits)
    assert metrics["hydraguard_audit_failures_total"] == 0
    assert metrics["hydraguard_audit_events"] == 5
    assert metrics['hydraguard_audit_accounts{verdict="allow"}'] == 1
    assert metrics['hydraguard_audit_accounts{verdict="block"}'] == 0
    assert abs(metrics["hydraguard_audit_last_success_timestamp_seconds"] - time.time()) < 30
    # A failed audit is counted too, and the command still exits 1.
    failing = tmp_path / "failing.prom"
    r = audit(s, "--store", str(tmp_path / "gone.sqlite"), "--out", str(out), "--metrics-file", str(failing))
    assert r.returncode == 1, r.stderr
    assert prometheus(failing)["hydraguard_audit_failures_total"] == 1
    assert prometheus(failing)["hydraguard_audit_runs_total"] == 0


def prometheus(path):
    """The samples of a Prometheus text file, by name with labels."""
    samples = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


def test_bad_store_arguments_are_named_and_create_nothing(gateway, tmp_path):
    s = gateway
    missing = tmp_path / "no-such.sqlite"
    r = audit(s, "--store", str(missing), "--out", str(tmp_path / "f.json"))
    assert r.returncode == 1 and "no-such.sqlite: no such store" in r.stderr, r.stderr
    assert not missing.exists() and not (tmp_path / "f.json").exists()
    r = audit(s, "--store", str(tmp_path / "hg.sqlite"), "--since", "seven days", "--out", str(tmp_path / "f.json"))
    assert r.returncode == 64 and "--since: 'seven days'" in r.stderr, r.stderr
    r = audit(s, "--events", "x.jsonl", "--accounts", "a.jsonl", "--every", "5m", "--out", str(tmp_path / "f.json"))
    assert r.returncode == 64 and "--every needs --store" in r.stderr, r.stderr
    r = audit(s, "--store", str(tmp_path / "hg.sqlite"), "--events", "x.jsonl", "--out", str(tmp_path / "f.json"))
    assert r.returncode == 64 and "one source of events" in r.stderr, r.stderr
    r = audit(s, "--events", "x.jsonl", "--accounts", "a.jsonl", "--out", str(tmp_path / "f.json"), "--apply",
              str(missing))
    assert r.returncode == 1 and not missing.exists()


def test_a_trusted_proxys_tls_fingerprint_reaches_the_store_and_the_records(tmp_path):
    s = Servers(tmp_path, config_extra="trusted_proxies: [127.0.0.1]\ntls_fingerprint_header: x-client-ja4\n")
    s.start()
    try:
        key = s.create_key("acct_fp", "card")["secret"]
        ja4 = "t13d1516h2_8daaf6152771_02713d6af862"
        client = openai.OpenAI(
            base_url=f"{s.base_url}/v1", api_key=key, max_retries=0, default_headers={"X-Client-JA4": ja4})
        client.chat.completions.create(model="stub-small", max_tokens=8, messages=[{"role": "user", "content": "hi"}])
        chat(s, key, "no header")
        eventually(lambda: store_count(s) == 2, "two records committed")
        stored = s.admin("GET", "/admin/usage?limit=10")["events"]
        assert sorted(e.get("tls_fp") or "" for e in stored) == ["", ja4]
    finally:
        s.stop()
    # Through the journal into SQLite, and into the JSON Lines copy, in the usage-log field.
    lines = [json.loads(line) for f in sorted((tmp_path / "records").glob("events*.jsonl")) for line in
             f.read_text().splitlines()]
    assert [e.get("tls_fp") for e in lines if e["account_id"] == "acct_fp"].count(ja4) == 1


def test_apply_url_sends_the_verdicts_to_the_admin_api(gateway, tmp_path):
    s = gateway
    key = s.create_key("acct_remote", "card")["secret"]
    chat(s, key, "hello")
    eventually(lambda: store_count(s) == 1, "a record committed")
    s.admin("PUT", "/admin/verdicts/acct_person", {"verdict": "block"})
    url = f"http://127.0.0.1:{s.admin_port}"
    args = ["audit", "--store", str(tmp_path / "hg.sqlite"), "--out", str(tmp_path / "f.json"), "--apply-url", url]
    sent = subprocess.run([s.bin, *args], env=s.env | {"HYDRAGUARD_ADMIN_TOKEN": ADMIN_TOKEN},
                          capture_output=True, text=True, timeout=120)
    assert sent.returncode == 0, sent.stderr
    assert f"applied verdicts through {url}: 0 changed" in sent.stderr, sent.stderr
    verdicts = {v["account_id"]: v for v in s.admin("GET", "/admin/verdicts")["verdicts"]}
    assert verdicts["acct_person"]["verdict"] == "block" and verdicts["acct_person"]["source"] == "admin"
    wrong = subprocess.run([s.bin, *args], env=s.env | {"HYDRAGUARD_ADMIN_TOKEN": "not-the-token"},
                           capture_output=True, text=True, timeout=120)
    assert wrong.returncode == 1 and "answered 401" in wrong.stderr, wrong.stderr
    assert "not-the-token" not in wrong.stderr + wrong.stdout
    missing = subprocess.run([s.bin, *args], env={k: v for k, v in s.env.items() if k != "HYDRAGUARD_ADMIN_TOKEN"},
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 64 and "HYDRAGUARD_ADMIN_TOKEN" in missing.stderr, missing.stderr
