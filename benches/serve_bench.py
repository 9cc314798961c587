#!/usr/bin/env python3
"""Measure `hindsight serve` on a scratch copy of a knowledge base (driven by benches/serve.sh).

Python 3.8+ standard library only. Steps, each under its own timeout:

  1. startup: launch `hindsight serve KB --port 0 --build-date D --timings`; time from launch
     to the "Serving ... at URL" line on stdout, then until /api/search answers 200 (the
     tantivy index is built in the background); VmRSS and VmHWM (peak) from /proc/PID/status.
  2. save-to-reload latency: one server-sent-event connection to /__hindsight/events (as an
     open browser tab); then, per save, rewrite one published postmortem (status not "draft"
     or "review"; files chosen with random.Random(seed), never the same file twice) the way
     editors do: the new content is prepared first, the clock starts just before the temporary
     file is opened for writing, the whole content is written at once, and os.replace() moves
     it over the original (no fsync). The clock stops when a `reload` event whose paths
     include postmortems/<slug>/index.html arrives (the slug is the file stem unless the front
     matter sets one). The page is then fetched to check it shows the edit; a reload that
     shows the old page is counted as stale and the next matching event is waited for.
     Two edits: "body" appends a sentence, "title" changes the title in the front matter.
     Two pacings: the next save comes --pause seconds (3) after the reload, so the server's
     background catch-up (related incidents, search indexes) is done, and "rapid", 0.5 s.
     The server's stderr is read throughout: "Rebuilt ... in N ms" gives the server's own
     rebuild time per save, and the --timings lines the time of each step.
  3. load: wrk (if given) for --wrk-duration seconds against one postmortem page, the home
     page and /api/search?q=database, with a Lua script that counts responses by status.
  4. stop with SIGINT (time to exit, exit code), then print a markdown report; the raw
     numbers go to --out as JSON.
"""

import argparse
import json
import math
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Abort(Exception):
    pass


def on_term(signum, frame):
    raise Abort(f"stopped by signal {signum}")


# --- the knowledge base --------------------------------------------------------------------

FENCE = "+++"


def split_front_matter(text):
    """(front matter, rest) of a native postmortem: TOML between +++ lines."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        return None, text
    for i in range(1, len(lines)):
        if lines[i].strip() == FENCE:
            return "\n".join(lines[1:i]), "\n".join(lines[i:])
    return None, text


def top_level(front):
    """The top-level `key = "string"` pairs of TOML front matter (before the first table)."""
    values = {}
    for line in front.split("\n"):
        if line.lstrip().startswith("["):
            break
        m = re.match(r'^\s*([A-Za-z0-9_-]+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(#.*)?$', line)
        if m:
            values[m.group(1)] = m.group(2)
    return values


def published_postmortems(kb):
    """Sorted [(path, slug)] of the postmortems a default build publishes."""
    found = []
    for path in sorted((kb / "postmortems").rglob("*.md")):
        rel = path.relative_to(kb)
        if any(part.startswith(".") for part in rel.parts):
            continue
        text = path.read_text(encoding="utf-8")
        front, _ = split_front_matter(text)
        if front is None:
            continue
        meta = top_level(front)
        if meta.get("status", "published") in ("draft", "review"):
            continue
        found.append((path, meta.get("slug", path.stem)))
    return found


def body_edit(text, n):
    tail = "" if text.endswith("\n") else "\n"
    return f"{text}{tail}\nFollow-up hsbench-{n}: the on-call engineer confirmed the fix held overnight.\n", f"hsbench-{n}:"


def title_edit(text, n):
    front, rest = split_front_matter(text)
    lines = front.split("\n")
    for i, line in enumerate(lines):
        if line.lstrip().startswith("["):
            break
        m = re.match(r'^(\s*title\s*=\s*")((?:[^"\\]|\\.)*)("\s*(#.*)?)$', line)
        if m:
            lines[i] = f"{m.group(1)}{m.group(2)} (rev hsbench-{n}){m.group(3)}"
            return FENCE + "\n" + "\n".join(lines) + "\n" + rest, f"(rev hsbench-{n})"
    raise ValueError("no top-level title in the front matter")


def save_like_an_editor(path, content):
    """Write `content` to a hidden temporary file beside `path` and rename it over `path`.
    Returns the monotonic time just before the temporary file was opened."""
    tmp = path.parent / f".{path.name}.hsbench-swp"
    data = content.encode("utf-8")
    started = time.monotonic()
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return started


# --- the server ----------------------------------------------------------------------------


def memory(pid):
    """{'rss_kb': VmRSS, 'hwm_kb': VmHWM} of a live process."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                out["rss_kb"] = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                out["hwm_kb"] = int(line.split()[1])
    return out


