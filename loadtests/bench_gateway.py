"""What a bearer token costs per request at the gateway, as ratios measured in one run.

Starts the platform (four processes on a throwaway RabbitMQ vhost and temp SQLite
files), then times sequential keep-alive requests, rounds alternating the order:

- `healthz`: no token, no RPC (the HTTP floor of nameko + eventlet);
- `me`: the token checked (catch-up of the token read model and a hash compare), no RPC;
- `item`: the token checked and one RPC to inventory (`GET /api/v1/items/{id}`).

    python -m loadtests.bench_gateway [--requests 500] [--rounds 5]

The target: checking a token costs at most half the floor (`me` >= 50% of `healthz`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

from tests.platform import issue_token, running_platform
from tests.rabbit import fresh_vhost

TARGET = 0.5


def rate(session: requests.Session, url: str, count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        response = session.get(url, timeout=30)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
    return count / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with fresh_vhost() as amqp_uri, running_platform(amqp_uri, Path(tempfile.mkdtemp())) as platform:
        token = issue_token(platform, "observer", user="bench")
        admin = requests.Session()
        admin.headers["Authorization"] = f"Bearer {issue_token(platform)}"
        admin.post(f"{platform.url}/api/v1/items", json={
            "item_id": "bench-rope", "name": "rope", "name_zh": "绳索", "unit": "coil",
            "category_code": "2999999"}, timeout=30).raise_for_status()
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        urls = {"healthz": f"{platform.url}/healthz", "me": f"{platform.url}/api/v1/me",
                "item": f"{platform.url}/api/v1/items/bench-rope"}
        for url in urls.values():
            rate(session, url, 50)  # warm up connections and code paths
        rates: dict[str, list[float]] = {name: [] for name in urls}
        for round_ in range(args.rounds):
            order = list(urls) if round_ % 2 == 0 else list(reversed(urls))
            for name in order:
                rates[name].append(rate(session, urls[name], args.requests))
            print(f"round {round_ + 1}: " + ", ".join(f"{name} {rates[name][-1]:.0f}/s" for name in urls))
    median = {name: statistics.median(values) for name, values in rates.items()}
    print("medians: " + ", ".join(f"{name} {value:.0f}/s" for name, value in median.items()))
    auth, rpc = median["me"] / median["healthz"], median["item"] / median["me"]
    print(f"me / healthz = {auth:.2f} (target >= {TARGET}: {'PASS' if auth >= TARGET else 'FAIL'})")
    print(f"item / me = {rpc:.2f} (what one RPC to a service adds)")
    return 0 if auth >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
