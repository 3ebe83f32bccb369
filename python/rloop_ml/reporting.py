"""Metrics of a training run, sent where `--report-to` says.

TRL's trainers take `report_to` themselves; our loops have no `Trainer`, so they log through each library's own client,
which reads its usual environment variables:
- mlflow: MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT_NAME / MLFLOW_EXPERIMENT_ID, MLFLOW_TRACKING_TOKEN (or _USERNAME /
  _PASSWORD), and MLFLOW_RUN_ID (resume a run that an orchestrator created; `mlflow.start_run()` honours it). When
  rloop launches the job for a campaign with `tracking:` it also sets RLOOP_MLFLOW_PARENT_RUN_ID (the campaign's run)
  and RLOOP_MLFLOW_RUN_NAME (the job's key): the job logs as a nested run under the campaign's run (tag
  `mlflow.parentRunId`), in the parent's experiment;
- wandb: WANDB_PROJECT, WANDB_ENTITY, WANDB_API_KEY, WANDB_MODE, WANDB_RUN_ID ...;
- tensorboard: event files under `{out}/runs` (or $TENSORBOARD_LOGGING_DIR, as transformers does).
Only the main process reports. A missing library fails at start, before any training, naming the package to install.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

_PACKAGES = {"mlflow": "mlflow", "wandb": "wandb", "tensorboard": "tensorboard"}
PARENT_RUN_ENV = "RLOOP_MLFLOW_PARENT_RUN_ID"
RUN_NAME_ENV = "RLOOP_MLFLOW_RUN_NAME"


def resolve_report_to(kind: str) -> str:
    """`auto` (the default) is mlflow when rloop launched this job for a tracked campaign, else none."""
    if kind != "auto":
        return kind
    return "mlflow" if os.environ.get(PARENT_RUN_ENV) else "none"


def start_mlflow_run(run_name: str) -> tuple[Any, bool]:
    """The active MLflow run (started here if none: nested under rloop's campaign run when the env names one).

    Returns (run, started_here): a run started here is ended by whoever started it.
    """
    import mlflow

    active = mlflow.active_run()
    if active is not None:
        return active, False
    if os.environ.get("MLFLOW_RUN_ID"):
        return mlflow.start_run(), True
    parent = os.environ.get(PARENT_RUN_ENV)
    name = os.environ.get(RUN_NAME_ENV) or run_name
    if not parent:
        return mlflow.start_run(run_name=name), True
    # The parent's experiment, so the UI shows the job under the campaign's run.
    experiment = os.environ.get("MLFLOW_EXPERIMENT_ID") or mlflow.MlflowClient().get_run(parent).info.experiment_id
    return mlflow.start_run(run_name=name, parent_run_id=parent, experiment_id=experiment), True


def end_mlflow_run(failed: bool = False) -> None:
    import mlflow

    mlflow.end_run("FAILED" if failed else "FINISHED")


class Reporter:
    def __init__(self, kind: str, out_dir: str, run_name: str, config: dict[str, Any], enabled: bool = True) -> None:
        kind = resolve_report_to(kind)
        self.kind = kind if enabled else "none"
        self._client: Any = None
        if self.kind == "none":
            return
        try:
            importlib.import_module(_PACKAGES[self.kind])
        except ImportError as e:
            raise SystemExit(f"--report-to {kind}: the {_PACKAGES[kind]!r} package is not installed ({e})") from e
        if self.kind == "mlflow":
            import mlflow

            self._client = mlflow
            run, self._owns_run = start_mlflow_run(run_name)
            self.run_id = run.info.run_id
            mlflow.log_params({k: str(v) for k, v in config.items()})
        elif self.kind == "wandb":
            import wandb

            self._client = wandb.init(name=run_name, config=config)
        else:
            from torch.utils.tensorboard import SummaryWriter

            log_dir = os.environ.get("TENSORBOARD_LOGGING_DIR") or os.path.join(out_dir, "runs")
            self._client = SummaryWriter(log_dir=log_dir)
            self._client.add_text("config", repr(config))

    def log(self, metrics: dict[str, float], step: int) -> None:
        if self.kind == "mlflow":
            self._client.log_metrics(metrics, step=step)
        elif self.kind == "wandb":
            self._client.log(metrics, step=step)
        elif self.kind == "tensorboard":
            for k, v in metrics.items():
                self._client.add_scalar(k, v, step)

    def close(self, failed: bool = False) -> None:
        """Ends the run (a run started here is marked FAILED when training failed, not FINISHED by mlflow's atexit)."""
        if self.kind == "mlflow" and self._owns_run:
            end_mlflow_run(failed)
        elif self.kind == "wandb":
            self._client.finish()
        elif self.kind == "tensorboard":
            self._client.close()
