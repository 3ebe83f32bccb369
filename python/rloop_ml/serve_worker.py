"""One model in one process: llama.cpp's HTTP server (PyPI `xllamacpp`, in-process) on a loopback port.

Started by `rloop_ml.serve` (the model host), never by hand. Contract with the host:
- stdout: exactly one JSON line once the model is loaded and the server listens, `{"url": "http://127.0.0.1:PORT"}`,
  or `{"error": "..."}` when llama.cpp cannot load the file (then exit code 3);
- stderr: llama.cpp's log, which the host filters and keeps for error messages;
- it exits when its stdin closes, so a host that dies (even by SIGKILL) leaves no model process behind; SIGTERM ends it
  at once too.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys


def free_port() -> int:
    # xllamacpp has no way to report the port it picked for port 0, so we choose one; the window between closing this
    # socket and llama.cpp binding it is a few milliseconds, and a lost race fails the load with a clear log line.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m rloop_ml.serve_worker", description=__doc__)
    ap.add_argument("--id", required=True, help="model id, reported by llama.cpp in its replies")
    ap.add_argument("--gguf", required=True)
    ap.add_argument("--parallel", type=int, required=True, help="slots: requests decoded together")
    ap.add_argument("--ctx", type=int, required=True, help="context per slot (tokens of prompt + reply)")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)

    import xllamacpp

    p = xllamacpp.CommonParams()
    p.model.path = args.gguf
    p.model_alias = {args.id}
    p.n_parallel = args.parallel
    # llama.cpp splits n_ctx evenly among the slots; the host's `ctx` is what one request may use.
    p.n_ctx = args.ctx * args.parallel
    p.hostnames = ["127.0.0.1"]
    p.port = free_port()
    p.offline = True  # never reach for a model hub
    p.cpuparams.n_threads = args.threads
    p.cpuparams_batch.n_threads = args.threads
    try:
        server = xllamacpp.Server(p)
    except RuntimeError as e:
        print(json.dumps({"error": f"llama.cpp could not load {args.gguf} ({e})"}), flush=True)
        return 3
    print(json.dumps({"url": server.listening_address}), flush=True)
    # Serve until the host closes our stdin (or kills us); the server runs on llama.cpp's own threads.
    sys.stdin.read()
    del server
    return 0


if __name__ == "__main__":
    sys.exit(main())
