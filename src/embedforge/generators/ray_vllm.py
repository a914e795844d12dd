"""``vllm:MODEL`` on GPU workers: vLLM engines run by Ray Data's LLM batch inference (``ray.data.llm``).

The calls that missed the cache become rows holding the same completion prompt, stop sequences
and sampling parameters the in-process backends use (:func:`vllm_rows`); ``build_processor``
runs them through vLLM engine actors (``llm_workers`` of them, ``gpus_per_llm_worker`` GPUs
each) and hands back rows shaped like :class:`~embedforge.generators.ray_generate.LlmActor`'s, so
the driver caches them the same way. vLLM is imported only inside those actors, on the GPU
nodes; the driver needs only Ray (``pip install 'embedforge[vllm]'`` on the workers).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from embedforge.engine import EngineSettings
from embedforge.generators.backends.base import Backend
from embedforge.generators.runner import Job

BATCH = 32  # prompts per engine call: big enough to keep a GPU busy, small enough to lose little when killed
ERROR = "__inference_error__"


def vllm_rows(todo: list[Job], backend: Backend) -> list[dict[str, Any]]:
    """One row per call: the cache key, exactly the completion text the backend renders, and sampling."""
    rows = []
    for job in todo:
        request, rendered = job.request, backend.render(job.request)
        rows.append({
            "key": job.key,
            "prompt": rendered.text,
            "sampling_params": {"temperature": request.temperature, "max_tokens": request.max_tokens,
                                "seed": request.seed, "stop": list(rendered.stop), "n": 1},
        })
    return rows


def processor_config(backend: Backend, engine: EngineSettings) -> dict[str, Any]:
    """Arguments of ``vLLMEngineProcessorConfig``: a raw completion prompt (no chat template)."""
    return {
        "model_source": backend.spec.model,
        "engine_kwargs": {"enable_prefix_caching": True, "max_model_len": 4096},
        "concurrency": engine.llm_workers or 1,
        "batch_size": BATCH,
        "chat_template_stage": False,
        "should_continue_on_error": True,
        "placement_group_config": {"bundle_per_worker": {"GPU": engine.gpus_per_llm_worker}},
    }


def vllm_answers(ray: Any, todo: list[Job], backend: Backend, engine: EngineSettings) -> Iterator[dict[str, Any]]:
    """Answer rows (key, raw, tokens, calls, reason, fatal) from vLLM, as they arrive."""
    from ray.data.llm import build_processor, vLLMEngineProcessorConfig

    processor = build_processor(
        vLLMEngineProcessorConfig(**processor_config(backend, engine)),
        postprocess=lambda row: {"key": row["key"], "raw": row["generated_text"],
                                 "tokens_in": int(row.get("num_input_tokens") or 0),
                                 "tokens_out": int(row.get("num_generated_tokens") or 0)},
    )
    for row in processor(ray.data.from_items(vllm_rows(todo, backend))).iter_rows():
        failed = str(row.get(ERROR) or "")
        yield {"key": row["key"], "raw": "" if failed else row["raw"], "tokens_in": int(row.get("tokens_in") or 0),
               "tokens_out": int(row.get("tokens_out") or 0), "calls": 1,
               "reason": f"llm_error: {failed[:200]}" if failed else "", "fatal": ""}
