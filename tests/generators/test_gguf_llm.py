"""The bundled backend is a LangChain model without langchain-community (deprecated upstream).

Loading and calling the bundled GGUF model must import no ``langchain_community`` module and
print no DeprecationWarning; the model is a ``langchain_core`` LLM, so LangChain code can use it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

SCRIPT = """
import sys, warnings
warnings.simplefilter("error", DeprecationWarning)
from langchain_core.language_models.llms import LLM
from embedforge.generators.backends.llamacpp import _LOCK, _model, bundled_gguf_path
with _LOCK:
    llm = _model(bundled_gguf_path(), 1024, 0)
    text = llm.invoke("Q: What is respite care?\\nA:", stop=["\\n"], temperature=0.0, max_tokens=8, seed=0)
assert isinstance(llm, LLM), type(llm)
assert isinstance(text, str)
print(sorted(name for name in sys.modules if name.startswith("langchain_community")))
"""


def test_bundled_model_needs_no_langchain_community() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert "DeprecationWarning" not in done.stderr
