"""Trainers launched for a tracked campaign log to a real MLflow server as nested runs under the campaign's run.

The environment is what rloop's command backend sets (src/training/command.ts): MLFLOW_TRACKING_URI,
RLOOP_MLFLOW_PARENT_RUN_ID, RLOOP_MLFLOW_RUN_NAME; `--report-to` is left at its default (auto). The server is the
pinned `mlflow server` of the observability tests (scripts/lib/observability-tools.mjs), sqlite backend in a temp
folder; everything is read back over MLflow's REST API, not through the client that wrote it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import write_jsonl
from helpers import ANSWERS, PROMPTS, assistant, pg_rows
from rloop_ml import train_solver_dpo, train_solver_pg

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rest(url: str, path: str, body: dict | None = None, query: dict | None = None) -> dict:
    full = f"{url}/api/2.0/mlflow/{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(full, data=data, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.loads(res.read() or b"{}")


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory):
    tool = json.loads(
        subprocess.run(
            ["node", str(ROOT / "scripts/lib/observability-tools.mjs"), "install", "mlflow", "--json"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )["mlflow"]
    mlflow_bin = Path(tool["path"])
    work = tmp_path_factory.mktemp("mlflow")
    db = work / "mlflow.db"
    # The migrated empty database the TS tests keep next to the venv (tests/helpers/observability.ts): migrating a
    # fresh sqlite file is most of a cold start.
    stem = re.sub(r"\W+", "_", tool["version"])
    template = mlflow_bin.parent.parent / f"rloop-empty-{stem}.db"
    if template.exists():
        shutil.copyfile(template, db)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(work / "server.log", "w")
    proc = subprocess.Popen(
        [str(mlflow_bin), "server", "--backend-store-uri", f"sqlite:///{db}", "--serve-artifacts",
         "--artifacts-destination", str(work / "artifacts"), "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"},
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=5) as res:
                    if res.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mlflow server did not start: {(work / 'server.log').read_text()[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def campaign_run(mlflow_server, monkeypatch):
    """A campaign's run, made over REST as rloop's tracking activity makes it, and the job environment rloop sets."""
    experiment = _rest(mlflow_server, "experiments/create", {"name": f"rloop-nested-{time.time_ns()}"})["experiment_id"]
    tags = [{"key": "rloop.campaign", "value": "nested"}, {"key": "rloop.runKey", "value": "campaign-nested"}]
    run = _rest(mlflow_server, "runs/create", {"experiment_id": experiment, "run_name": "nested", "tags": tags})
    parent = run["run"]["info"]["run_id"]
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server)
    monkeypatch.setenv("RLOOP_MLFLOW_PARENT_RUN_ID", parent)
    monkeypatch.delenv("MLFLOW_RUN_ID", raising=False)
    monkeypatch.delenv("MLFLOW_EXPERIMENT_ID", raising=False)
    monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME", raising=False)
    return {"url": mlflow_server, "experiment": experiment, "parent": parent}


def _children(c: dict) -> list[dict]:
    found = _rest(
        c["url"],
        "runs/search",
        {"experiment_ids": [c["experiment"]], "filter": f"tags.mlflow.parentRunId = '{c['parent']}'"},
    )
    return found.get("runs", [])


def _history(c: dict, run_id: str, key: str) -> list[dict]:
    return _rest(c["url"], "metrics/get-history", query={"run_id": run_id, "metric_key": key})["metrics"]


def _tags(run: dict) -> dict[str, str]:
    return {t["key"]: t["value"] for t in run["data"].get("tags", [])}


def test_policy_gradient_job_logs_a_nested_run_with_its_step_losses(tmp_path, base_model, campaign_run, monkeypatch):
    monkeypatch.setenv("RLOOP_MLFLOW_RUN_NAME", "campaign-nested-iter-0-solver")
    data = write_jsonl(tmp_path / "pg.jsonl", pg_rows())
    history = train_solver_pg.main(
        ["--data", str(data), "--base", str(base_model), "--out", str(tmp_path / "out"), "--lr", "1e-3",
         "--batch-size", "1", "--grad-accum", "1", "--max-steps", "2"]
    )
    assert len(history) == 2

    [child] = _children(campaign_run)
    info = child["info"]
    assert info["experiment_id"] == campaign_run["experiment"]
    assert info["run_name"] == "campaign-nested-iter-0-solver" and info["status"] == "FINISHED"
    assert _tags(child)["mlflow.parentRunId"] == campaign_run["parent"]
    params = {p["key"]: p["value"] for p in child["data"]["params"]}
    assert params["lr"] == "0.001" and params["max_steps"] == "2"
    losses = _history(campaign_run, info["run_id"], "loss")
    assert [m["step"] for m in losses] == [1, 2]
    assert [m["value"] for m in losses] == pytest.approx([h["loss"] for h in history])
    # The campaign's own run is left as it was: the job logs nothing into it.
    parent = _rest(campaign_run["url"], "runs/get", query={"run_id": campaign_run["parent"]})["run"]
    assert parent["data"].get("metrics", []) == [] and parent["info"]["status"] == "RUNNING"


def test_dpo_job_logs_through_transformers_into_the_nested_run(tmp_path, base_model, campaign_run, monkeypatch):
    monkeypatch.delenv("RLOOP_MLFLOW_RUN_NAME", raising=False)
    rows = [{"prompt": p, "chosen": assistant(a[0]), "rejected": assistant(a[2])} for p, a in zip(PROMPTS[:2], ANSWERS)]
    data = write_jsonl(tmp_path / "dpo.jsonl", rows)
    out = tmp_path / "dpo-job"
    train_solver_dpo.main(
        ["--data", str(data), "--base", str(base_model), "--out", str(out), "--lr", "1e-3", "--epochs", "1",
         "--batch-size", "1", "--grad-accum", "1", "--logging-steps", "1"]
    )

    [child] = _children(campaign_run)
    info = child["info"]
    # Without RLOOP_MLFLOW_RUN_NAME the run is named after the output folder.
    assert info["run_name"] == "dpo-job" and info["status"] == "FINISHED"
    assert _tags(child)["mlflow.parentRunId"] == campaign_run["parent"]
    losses = _history(campaign_run, info["run_id"], "loss")
    assert [m["step"] for m in losses] == [1, 2]  # 2 rows, batch 1: two optimizer steps, each logged
    assert all(m["value"] > 0 for m in losses)  # DPO's loss is -log sigmoid(...) > 0
    params = {p["key"]: p["value"] for p in child["data"]["params"]}
    assert params["learning_rate"] == "0.001" and params["report_to"] == "['mlflow']"


def test_report_to_none_logs_nothing_even_when_rloop_names_a_parent(tmp_path, base_model, campaign_run):
    data = write_jsonl(tmp_path / "pg.jsonl", pg_rows()[:1])
    train_solver_pg.main(
        ["--data", str(data), "--base", str(base_model), "--out", str(tmp_path / "out"), "--batch-size", "1",
         "--grad-accum", "1", "--max-steps", "1", "--report-to", "none"]
    )
    assert _children(campaign_run) == []


def test_a_job_that_fails_marks_its_nested_run_failed(tmp_path, base_model, campaign_run, monkeypatch):
    # A learning rate this large makes the loss non-finite within a few steps: the trainer stops with exit status.
    monkeypatch.setenv("RLOOP_MLFLOW_RUN_NAME", "campaign-nested-iter-1-solver")
    data = write_jsonl(tmp_path / "pg.jsonl", pg_rows())
    with pytest.raises(SystemExit, match="loss is not finite"):
        train_solver_pg.main(
            ["--data", str(data), "--base", str(base_model), "--out", str(tmp_path / "out"), "--lr", "1e30",
             "--batch-size", "1", "--grad-accum", "1", "--epochs", "20"]
        )
    [child] = _children(campaign_run)
    assert child["info"]["run_name"] == "campaign-nested-iter-1-solver"
    assert child["info"]["status"] == "FAILED"
