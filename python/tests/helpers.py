"""Checks on a trained output folder, computed independently of rloop_ml's own training code."""

from __future__ import annotations

import os
from pathlib import Path


def completion_logp(model, tokenizer, prompt: list[dict], completion: list[dict], mean: bool = False) -> float:
    """log p(completion | prompt) from the rendered template text: tokens of the full conversation after the prompt."""
    import torch

    prompt_text = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=False)
    full_text = tokenizer.apply_chat_template(prompt + completion, tokenize=False)
    assert full_text.startswith(prompt_text)
    p_ids = tokenizer(prompt_text, add_special_tokens=False)["input_ids"]
    ids = tokenizer(full_text, add_special_tokens=False)["input_ids"]
    assert ids[: len(p_ids)] == p_ids
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ids])).logits[0].float()
    logprobs = torch.log_softmax(logits, -1)
    total = sum(float(logprobs[t - 1, ids[t]]) for t in range(len(p_ids), len(ids)))
    return total / (len(ids) - len(p_ids)) if mean else total


def load(path: Path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(path)
    model.eval()
    return model, AutoTokenizer.from_pretrained(path)


def check_output(out: Path, base: Path, model_id: str) -> None:
    """A loadable model and tokenizer, weights that moved, and model_id.txt written last with the expected id."""
    import torch
    from safetensors.torch import load_file

    model, tokenizer = load(out)
    assert tokenizer.chat_template is not None
    files = [f for f in out.rglob("*") if f.is_file()]
    id_file = out / "model_id.txt"
    assert id_file.read_text(encoding="utf-8").strip() == model_id
    newest_other = max(os.stat(f).st_mtime_ns for f in files if f != id_file)
    assert os.stat(id_file).st_mtime_ns >= newest_other, "model_id.txt must be written last"
    before, after = load_file(base / "model.safetensors"), load_file(out / "model.safetensors")
    changed = [k for k in before if k in after and not torch.equal(before[k], after[k])]
    assert changed, "no weight changed"
    del model


PROMPTS = [
    [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": "What is two plus two?"}],
    [{"role": "user", "content": "Name a prime number above ten."}],
    [{"role": "user", "content": "Why is the sky blue?"}],
]
# Per prompt: a good, a middling and a bad answer (different lengths on purpose: batches pad to different widths).
ANSWERS = [
    ["The answer is four.", "Maybe five or four.", "I do not know, it is a number."],
    ["Eleven.", "Nine is prime.", "No."],
    ["Rayleigh scattering of sunlight by the air.", "The sea.", "Yes"],
]


def assistant(text: str) -> list[dict]:
    return [{"role": "assistant", "content": text}]


def pg_rows() -> list[dict]:
    """solver.pg rows of one question: three answers with rewards 1, 0.5, 0 and advantages 1, 0, -1."""
    return [
        {"prompt": PROMPTS[0], "completion": assistant(a), "reward": r, "advantage": adv, "group": "q0"}
        for a, r, adv in zip(ANSWERS[0], [1.0, 0.5, 0.0], [1.0, 0.0, -1.0])
    ]


def group_advantages(rewards: list[float]) -> list[float]:
    """(r - mean) / (population std + 1e-6), 0 in a group of one: the formula the exporters use."""
    if len(rewards) < 2:
        return [0.0] * len(rewards)
    m = sum(rewards) / len(rewards)
    sd = (sum((r - m) ** 2 for r in rewards) / len(rewards)) ** 0.5
    return [(r - m) / (sd + 1e-6) for r in rewards]
