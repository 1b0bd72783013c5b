"""scripts/burst-timeline.py on hey CSVs whose bursts and answers are known."""
import pathlib
import subprocess
import sys

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "burst-timeline.py"
HEADER = "response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset\n"


def run(tmp_path, rows, name="run.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{rt:.4f},0,0,0,{rt:.4f},0,200,{offset:.4f}\n" for offset, rt in rows))
    return subprocess.run([sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True)


def lockstep(bursts, answer_at):
    """bursts of 20 every 10 ms; the k-th request sent at 0.1 ms * k; answer_at(k) its answer (ms)."""
    rows = []
    for b in range(bursts):
        t0 = 1.0 + b * 0.010
        for k in range(20):
            sent = t0 + k * 0.0001
            rows.append((sent, t0 + answer_at(k) / 1000 - sent))
    return rows


def cells(output, name):
    line = next(l for l in output.splitlines() if l.strip().startswith(name))
    return {int(k): float(v) for k, v in (c.split(": ") for c in line.split(")")[1].split("  ") if c.strip())}


def test_prints_send_and_answer_times_by_order(tmp_path):
    # Answers in reverse order of sending: the first back is the last sent's, at 3.0 ms.
    result = run(tmp_path, lockstep(100, lambda k: 3.0 + (19 - k) * 0.1))
    assert result.returncode == 0, result.stderr
    assert "60 bursts of 20" in result.stdout  # the first and last 20 dropped
    sent = cells(result.stdout, "sent")
    answered = cells(result.stdout, "answered")
    assert sent == {1: 0.0, 2: 0.1, 5: 0.4, 10: 0.9, 15: 1.4, 20: 1.9}
    assert answered == {1: 3.0, 2: 3.1, 5: 3.4, 10: 3.9, 15: 4.4, 20: 4.9}


def test_a_gap_over_three_ms_starts_a_burst_and_short_ones_are_dropped(tmp_path):
    rows = lockstep(100, lambda k: 1.0 + k * 0.1)
    # A stray request 5 ms after the last burst is a burst of one: dropped, not merged.
    rows.append((rows[-1][0] + 0.005, 0.0005))
    result = run(tmp_path, rows)
    assert result.returncode == 0, result.stderr
    assert "60 bursts of 20" in result.stdout
    assert cells(result.stdout, "answered")[1] == 1.0


def test_bad_input_names_the_file_and_line(tmp_path):
    path = tmp_path / "summary.txt"
    path.write_text(HEADER + "0.0010,0,0,0,0.0010,0,200,0.0000\nSummary:\n")
    result = subprocess.run([sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True)
    assert result.returncode != 0
    assert f"{path}:3:" in result.stderr
    empty = run(tmp_path, [], name="empty.csv")
    assert empty.returncode != 0 and "no requests" in empty.stderr
