"""Base checkpoint from the real GGUF, back to GGUF with llama.cpp's converter, served by the model host."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from test_serve import PYTHON_DIR, Host, file_sha256, real_gguf

from rloop_ml.base_model import NotABaseFolder, materialise
from rloop_ml.convert import ConversionError, convert


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    out = tmp_path_factory.mktemp("base") / "smollm2-hf"
    result = materialise(out, real_gguf())
    print(f"\nbase materialised in {result['seconds']} s")
    return out


def test_base_checkpoint_holds_the_gguf_weights_and_is_made_once(base):
    import numpy as np
    from gguf import GGUFReader
    from gguf.quants import dequantize
    from safetensors.numpy import load_file

    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"):
        assert (base / name).is_file(), name
    config = json.loads((base / "config.json").read_text())
    assert (config["model_type"], config["num_hidden_layers"], config["hidden_size"]) == ("llama", 30, 576)
    assert "quantization_config" not in config and config["tie_word_embeddings"] is True
    # Second method: dequantise the GGUF's tensors with gguf-py itself and compare with what we saved.
    tensors = {t.name: t for t in GGUFReader(str(real_gguf())).tensors}
    saved = load_file(str(base / "model.safetensors"))
    emb = tensors["token_embd.weight"]
    expected = dequantize(emb.data, emb.tensor_type).reshape(saved["model.embed_tokens.weight"].shape)
    np.testing.assert_allclose(saved["model.embed_tokens.weight"], expected, rtol=0, atol=1e-6)
    down = tensors["blk.3.ffn_down.weight"]
    expected = dequantize(down.data, down.tensor_type).reshape(saved["model.layers.3.mlp.down_proj.weight"].shape)
    np.testing.assert_allclose(saved["model.layers.3.mlp.down_proj.weight"], expected, rtol=0, atol=1e-6)

    stamp = (base / "model.safetensors").stat().st_mtime_ns
    again = materialise(base, real_gguf())
    assert again["made"] is False and (base / "model.safetensors").stat().st_mtime_ns == stamp


def test_base_refuses_a_foreign_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(NotABaseFolder, match=str(tmp_path)):
        materialise(tmp_path, real_gguf())
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_convert_names_a_folder_that_is_not_a_checkpoint(tmp_path):
    (tmp_path / "adapter_config.json").write_text("{}")
    with pytest.raises(ConversionError, match="LoRA adapter"):
        convert(tmp_path, tmp_path / "x.gguf")
    empty = tmp_path / "empty"
    empty.mkdir()
    r = subprocess.run([sys.executable, "-m", "rloop_ml.convert", str(empty), str(tmp_path / "x.gguf")],
                       cwd=PYTHON_DIR, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert r.returncode == 2
    assert f"{empty} is not a Hugging Face checkpoint: missing config.json" in r.stderr
    assert not (tmp_path / "x.gguf").exists()


def test_converted_checkpoint_is_served_and_answers_like_the_original(base, tmp_path):
    out = tmp_path / "smollm2-q8_0.gguf"
    result = convert(base, out, "q8_0")
    print(f"\nconverted in {result['seconds']} s, {result['bytes'] / 1e6:.1f} MB")
    assert result["sha256"] == file_sha256(out) and result["bytes"] == out.stat().st_size
    host = Host(tmp_path, {"original": real_gguf(), "converted": out}, "--parallel", "1", "--ctx", "512")
    try:
        versions = {m["id"]: m["version"] for m in host.http.get(f"{host.base_url}/models").json()["data"]}
        assert versions == {"original": file_sha256(real_gguf()), "converted": result["sha256"]}
        prompt = "What is the capital of France? Answer in one word."
        replies = {}
        for model in ("original", "converted"):
            r = host.chat(model, prompt, max_tokens=8)
            assert r.status_code == 200, r.text
            replies[model] = r.json()["choices"][0]["message"]["content"]
        # Same weights (q8_0 of the dequantised Q4_1) and greedy decoding: the same short answer.
        assert "Paris" in replies["converted"] and replies["converted"] == replies["original"], replies
    finally:
        host.stop()
