"""Generator trainer: offline, advantage-weighted policy gradient on rloop's `generator.rl` export.

Each row is one question the generator wrote this iteration, with its reliability reward:
    {"prompt": [{"role": ..., "content": ...}, ...],   # the generator prompt it was sampled from
     "question": "...",                                 # the completion to reinforce or discourage
     "reward": 0.62,                                    # R_G after the near-duplicate penalty
     "advantage": 0.8,                                  # (reward - group mean) / (group std + eps)
     "questionId": ..., "groupId": ..., "rawReward": ..., "duplicateOf": ...}   # informational

The question is trained as the assistant turn after the prompt. The algorithm (clipped surrogate against the frozen
base model, and why not TRL's online GRPO/RLOO) is in `rloop_ml.policy_gradient`, shared with the solver's
policy-gradient trainer.

    accelerate launch -m rloop_ml.train_generator_rl --data generator.rl.jsonl --base Qwen/Qwen2.5-0.5B-Instruct \
        --out runs/generator-iter-3

Writes the model to --out and its id to {out}/model_id.txt (--model-id, else the absolute path of --out); the rloop
command backend reads it. torch/transformers/accelerate are imported inside main(), so `validate_rows()` is
importable without them.
"""

from __future__ import annotations

import argparse
from typing import Any

from rloop_ml.common import message_problems, number_problems, pg_parser, rows_problems, run_pg


def _row_problems(row: dict, where: str) -> list[str]:
    problems = message_problems(row.get("prompt"), f"{where}.prompt")
    q = row.get("question")
    if not isinstance(q, str) or not q.strip():
        problems.append(f"{where}.question: expected a non-empty string")
    return problems + number_problems(row, ("reward", "advantage"), where)


def validate_rows(rows: list[Any]) -> list[str]:
    """Problems that would make a row unusable (empty list = fine)."""
    return rows_problems(rows, _row_problems)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    return pg_parser(__doc__, "generator.rl JSONL").parse_args(argv)


def main(argv: list[str] | None = None) -> list[dict[str, float]]:
    def to_item(r: dict):
        return r["prompt"], [{"role": "assistant", "content": r["question"]}], float(r["advantage"])

    return run_pg(parse_args(argv), validate_rows, to_item, "generator-pg")


if __name__ == "__main__":
    main()