class Server:
    def __init__(self, binary, kb, build_date, log_path, pid_file):
        self.lines = []  # (monotonic time, stream, line)
        self.cond = threading.Condition()
        self.url = None
        self.serving_at = None
        self.log = open(log_path, "w", encoding="utf-8")
        cmd = [binary, "serve", str(kb), "--port", "0", "--timings"]
        if build_date:
            cmd += ["--build-date", build_date]
        self.cmd = cmd
        self.launched = time.monotonic()
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        Path(pid_file).write_text(f"{self.proc.pid}\n")
        for stream, pipe in (("out", self.proc.stdout), ("err", self.proc.stderr)):
            threading.Thread(target=self._read, args=(stream, pipe), daemon=True).start()

    def _read(self, stream, pipe):
        for raw in iter(pipe.readline, b""):
            now = time.monotonic()
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self.cond:
                self.lines.append((now, stream, line))
                self.log.write(f"{now - self.launched:10.3f} {stream} {line}\n")
                self.log.flush()
                if stream == "out" and self.url is None:
                    m = re.match(r"Serving .* at (http://\S+)", line)
                    if m:
                        self.url, self.serving_at = m.group(1).rstrip("/"), now
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_serving(self, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.url is None:
                if self.proc.poll() is not None:
                    raise Abort(f"hindsight serve exited with {self.proc.returncode} before serving; see the server log")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Abort(f"no 'Serving' line within {timeout} s")
                self.cond.wait(min(left, 0.5))
        return self.serving_at - self.launched

    def err_lines(self, since=0.0):
        with self.cond:
            return [(t, line) for t, s, line in self.lines if s == "err" and t >= since]

    def last_line_time(self):
        with self.cond:
            return self.lines[-1][0] if self.lines else self.launched

    def memory(self):
        return memory(self.proc.pid)

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout):
        """SIGINT; returns (seconds to exit, exit code, printed 'Stopped.')."""
        if not self.alive():
            return None, self.proc.returncode, False
        started = time.monotonic()
        self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log(f"the server did not exit within {timeout} s of SIGINT: killing it")
            self.proc.kill()
            self.proc.wait(10)
            return None, "killed", False
        took = time.monotonic() - started
        time.sleep(0.2)  # let the reader threads drain
        stopped = any(line == "Stopped." for _, line in self.err_lines())
        return took, code, stopped


def http_get(url, timeout=10):
    """(status, body bytes)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url), timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class EventStream:
    """A server-sent-event client on a raw socket, timestamping each complete event."""

    def __init__(self, url, timeout):
        m = re.match(r"http://([^/:]+|\[[^\]]+\]):(\d+)", url)
        host, port = m.group(1).strip("[]"), int(m.group(2))
        self.events = []  # (monotonic time, event name, data)
        self.cond = threading.Condition()
        self.closed = False
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.sendall(
            f"GET /__hindsight/events HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        self.sock.settimeout(None)
        self.file = self.sock.makefile("rb")
        status = self.file.readline()
        if b" 200 " not in status:
            raise Abort(f"event stream: unexpected response {status!r}")
        while self.file.readline() not in (b"\r\n", b"\n", b""):
            pass
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        name, data = "message", []
        try:
            for raw in self.file:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if line == "":
                    if data:
                        now = time.monotonic()
                        with self.cond:
                            self.events.append((now, name, "\n".join(data)))
                            self.cond.notify_all()
                    name, data = "message", []
                elif line.startswith(":"):
                    continue
                elif line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip(" "))
        except OSError:
            pass
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def wait(self, predicate, start, deadline):
        """First event at index >= start matching predicate: (index, event), or None at the
        deadline."""
        i = start
        with self.cond:
            while True:
                while i < len(self.events):
                    if predicate(self.events[i]):
                        return i, self.events[i]
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    return None
                self.cond.wait(min(left, 0.5))

    def count(self):
        with self.cond:
            return len(self.events)

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def wait_search_ready(base, deadline):
    while time.monotonic() < deadline:
        try:
            status, _ = http_get(f"{base}/api/search?q=database&limit=1", timeout=5)
            if status == 200:
                return time.monotonic()
        except OSError:
            pass
        time.sleep(0.1)
    return None


def wait_quiet(server, base, quiet, timeout):
    """Until the server printed nothing for `quiet` seconds and /api/search answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if time.monotonic() - server.last_line_time() >= quiet:
            if wait_search_ready(base, min(deadline, time.monotonic() + 5)) is not None:
                return True
        time.sleep(0.2)
    log(f"warning: the server was still busy after {timeout} s")
    return False


