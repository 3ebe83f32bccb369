"""Decode throughput of a model on a running host (`rloop_ml.serve`), and the host's memory.

    python -m rloop_ml.serve_bench --base-url http://127.0.0.1:8090/v1 --model smollm2 [--streams 1 4] [--tokens 128]

For each stream count S it sends S chat requests at once, each forced to produce --tokens tokens (llama.cpp's
`ignore_eos`), and reports completion tokens per second of wall time, summed over the streams. Then it reports the
resident memory (RSS and PSS; PSS counts the GGUF pages that model processes share once) of the host and its models.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx


def one_call(client: httpx.Client, url: str, model: str, tokens: int, seed: int) -> int:
    body = {
        "model": model,
        "messages": [{"role": "user", "content": "Tell me a long story about a lighthouse keeper."}],
        "max_tokens": tokens,
        "temperature": 0.7,
        "seed": seed,
        "ignore_eos": True,
    }
    r = client.post(url, json=body)
    r.raise_for_status()
    return r.json()["usage"]["completion_tokens"]


def throughput(base_url: str, model: str, streams: int, tokens: int) -> dict:
    url = f"{base_url}/chat/completions"
    with httpx.Client(timeout=600) as client, ThreadPoolExecutor(streams) as pool:
        one_call(client, url, model, 4, 0)  # warm-up
        started = time.monotonic()
        counts = list(pool.map(lambda i: one_call(client, url, model, tokens, i + 1), range(streams)))
        seconds = time.monotonic() - started
    tokens = sum(counts)
    return {"streams": streams, "tokens": tokens, "seconds": round(seconds, 2), "tok_per_s": round(tokens / seconds, 1)}


def memory_kib(pid: int) -> dict:
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("Rss", "Pss"):
                out[key.lower()] = int(rest.split()[0])
    return out


def host_memory(base_url: str, host_pid: int | None) -> dict:
    admin = httpx.get(base_url.removesuffix("/v1") + "/admin/models").json()["data"]
    parts = {m["id"]: memory_kib(m["pid"]) for m in admin if m["state"] == "ready"}
    if host_pid:
        parts["(host)"] = memory_kib(host_pid)
    total = {k: sum(p[k] for p in parts.values()) for k in ("rss", "pss")}
    return {"processes_kib": parts, "total_mib": {k: round(v / 1024) for k, v in total.items()}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m rloop_ml.serve_bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--streams", type=int, nargs="+", default=[1, 4])
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--host-pid", type=int, help="the host's pid (its ready line has it), to include its memory")
    args = ap.parse_args(argv)
    for s in args.streams:
        print(json.dumps({"model": args.model, **throughput(args.base_url, args.model, s, args.tokens)}), flush=True)
    print(json.dumps({"memory": host_memory(args.base_url, args.host_pid)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
