"""The local model host against the real SmolLM2 GGUF and real llama.cpp servers (xllamacpp), over HTTP."""

from __future__ import annotations

import hashlib
import json
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from rloop_ml.weights import MissingSetup, base_gguf

PYTHON_DIR = Path(__file__).resolve().parents[1]


def real_gguf() -> Path:
    try:
        return base_gguf()
    except MissingSetup as e:
        pytest.fail(f"the real model is not installed: {e}", pytrace=False)


def file_sha256(path: Path) -> str:
    # A second computation of the version, independent of rloop_ml.weights.sha256_file's chunking and cache.
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Host:
    """`python -m rloop_ml.serve` in a child process on a free port; stderr kept in a file for failures."""

    def __init__(self, tmp: Path, models: dict[str, Path], *args: str):
        self.log = tmp / "host.stderr"
        cmd = [sys.executable, "-m", "rloop_ml.serve", "--port", "0", "--threads", "1", *args]
        for model_id, path in models.items():
            cmd += ["--model", f"{model_id}={path}"]
        with open(self.log, "wb") as err:
            self.proc = subprocess.Popen(cmd, cwd=PYTHON_DIR, stdout=subprocess.PIPE, stderr=err)
        ready = self._ready_line(timeout=120)
        self.base_url = ready["baseURL"]
        self.root = self.base_url.removesuffix("/v1")
        self.http = httpx.Client(timeout=120)

    def _ready_line(self, timeout: float) -> dict:
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
        if not sel.select(timeout):
            self.stop()
            raise AssertionError(f"host not ready in {timeout} s:\n{self.log.read_text()}")
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            self.proc.wait(10)
            raise AssertionError(f"host exited with {self.proc.returncode}:\n{self.log.read_text()}")
        return json.loads(line)

    def chat(self, model: str, content: str, **extra) -> httpx.Response:
        body = {"model": model, "messages": [{"role": "user", "content": content}], "temperature": 0, "seed": 7}
        return self.http.post(f"{self.base_url}/chat/completions", json=body | extra)

    def model_ids(self) -> list[str]:
        return [m["id"] for m in self.http.get(f"{self.base_url}/models").json()["data"]]

    def admin(self) -> dict[str, dict]:
        return {m["id"]: m for m in self.http.get(f"{self.root}/admin/models").json()["data"]}

    def put(self, model_id: str, **body) -> httpx.Response:
        return self.http.put(f"{self.root}/admin/models/{model_id}", json=body)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


@pytest.fixture(scope="module")
def gguf() -> Path:
    return real_gguf()


@pytest.fixture(scope="module")
def host(tmp_path_factory, gguf):
    h = Host(tmp_path_factory.mktemp("host"), {"base": gguf}, "--parallel", "2", "--ctx", "1024")
    yield h
    h.stop()


SCHEMA = {
    "type": "object",
    "properties": {
        "colour": {"type": "string", "enum": ["red", "green", "blue"]},
        "score": {"type": "integer", "enum": [1, 2, 3, 4, 5]},
    },
    "required": ["colour", "score"],
    "additionalProperties": False,
}


def test_lists_the_loaded_model_with_its_file_sha256_as_version(host, gguf):
    data = host.http.get(f"{host.base_url}/models").json()["data"]
    assert [(m["id"], m["object"], m["version"]) for m in data] == [("base", "model", file_sha256(gguf))]
    one = host.http.get(f"{host.base_url}/models/base").json()
    assert one["version"] == file_sha256(gguf)


def test_json_schema_reply_parses_against_the_schema(host, gguf):
    schema = {"type": "json_schema", "json_schema": {"name": "rating", "schema": SCHEMA, "strict": True}}
    prompt = "Pick a colour and rate the sky from 1 to 5. Reply in JSON."
    r = host.chat("base", prompt, max_tokens=40, response_format=schema)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model"] == "base"
    assert r.headers["x-rloop-model-version"] == file_sha256(gguf)
    reply = json.loads(body["choices"][0]["message"]["content"])
    assert set(reply) == {"colour", "score"}
    assert reply["colour"] in ("red", "green", "blue") and reply["score"] in (1, 2, 3, 4, 5)