# --- server log ------------------------------------------------------------------------------


def parse_server_log(lines):
    """Rebuild records from stderr: [{t, kind, sources, everything, ms, files, stages}], and
    other notable lines (errors, warnings)."""
    records, notable = [], []
    current = None
    for t, line in lines:
        m = re.match(r"Rebuilt (everything \()?(.*?)\)? in (\d+) ms: (\d+) files? changed\.$", line)
        b = re.match(r"Brought (related incidents, stats and feeds|the search index) up to date in (\d+) ms: (\d+) files? changed\.$", line)
        if m:
            current = {
                "t": t, "kind": "quick", "everything": bool(m.group(1)),
                "sources": m.group(2).split(", "), "ms": int(m.group(3)),
                "files": int(m.group(4)), "stages": {},
            }
            records.append(current)
        elif b:
            kind = "settle" if b.group(1).startswith("related") else "index"
            current = {"t": t, "kind": kind, "ms": int(b.group(2)), "files": int(b.group(3)), "stages": {}}
            records.append(current)
        elif line.startswith("  ") and current is not None and not current["stages"] and re.match(r"^\s+[a-z ]+ [\d.]+ ms", line):
            for part in line.strip().split(", "):
                pm = re.match(r"^(.*) ([\d.]+) ms$", part)
                if pm:
                    current["stages"][pm.group(1)] = float(pm.group(2))
        else:
            current = None
            if line and not re.match(r"^\d+ postmortems, \d+ files in memory", line) and line != "Stopped.":
                notable.append(line)
    return records, notable


# --- statistics --------------------------------------------------------------------------------


def pct(values, p):
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def summary(values):
    if not values:
        return None
    return {"n": len(values), "median": statistics.median(values), "p90": pct(values, 90), "max": max(values), "min": min(values)}


# --- step 2: saves ---------------------------------------------------------------------------


# CPU time quiet for this long is an idle server (/proc's CPU times count 10 ms ticks).
BUSY_QUIET = 0.25


