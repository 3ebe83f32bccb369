"""Row validation of every trainer, and the CLI contract on bad data: exit 2, problems named, torch never imported."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import write_jsonl
from rloop_ml import train_generator_rl, train_solver_dpo, train_solver_pg, train_solver_ranking

PROMPT = [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": "2 + 2?"}]
A = [{"role": "assistant", "content": "4"}]
B = [{"role": "assistant", "content": "5"}]
C = [{"role": "assistant", "content": "I do not know"}]

GOOD = {
    train_solver_dpo: {"prompt": PROMPT, "chosen": A, "rejected": B},
    train_generator_rl: {"prompt": PROMPT, "question": "Why?", "reward": 0.5, "advantage": -1.0, "groupId": "g"},
    train_solver_pg: {"prompt": PROMPT, "completion": A, "reward": 0.9, "advantage": 1.0, "group": "q1"},
    train_solver_ranking: {"prompt": PROMPT, "completions": [A, C, B], "scores": [0.9, 0.4, 0.4], "ties": [[1, 2]]},
}


@pytest.mark.parametrize("module", list(GOOD), ids=lambda m: m.__name__.split(".")[-1])
def test_good_rows_pass_and_no_rows_is_a_problem(module):
    assert module.validate_rows([GOOD[module]]) == []
    assert module.validate_rows([]) == ["no rows: nothing to train on"]
    assert module.validate_rows([GOOD[module], "x"]) == ["row 2: expected an object"]


def test_dpo_problems():
    bad = {"prompt": PROMPT, "chosen": [{"role": "user", "content": "4"}]}
    assert train_solver_dpo.validate_rows([GOOD[train_solver_dpo], bad]) == [
        "row 2: missing 'rejected'",
        "row 2.chosen[0].role: expected one of assistant, got 'user'",
    ]


def test_solver_pg_problems():
    bad = {"prompt": [], "completion": [{"role": "assistant", "content": 4}], "reward": True, "advantage": float("nan")}
    assert train_solver_pg.validate_rows([bad]) == [
        "row 1.prompt: expected a non-empty list of messages",
        "row 1.completion[0].content: expected a string",
        "row 1.reward: expected a finite number, got True",
        "row 1.advantage: expected a finite number, got nan",
        "row 1.group: expected a non-empty string, got None",
    ]


def test_ranking_problems():
    row = GOOD[train_solver_ranking]
    cases = {
        "one": ({**row, "completions": [A], "scores": [1.0]}, "row 1.completions: expected a list of at least 2"),
        "length": ({**row, "scores": [0.9, 0.4]}, "row 1.scores: expected 3 finite numbers, one per completion"),
        "order": ({**row, "scores": [0.9, 0.4, 0.5]}, "row 1.scores: must be non-increasing (best first), but "
                  "scores[2] = 0.5 > scores[1] = 0.4"),
        "gap": ({**row, "ties": [[0, 2]]}, "row 1.ties[0]: tied positions must be consecutive"),
        "range": ({**row, "ties": [[2, 3]]}, "row 1.ties[0]: positions must be in 0..2, got [2, 3]"),
        "overlap": ({**row, "ties": [[0, 1], [1, 2]]}, "row 1.ties[1]: position(s) [1] already in another tie group"),
        "single": ({**row, "ties": [[1]]}, "row 1.ties[0]: expected a list of at least 2 integer positions"),
        "role": ({**row, "completions": [A, PROMPT, B]}, "row 1.completions[1][0].role: expected one of assistant"),
    }
    for name, (bad, expected) in cases.items():
        problems = train_solver_ranking.validate_rows([bad])
        assert len(problems) >= 1 and problems[0].startswith(expected), (name, problems)
    assert train_solver_ranking.validate_rows([{**row, "ties": None}]) == []


@pytest.mark.parametrize(
    "module,bad,expected",
    [
        (train_solver_dpo, {"prompt": PROMPT, "chosen": A, "rejected": A}, "row 2: chosen and rejected are identical"),
        (train_generator_rl, {"prompt": PROMPT, "question": " ", "reward": 0, "advantage": 0}, "row 2.question"),
        (train_solver_pg, {"prompt": PROMPT, "completion": A, "reward": "0.5", "advantage": 0, "group": "g"},
         "row 2.reward: expected a finite number, got '0.5'"),
        (train_solver_ranking, {"prompt": PROMPT, "completions": [A, B], "scores": [0, 1]}, "row 2.scores"),
    ],
    ids=["dpo", "generator", "solver-pg", "ranking"],
)
def test_cli_exits_2_naming_the_row_before_importing_torch(tmp_path, module, bad, expected):
    mod = module.__name__
    data = write_jsonl(tmp_path / "rows.jsonl", [GOOD[module], bad])
    code = (
        "import sys, runpy\n"
        "try:\n"
        f"    runpy.run_module({mod!r}, run_name='__main__')\n"
        "finally:\n"
        "    print('torch imported' if 'torch' in sys.modules else 'torch not imported')\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, "--data", str(data), "--base", "none", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert f"{data}: {expected}" in run.stderr
    assert run.stdout.strip() == "torch not imported"
    assert not (tmp_path / "out").exists()


def test_invalid_json_line_is_named(tmp_path):
    data = tmp_path / "rows.jsonl"
    data.write_text('{"prompt": []}\n{oops\n', encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "rloop_ml.train_solver_pg", "--data", str(data), "--base", "x", "--out", "o"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert f"{data}:2: invalid JSON" in run.stderr
