"""The solver's ranking trainer really trains a tiny model on CPU, and the observed orders become more likely."""

from __future__ import annotations

import math

from conftest import write_jsonl
from helpers import ANSWERS, PROMPTS, assistant, check_output, completion_logp, load
from rloop_ml import train_solver_ranking

BETA = 1.0


def listmle(scores: list[float], ties: list[list[int]]) -> float:
    """Plackett-Luce NLL with Breslow ties, written out independently of rloop_ml.ranking."""
    tied = {i: g for g in ties for i in g}
    nll, i = 0.0, 0
    while i < len(scores):
        block = tied.get(i, [i])
        risk = math.log(sum(math.exp(s) for s in scores[i:]))
        nll -= sum(scores[j] - risk for j in block)
        i = max(block) + 1
    return nll


def test_ranking_makes_the_judged_orders_more_likely(tmp_path, base_model):
    ties = [[], [[1, 2]], []]
    rows = [
        {"prompt": p, "completions": [assistant(a) for a in answers],
         "scores": [0.9, 0.5, 0.5] if t else [0.9, 0.5, 0.1], **({"ties": t} if t else {})}
        for p, answers, t in zip(PROMPTS, ANSWERS, ties)
    ]
    data = write_jsonl(tmp_path / "solver.ranking.jsonl", rows)
    out = tmp_path / "out"
    history = train_solver_ranking.main(
        ["--data", str(data), "--base", str(base_model), "--out", str(out), "--model-id", "ranked",
         "--lr", "3e-3", "--epochs", "6", "--batch-size", "2", "--grad-accum", "1", "--beta", str(BETA)]
    )
    assert len(history) == 12
    check_output(out, base_model, "ranked")

    base, tok = load(base_model)
    trained, _ = load(out)
    for row, t in zip(rows, ties):
        # Scores as the trainer defines them (beta * length-normalised log-ratio to the base), computed here.
        scores = [
            BETA * (completion_logp(trained, tok, row["prompt"], c, mean=True)
                    - completion_logp(base, tok, row["prompt"], c, mean=True))
            for c in row["completions"]
        ]
        # At the base every score is 0: the NLL is log 3! without ties, log 3 + 2 log 2 with the {1,2} tie.
        assert listmle(scores, t) < listmle([0.0, 0.0, 0.0], t) - 0.3, (row["prompt"], scores)
        assert scores[0] > scores[-1]


def test_a_missing_tracker_library_stops_before_training(tmp_path, base_model):
    import importlib.util

    import pytest

    missing = next((k for k in ("wandb", "mlflow", "tensorboard") if importlib.util.find_spec(k) is None), None)
    if missing is None:
        pytest.skip("every tracker library is installed")
    rows = [{"prompt": PROMPTS[0], "completions": [assistant(a) for a in ANSWERS[0]], "scores": [3, 2, 1]}]
    data = write_jsonl(tmp_path / "r.jsonl", rows)
    with pytest.raises(SystemExit, match=f"--report-to {missing}: the '{missing}' package is not installed"):
        train_solver_ranking.main(["--data", str(data), "--base", str(base_model), "--out", str(tmp_path / "o"),
                                   "--report-to", missing])
    assert not (tmp_path / "o" / "model_id.txt").exists()