def cpu_ticks(pid):
    """utime + stime of a process, in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def attribute_rebuilds(saves, records):
    """The server's own rebuild time per save: the first quick rebuild after the save that
    applied its file."""
    for series in saves:
        for x in series["records"]:
            rec = next((r for r in records if r["kind"] == "quick" and r["t"] >= x["t_write"] and x["file"] in r["sources"]), None)
            x["server_rebuild_ms"] = rec["ms"] if rec else None
            x["files_changed"] = rec["files"] if rec else None
            x["coalesced_with"] = [s for s in rec["sources"] if s != x["file"]] if rec else []


def run_saves(server, events, base, kb, files, kind, pause, label, edit_timeout, counter):
    results = []
    for path, slug in files:
        rel = path.relative_to(kb).as_posix()
        url = f"{base}/postmortems/{urllib.parse.quote(slug)}/"
        counter[0] += 1
        n = counter[0]
        page = f"postmortems/{slug}/index.html"
        original = path.read_text(encoding="utf-8")
        content, marker = (body_edit if kind == "body" else title_edit)(original, n)
        mark = events.count()
        t_write = save_like_an_editor(path, content)
        deadline = t_write + edit_timeout

        def matches(event):
            t, name, data = event
            if name != "reload" or t < t_write:
                return False
            try:
                d = json.loads(data)
            except ValueError:
                return False
            return d.get("everything") or page in d.get("paths", [])

        stale, latency, start = 0, None, mark
        while True:
            hit = events.wait(matches, start, deadline)
            if hit is None:
                break
            index, (t_event, _, _) = hit
            status, body = http_get(url)
            if status == 200 and marker.encode() in body:
                latency = (t_event - t_write) * 1000
                break
            stale += 1
            start = index + 1
        # Pause, watching the server's CPU time: when did it last work (the background
        # catch-up after this save), and was it still working when the pause ended?
        pause_end = time.monotonic() + pause
        last_busy, before = time.monotonic(), cpu_ticks(server.proc.pid)
        while time.monotonic() < pause_end:
            time.sleep(0.02)
            now, ticks = time.monotonic(), cpu_ticks(server.proc.pid)
            if ticks != before:
                last_busy, before = now, ticks
        record = {
            "label": label, "kind": kind, "n": n, "file": rel,
            "t_write": t_write, "latency_ms": latency, "stale_reloads": stale,
            "busy_after_save_ms": (last_busy - t_write) * 1000,
            "busy_at_next_save": pause_end - last_busy < BUSY_QUIET,
        }
        results.append(record)
        busy = f"server busy {record['busy_after_save_ms'] / 1000:.1f} s after the save" + (" and still at the next" if record["busy_at_next_save"] else "")
        if latency is None:
            log(f"  {label} {kind} #{n}: no reload showing the edit within {edit_timeout} s ({path.name}); {busy}")
        else:
            log(f"  {label} {kind} #{n}: {latency:7.1f} ms{'  stale x%d' % stale if stale else ''}; {busy}")
    return results


def keepalive_probe(base, path, n=30):
    """Median ms of sequential GETs of `path` on one keep-alive connection, and on a new
    connection each time: a gap of ~40 ms between them is Nagle's algorithm meeting delayed
    ACKs (the response written in two pieces to a socket without TCP_NODELAY)."""
    import http.client
    host, port = re.match(r"http://([^/:]+):(\d+)", base).groups()
    times = {"keepalive": [], "new": []}
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    size = None
    for i in range(n + 1):
        t = time.monotonic()
        conn.request("GET", path)
        body = conn.getresponse().read()
        if i:  # the first request also opens the connection
            times["keepalive"].append((time.monotonic() - t) * 1000)
        size = len(body)
    conn.close()
    for _ in range(n):
        t = time.monotonic()
        c = http.client.HTTPConnection(host, int(port), timeout=10)
        c.request("GET", path, headers={"Connection": "close"})
        c.getresponse().read()
        c.close()
        times["new"].append((time.monotonic() - t) * 1000)
    return {"path": path, "bytes": size, "keepalive_ms": statistics.median(times["keepalive"]), "new_connection_ms": statistics.median(times["new"])}


def burst_probe(base, path, conns, timeout=5.0):
    """Open `conns` keep-alive connections at once (non-blocking, as a browser or wrk does when
    it starts) and send one GET on each: how many get a response within `timeout`. The
    connections stay open until the end, as a browser keeps them."""
    import selectors

    host, port = re.match(r"http://([^/:]+):(\d+)", base).groups()
    port = int(port)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: */*\r\n\r\n".encode()
    sel = selectors.DefaultSelector()
    socks, first_byte = [], [None] * conns
    started = time.monotonic()
    try:
        for i in range(conns):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.connect_ex((host, port))
            socks.append(sock)
            sel.register(sock, selectors.EVENT_WRITE, i)
        deadline = started + timeout
        while any(x is None for x in first_byte) and time.monotonic() < deadline:
            for key, mask in sel.select(max(0.0, deadline - time.monotonic())):
                sock, i = key.fileobj, key.data
                try:
                    if mask & selectors.EVENT_WRITE:
                        sock.send(request)
                        sel.modify(sock, selectors.EVENT_READ, i)
                        continue
                    if sock.recv(65536):
                        first_byte[i] = (time.monotonic() - started) * 1000
                except OSError:
                    pass
                sel.unregister(sock)
    finally:
        sel.close()
        for sock in socks:
            sock.close()
    answered = [x for x in first_byte if x is not None]
    return {
        "path": path, "connections": conns, "answered": len(answered), "timeout_s": timeout,
        "first_byte_median_ms": statistics.median(answered) if answered else None,
        "first_byte_max_ms": max(answered) if answered else None,
    }


# --- step 3: wrk ---------------------------------------------------------------------------------

WRK_LUA = r"""
-- Counts responses by status across wrk's threads (printed by done()).
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, count in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + count end
  end
  for code, count in pairs(total) do io.write(string.format("hsbench-status %d %d\n", code, count)) end
