#!/usr/bin/env python3
"""The load of scripts/bench-nginx.sh: browsing users through proxies on 127.0.0.1.

    bench-nginx-client.py latency ROUNDS REQUESTS NAME=PORT...
        per round and proxy (rounds interleaved, so a machine that gets busier mid-run slows
        every proxy alike): REQUESTS sequential requests on one keep-alive connection; prints
        per proxy the median of the rounds' median latencies, in microseconds
    bench-nginx-client.py load CLIENTS REQUESTS NAME=PORT...
        per proxy: CLIENTS processes, each sending REQUESTS requests on its own keep-alive
        connection; prints requests per second (all requests / wall time)

Every request is a page view by one of USERS users (HTTP Basic, a browser's User-Agent, an
address of its own in X-Forwarded-For, as a load balancer in front would append it), so that
no user or address comes near a rule's threshold: the filter's common path, not its alerts.
Every socket operation has a timeout; any answer but 200 is counted and reported.
"""
import base64
import http.client
import multiprocessing
import statistics
import sys
import time

USERS = 400
AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"
TIMEOUT = 10


def request(i):
    u = i % USERS
    cred = base64.b64encode(f"user{u}:secret".encode()).decode()
    headers = {
        "User-Agent": AGENT,
        "Authorization": f"Basic {cred}",
        "X-Forwarded-For": f"10.{u // 250}.{u % 250}.7",
    }
    return f"/display/SPACE{u % 17}/Page+{(i // USERS) % 50}", headers


def run(port, start, n, times=None):
    """Sends n requests from index start; returns the number of answers that were not 200."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    bad = 0
    for i in range(start, start + n):
        path, headers = request(i)
        t = time.perf_counter_ns()
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        r.read()
        if times is not None:
            times.append((time.perf_counter_ns() - t) / 1000)
        bad += r.status != 200
    conn.close()
    return bad


def latency(rounds, n, proxies):
    medians = {name: [] for name, _ in proxies}
    bad = {name: 0 for name, _ in proxies}
    for k in range(rounds):
        for name, port in proxies:
            times = []
            bad[name] += run(port, k * n, n, times)
            medians[name].append(statistics.median(times))
    for name, _ in proxies:
        print(f"{name}\t{statistics.median(medians[name]):.1f}\t{bad[name]}")


def worker(args):
    port, start, n = args
    return run(port, start, n)


def load(clients, n, proxies):
    for name, port in proxies:
        with multiprocessing.Pool(clients) as pool:
            t = time.perf_counter()
            bad = sum(pool.map(worker, [(port, c * n, n) for c in range(clients)]))
            wall = time.perf_counter() - t
        print(f"{name}\t{clients * n / wall:.0f}\t{bad}")


def main():
    mode, a, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    proxies = [(p.split("=")[0], int(p.split("=")[1])) for p in sys.argv[4:]]
    {"latency": latency, "load": load}[mode](a, b, proxies)


if __name__ == "__main__":
    main()
