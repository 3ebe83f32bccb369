"""Helpers shared by the trainers: JSONL reading, row checks, the model_id.txt contract, the common CLI.

No third-party imports here, so `validate_rows()` of each trainer works without torch/transformers installed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from typing import Any

ROLES = ("system", "user", "assistant")


def read_jsonl(path: str) -> list[Any]:
    """Rows of a JSON Lines file; a malformed line stops (exit 2) naming its line number."""
    rows: list[Any] = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                print(f"{path}:{n}: invalid JSON ({e})", file=sys.stderr)
                raise SystemExit(2) from e
    return rows


def message_problems(value: Any, where: str, roles: tuple[str, ...] = ROLES) -> list[str]:
    """Problems of a conversational field: a non-empty list of {role, content: str} with known roles."""
    if not isinstance(value, list) or not value:
        return [f"{where}: expected a non-empty list of messages"]
    problems: list[str] = []
    for j, m in enumerate(value):
        if not isinstance(m, dict):
            problems.append(f"{where}[{j}]: expected an object with role and content")
            continue
        if m.get("role") not in roles:
            problems.append(f"{where}[{j}].role: expected one of {', '.join(roles)}, got {m.get('role')!r}")
        if not isinstance(m.get("content"), str):
            problems.append(f"{where}[{j}].content: expected a string")
    return problems


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def number_problems(row: dict, keys: tuple[str, ...], where: str) -> list[str]:
    """Problems of fields that must be finite numbers (bools and strings are not numbers)."""
    return [
        f"{where}.{key}: expected a finite number, got {row.get(key)!r}" for key in keys if not is_number(row.get(key))
    ]


def rows_problems(rows: list[Any], row_problems) -> list[str]:
    """Runs `row_problems(row, where)` on every object row; names rows 1-based as `row N`."""
    if not rows:
        return ["no rows: nothing to train on"]
    problems: list[str] = []
    for i, row in enumerate(rows, 1):
        where = f"row {i}"
        if not isinstance(row, dict):
            problems.append(f"{where}: expected an object")
            continue
        problems += row_problems(row, where)
    return problems


def check_rows(path: str, validate) -> list[Any]:
    """Reads and validates; exits with status 2 and the first problems on stderr if the data is unusable."""
    rows = read_jsonl(path)
    problems = validate(rows)
    if problems:
        for p in problems[:20]:
            print(f"{path}: {p}", file=sys.stderr)
        if len(problems) > 20:
            print(f"... and {len(problems) - 20} more problems", file=sys.stderr)
        raise SystemExit(2)
    return rows


def write_model_id(out_dir: str, model_id: str) -> None:
    """The command backend reads `{out}/model_id.txt` (trimmed) once the command exits 0. Written atomically, last."""
    os.makedirs(out_dir, exist_ok=True)
    tmp = os.path.join(out_dir, ".model_id.txt.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(model_id.strip() + "\n")
    os.replace(tmp, os.path.join(out_dir, "model_id.txt"))


REPORT_TO = ("auto", "none", "wandb", "mlflow", "tensorboard")


def trainer_parser(doc: str, data_help: str, base_help: str) -> argparse.ArgumentParser:
    """The arguments every trainer takes (the command backend's contract); each script adds its own."""
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--data", required=True, help=data_help)
    p.add_argument("--base", required=True, help=base_help)
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--model-id", help="id written to model_id.txt (default: absolute path of --out)")
    p.add_argument("--max-length", type=int, default=2048)
    p.add_argument("--bf16", action="store_true", help="train in bfloat16 (Ampere or newer GPUs)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--logging-steps", type=int, default=10)
    p.add_argument(
        "--report-to",
        choices=REPORT_TO,
        default="auto",
        help="experiment tracker; wandb/mlflow/tensorboard read their usual environment variables. auto (default): "
        "mlflow when rloop launched the job for a campaign with `tracking:` (RLOOP_MLFLOW_PARENT_RUN_ID set, the "
        "job logs as a nested run under the campaign's run), else none",
    )
    return p


def add_loop_arguments(p: argparse.ArgumentParser, lr: float, batch_size: int = 4, grad_accum: int = 4) -> None:
    """Knobs of the hand-written loops (rloop_ml.training)."""
    p.add_argument("--lr", type=float, default=lr)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=batch_size, help="rows per batch")
    p.add_argument("--grad-accum", type=int, default=grad_accum)
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many optimizer steps (0 = no limit)")


def add_pg_arguments(p: argparse.ArgumentParser, lr: float) -> None:
    """Knobs of the policy-gradient trainers (rloop_ml.policy_gradient)."""
    add_loop_arguments(p, lr)
    p.add_argument("--clip-eps", type=float, default=0.2)
    p.add_argument("--kl-beta", type=float, default=0.0, help="weight of the k3 KL estimate to the base model")
    p.add_argument("--skip-zero-advantage", action="store_true", help="drop rows whose advantage is 0 (no signal)")


def pg_parser(doc: str, data_help: str) -> argparse.ArgumentParser:
    """The command line of a policy-gradient trainer."""
    p = trainer_parser(doc, data_help, "base model (HF hub id or local path); the model that sampled the data")
    add_pg_arguments(p, lr=1e-6)
    return p


def run_pg(args: argparse.Namespace, validate, to_item, run_name: str) -> list[dict[str, float]]:
    """Validates the rows, then (importing torch only now) trains on to_item(row) = (prompt, completion, advantage)."""
    rows = check_rows(args.data, validate)
    from rloop_ml.policy_gradient import train_policy_gradient

    return train_policy_gradient(args, [to_item(r) for r in rows], run_name)
