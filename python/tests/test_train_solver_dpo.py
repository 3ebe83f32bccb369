"""The DPO trainer (TRL DPOTrainer) really trains a tiny model on CPU."""

from __future__ import annotations

from conftest import write_jsonl
from helpers import ANSWERS, PROMPTS, assistant, check_output, completion_logp, load
from rloop_ml import train_solver_dpo


def test_dpo_widens_the_chosen_rejected_margin(tmp_path, base_model):
    rows = [{"prompt": p, "chosen": assistant(a[0]), "rejected": assistant(a[2])} for p, a in zip(PROMPTS, ANSWERS)]
    rows += [{"prompt": p, "chosen": assistant(a[1]), "rejected": assistant(a[2])} for p, a in zip(PROMPTS, ANSWERS)]
    data = write_jsonl(tmp_path / "solver.trl-dpo.jsonl", rows)
    out = tmp_path / "out"
    train_solver_dpo.main(
        ["--data", str(data), "--base", str(base_model), "--out", str(out), "--model-id", "dpo-1", "--lr", "3e-3",
         "--epochs", "4", "--batch-size", "2", "--grad-accum", "1", "--beta", "0.1", "--report-to", "none"]
    )
    check_output(out, base_model, "dpo-1")

    base, tok = load(base_model)
    trained, _ = load(out)
    for r in rows:
        def margin(m):
            prompt = r["prompt"]
            return completion_logp(m, tok, prompt, r["chosen"]) - completion_logp(m, tok, prompt, r["rejected"])

        assert margin(trained) > margin(base) + 0.5, r["prompt"]
