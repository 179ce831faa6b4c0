# `make repro` runs the pipeline, `make test` the tests; both build .venv first.
VENV := .venv
PYTHON ?= python3
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: repro test bench clean-venv

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

repro: $(VENV)/.installed
	dvc repro
	python bench/reproduced.py

# Two workers, in random order (pytest-xdist, pytest-randomly): about 2 minutes on 2 cores.
test: $(VENV)/.installed
	python -m pytest -q -n 2 --dist worksteal

bench: $(VENV)/.installed
	bench/recipes.sh

clean-venv:
	rm -rf $(VENV)
