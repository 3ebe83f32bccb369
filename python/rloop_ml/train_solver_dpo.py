"""Solver trainer: TRL `DPOTrainer` on rloop's `solver.trl-dpo` export.

Each row is TRL's conversational preference format with an explicit prompt:
    {"prompt": [{"role": "system"|"user", "content": ...}, ...],
     "chosen": [{"role": "assistant", "content": ...}],
     "rejected": [{"role": "assistant", "content": ...}]}
Pairs come only from questions whose judgments passed the reliability thresholds (see src/domain/README.md).

    accelerate launch -m rloop_ml.train_solver_dpo --data solver.trl-dpo.jsonl --base Qwen/Qwen2.5-0.5B-Instruct \
        --out runs/solver-iter-3

Writes the trained model (and tokenizer) to --out and its id to {out}/model_id.txt: --model-id if given (e.g. the
name your vLLM server will serve it under), else the absolute path of --out. Exit code 0 only after model_id.txt
is written; the rloop command backend reads it. torch/transformers/trl are imported inside main(), so
`validate_rows()` can be imported (and checked in CI) without them.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from rloop_ml.common import check_rows, message_problems, rows_problems, trainer_parser, write_model_id
from rloop_ml.reporting import end_mlflow_run, resolve_report_to, start_mlflow_run


def _row_problems(row: dict, where: str) -> list[str]:
    problems = [f"{where}: missing {key!r}" for key in ("prompt", "chosen", "rejected") if key not in row]
    if "prompt" in row:
        problems += message_problems(row["prompt"], f"{where}.prompt")
    for key in ("chosen", "rejected"):
        if key in row:
            problems += message_problems(row[key], f"{where}.{key}", ("assistant",))
    if row.get("chosen") is not None and row.get("chosen") == row.get("rejected"):
        problems.append(f"{where}: chosen and rejected are identical")
    return problems


def validate_rows(rows: list[Any]) -> list[str]:
    """Problems that would make a row unusable for DPOTrainer (empty list = fine)."""
    return rows_problems(rows, _row_problems)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = trainer_parser(__doc__, "solver.trl-dpo JSONL", "base model (HF hub id or local path)")
    p.add_argument("--beta", type=float, default=0.1)
    p.add_argument("--lr", type=float, default=5e-7)
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--grad-accum", type=int, default=8)
    p.add_argument("--lora-r", type=int, default=0, help="LoRA rank; 0 = full fine-tune (needs peft if > 0)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    rows = check_rows(args.data, validate_rows)

    # Heavy imports only now: see the module docstring.
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from accelerate import PartialState
    from trl import DPOConfig, DPOTrainer

    from transformers import set_seed

    report_to = resolve_report_to(args.report_to)

    set_seed(args.seed)
    tokenizer = AutoTokenizer.from_pretrained(args.base)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(args.base, dtype="auto")
    peft_config = None
    if args.lora_r > 0:
        from peft import LoraConfig

        peft_config = LoraConfig(r=args.lora_r, lora_alpha=2 * args.lora_r, task_type="CAUSAL_LM")

    dataset = Dataset.from_list([{k: r[k] for k in ("prompt", "chosen", "rejected")} for r in rows])
    config = DPOConfig(
        output_dir=args.out,
        beta=args.beta,
        learning_rate=args.lr,
        num_train_epochs=args.epochs,
        per_device_train_batch_size=args.batch_size,
        gradient_accumulation_steps=args.grad_accum,
        max_length=args.max_length,
        bf16=args.bf16,
        logging_steps=args.logging_steps,
        save_strategy="no",
        report_to=report_to,
        seed=args.seed,
    )
    # With ref_model=None, DPOTrainer keeps a frozen copy of the base model as the reference (or, with LoRA, the
    # adapter-disabled base).
    trainer = DPOTrainer(
        model=model, args=config, train_dataset=dataset, processing_class=tokenizer, peft_config=peft_config
    )
    # transformers' MLflow callback logs into the active run: started here, it is nested under rloop's campaign run
    # when the environment names one (rloop_ml.reporting). Only the main process reports.
    own_run = report_to == "mlflow" and PartialState().is_main_process
    own_run = own_run and start_mlflow_run(os.path.basename(os.path.abspath(args.out)))[1]
    try:
        trainer.train()
    finally:
        if own_run:
            end_mlflow_run(failed=sys.exc_info()[0] is not None)
    if peft_config is not None:
        # Save a merged model, so a plain inference server can load --out without peft.
        merged = trainer.accelerator.unwrap_model(trainer.model).merge_and_unload()
        if trainer.is_world_process_zero():
            merged.save_pretrained(args.out)
    else:
        trainer.save_model(args.out)
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(args.out)
        write_model_id(args.out, args.model_id or os.path.abspath(args.out))


if __name__ == "__main__":
    main()
