#!/usr/bin/env python3
"""Load client for `frontline serve` (Python 3 standard library only).

  serve_load.py URL sweep      [--from D] [--to D] [--step N] [--size WxH]
  serve_load.py URL concurrent [--clients 8] [--requests 40]
  serve_load.py URL soak       [--clients 50] [--seconds 30] [--pid PID]

Prints p50/p95 latency in milliseconds; `soak` also counts errors and, given the server's PID,
its resident memory before and after (from /proc/PID/status).
"""
import argparse
import datetime as dt
import http.client
import random
import statistics
import threading
import time
import urllib.parse


def days(frm, to, step):
    d, end = dt.date.fromisoformat(frm), dt.date.fromisoformat(to)
    while d <= end:
        yield d.isoformat()
        d += dt.timedelta(days=step)


class Client:
    """One keep-alive connection, as a browser tab holds."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.host, self.port = u.hostname, u.port
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        self.work = ""

    def get(self, path):
        start = time.perf_counter()
        try:
            self.conn.request("GET", path)
            r = self.conn.getresponse()
            body = r.read()
            status = r.status
            self.work = r.getheader("X-Frontline-Map", "")
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            status, body = 0, b""
        return status, len(body), (time.perf_counter() - start) * 1000


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def report(name, ms, errors=0):
    print(f"{name:<46} n={len(ms):<5} p50={pct(ms, 50):7.1f} ms  p95={pct(ms, 95):7.1f} ms  "
          f"max={max(ms) if ms else 0:7.1f} ms  errors={errors}")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def map_path(day, size, region="all"):
    return f"/api/map?date={day}&size={size}&region={region}"


def sweep(args):
    c = Client(args.url)
    ds = list(days(args.frm, args.to, args.step))
    first, again = [], []
    by_work = {"drawn": [], "dated": []}
    errors = 0
    for d in ds:
        status, _, ms = c.get(map_path(d, args.size))
        errors += status != 200
        first.append(ms)
        by_work.setdefault(c.work, []).append(ms)
    for d in ds:
        status, _, ms = c.get(map_path(d, args.size))
        errors += status != 200
        again.append(ms)
    report(f"sweep {args.frm}..{args.to} step {args.step}d, first pass", first, errors)
    report("  of which new snapshot (territory + draw)", by_work["drawn"])
    report("  of which cached snapshot (title + encode)", by_work["dated"])
    report("same days again (answers cached)", again)


def concurrent(args):
    ds = list(days("2014-01-01", "2019-03-31", 1))
    lat, errors, lock = [], [0], threading.Lock()

    def run(i):
        c = Client(args.url)
        rnd = random.Random(i)
        start = rnd.randrange(len(ds) - args.requests)
        for k in range(args.requests):
            status, _, ms = c.get(map_path(ds[start + k], args.size))
            with lock:
                lat.append(ms)
                errors[0] += status != 200

    threads = [threading.Thread(target=run, args=(i,)) for i in range(args.clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    report(f"{args.clients} concurrent clients, each sweeping {args.requests} days", lat, errors[0])
    print(f"{'':<46} {len(lat) / wall:.1f} maps/s overall")


def soak(args):
    ds = list(days("2014-01-01", "2019-03-31", 1))
    before = rss_kb(args.pid) if args.pid else 0
    lat, errors, lock = [], [0], threading.Lock()
    stop = time.perf_counter() + args.seconds

    def run(i):
        c = Client(args.url)
        rnd = random.Random(1000 + i)
        while time.perf_counter() < stop:
            d = rnd.choice(ds)
            kind = rnd.random()
            if kind < 0.6:
                path = map_path(d, rnd.choice(["1280x960", "1600x1000", "800x600"]))
            elif kind < 0.8:
                path = f"/api/stats?date={d}"
            else:
                path = f"/api/places?date={d}"
            status, _, ms = c.get(path)
            with lock:
                lat.append(ms)
                errors[0] += status != 200

    threads = [threading.Thread(target=run, args=(i,)) for i in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report(f"soak: {args.clients} clients for {args.seconds} s, random days", lat, errors[0])
    if args.pid:
        after = rss_kb(args.pid)
        print(f"{'':<46} RSS before {before / 1024:.0f} MB, after {after / 1024:.0f} MB")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("url")
    p.add_argument("mode", choices=["sweep", "concurrent", "soak"])
    p.add_argument("--from", dest="frm", default="2017-09-01")
    p.add_argument("--to", default="2017-11-30")
    p.add_argument("--step", type=int, default=1)
    p.add_argument("--size", default="1280x960")
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--requests", type=int, default=40)
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--pid", type=int)
    args = p.parse_args()
    {"sweep": sweep, "concurrent": concurrent, "soak": soak}[args.mode](args)


if __name__ == "__main__":
    main()
