# make test | make demo | make env | make print-python
# The environment lives outside the clone (tools/setup_env.sh: QBHEAT_ENV / QBHEAT_CACHE).
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
ENV_PY = $$(tools/setup_env.sh | tail -n 1)
RUN = PY="$(ENV_PY)"; export PATH="$$(dirname "$$PY"):$$PATH" PYTHONPATH="$(CURDIR)$${PYTHONPATH:+:$$PYTHONPATH}";
DEMO_DIR ?= work_dirs/qbheat_demo
PYTEST_ARGS ?=

.PHONY: env test demo print-python doctor

env:
	@tools/setup_env.sh >/dev/null

print-python:
	@tools/setup_env.sh --print

doctor:
	@$(RUN) "$$PY" -m qbheat_mm.env

test:
	@$(RUN) "$$PY" -m pytest tests $(PYTEST_ARGS)

demo:
	@$(RUN) "$$PY" tools/misc/run_demo.py --work-dir $(DEMO_DIR)
