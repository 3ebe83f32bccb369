"""Metrics for the hand-written training loops (policy gradient, ranking), sent where `--report-to` says.

TRL's trainers take `report_to` themselves; our loops have no `Trainer`, so they log through each library's own client,
which reads its usual environment variables:
- mlflow: MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT_NAME / MLFLOW_EXPERIMENT_ID, and MLFLOW_RUN_ID (resume a run that an
  orchestrator created; `mlflow.start_run()` honours it);
- wandb: WANDB_PROJECT, WANDB_ENTITY, WANDB_API_KEY, WANDB_MODE, WANDB_RUN_ID ...;
- tensorboard: event files under `{out}/runs` (or $TENSORBOARD_LOGGING_DIR, as transformers does).
Only the main process reports. A missing library fails at start, before any training, naming the package to install.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

_PACKAGES = {"mlflow": "mlflow", "wandb": "wandb", "tensorboard": "tensorboard"}


class Reporter:
    def __init__(self, kind: str, out_dir: str, run_name: str, config: dict[str, Any], enabled: bool = True) -> None:
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
            # start_run() reads MLFLOW_RUN_ID and the experiment variables itself; the tracking URI comes from
            # MLFLOW_TRACKING_URI.
            self._owns_run = mlflow.active_run() is None
            name = None if os.environ.get("MLFLOW_RUN_ID") else run_name
            run = mlflow.active_run() or mlflow.start_run(run_name=name)
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

    def close(self) -> None:
        if self.kind == "mlflow" and self._owns_run:
            self._client.end_run()
        elif self.kind == "wandb":
            self._client.finish()
        elif self.kind == "tensorboard":
            self._client.close()
