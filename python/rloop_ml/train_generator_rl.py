"""Reference generator trainer: offline, advantage-weighted policy gradient on rloop's `generator.rl` export.

Each row is one question the generator wrote this iteration, with its reliability reward:
    {"prompt": [{"role": ..., "content": ...}, ...],   # the generator prompt it was sampled from
     "question": "...",                                 # the completion to reinforce or discourage
     "reward": 0.62,                                    # R_G after the near-duplicate penalty
     "advantage": 0.8,                                  # (reward - group mean) / (group std + eps)
     "questionId": ..., "groupId": ..., "rawReward": ..., "duplicateOf": ...}   # informational

Algorithm (and why not TRL's GRPO/RLOO). GRPOTrainer and RLOOTrainer are online: they sample fresh completions
inside the training loop and score them with reward functions. Our reward R_G is not a function one can call on a
fresh sample: it comes from the whole rloop pipeline (solver answers under several regimes, K judge passes, pairwise
order swaps) and exists only for the exported questions. Feeding it to GRPO would mean rewarding completions it was
not computed for. So this script does the honest thing with precomputed rewards: one offline policy-gradient update
per rloop iteration on the questions the current generator actually sampled (rloop itself is the outer, on-policy
loop). The loss per completion token is the PPO/GRPO clipped surrogate with the group-normalised advantage A:

    ratio = exp(logp_theta(token) - logp_base(token))
    loss  = -min(ratio * A, clip(ratio, 1 - eps, 1 + eps) * A)  [+ beta * KL_k3(theta || base)]

averaged over the question's tokens, then over rows. logp_base is computed once with the base model, which is the
behaviour policy that sampled the questions; on the first step ratio = 1 and this is exactly REINFORCE with the
exported advantages as weights, and the clip bounds how far later steps (or epochs) move any token's probability,
so negative advantages cannot push probabilities towards zero without limit.

    accelerate launch trainers/train_generator_rl.py --data generator.rl.jsonl --base Qwen/Qwen2.5-0.5B-Instruct \
        --out runs/generator-iter-3

Writes the model to --out and its id to {out}/model_id.txt (--model-id, else the absolute path of --out); the rloop
command backend reads it. torch/transformers/accelerate are imported inside main(), so `validate_rows()` is
importable without them.
"""

from __future__ import annotations

import argparse
import math
import os
from typing import Any

from rloop_common import check_rows, is_number, message_problems, trainer_parser, write_model_id