def test_streaming_passes_through(host):
    with host.http.stream("POST", f"{host.base_url}/chat/completions", json={
        "model": "base", "messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 6, "stream": True,
    }) as r:  # fmt: skip
        assert r.status_code == 200
        events = [ln.removeprefix("data: ") for ln in r.iter_lines() if ln.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text.strip() and all(c["model"] == "base" for c in chunks)


def test_unknown_model_is_an_openai_style_404_naming_it(host):
    r = host.chat("no-such-model", "hi", max_tokens=4)
    assert r.status_code == 404
    err = r.json()["error"]
    assert "no-such-model" in err["message"] and err["code"] == "model_not_found" and err["param"] == "model"


def test_context_overflow_is_llama_cpp_400_and_the_model_still_answers(host):
    r = host.chat("base", "word " * 1500, max_tokens=4)  # ~1500 tokens against a 1024-token slot
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["type"] == "exceed_context_size_error" and "exceeds the available context size" in err["message"]
    ok = host.chat("base", "Say yes.", max_tokens=4)
    assert ok.status_code == 200 and ok.json()["choices"][0]["message"]["content"]


def test_load_second_id_is_idempotent_routed_then_unloaded(host, gguf, tmp_path):
    first = host.put("rloop/second:v1", gguf=str(gguf), parallel=1, ctx=512)
    assert first.status_code == 201, first.text
    again = host.put("rloop/second:v1", gguf=str(gguf), parallel=1, ctx=512)
    assert again.status_code == 200 and again.json()["changed"] is False
    assert sorted(host.model_ids()) == ["base", "rloop/second:v1"]
    admin = host.admin()
    pid = admin["rloop/second:v1"]["pid"]
    assert pid != admin["base"]["pid"] and alive(pid)
    assert admin["rloop/second:v1"]["sha256"] == file_sha256(gguf) and admin["rloop/second:v1"]["state"] == "ready"

    r = host.chat("rloop/second:v1", "Say hi.", max_tokens=4)
    assert r.status_code == 200 and r.json()["model"] == "rloop/second:v1"

    # The same id from another file (another version) or with other settings is refused, and nothing changes.
    other = tmp_path / "other.gguf"
    other.write_bytes(b"GGUF but another version")
    conflict = host.put("rloop/second:v1", gguf=str(other))
    assert conflict.status_code == 409
    assert str(other) in conflict.json()["error"]["message"] and conflict.json()["error"]["code"] == "model_conflict"
    assert host.put("rloop/second:v1", gguf=str(gguf), parallel=1, ctx=256).status_code == 409
    assert host.admin()["rloop/second:v1"]["pid"] == pid

    gone = host.http.delete(f"{host.root}/admin/models/rloop/second:v1")
    assert gone.status_code == 200 and gone.json()["deleted"] is True
    assert host.model_ids() == ["base"] and "rloop/second:v1" not in host.admin()
    assert not alive(pid)
    assert host.chat("rloop/second:v1", "Say hi.", max_tokens=4).status_code == 404
    again = host.http.delete(f"{host.root}/admin/models/rloop/second:v1")
    assert again.status_code == 200 and again.json()["deleted"] is False


def test_bad_loads_are_refused_with_the_reason_and_the_host_keeps_serving(host, tmp_path):
    missing = host.put("x", gguf=str(tmp_path / "absent.gguf"))
    assert missing.status_code == 400 and "absent.gguf" in missing.json()["error"]["message"]
    not_gguf = tmp_path / "not-a-model.gguf"
    not_gguf.write_text("hello")
    bad = host.put("x", gguf=str(not_gguf))
    assert bad.status_code == 422, bad.text
    assert "invalid magic" in bad.json()["error"]["message"] and "not-a-model.gguf" in bad.json()["error"]["message"]
    assert host.put("x", gguf=str(not_gguf), parallel=0).status_code == 400
    assert host.http.put(f"{host.root}/admin/models/x", content=b"{nope").status_code == 400
    assert host.model_ids() == ["base"] and "x" not in host.admin()


def test_sigterm_stops_the_host_and_its_model_processes(tmp_path, gguf):
    h = Host(tmp_path, {"a": gguf, "b": gguf}, "--parallel", "1", "--ctx", "256")
    pids = [m["pid"] for m in h.admin().values()]
    assert len(pids) == 2 and all(alive(p) for p in pids)
    h.stop()
    deadline = time.monotonic() + 10
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(p) for p in pids)
    assert "unloaded 'a'" in h.log.read_text() and "unloaded 'b'" in h.log.read_text()


def test_cli_refuses_a_bad_model_spec_and_a_bad_file(tmp_path):
    r = subprocess.run([sys.executable, "-m", "rloop_ml.serve", "--model", "nopath"], cwd=PYTHON_DIR,
                       capture_output=True, text=True, timeout=60)  # fmt: skip
    assert r.returncode == 2 and "expected ID=path.gguf" in r.stderr
    r = subprocess.run([sys.executable, "-m", "rloop_ml.serve", "--port", "0", "--model", f"m={tmp_path}/none.gguf"],
                       cwd=PYTHON_DIR, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert r.returncode == 2 and "none.gguf does not exist" in r.stderr and r.stdout == ""