end
"""


def seconds(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def run_wrk(wrk, url, duration, threads, connections, lua_path, log_path):
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s", "-s", str(lua_path), url]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    except subprocess.TimeoutExpired:
        return {"url": url, "error": f"wrk did not finish within {duration + 60} s"}
    out = proc.stdout + proc.stderr
    with open(log_path, "a") as f:
        f.write(f"$ {' '.join(cmd)}\n{out}\n")
    result = {"url": url, "exit": proc.returncode}
    if m := re.search(r"Requests/sec:\s+([\d.]+)", out):
        result["rps"] = float(m.group(1))
    if m := re.search(r"(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read", out):
        result["requests"], result["took"], result["read"] = int(m.group(1)), m.group(2), m.group(3)
    for p in ("50", "75", "90", "99"):
        if m := re.search(rf"^\s+{p}%\s+(\S+)", out, re.M):
            result[f"p{p}_ms"] = seconds(m.group(1)) * 1000
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups()))) if m else {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx_3xx"] = int(m.group(1)) if m else 0
    result["statuses"] = {int(c): int(n) for c, n in re.findall(r"^hsbench-status (\d+) (\d+)$", out, re.M)}
    result["non_2xx"] = sum(n for c, n in result["statuses"].items() if not 200 <= c < 300)
    if "rps" not in result:
        result["error"] = out.strip().splitlines()[-1] if out.strip() else f"wrk exited with {proc.returncode}"
    return result


# --- the report --------------------------------------------------------------------------------


def mb(kb):
    return f"{kb / 1024:.0f} MB"


def ms(v):
    if v is None:
        return "–"
    return f"{v:.0f} ms" if v >= 100 else f"{v:.1f} ms"


def machine():
    info = {"nproc": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M %Z")}
    try:
        info["nproc"] = int(subprocess.run(["nproc"], capture_output=True, text=True, timeout=5).stdout)
    except (OSError, ValueError, subprocess.SubprocessError):
        pass
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    info["ram_gib"] = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info["kernel"] = os.uname().release
    try:
        info["load"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        pass
    return info


def report(r):
    out = []
    m = r["machine"]
    out.append(f"## hindsight serve: {r['count']:,} generated postmortems ({r['published']:,} published)")
    out.append("")
    out.append(
        f"{m['date']} · {r.get('version', '?')} · {m['nproc']} CPUs ({m.get('cpu', '?')}), "
        f"{m.get('ram_gib', 0):.1f} GiB RAM, Linux {m['kernel']}; load average (1, 5, 15 min) at start {m.get('load_start', '?')}, at end {m.get('load_end', '?')}"
    )
    out.append("")
    out.append("| Measure | Result |")
    out.append("| --- | --- |")
    s = r["startup"]
    out.append(f"| Startup: launch → \"Serving\" line | {s['serving_s']:.2f} s ({s.get('postmortems_line', '')}) |")
    if s.get("search_ready_s") is not None:
        out.append(f"| Startup: launch → /api/search answers | {s['search_ready_s']:.2f} s |")
    for key, label in (
        ("at_serving", "after startup (\"Serving\")"),
        ("at_search_ready", "after startup, idle (search ready)"),
        ("after_paced", "after the 3 s-paced saves"),
        ("after_saves", "after all saves"),
        ("after_load", "after the load test"),
    ):
        mem = r["memory"].get(key)
        if mem:
            out.append(f"| Memory {label}: VmRSS / VmHWM (peak) | {mb(mem['rss_kb'])} / {mb(mem['hwm_kb'])} |")
    for series in r["saves"]:
        lat = summary([x["latency_ms"] for x in series["records"] if x["latency_ms"] is not None])
        srv = summary([x["server_rebuild_ms"] for x in series["records"] if x["server_rebuild_ms"] is not None])
        missing = sum(1 for x in series["records"] if x["latency_ms"] is None)
        stale = sum(x["stale_reloads"] for x in series["records"])
        what = "body edit (append a sentence)" if series["kind"] == "body" else "front-matter edit (title)"
        pace = f"{series['pause']:g} s pauses"
        if lat:
            cell = f"median {ms(lat['median'])} · p90 {ms(lat['p90'])} · max {ms(lat['max'])} (n={lat['n']})"
        else:
            cell = "no reloads"
        extra = []
        if srv:
            extra.append(f"server's own rebuild median {ms(srv['median'])}, max {ms(srv['max'])}")
        recs = [x for x in series["records"] if x.get("busy_after_save_ms") is not None]
        if recs:
            still = [x for x in recs if x["busy_at_next_save"]]
            done = summary([x["busy_after_save_ms"] for x in recs if not x["busy_at_next_save"]])
            if not still:
                extra.append(f"server busy after a save (its CPU time) median {done['median'] / 1000:.1f} s, max {done['max'] / 1000:.1f} s: idle again before every next save")
            elif done:
                extra.append(f"server busy after a save (its CPU time) median {done['median'] / 1000:.1f} s, max {done['max'] / 1000:.1f} s, but **still busy at the next save {len(still)} of {len(recs)} times**")
            else:
                extra.append(f"**server still busy at every next save** ({len(recs)} of {len(recs)})")
        if missing:
            extra.append(f"**{missing} saves never reloaded**")
        if stale:
            extra.append(f"**{stale} stale reloads**")
        out.append(f"| Save → reload, {what}, {pace} | {cell}{'; ' + '; '.join(extra) if extra else ''} |")
    for w in r.get("wrk", []):
        name = w["name"]
        if "rps" not in w:
            out.append(f"| wrk {name} | **failed: {w.get('error', '?')}** |")
            continue
        se = w["socket_errors"]
        errors = sum(se.values())
        err_cell = f"non-2xx {w['non_2xx']}, socket errors {errors}"
        if errors or w["non_2xx"] or w["non_2xx_3xx"]:
            err_cell = f"**non-2xx {w['non_2xx']} (statuses {w['statuses']}), socket errors connect {se['connect']} read {se['read']} write {se['write']} timeout {se['timeout']}**"
        out.append(
            f"| wrk {name} ({r['wrk_config']}) | {w['rps']:,.0f} req/s · p50 {ms(w.get('p50_ms'))} · p99 {ms(w.get('p99_ms'))} · {err_cell} |"
        )
    if r.get("wrk_skipped"):
        out.append(f"| wrk load test | skipped: {r['wrk_skipped']} |")
    for k in r.get("keepalive", []):
        out.append(
            f"| Sequential GET {k['path']} ({k['bytes']:,} bytes), one at a time: keep-alive connection vs a new connection each | "
            f"{ms(k['keepalive_ms'])} vs {ms(k['new_connection_ms'])} (median of 30) |"
        )
    sizes = sorted({b["connections"] for b in r.get("bursts", [])})
    for size in sizes:
        runs = [b for b in r["bursts"] if b["connections"] == size]
        answered = ", ".join(f"{b['answered']}/{size}" for b in runs)
        cell = f"answered within {runs[0]['timeout_s']:g} s: {answered}"
        if any(b["answered"] < size for b in runs):
            cell = f"**{cell}**"
        firsts = [b["first_byte_max_ms"] for b in runs if b["first_byte_max_ms"] is not None]
        if firsts:
            cell += f" (slowest first byte of an answered one {ms(max(firsts))})"
        out.append(f"| Burst of {size} new keep-alive connections at once, one GET {runs[0]['path']} each, after {r.get('idle_s', 6):g} s idle, event stream open ({len(runs)} tries) | {cell} |")
    st = r.get("stop")
    if st:
        took = f"{st['seconds']:.2f} s" if st.get("seconds") is not None else "did not exit"
        out.append(f"| Stop (SIGINT) → exit | {took}, exit code {st['code']}{', printed Stopped.' if st['stopped_line'] else ''} |")
    out.append("")

    # --timings
    out.append("Server `--timings` per rebuild (median of each step; quick rebuilds per kind of edit, then the background catch-up):")
    out.append("")
    out.append("| Rebuild | n | total | steps (median) |")
    out.append("| --- | --- | --- | --- |")
    for row in r["timings"]:
        steps = ", ".join(f"{k} {ms(v)}" for k, v in row["steps"].items())
        out.append(f"| {row['name']} | {row['n']} | {ms(row['total_ms'])} | {steps} |")
    out.append("")
    if r.get("notable"):
        out.append("Other server output (errors, warnings):")
        out.append("")
        for line in r["notable"][:20]:
            out.append(f"    {line}")
        out.append("")
    return "\n".join(out)


def timing_rows(records, saves):
    """Median steps per kind of rebuild, in the order quick (per edit series), settle, index."""
    rows = []
    for series in saves:
        files = {x["file"] for x in series["records"]}
        quick = [rec for rec in records if rec["kind"] == "quick" and any(s in files for s in rec["sources"])]
        rows.append(("quick rebuild, " + series["name"], quick))
    # Background catch-up, per pacing: from its first save to the next pacing's first save.
    starts = []
    for s in saves:
        if s["records"] and (not starts or starts[-1][0] != s["label"]):
            starts.append((s["label"], s["records"][0]["t_write"]))
    for i, (label, lo) in enumerate(starts):
        hi = starts[i + 1][1] if i + 1 < len(starts) else float("inf")
        pacing = next(s["pause"] for s in saves if s["label"] == label)
        for kind, name in (("settle", "catch-up: related incidents, stats, feeds"), ("index", "catch-up: search index")):
            rows.append((f"{name} ({label}, {pacing:g} s pauses)", [rec for rec in records if rec["kind"] == kind and lo <= rec["t"] < hi]))
    out = []
    for name, recs in rows:
        if not recs:
            continue
        steps = {}
        for rec in recs:
            for k in rec["stages"]:
                steps.setdefault(k, [])
        for k in steps:
            steps[k] = statistics.median([rec["stages"][k] for rec in recs if k in rec["stages"]])
        out.append({"name": name, "n": len(recs), "total_ms": statistics.median([rec["ms"] for rec in recs]), "steps": steps})
    return out


# --- main ---------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hindsight", required=True)
    ap.add_argument("--kb", required=True, type=Path, help="scratch copy of the knowledge base (edited)")
    ap.add_argument("--count", type=int, required=True, help="corpus size, for the report")
    ap.add_argument("--build-date", default="")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--saves", type=int, default=20, help="saves per edit kind and pacing (>= 20)")
    ap.add_argument("--pause", type=float, default=3.0)
    ap.add_argument("--rapid-pause", type=float, default=0.5)
    ap.add_argument("--wrk", default="", help="wrk binary; empty skips the load test")
    ap.add_argument("--wrk-skip-reason", default="")
    ap.add_argument("--wrk-duration", type=int, default=30)
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--wrk-connections", type=int, default=32)
    ap.add_argument("--wrk-warmup", type=int, default=3, help="seconds of a discarded wrk run before each measured one")
    ap.add_argument("--idle", type=float, default=6.0, help="idle seconds before each connection-burst probe")
    ap.add_argument("--burst-repeats", type=int, default=3)
    ap.add_argument("--startup-timeout", type=float, default=900)
    ap.add_argument("--edit-timeout", type=float, default=60)
    ap.add_argument("--quiet-timeout", type=float, default=300)
    ap.add_argument("--out", required=True, type=Path, help="results JSON")
    ap.add_argument("--logs", required=True, type=Path, help="folder for the server and wrk logs")
    ap.add_argument("--pid-file", required=True)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)

    args.logs.mkdir(parents=True, exist_ok=True)
    r = {"idle_s": args.idle, "count": args.count, "machine": machine(), "memory": {}, "saves": [], "seed": args.seed}
    r["machine"]["load_start"] = r["machine"].pop("load", "?")
    try:
        r["version"] = subprocess.run([args.hindsight, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        r["version"] = "?"

    published = published_postmortems(args.kb)
    r["published"] = len(published)
    rng = random.Random(args.seed)
    wanted = 4 * args.saves + 1
    if len(published) < wanted:
        raise SystemExit(f"need {wanted} published postmortems, found {len(published)}")
    chosen = rng.sample(published, wanted)
    load_page = chosen.pop()
    series_plan = [
        ("paced", "body", args.pause), ("paced", "title", args.pause),
        ("rapid", "body", args.rapid_pause), ("rapid", "title", args.rapid_pause),
    ]

    log(f"launching {args.hindsight} serve {args.kb} ({len(published)} published postmortems)")
    server = Server(args.hindsight, args.kb, args.build_date, args.logs / "server.log", args.pid_file)
    events = None
    exit_code = 0
    try:
        # 1. startup
        serving = server.wait_serving(args.startup_timeout)
        base = server.url
        r["memory"]["at_serving"] = server.memory()
        head = next((line for _, line in server.err_lines() if "postmortems," in line), "")
        r["startup"] = {"serving_s": serving, "postmortems_line": head.split(";")[0]}
        log(f"serving at {base} after {serving:.2f} s; {r['memory']['at_serving']}")
        ready = wait_search_ready(base, time.monotonic() + args.startup_timeout)
        r["startup"]["search_ready_s"] = None if ready is None else ready - server.launched
        wait_quiet(server, base, 2.0, args.quiet_timeout)
        r["memory"]["at_search_ready"] = server.memory()
        log(f"search ready after {r['startup']['search_ready_s']} s; {r['memory']['at_search_ready']}")

        # Every chosen page is served where we expect it.
        for path, slug in chosen + [load_page]:
            status, _ = http_get(f"{base}/postmortems/{urllib.parse.quote(slug)}/")
            if status != 200:
                raise Abort(f"{path}: /postmortems/{slug}/ answers {status}, expected 200")

        # 2. saves
        events = EventStream(base, 10)
        if events.wait(lambda e: e[1] == "status", 0, time.monotonic() + 10) is None:
            raise Abort("no status event on the event stream")
        counter = [0]
        for i, (label, kind, pause) in enumerate(series_plan):
            files = chosen[i * args.saves:(i + 1) * args.saves]
            name = f"{kind} edit, {pause:g} s pauses"
            log(f"{name}: {len(files)} saves")
            records = run_saves(server, events, base, args.kb, files, kind, pause, label, args.edit_timeout, counter)
            r["saves"].append({"label": label, "kind": kind, "pause": pause, "name": name, "records": records})
            wait_quiet(server, base, max(2.0, args.pause), args.quiet_timeout)
            if label == "paced" and kind == "title":
                r["memory"]["after_paced"] = server.memory()
        r["memory"]["after_saves"] = server.memory()
        log(f"after saves: {r['memory']['after_saves']}")
        r["reload_events"] = sum(1 for e in events.events if e[1] == "reload")
        r["everything_reloads"] = sum(1 for e in events.events if e[1] == "reload" and json.loads(e[2]).get("everything"))
        r["error_status_events"] = [e[2] for e in events.events if e[1] == "status" and json.loads(e[2]).get("errors")]

        # 3. load
        r["keepalive"] = [keepalive_probe(base, p) for p in ("/", "/__hindsight/live.css")]
        for k in r["keepalive"]:
            log(f"sequential GET {k['path']} ({k['bytes']} bytes): keep-alive {k['keepalive_ms']:.1f} ms, new connection {k['new_connection_ms']:.1f} ms")
        r["bursts"] = []
        for conns in (6, 32):
            for _ in range(args.burst_repeats):
                time.sleep(args.idle)  # the server's extra connection threads end after 5 s idle
                b = burst_probe(base, "/", conns)
                r["bursts"].append(b)
                log(f"burst of {conns} new connections after {args.idle:g} s idle: {b['answered']} answered within {b['timeout_s']:g} s")
        r["wrk_config"] = f"{args.wrk_duration} s, {args.wrk_threads} threads, {args.wrk_connections} connections, after a {args.wrk_warmup} s warm-up"
        if args.wrk:
            lua = args.logs / "status.lua"
            lua.write_text(WRK_LUA)
            targets = [
                ("postmortem page", f"{base}/postmortems/{urllib.parse.quote(load_page[1])}/"),
                ("home page", f"{base}/"),
                ("/api/search?q=database", f"{base}/api/search?q=database"),
            ]
            r["wrk"] = []
            for name, url in targets:
                log(f"wrk {name}: {url} (after a {args.wrk_warmup} s warm-up run)")
                if args.wrk_warmup > 0:
                    run_wrk(args.wrk, url, args.wrk_warmup, args.wrk_threads, args.wrk_connections, lua, args.logs / "wrk-warmup.log")
                w = run_wrk(args.wrk, url, args.wrk_duration, args.wrk_threads, args.wrk_connections, lua, args.logs / "wrk.log")
                w["name"] = name
                r["wrk"].append(w)
                log(f"  {w.get('rps', 0):,.0f} req/s, p50 {ms(w.get('p50_ms'))}, p99 {ms(w.get('p99_ms'))}, statuses {w.get('statuses')}, socket errors {w.get('socket_errors')}")
                if not server.alive():
                    raise Abort("the server died during the load test")
            r["memory"]["after_load"] = server.memory()
        else:
            r["wrk_skipped"] = args.wrk_skip_reason or "no wrk"
    except (Abort, KeyboardInterrupt) as e:
        log(f"aborted: {e}")
        r["aborted"] = str(e) or "interrupted"
        exit_code = 1
    finally:
        # 4. stop
        took, code, stopped = server.stop(30)
        r["stop"] = {"seconds": took, "code": code, "stopped_line": stopped}
        if events is not None:
            events.close()
        try:
            os.unlink(args.pid_file)
        except OSError:
            pass

    records, notable = parse_server_log(server.err_lines())
    r["rebuilds"] = records
    r["notable"] = notable
    attribute_rebuilds(r["saves"], records)
    r["timings"] = timing_rows(records, r["saves"])
    try:
        r["machine"]["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        pass
    args.out.write_text(json.dumps(r, indent=1, default=str))
    if "startup" in r:
        print(report(r))
        if r.get("everything_reloads"):
            print(f"Note: {r['everything_reloads']} reload events had everything = true.")
        if r.get("error_status_events"):
            print(f"Note: {len(r['error_status_events'])} status events reported errors: {r['error_status_events'][:3]}")
    if r.get("aborted"):
        print(f"\n**Aborted: {r['aborted']}** (partial results above; server log {args.logs / 'server.log'})")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
