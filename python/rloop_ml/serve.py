"""rloop's local model host: one OpenAI-compatible base URL for many GGUF models, loaded and unloaded at run time.

llama.cpp's server serves one model and ignores the request's `model`; this host runs one llama.cpp server per model
id (each in its own process, `rloop_ml.serve_worker`) and routes each request by its `model` field.

    python -m rloop_ml.serve --port 8090 --model smollm2=.tools/models/SmolLM2-135M-Instruct.Q4_1.gguf

OpenAI surface (base URL http://HOST:PORT/v1):
  GET  /v1/models, /v1/models/{id}   ready models; each entry carries `version`, the GGUF's sha256
  POST /v1/chat/completions, /v1/completions   forwarded as is (streaming too) to the model named by `model`;
       an unknown model is a 404 OpenAI-style error; llama.cpp's own errors (e.g. 400 context overflow) pass through
Admin surface:
  PUT    /admin/models/{id}  {"gguf": path, "parallel": n, "ctx": n}  load; returns once the model answers.
         201 loaded, 200 already loaded from the same file version, 409 id taken by another file or settings,
         400 bad body or missing file, 422 llama.cpp cannot load the file
  DELETE /admin/models/{id}  unload; 200 {"deleted": true|false} (false: was not loaded), so retries are safe
  GET    /admin/models       every model with gguf, sha256, state, parallel, ctx, pid
Once listening it prints one JSON line on stdout: {"ready": true, "baseURL": ..., "port": ..., "models": [...]}.
Logs go to stderr. SIGTERM/SIGINT stop the model processes and exit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import socket
import sys

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from rloop_ml.serve_models import HostError, ModelHost

log = logging.getLogger("rloop_ml.serve")


def error(status: int, message: str, code: str, param: str | None = None) -> JSONResponse:
    kind = "invalid_request_error" if status < 500 else "server_error"
    return JSONResponse({"error": {"message": message, "type": kind, "param": param, "code": code}}, status)


def model_entry(m) -> dict:
    return {"id": m.id, "object": "model", "created": int(m.loaded_at), "owned_by": "rloop", "version": m.sha256}


def build_app(host: ModelHost) -> Starlette:
    client = httpx.AsyncClient(timeout=httpx.Timeout(connect=10.0, read=None, write=60.0, pool=None))

    async def list_models(_: Request) -> Response:
        return JSONResponse({"object": "list", "data": [model_entry(host.models[i]) for i in host.ready_ids()]})

    async def get_model(request: Request) -> Response:
        model_id = request.path_params["model_id"]
        m = host.ready(model_id)
        if m is None:
            return error(404, f"The model '{model_id}' is not loaded on this host", "model_not_found", "model")
        return JSONResponse(model_entry(m))

    async def forward(request: Request) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            return error(400, "the request body is not JSON", "invalid_json")
        model_id = body.get("model") if isinstance(body, dict) else None
        if not isinstance(model_id, str) or not model_id:
            return error(400, "the request has no 'model'", "missing_model", "model")
        m = host.ready(model_id)
        if m is None:
            loaded = ", ".join(host.ready_ids()) or "none"
            msg = f"The model '{model_id}' does not exist or is not loaded on this host (loaded: {loaded})"
            return error(404, msg, "model_not_found", "model")
        upstream = client.build_request(
            "POST", m.url + request.url.path, content=raw, headers={"content-type": "application/json"}
        )
        try:
            resp = await client.send(upstream, stream=True)
        except httpx.TransportError as e:
            return error(503, f"model '{model_id}' is loaded but its server did not answer: {e!r}", "model_unavailable")
        headers = {
            "content-type": resp.headers.get("content-type", "application/json"),
            "x-rloop-model-version": m.sha256,
        }
        return StreamingResponse(
            resp.aiter_raw(), status_code=resp.status_code, headers=headers, background=BackgroundTask(resp.aclose)
        )

    async def admin_list(_: Request) -> Response:
        return JSONResponse({"data": [m.describe() for m in host.models.values()]})

    async def admin_put(request: Request) -> Response:
        model_id = request.path_params["model_id"]
        try:
            body = json.loads(await request.body())
        except ValueError:
            return error(400, f"PUT /admin/models/{model_id}: the body is not JSON", "invalid_json")
        if not isinstance(body, dict) or not isinstance(body.get("gguf"), str) or not body["gguf"]:
            return error(400, f"PUT /admin/models/{model_id}: 'gguf' (a file path) is required", "invalid_body", "gguf")
        for key in ("parallel", "ctx"):
            value = body.get(key)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                msg = f"PUT /admin/models/{model_id}: '{key}' must be a positive integer"
                return error(400, msg, "invalid_body", key)
        try:
            model, changed = await host.load(model_id, body["gguf"], body.get("parallel"), body.get("ctx"))
        except HostError as e:
            return error(e.status, str(e), e.code, "gguf" if e.status in (400, 422) else None)
        return JSONResponse({"model": model.describe(), "changed": changed}, 201 if changed else 200)

    async def admin_delete(request: Request) -> Response:
        model_id = request.path_params["model_id"]
        deleted = await host.unload(model_id)
        return JSONResponse({"id": model_id, "object": "model", "deleted": deleted})

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "models": host.ready_ids()})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette):
        yield
        # Runs on SIGTERM/SIGINT too (uvicorn's graceful shutdown), before uvicorn re-raises the signal.
        await host.close()
        await client.aclose()

    return Starlette(
        routes=[
            Route("/health", health),
            Route("/v1/models", list_models),
            Route("/v1/models/{model_id:path}", get_model),
            Route("/v1/chat/completions", forward, methods=["POST"]),
            Route("/v1/completions", forward, methods=["POST"]),
            Route("/admin/models", admin_list),
            Route("/admin/models/{model_id:path}", admin_put, methods=["PUT"]),
            Route("/admin/models/{model_id:path}", admin_delete, methods=["DELETE"]),
        ],
        lifespan=lifespan,
    )


def parse_model(spec: str) -> tuple[str, str]:
    model_id, sep, path = spec.partition("=")
    if not sep or not model_id or not path:
        raise argparse.ArgumentTypeError(f"--model {spec!r}: expected ID=path.gguf")
    return model_id, path


async def run(args: argparse.Namespace) -> int:
    host = ModelHost(threads=args.threads, parallel=args.parallel, ctx=args.ctx, verbose=args.verbose)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as e:
        log.error("cannot listen on %s:%d: %s", args.host, args.port, e)
        return 2
    try:
        await asyncio.gather(*(host.load(mid, path, None, None) for mid, path in args.model))
    except HostError as e:
        log.error("%s", e)
        await host.close()
        return 2
    server = uvicorn.Server(uvicorn.Config(build_app(host), log_level="warning", timeout_graceful_shutdown=5))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not serving.done():
        await asyncio.sleep(0.02)
    if server.started:
        port = sock.getsockname()[1]
        base = f"http://{args.host}:{port}/v1"
        ready = {"ready": True, "baseURL": base, "port": port, "pid": os.getpid(), "models": host.ready_ids()}
        print(json.dumps(ready))
        sys.stdout.flush()
        log.info("serving %s (models: %s)", base, ", ".join(host.ready_ids()) or "none")
    await serving
    await host.close()  # when startup failed; after a normal shutdown the lifespan already did it
    return 0 if server.started else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m rloop_ml.serve", description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8090, help="0 picks a free port (see the ready line)")
    ap.add_argument("--model", type=parse_model, action="append", default=[], metavar="ID=PATH.gguf")
    ap.add_argument("--parallel", type=int, default=4, help="default slots per model (requests decoded together)")
    ap.add_argument("--ctx", type=int, default=4096, help="default context per slot, i.e. per request, in tokens")
    # One thread per model by default: llama.cpp's threads wait on each other by spinning, and on a busy 2-core machine
    # (a trainer, a second model) 2 threads decoded 20x slower than 1 (SERVING.md has the measurement).
    ap.add_argument("--threads", type=int, default=1, help="CPU threads per model (default 1)")
    ap.add_argument("--verbose", action="store_true", help="copy all of llama.cpp's log to stderr")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="rloop-serve: %(message)s")
    # httpx logs every forwarded request at INFO: one line per model call drowns the host's own messages.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
