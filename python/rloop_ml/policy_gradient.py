"""Offline, advantage-weighted policy gradient: the core shared by the generator and solver trainers.

Each example is (prompt messages, completion messages, advantage), the completion sampled by the base model.
The loss per completion token is the PPO/GRPO clipped surrogate with the exported advantage A:

    ratio = exp(logp_theta(token) - logp_base(token))
    loss  = -min(ratio * A, clip(ratio, 1 - eps, 1 + eps) * A)  [+ beta * KL_k3(theta || base)]

averaged over the completion's tokens, then over rows. logp_base is computed once, per row, with the base model
(the behaviour policy that sampled the completions) before any update; on the first step ratio = 1 and this is
exactly REINFORCE with the advantages as weights, and the clip bounds how far later steps (or epochs) move any
token's probability, so negative advantages cannot push probabilities towards zero without limit.

Why not TRL's GRPO/RLOO: they are online (they sample fresh completions inside the loop and call reward functions).
rloop's rewards come from its whole pipeline (several judge passes, reliability filters) and exist only for the
exported completions; rloop itself is the outer, on-policy loop, and each iteration is one offline update here.
Imports torch: import inside a trainer's `main()`.
"""

from __future__ import annotations

import argparse

import torch

from rloop_ml.training import Messages, Session, encode_completion, pad, pad_sequences, token_logps


def pg_surrogate_loss(
    logps: torch.Tensor,
    base_logps: torch.Tensor,
    loss_mask: torch.Tensor,
    advantages: torch.Tensor,
    clip_eps: float,
    kl_beta: float = 0.0,
) -> torch.Tensor:
    """Clipped surrogate (see the module docstring). logps/base_logps/loss_mask: [B, T]; advantages: [B]."""
    # Masked positions get delta 0 (ratio 1): padding's base log-prob is a placeholder, and exp() of a large
    # difference there would overflow into inf * 0 = NaN.
    delta = (logps - base_logps) * loss_mask
    ratio = torch.exp(delta)
    adv = advantages.unsqueeze(1).to(logps.dtype)
    per_token = -torch.min(ratio * adv, torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps) * adv)
    if kl_beta > 0:
        per_token = per_token + kl_beta * (torch.exp(-delta) + delta - 1)
    return ((per_token * loss_mask).sum(1) / loss_mask.sum(1).clamp(min=1)).mean()


def train_policy_gradient(
    args: argparse.Namespace, items: list[tuple[Messages, Messages, float]], run_name: str
) -> list[dict[str, float]]:
    """Trains on (prompt, completion, advantage) items, saves to args.out; returns each step's metrics."""
    if args.skip_zero_advantage:
        items = [it for it in items if it[2] != 0]
    if not items:
        raise SystemExit("no row with a non-zero advantage: nothing to train on")
    s = Session(args, run_name)
    examples = []
    for prompt, completion, advantage in items:
        encoded = encode_completion(s.tokenizer, prompt, completion, args.max_length)
        if encoded is not None:
            examples.append({"seq": encoded, "advantage": advantage})
    if len(examples) < len(items):
        print(f"skipped {len(items) - len(examples)} rows whose prompt fills --max-length", flush=True)
    if not examples:
        raise SystemExit("every row's prompt fills --max-length: nothing to train on")

    def collate(batch: list[dict]) -> dict[str, torch.Tensor]:
        out = pad_sequences([e["seq"] for e in batch], s.pad_id)
        out["advantage"] = torch.tensor([e["advantage"] for e in batch], dtype=torch.float32)
        if "base" in batch[0]:
            out["base_logps"] = pad([e["base"] for e in batch], 0.0, out["loss_mask"].shape[1], torch.float32)
        return out

    # Stored per row (trimmed to its own length), so shuffled batches pad them afresh to their own width.
    base = s.frozen_pass(
        examples,
        collate,
        lambda m, b: [lp[: int(n) - 1].tolist() for lp, n in zip(token_logps(m, b).cpu(), b["attention_mask"].sum(1))],
    )
    for e, lp in zip(examples, base):
        e["base"] = lp

    def loss_fn(model, batch):
        logps = token_logps(model, batch)
        loss = pg_surrogate_loss(
            logps, batch["base_logps"], batch["loss_mask"], batch["advantage"], args.clip_eps, args.kl_beta
        )
        ratio = torch.exp((logps.detach() - batch["base_logps"]) * batch["loss_mask"])
        mean_ratio = float((ratio * batch["loss_mask"]).sum() / batch["loss_mask"].sum())
        return loss, {"mean_ratio": mean_ratio}

    history = s.optimise(examples, collate, loss_fn)
    s.save()
    return history
