"""The solver's policy-gradient trainer really trains a tiny model on CPU, through its command line."""

from __future__ import annotations

import subprocess
import sys

from conftest import write_jsonl
from helpers import ANSWERS, PROMPTS, assistant, check_output, completion_logp, group_advantages, load


def test_solver_pg_raises_the_good_answers_and_lowers_the_bad(tmp_path, base_model):
    rows = []
    for g, (prompt, answers) in enumerate(zip(PROMPTS, ANSWERS)):
        rewards = [1.0, 0.5, 0.0]
        for answer, reward, adv in zip(answers, rewards, group_advantages(rewards)):
            rows.append({"prompt": prompt, "completion": assistant(answer), "reward": reward, "advantage": adv,
                         "group": f"q{g}"})
    data = write_jsonl(tmp_path / "solver.pg.jsonl", rows)
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-m", "rloop_ml.train_solver_pg", "--data", str(data), "--base", str(base_model),
         "--out", str(out), "--model-id", "solver-pg-1", "--lr", "3e-3", "--epochs", "6", "--batch-size", "4",
         "--grad-accum", "1", "--clip-eps", "0.5", "--logging-steps", "1", "--report-to", "none"],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "step 1 loss" in run.stdout
    check_output(out, base_model, "solver-pg-1")

    base, tok = load(base_model)
    trained, _ = load(out)
    for prompt, (good, _mid, bad) in zip(PROMPTS, ANSWERS):
        def gap(m):
            return completion_logp(m, tok, prompt, assistant(good)) - completion_logp(m, tok, prompt, assistant(bad))

        assert gap(trained) > gap(base) + 0.5, prompt