def validate_rows(rows: list[Any]) -> list[str]:
    """Problems that would make a row unusable (empty list = fine)."""
    if not rows:
        return ["no rows: nothing to train on"]
    problems: list[str] = []
    for i, row in enumerate(rows, 1):
        where = f"row {i}"
        if not isinstance(row, dict):
            problems.append(f"{where}: expected an object")
            continue
        problems += message_problems(row.get("prompt"), f"{where}.prompt")
        q = row.get("question")
        if not isinstance(q, str) or not q.strip():
            problems.append(f"{where}.question: expected a non-empty string")
        for key in ("reward", "advantage"):
            if not is_number(row.get(key)):
                problems.append(f"{where}.{key}: expected a finite number, got {row.get(key)!r}")
    return problems


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = trainer_parser(
        __doc__, "generator.rl JSONL", "base model (HF hub id or local path); the model that sampled the data"
    )
    p.add_argument("--lr", type=float, default=1e-6)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--grad-accum", type=int, default=4)
    p.add_argument("--clip-eps", type=float, default=0.2)
    p.add_argument("--kl-beta", type=float, default=0.0, help="weight of the k3 KL estimate to the base model")
    p.add_argument("--skip-zero-advantage", action="store_true", help="drop rows whose advantage is 0 (no signal)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    rows = check_rows(args.data, validate_rows)
    if args.skip_zero_advantage:
        rows = [r for r in rows if r["advantage"] != 0]

    import torch
    from accelerate import Accelerator
    from transformers import AutoModelForCausalLM, AutoTokenizer

    acc = Accelerator(gradient_accumulation_steps=args.grad_accum, mixed_precision="bf16" if args.bf16 else "no")
    tokenizer = AutoTokenizer.from_pretrained(args.base)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    model = AutoModelForCausalLM.from_pretrained(args.base, torch_dtype="auto")

    # Token ids: the prompt through the chat template (with the generation prompt), then the question and EOS, as the
    # generator produced it when serving. Only question tokens carry loss.
    examples = []
    for r in rows:
        prompt_ids = tokenizer.apply_chat_template(r["prompt"], add_generation_prompt=True, tokenize=True)
        completion = tokenizer(r["question"], add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
        ids = (list(prompt_ids) + completion)[: args.max_length]
        mask = ([0] * len(prompt_ids) + [1] * len(completion))[: args.max_length]
        if sum(mask) > 0:
            examples.append({"ids": ids, "mask": mask, "advantage": float(r["advantage"])})

    def collate(batch):
        width = max(len(e["ids"]) for e in batch)
        pad = lambda xs, v: xs + [v] * (width - len(xs))  # noqa: E731
        return {
            "input_ids": torch.tensor([pad(e["ids"], pad_id) for e in batch]),
            "attention_mask": torch.tensor([pad([1] * len(e["ids"]), 0) for e in batch]),
            "loss_mask": torch.tensor([pad(e["mask"], 0) for e in batch], dtype=torch.float32),
            "advantage": torch.tensor([e["advantage"] for e in batch]),
            "index": torch.tensor([e["index"] for e in batch]),
        }

    def token_logps(m, batch):
        logits = m(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, :-1].float()
        targets = batch["input_ids"][:, 1:]
        return torch.gather(logits.log_softmax(-1), 2, targets.unsqueeze(-1)).squeeze(-1)

    for i, e in enumerate(examples):
        e["index"] = i
    # Behaviour-policy log-probs, once, before any update (every process computes all rows: simple and exact).
    model.to(acc.device).eval()
    base_logps: list[Any] = [None] * len(examples)
    with torch.no_grad():
        for start in range(0, len(examples), args.batch_size):
            batch = {k: v.to(acc.device) for k, v in collate(examples[start : start + args.batch_size]).items()}
            for j, lp in enumerate(token_logps(model, batch).cpu()):
                base_logps[start + j] = lp

    loader = torch.utils.data.DataLoader(examples, batch_size=args.batch_size, shuffle=True, collate_fn=collate)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    model.train()
    model, optimizer, loader = acc.prepare(model, optimizer, loader)
    step = 0
    for _epoch in range(args.epochs):
        for batch in loader:
            with acc.accumulate(model):
                logps = token_logps(model, batch)
                width = logps.shape[1]
                old = torch.stack([base_logps[int(i)][:width] for i in batch["index"]]).to(logps.device)
                mask = batch["loss_mask"][:, 1:]
                adv = batch["advantage"].unsqueeze(1).to(logps.dtype)
                ratio = torch.exp(logps - old)
                surrogate = torch.min(ratio * adv, torch.clamp(ratio, 1 - args.clip_eps, 1 + args.clip_eps) * adv)
                per_token = -surrogate
                if args.kl_beta > 0:
                    per_token = per_token + args.kl_beta * (torch.exp(old - logps) - (old - logps) - 1)
                loss = ((per_token * mask).sum(1) / mask.sum(1).clamp(min=1)).mean()
                acc.backward(loss)
                optimizer.step()
                optimizer.zero_grad()
            step += 1
            if step % 10 == 0 and acc.is_main_process:
                print(f"step {step} loss {loss.item():.4f} mean ratio {float(ratio.mean()):.4f}", flush=True)
            if not math.isfinite(loss.item()):
                raise SystemExit(f"loss is not finite at step {step}; lower --lr")

    acc.wait_for_everyone()
    unwrapped = acc.unwrap_model(model)
    unwrapped.save_pretrained(args.out, is_main_process=acc.is_main_process, save_function=acc.save)
    if acc.is_main_process:
        tokenizer.save_pretrained(args.out)
        write_model_id(args.out, args.model_id or os.path.abspath(args.out))


if __name__ == "__main__":
    main()
