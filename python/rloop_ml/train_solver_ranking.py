"""Solver trainer: listwise ranking (Plackett-Luce / ListMLE) on rloop's `solver.ranking` export.

Each row is one reliable question with its answers in the judges' aggregated order, best first:
    {"prompt": [{"role": "system"|"user"|"assistant", "content": ...}, ...],
     "completions": [[{"role": "assistant", "content": "..."}], ...],   # best first, at least 2
     "scores": [0.9, 0.6, 0.6, 0.1],                                    # aggregated, same order, non-increasing
     "ties": [[1, 2]]}                                                  # optional: groups of positions judged equal

An answer's score under the model being trained is its length-normalised log-likelihood relative to the frozen base
model, scaled by beta (DPO's implicit reward, per token so long answers are not favoured or punished for length):

    s_i = beta * (mean_t log pi_theta(y_i,t | x, y_i,<t) - mean_t log pi_base(y_i,t | x, y_i,<t))

and the loss is the Plackett-Luce negative log-likelihood of the observed order (ListMLE), with tied answers handled
by Breslow's approximation: see `rloop_ml.ranking` for the formula, the citations and why Breslow. With two answers
and no tie this is DPO's loss on length-normalised log-ratios. Scores only order the answers (and must agree with the
order); their margins are not used as weights.

    accelerate launch -m rloop_ml.train_solver_ranking --data solver.ranking.jsonl \
        --base Qwen/Qwen2.5-0.5B-Instruct --out runs/solver-iter-3

--batch-size counts questions (each brings all its answers). Writes the model to --out and its id to
{out}/model_id.txt (--model-id, else the absolute path of --out), last. torch is imported inside main(), so
`validate_rows()` is importable without it.
"""

from __future__ import annotations

import argparse
from typing import Any

from rloop_ml.common import (
    add_loop_arguments,
    check_rows,
    is_number,
    message_problems,
    rows_problems,
    trainer_parser,
)


def _ties_problems(ties: Any, n: int, where: str) -> list[str]:
    if not isinstance(ties, list):
        return [f"{where}.ties: expected a list of index groups"]
    problems: list[str] = []
    seen: set[int] = set()
    for g, group in enumerate(ties):
        at = f"{where}.ties[{g}]"
        if not isinstance(group, list) or len(group) < 2 or not all(type(i) is int for i in group):
            problems.append(f"{at}: expected a list of at least 2 integer positions")
            continue
        if any(i < 0 or i >= n for i in group):
            problems.append(f"{at}: positions must be in 0..{n - 1}, got {group}")
        elif sorted(group) != list(range(min(group), max(group) + 1)):
            problems.append(f"{at}: tied positions must be consecutive in the best-first order, got {group}")
        elif seen & set(group):
            problems.append(f"{at}: position(s) {sorted(seen & set(group))} already in another tie group")
        seen |= set(group)
    return problems


def _row_problems(row: dict, where: str) -> list[str]:
    problems = message_problems(row.get("prompt"), f"{where}.prompt")
    completions = row.get("completions")
    if not isinstance(completions, list) or len(completions) < 2:
        return problems + [f"{where}.completions: expected a list of at least 2 completions (best first)"]
    for j, c in enumerate(completions):
        problems += message_problems(c, f"{where}.completions[{j}]", ("assistant",))
    scores = row.get("scores")
    if not isinstance(scores, list) or len(scores) != len(completions) or not all(is_number(s) for s in scores):
        problems.append(f"{where}.scores: expected {len(completions)} finite numbers, one per completion")
    else:
        rises = [j for j in range(1, len(scores)) if scores[j] > scores[j - 1]]
        if rises:
            j = rises[0]
            problems.append(
                f"{where}.scores: must be non-increasing (best first), but scores[{j}] = {scores[j]} > "
                f"scores[{j - 1}] = {scores[j - 1]}"
            )
    if row.get("ties") is not None:
        problems += _ties_problems(row["ties"], len(completions), where)
    return problems


def validate_rows(rows: list[Any]) -> list[str]:
    """Problems that would make a row unusable (empty list = fine)."""
    return rows_problems(rows, _row_problems)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = trainer_parser(__doc__, "solver.ranking JSONL", "base model (HF hub id or local path)")
    add_loop_arguments(p, lr=1e-6, batch_size=1, grad_accum=8)
    p.add_argument("--beta", type=float, default=1.0, help="scale of the length-normalised log-ratio scores")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> list[dict[str, float]]:
    args = parse_args(argv)
    rows = check_rows(args.data, validate_rows)

    import torch  # heavy imports only now: see the module docstring

    from rloop_ml.ranking import plackett_luce_nll, tie_blocks
    from rloop_ml.training import Session, encode_completion, mean_logps, pad_sequences, token_logps

    s = Session(args, "solver-ranking")
    examples = []
    for r in rows:
        seqs = [encode_completion(s.tokenizer, r["prompt"], c, args.max_length) for c in r["completions"]]
        if all(seq is not None for seq in seqs):
            examples.append({"seqs": seqs, "blocks": tie_blocks(len(seqs), r.get("ties"))})
    if len(examples) < len(rows):
        print(f"skipped {len(rows) - len(examples)} rows whose prompt fills --max-length", flush=True)
    if not examples:
        raise SystemExit("every row's prompt fills --max-length: nothing to train on")

    def collate(batch: list[dict]) -> dict[str, Any]:
        out: dict[str, Any] = pad_sequences([seq for e in batch for seq in e["seqs"]], s.pad_id)
        out["sizes"] = [len(e["seqs"]) for e in batch]
        out["blocks"] = [e["blocks"] for e in batch]
        if "base" in batch[0]:
            out["base_means"] = torch.tensor([m for e in batch for m in e["base"]], dtype=torch.float32)
        return out

    def per_row(values: torch.Tensor, sizes: list[int]) -> list[torch.Tensor]:
        return list(torch.split(values, sizes))

    def base_means(model, batch) -> list[list[float]]:
        means = mean_logps(token_logps(model, batch), batch["loss_mask"]).cpu()
        return [v.tolist() for v in per_row(means, batch["sizes"])]

    base = s.frozen_pass(examples, collate, base_means)
    for e, means in zip(examples, base):
        e["base"] = means

    def loss_fn(model, batch):
        means = mean_logps(token_logps(model, batch), batch["loss_mask"])
        scores = args.beta * (means - batch["base_means"])
        lists = per_row(scores, batch["sizes"])
        loss = torch.stack([plackett_luce_nll(sc, bl) for sc, bl in zip(lists, batch["blocks"])]).mean()
        # Share of lists whose first answer now scores above their last: should rise during training.
        top_above_bottom = sum(float(sc[0] > sc[-1]) for sc in lists) / len(lists)
        return loss, {"top_above_bottom": top_above_bottom}

    history = s.optimise(examples, collate, loss_fn)
    s.save()
    return history


if __name__ == "__main__":
    main()
