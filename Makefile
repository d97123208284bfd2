# WeComply: the two set-up commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT   := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
PYTHON ?= python3
VENV   := $(ROOT)/.venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
UV_VERSION := $(shell sed -n 's/^uv==\([0-9.]*\).*/\1/p' $(ROOT)/requirements.txt)
STAMP  := $(VENV)/.installed

# Where the project's own Airflow home and records are; `python -m demo_company` sets the
# rest of its Airflow settings itself (SQLite metadata DB, our DAGs, no examples, Shanghai
# time, small parallelism: tools/demo_company/airflow_settings.py).
AIRFLOW_ENV := AIRFLOW_HOME=$(ROOT)/.airflow WECOMPLY_DATA_DIR=$(ROOT)/data

.PHONY: help install demo test airflow bench lock browser clean

help:
	@echo "make demo    - install, then run the demo month against the WeCom simulator"
	@echo "make test    - install, then run the whole test suite"
	@echo "make airflow - Airflow UI (airflow standalone) on http://127.0.0.1:8080"
	@echo "make bench   - benchmarks and long fault-injection runs"
	@echo "make lock    - regenerate requirements.txt from requirements.in"

install: $(STAMP)

# The venv is bootstrapped from PyPI alone: pip installs the locked uv, uv installs the
# locked, hash-checked requirements, then our package in editable mode. Bytecode is
# compiled once here: with PYTHONDONTWRITEBYTECODE set (as on this machine kind) every
# Airflow task process would otherwise recompile ~2,000 modules, seconds each time.
$(STAMP): $(ROOT)/requirements.txt $(ROOT)/pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 10) <= v < (3, 14) else "Python %d.%d: Airflow 3.3 needs 3.10-3.13; run make PYTHON=python3.11 ..." % v)'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@PIP_CONFIG_FILE=/dev/null $(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@$(UV) pip sync --quiet --compile-bytecode --python $(PY) $(ROOT)/requirements.txt
	@$(UV) pip install --quiet --python $(PY) --no-deps --no-build-isolation -e $(ROOT)
	@touch $(STAMP)
	@echo "installed: $(VENV)"

lock: install
	$(UV) pip compile --quiet --universal --generate-hashes -p 3.11 \
		$(ROOT)/requirements.in -o $(ROOT)/requirements.txt

demo: install
	@mkdir -p $(ROOT)/.airflow $(ROOT)/data
	@$(AIRFLOW_ENV) AIRFLOW__LOGGING__LOGGING_LEVEL=WARNING $(PY) -m demo_company run --out $(ROOT)/out

# Debian's chromium renders the reports in tests, with CJK fonts (without them Chinese
# renders as empty boxes) and pdftotext for the print check. Installed where missing (we
# run as root here); elsewhere the browser tests skip with a reason, except in CI.
BROWSER_PACKAGES := chromium fonts-noto-cjk poppler-utils
browser:
	@{ command -v chromium && command -v pdftotext && fc-list | grep -qi "noto.*cjk"; } >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing $(BROWSER_PACKAGES) for the report tests"; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null) \
				|| echo "warning: could not install chromium; browser tests will skip outside CI"; \
		else echo "warning: chromium missing and not root; browser tests will skip outside CI"; fi; }

test: install browser
	@cd $(ROOT) && $(PY) -m pytest $(PYTEST_ARGS)

airflow: install
	@mkdir -p $(ROOT)/.airflow $(ROOT)/data
	@$(AIRFLOW_ENV) $(PY) -m demo_company airflow

bench: install
	@cd $(ROOT) && $(AIRFLOW_ENV) $(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(ROOT)/.airflow $(ROOT)/data $(ROOT)/out
