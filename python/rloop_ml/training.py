"""The loop shared by the hand-written trainers (policy gradient for generator and solver, ranking for the solver).

Chat rows become token ids through the model's own chat template; a frozen pass of the base model (the behaviour
policy that sampled the data) is computed once per row before any update; then an accelerate loop minimises a
trainer-specific loss, and the model, tokenizer and finally `model_id.txt` are written. Imports torch: import this
module only inside a trainer's `main()`.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable, Sequence
from typing import Any

import torch
from accelerate import Accelerator
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedTokenizerBase, set_seed

from rloop_ml.common import write_model_id
from rloop_ml.reporting import Reporter

Messages = list[dict[str, str]]


def chat_ids(tokenizer: PreTrainedTokenizerBase, messages: Messages, add_generation_prompt: bool) -> list[int]:
    # transformers 5 returns a BatchEncoding for tokenize=True; return_dict=True asks for one in 4.x too.
    enc = tokenizer.apply_chat_template(
        messages, add_generation_prompt=add_generation_prompt, tokenize=True, return_dict=True
    )
    return list(enc["input_ids"])


def encode_completion(
    tokenizer: PreTrainedTokenizerBase, prompt: Messages, completion: Messages, max_length: int
) -> tuple[list[int], list[int]] | None:
    """Token ids of prompt + completion and a mask that is 1 on the completion's tokens only.

    The completion's tokens are what the template renders after the generation prompt (its text and end-of-turn
    token, as the model produced them when served). A template that rewrites earlier turns when an assistant turn
    follows (so the prompt is not a prefix) falls back to the completion's text and EOS. None when truncation to
    max_length leaves no completion token.
    """
    prompt_ids = chat_ids(tokenizer, prompt, add_generation_prompt=True)
    full = chat_ids(tokenizer, prompt + completion, add_generation_prompt=False)
    if len(full) > len(prompt_ids) and full[: len(prompt_ids)] == prompt_ids:
        completion_ids = full[len(prompt_ids) :]
    else:
        text = "".join(m["content"] for m in completion)
        completion_ids = tokenizer(text, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    ids = (prompt_ids + completion_ids)[:max_length]
    mask = ([0] * len(prompt_ids) + [1] * len(completion_ids))[:max_length]
    return (ids, mask) if sum(mask) > 0 else None


def pad(rows: Sequence[Sequence[float]], value: float, width: int, dtype: torch.dtype) -> torch.Tensor:
    return torch.tensor([list(r) + [value] * (width - len(r)) for r in rows], dtype=dtype)


def pad_sequences(seqs: Sequence[tuple[list[int], list[int]]], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-padded input_ids / attention_mask / loss_mask (shifted: loss_mask[:, t] is for predicting token t+1)."""
    width = max(len(ids) for ids, _ in seqs)
    return {
        "input_ids": pad([ids for ids, _ in seqs], pad_id, width, torch.long),
        "attention_mask": pad([[1] * len(ids) for ids, _ in seqs], 0, width, torch.long),
        "loss_mask": pad([mask[1:] for _, mask in seqs], 0, width - 1, torch.float32),
    }


def token_logps(model: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """log p(token t+1 | tokens <= t) for every position: shape [B, T-1], float32."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, :-1].float()
    targets = batch["input_ids"][:, 1:]
    return torch.gather(logits.log_softmax(-1), 2, targets.unsqueeze(-1)).squeeze(-1)


def mean_logps(logps: torch.Tensor, loss_mask: torch.Tensor) -> torch.Tensor:
    """Length-normalised sequence log-likelihood: mean log-prob over each row's completion tokens."""
    return (logps * loss_mask).sum(1) / loss_mask.sum(1).clamp(min=1)


class Session:
    """Accelerator, tokenizer, model and reporter of one training run."""

    def __init__(self, args: argparse.Namespace, run_name: str) -> None:
        set_seed(args.seed)
        self.args = args
        precision = "bf16" if args.bf16 else "no"
        self.acc = Accelerator(gradient_accumulation_steps=args.grad_accum, mixed_precision=precision)
        self.tokenizer = AutoTokenizer.from_pretrained(args.base)
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = AutoModelForCausalLM.from_pretrained(args.base, dtype="auto")
        self.model.to(self.acc.device)
        config = {k: v for k, v in vars(args).items() if k not in ("data", "out")}
        self.reporter = Reporter(args.report_to, args.out, run_name, config, enabled=self.acc.is_main_process)

    @property
    def pad_id(self) -> int:
        return int(self.tokenizer.pad_token_id)

    def frozen_pass(self, examples: list[dict], collate: Callable, fn: Callable) -> list[Any]:
        """fn(model, batch) -> one value per row, with the model as it is now (before any update), in row order."""
        self.model.eval()
        out: list[Any] = []
        with torch.no_grad():
            for start in range(0, len(examples), self.args.batch_size):
                batch = collate(examples[start : start + self.args.batch_size])
                on_device = {k: v.to(self.acc.device) if torch.is_tensor(v) else v for k, v in batch.items()}
                out += fn(self.model, on_device)
        return out

    def optimise(self, examples: list[dict], collate: Callable, loss_fn: Callable) -> list[dict[str, float]]:
        """Minimises loss_fn(model, batch) -> (loss, metrics) over shuffled batches; returns every step's metrics."""
        args = self.args
        loader = torch.utils.data.DataLoader(examples, batch_size=args.batch_size, shuffle=True, collate_fn=collate)
        optimizer = torch.optim.AdamW(self.model.parameters(), lr=args.lr)
        self.model.train()
        model, optimizer, loader = self.acc.prepare(self.model, optimizer, loader)
        history: list[dict[str, float]] = []
        step = 0
        limit = args.max_steps * args.grad_accum if args.max_steps else math.inf  # counted in batches
        try:
            for _epoch in range(args.epochs):
                if step >= limit:
                    break
                for batch in loader:
                    with self.acc.accumulate(model):
                        loss, metrics = loss_fn(model, batch)
                        self.acc.backward(loss)
                        optimizer.step()
                        optimizer.zero_grad()
                    if not math.isfinite(loss.item()):
                        raise SystemExit(f"loss is not finite at batch {step + 1}; lower --lr")
                    step += 1
                    metrics = {"loss": loss.item(), **metrics}
                    history.append(metrics)
                    self.reporter.log(metrics, step)
                    if step % args.logging_steps == 0 and self.acc.is_main_process:
                        print(f"step {step} " + " ".join(f"{k} {v:.4f}" for k, v in metrics.items()), flush=True)
                    if step >= limit:
                        break
        except BaseException:
            self.reporter.close(failed=True)
            raise
        self.model = self.acc.unwrap_model(model)
        return history

    def save(self) -> None:
        """Model and tokenizer to --out, then model_id.txt last (the command backend's signal that the job is done)."""
        args = self.args
        self.acc.wait_for_everyone()
        self.model.save_pretrained(args.out, is_main_process=self.acc.is_main_process, save_function=self.acc.save)
        self.reporter.close()
        if self.acc.is_main_process:
            self.tokenizer.save_pretrained(args.out)
            write_model_id(args.out, args.model_id or os.path.abspath(args.out))
