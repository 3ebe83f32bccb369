"""Helpers shared by the reference trainers: JSONL reading, chat-message checks, the model_id.txt contract.

No third-party imports here, so `validate_rows()` of each script works without torch/transformers installed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from typing import Any

ROLES = ("system", "user", "assistant")


def read_jsonl(path: str) -> list[Any]:
    """Rows of a JSON Lines file; a malformed line stops with its line number."""
    rows: list[Any] = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise SystemExit(f"{path}:{n}: invalid JSON ({e})") from e
    return rows


def message_problems(value: Any, where: str, roles: tuple[str, ...] = ROLES) -> list[str]:
    """Problems of a conversational field: a non-empty list of {role, content: str} with known roles."""
    if not isinstance(value, list) or not value:
        return [f"{where}: expected a non-empty list of messages"]
    problems: list[str] = []
    for j, m in enumerate(value):
        if not isinstance(m, dict):
            problems.append(f"{where}[{j}]: expected an object with role and content")
            continue
        if m.get("role") not in roles:
            problems.append(f"{where}[{j}].role: expected one of {', '.join(roles)}, got {m.get('role')!r}")
        if not isinstance(m.get("content"), str):
            problems.append(f"{where}[{j}].content: expected a string")
    return problems


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_rows(path: str, validate) -> list[Any]:
    """Reads and validates; exits with status 2 and the first problems on stderr if the data is unusable."""
    rows = read_jsonl(path)
    problems = validate(rows)
    if problems:
        for p in problems[:20]:
            print(f"{path}: {p}", file=sys.stderr)
        if len(problems) > 20:
            print(f"... and {len(problems) - 20} more problems", file=sys.stderr)
        raise SystemExit(2)
    return rows


def write_model_id(out_dir: str, model_id: str) -> None:
    """The command backend reads `{out}/model_id.txt` (trimmed) once the command exits 0. Written atomically, last."""
    os.makedirs(out_dir, exist_ok=True)
    tmp = os.path.join(out_dir, ".model_id.txt.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(model_id.strip() + "\n")
    os.replace(tmp, os.path.join(out_dir, "model_id.txt"))


def trainer_parser(doc: str, data_help: str, base_help: str) -> argparse.ArgumentParser:
    """The arguments every reference trainer takes (the command backend's contract); each script adds its own."""
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--data", required=True, help=data_help)
    p.add_argument("--base", required=True, help=base_help)
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--model-id", help="id written to model_id.txt (default: absolute path of --out)")
    p.add_argument("--max-length", type=int, default=2048)
    p.add_argument("--bf16", action="store_true", help="train in bfloat16 (Ampere or newer GPUs)")
    return p
