"""The generator trainer (fixed for transformers 5 and batch size > 1) really trains a tiny model on CPU."""

from __future__ import annotations

import argparse

from conftest import write_jsonl
from helpers import check_output, completion_logp, group_advantages, load
from rloop_ml import train_generator_rl

PROMPT = [{"role": "user", "content": "Write one new question for a student."}]
QUESTIONS = ["Why is the sky blue?", "What is two plus two?", "Name a prime number above ten, and say why it is prime.",
             "Sea?"]
REWARDS = [0.9, 0.2, 0.7, 0.0]


def test_generator_rl_moves_towards_high_reward_questions(tmp_path, base_model):
    rows = [
        {"questionId": f"g{i}", "groupId": "iter-1", "prompt": PROMPT, "question": q, "rawReward": r, "reward": r,
         "advantage": a, "duplicateOf": None}
        for i, (q, r, a) in enumerate(zip(QUESTIONS, REWARDS, group_advantages(REWARDS)))
    ]
    data = write_jsonl(tmp_path / "generator.rl.jsonl", rows)
    out = tmp_path / "out"
    history = train_generator_rl.main(
        ["--data", str(data), "--base", str(base_model), "--out", str(out), "--lr", "3e-3", "--epochs", "8",
         "--batch-size", "2", "--grad-accum", "1", "--clip-eps", "0.5", "--kl-beta", "0.01"]
    )
    assert len(history) == 16  # 4 rows / batch 2 * 8 epochs: shuffled batches of different widths
    check_output(out, base_model, str(out.resolve()))

    base, tok = load(base_model)
    trained, _ = load(out)
    q = lambda m, i: completion_logp(m, tok, PROMPT, [{"role": "assistant", "content": QUESTIONS[i]}])  # noqa: E731
    # The best question gains against the worst; each moves in the direction of its advantage.
    assert q(trained, 0) - q(trained, 3) > q(base, 0) - q(base, 3) + 0.5
    assert q(trained, 0) > q(base, 0) and q(trained, 3) < q(base, 3)


def test_parse_args_keeps_the_command_backend_contract():
    args = train_generator_rl.parse_args(["--data", "d", "--base", "b", "--out", "o", "--model-id", "m"])
    assert isinstance(args, argparse.Namespace)
    assert (args.data, args.base, args.out, args.model_id, args.report_to) == ("d", "b", "o", "m", "auto")
