"""--report-to mlflow from a hand-written loop logs into the run named by MLFLOW_RUN_ID at MLFLOW_TRACKING_URI.

The MLflow client (mlflow-skinny) is in the lock; wandb and tensorboard stay the user's choice.
"""

from __future__ import annotations

import mlflow
import pytest

from conftest import write_jsonl
from helpers import pg_rows
from rloop_ml import train_solver_pg


def test_mlflow_run_from_the_environment_gets_the_metrics(tmp_path, base_model, monkeypatch):
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # a local file store: no database or server in a test
    uri = (tmp_path / "mlruns").as_uri()
    client = mlflow.tracking.MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment("rloop-test")
    run_id = client.create_run(experiment).info.run_id  # as an orchestrator would, before the job starts
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_RUN_ID", run_id)
    data = write_jsonl(tmp_path / "pg.jsonl", pg_rows())
    history = train_solver_pg.main(
        ["--data", str(data), "--base", str(base_model), "--out", str(tmp_path / "out"), "--lr", "1e-3",
         "--batch-size", "1", "--grad-accum", "1", "--epochs", "2", "--report-to", "mlflow"]
    )
    logged = client.get_metric_history(run_id, "loss")
    assert [m.step for m in logged] == list(range(1, len(history) + 1)) == list(range(1, 7))
    assert [m.value for m in logged] == pytest.approx([h["loss"] for h in history])
    run = client.get_run(run_id)
    assert run.data.params["lr"] == "0.001" and run.data.params["report_to"] == "mlflow"
    assert run.info.status == "FINISHED"
