"""A Hugging Face checkpoint folder (what the trainers write) to a GGUF file the model host can serve.

Runs llama.cpp's own convert_hf_to_gguf.py (installed by `node scripts/setup-real.mjs` from PyPI's llama-cpp-python
sdist) with this interpreter. Default output type q8_0: half the size of f16 and faster to decode on CPU, with no
quality loss that matters for a 135M model (SERVING.md has the measurements).

    python -m rloop_ml.convert CHECKPOINT_DIR OUT.gguf [--outtype q8_0|f16|bf16|f32]

The file is written under a temporary name and renamed, so OUT.gguf is either complete or absent.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from rloop_ml.weights import convert_script, sha256_file

OUTTYPES = ("q8_0", "f16", "bf16", "f32")
WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)


class ConversionError(RuntimeError):
    pass


def check_checkpoint(folder: Path) -> None:
    """Raises ConversionError naming the folder when it is not a full (merged) Hugging Face checkpoint."""
    if not folder.is_dir():
        raise ConversionError(f"{folder} is not a folder (expected a Hugging Face checkpoint)")
    if (folder / "adapter_config.json").is_file() and not (folder / "config.json").is_file():
        raise ConversionError(f"{folder} holds a LoRA adapter, not a full model: merge it into its base first")
    missing = []
    if not (folder / "config.json").is_file():
        missing.append("config.json")
    if not any((folder / w).is_file() for w in WEIGHT_FILES):
        missing.append("weights (" + " or ".join(WEIGHT_FILES) + ")")
    if not any((folder / t).is_file() for t in ("tokenizer.json", "tokenizer.model")):
        missing.append("a tokenizer (tokenizer.json or tokenizer.model)")
    if missing:
        raise ConversionError(f"{folder} is not a Hugging Face checkpoint: missing {', '.join(missing)}")


def convert(checkpoint: str | os.PathLike[str], out: str | os.PathLike[str], outtype: str = "q8_0") -> dict:
    """Converts and returns {"gguf", "sha256", "bytes", "seconds"}."""
    if outtype not in OUTTYPES:
        raise ConversionError(f"outtype {outtype!r} is not one of {', '.join(OUTTYPES)}")
    folder = Path(checkpoint).resolve()
    check_checkpoint(folder)
    script = convert_script()
    target = Path(out).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    cmd = [sys.executable, str(script), str(folder), "--outfile", str(tmp), "--outtype", outtype]
    started = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, HF_HUB_OFFLINE="1"))
    if proc.returncode != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise ConversionError(f"converting {folder} failed (exit {proc.returncode}):\n{tail}")
    os.replace(tmp, target)
    seconds = round(time.monotonic() - started, 1)
    return {"gguf": str(target), "sha256": sha256_file(target), "bytes": target.stat().st_size, "seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m rloop_ml.convert", description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoint", help="folder with config.json, safetensors and the tokenizer")
    ap.add_argument("out", help="GGUF file to write")
    ap.add_argument("--outtype", default="q8_0", choices=OUTTYPES)
    args = ap.parse_args(argv)
    try:
        result = convert(args.checkpoint, args.out, args.outtype)
    except RuntimeError as e:  # ConversionError, MissingSetup
        print(f"rloop_ml.convert: {e}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
