"""The model host's registry: which model ids are loaded, each in its own `rloop_ml.serve_worker` process.

Loads and unloads of one id are serialised by a lock per id; different ids load in parallel. A model's `version` is
its GGUF's sha256, so a file replaced under the same id is a different version (and a conflicting load).
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field

from rloop_ml.weights import sha256_file

log = logging.getLogger("rloop_ml.serve")

LOAD_TIMEOUT_S = 300.0
STOP_GRACE_S = 10.0


class HostError(Exception):
    """An admin request the host refuses; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str, code: str):
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass
class LoadedModel:
    id: str
    gguf: str
    sha256: str
    parallel: int
    ctx: int
    proc: asyncio.subprocess.Process
    url: str = ""
    state: str = "loading"  # loading | ready | exited
    loaded_at: float = field(default_factory=time.time)
    exit_code: int | None = None
    log_tail: collections.deque[str] = field(default_factory=lambda: collections.deque(maxlen=40))
    tasks: list[asyncio.Task] = field(default_factory=list)  # held here: the event loop keeps only weak references

    def describe(self) -> dict:
        return {
            "id": self.id,
            "gguf": self.gguf,
            "sha256": self.sha256,
            "state": self.state,
            "parallel": self.parallel,
            "ctx": self.ctx,
            "pid": self.proc.pid,
            "url": self.url,
            "loaded_at": int(self.loaded_at),
            "exit_code": self.exit_code,
        }

    def errors(self) -> str:
        # llama.cpp log lines look like "0.00.002.400 E llama_model_load: ..."; keep the errors for messages.
        # The first distinct ones name the cause (e.g. "invalid magic characters"); later ones repeat it.
        seen: list[str] = []
        for ln in self.log_tail:
            if " E " in ln[:20] and (msg := " ".join(ln.split(" E ", 1)[1].split())) not in seen:
                seen.append(msg)
        return " | ".join(seen[:3])


def _worker_env() -> dict[str, str]:
    # The worker imports this package however the host was started (installed, `python -m` from python/, PYTHONPATH).
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
    return env


class ModelHost:
    def __init__(self, threads: int, parallel: int, ctx: int, verbose: bool = False):
        self.threads = threads
        self.default_parallel = parallel
        self.default_ctx = ctx
        self.verbose = verbose
        self.models: dict[str, LoadedModel] = {}
        self._locks: dict[str, asyncio.Lock] = collections.defaultdict(asyncio.Lock)

    def ready(self, model_id: str) -> LoadedModel | None:
        m = self.models.get(model_id)
        return m if m is not None and m.state == "ready" else None

    def ready_ids(self) -> list[str]:
        return [m.id for m in self.models.values() if m.state == "ready"]

    async def load(self, model_id: str, gguf: str, parallel: int | None, ctx: int | None) -> tuple[LoadedModel, bool]:
        """Loads `gguf` as `model_id` and returns (model, changed). Same id and same file version: no-op."""
        parallel = parallel or self.default_parallel
        ctx = ctx or self.default_ctx
        path = os.path.abspath(gguf)
        if not os.path.isfile(path):
            raise HostError(400, f"model '{model_id}': gguf file {path} does not exist", "gguf_not_found")
        sha = await asyncio.to_thread(sha256_file, path)
        async with self._locks[model_id]:
            current = self.models.get(model_id)
            if current is not None and current.state != "exited":
                wanted = (sha, parallel, ctx)
                if (current.sha256, current.parallel, current.ctx) == wanted:
                    return current, False
                raise HostError(
                    409,
                    f"model '{model_id}' is already loaded from {current.gguf} (sha256 {current.sha256[:12]}, "
                    f"parallel {current.parallel}, ctx {current.ctx}); asked for {path} (sha256 {sha[:12]}, "
                    f"parallel {parallel}, ctx {ctx}). Unload it first or use a new id",
                    "model_conflict",
                )
            model = await self._start(model_id, path, sha, parallel, ctx)
            self.models[model_id] = model
            return model, True

    async def _start(self, model_id: str, path: str, sha: str, parallel: int, ctx: int) -> LoadedModel:
        argv = ["--id", model_id, "--gguf", path, "--parallel", str(parallel), "--ctx", str(ctx)]
        argv += ["--threads", str(self.threads)]
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "rloop_ml.serve_worker", *argv,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env=_worker_env(),
        )  # fmt: skip
        model = LoadedModel(model_id, path, sha, parallel, ctx, proc)
        log.info("loading '%s' from %s (pid %d, parallel %d, ctx %d)", model_id, path, proc.pid, parallel, ctx)
        model.tasks.append(asyncio.create_task(self._pump_log(model)))
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), LOAD_TIMEOUT_S)  # type: ignore[union-attr]
        except asyncio.TimeoutError:
            await self._stop(model)
            msg = f"model '{model_id}': {path} did not load within {LOAD_TIMEOUT_S:.0f} s"
            raise HostError(504, msg, "load_timeout") from None
        reply = json.loads(line) if line.strip().startswith(b"{") else {}
        if "url" not in reply:
            await self._stop(model)
            await asyncio.sleep(0.1)  # let the log pump read the last lines
            why = reply.get("error") or f"the model process exited with code {model.exit_code}"
            msg = f"model '{model_id}': {why}. llama.cpp said: {model.errors() or 'nothing'}"
            raise HostError(422, msg, "load_failed")
        model.url = reply["url"]
        model.state = "ready"
        model.tasks.append(asyncio.create_task(self._watch(model)))
        log.info("'%s' ready at %s (sha256 %s)", model_id, model.url, sha[:12])
        return model

    async def _pump_log(self, model: LoadedModel) -> None:
        assert model.proc.stderr is not None
        async for raw in model.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            model.log_tail.append(line)
            if self.verbose or " E " in line[:20] or " W " in line[:20]:
                sys.stderr.write(f"[{model.id}] {line}\n")

    async def _watch(self, model: LoadedModel) -> None:
        code = await model.proc.wait()
        if self.models.get(model.id) is model and model.state == "ready":
            model.state, model.exit_code = "exited", code
            log.error("model '%s' (pid %d) exited with code %d: %s", model.id, model.proc.pid, code, model.errors())

    async def _stop(self, model: LoadedModel) -> None:
        proc = model.proc
        if proc.returncode is None:
            if proc.stdin is not None:
                proc.stdin.close()  # the worker's signal to exit
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), STOP_GRACE_S)
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()
        model.exit_code = proc.returncode

    async def unload(self, model_id: str) -> bool:
        async with self._locks[model_id]:
            model = self.models.pop(model_id, None)
            if model is None:
                return False
            model.state = "exited"
            await self._stop(model)
            log.info("unloaded '%s'", model_id)
            return True

    async def close(self) -> None:
        await asyncio.gather(*(self.unload(mid) for mid in list(self.models)))
