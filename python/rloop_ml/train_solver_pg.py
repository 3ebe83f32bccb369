"""Solver trainer: offline, advantage-weighted policy gradient on rloop's `solver.pg` export.

Each row is one answer the current solver gave to a reliable question, with its judged reward:
    {"prompt": [{"role": "system"|"user"|"assistant", "content": ...}, ...],
     "completion": [{"role": "assistant", "content": "..."}],
     "reward": 0.7,        # the answer's aggregated judged score
     "advantage": 1.2,     # (reward - mean of its question's group) / (population std + 1e-6); 0 in a group of one
     "group": "q-17"}      # the question the answer belongs to
Advantages are taken as exported (rloop normalises them within each question's answers, so an easy question whose
answers all score high teaches nothing, like GRPO's group baseline). The algorithm is `rloop_ml.policy_gradient`,
shared with the generator trainer.

    accelerate launch -m rloop_ml.train_solver_pg --data solver.pg.jsonl --base Qwen/Qwen2.5-0.5B-Instruct \
        --out runs/solver-iter-3

Writes the model to --out and its id to {out}/model_id.txt (--model-id, else the absolute path of --out), last.
torch is imported inside main(), so `validate_rows()` is importable without it.
"""

from __future__ import annotations

import argparse
from typing import Any

from rloop_ml.common import message_problems, number_problems, pg_parser, rows_problems, run_pg


def _row_problems(row: dict, where: str) -> list[str]:
    problems = message_problems(row.get("prompt"), f"{where}.prompt")
    problems += message_problems(row.get("completion"), f"{where}.completion", ("assistant",))
    problems += number_problems(row, ("reward", "advantage"), where)
    group = row.get("group")
    if not isinstance(group, str) or not group:
        problems.append(f"{where}.group: expected a non-empty string, got {group!r}")
    return problems


def validate_rows(rows: list[Any]) -> list[str]:
    """Problems that would make a row unusable (empty list = fine)."""
    return rows_problems(rows, _row_problems)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    return pg_parser(__doc__, "solver.pg JSONL").parse_args(argv)


def main(argv: list[str] | None = None) -> list[dict[str, float]]:
    def to_item(r: dict):
        return r["prompt"], r["completion"], float(r["advantage"])

    return run_pg(parse_args(argv), validate_rows, to_item, "solver-pg")


if __name__ == "__main__":
    main()
