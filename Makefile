# Set-up and checks for the sessions tutorial.
# Every target that runs code depends on `venv`, so a fresh clone needs only `make test`.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Interpreter used to create the venv; override e.g. `make venv PYTHON=python3.12`.
PYTHON ?= python3
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
# Touched after a successful install, so the install runs again only when the pins change.
INSTALL_STAMP := $(VENV)/.installed
# The installer, pinned like everything it installs.
UV := uv==0.13.9
# JupyterLab settings for every user of the venv: no "get notified about Jupyter news?" prompt
# on top of the first notebook.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
# `make lab-zh`'s own JupyterLab user settings, in Chinese; `make lab` keeps the user's own (English).
LAB_ZH_SETTINGS := $(VENV)/share/jupyter/lab/user-settings-zh_CN
LAB_ZH_LANGUAGE := $(LAB_ZH_SETTINGS)/@jupyterlab/translation-extension/plugin.jupyterlab-settings

# What `make test` collects; narrow it with e.g.
#   make test PYTEST_ARGS="-x notebooks/01_cookies.ipynb"
# The nbval flags below stay on, so a narrowed run is still strict.
PYTEST_ARGS ?= tests notebooks
NBVAL_ARGS := --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg
# One pytest worker more than there are cores (`make test JOBS=1` runs serially): much of the run
# waits (expiry sleeps, browsers, kernels starting), and the extra worker fills those gaps; on 2
# cores, 3 workers took 178 s and 2 took 210 s. One whole file (notebook) per worker at a time:
# xdist's default scheduling would split a notebook's cells across workers.
JOBS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
PARALLEL_ARGS := $(if $(filter-out 1,$(JOBS)),-n $(JOBS) --dist loadfile)

# JupyterLab refuses to start as root unless told to.
LAB_ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: help venv test lab lab-zh check translations notebooks rerun-check reset bench clean

help:
	@echo "Targets:"
	@echo "  make venv       create .venv and install requirements.txt + the package (only when they change)"
	@echo "  make test       run tests/ and every notebook under strict nbval (PYTEST_ARGS narrows it, JOBS=1 runs serially)"
	@echo "  make lab        start JupyterLab on notebooks/, with 00_start_here open"
	@echo "  make lab-zh     the Chinese edition: JupyterLab in Chinese, with notebooks/zh/00_start_here open"
	@echo "  make check      the workshop install check (python -m demo_server.learn.check): one ✓/✗ line per check"
	@echo "  make translations  build notebooks/zh/ (the Chinese edition) from the English and notebooks/locale/"
	@echo "  make notebooks  re-execute every notebook, both editions, in a fresh kernel and save its outputs"
	@echo "  make rerun-check  run each notebook twice in one kernel (\"Run All\" again); writes nothing"
	@echo "  make reset      between workshop groups: notebooks/ back to the committed version (discards edits)"
	@echo "  make bench      run the benchmarks (bench/run_all.py)"
	@echo "  make clean      remove .venv and caches"

venv: $(INSTALL_STAMP) $(LAB_OVERRIDES)

$(VENV_PYTHON):
	$(PYTHON) -m venv $(VENV)

# Order-only on the interpreter: recreating .venv must not look like a change of pins.
# uv installs the same pins as pip would, from the same index, in seconds instead of half a minute.
$(INSTALL_STAMP): requirements.txt pyproject.toml | $(VENV_PYTHON)
	$(VENV_PYTHON) -m pip install --quiet --disable-pip-version-check $(UV)
	$(VENV)/bin/uv pip install --quiet --python $(VENV_PYTHON) -r requirements.txt -e .
	touch $@

$(LAB_OVERRIDES): lab-settings/overrides.json | $(VENV_PYTHON)
	mkdir -p $(dir $@)
	cp $< $@

test: venv
	$(VENV_PYTHON) -m pytest $(PYTEST_ARGS) $(NBVAL_ARGS) $(PARALLEL_ARGS) -p no:cacheprovider

# Opens the first notebook; the file browser shows all of notebooks/.
lab: venv
	$(VENV)/bin/jupyter lab notebooks/00_start_here.ipynb $(LAB_ROOT_FLAG)

# The same, in Simplified Chinese: menus from the pinned language pack, notebooks from notebooks/zh/.
lab-zh: venv $(LAB_ZH_LANGUAGE)
	JUPYTERLAB_SETTINGS_DIR=$(CURDIR)/$(LAB_ZH_SETTINGS) \
		$(VENV)/bin/jupyter lab notebooks/zh/00_start_here.ipynb $(LAB_ROOT_FLAG)

# Copied once: a learner's own changes to these settings then stay.
$(LAB_ZH_LANGUAGE): | $(VENV_PYTHON)
	mkdir -p "$(dir $@)"
	cp "lab-settings/zh_CN/@jupyterlab/translation-extension/plugin.jupyterlab-settings" "$@"

check: venv
	$(VENV_PYTHON) -m demo_server.learn.check

# The Chinese edition, notebooks/zh/, from the English notebooks and the catalogs in notebooks/locale/.
translations: venv
	$(VENV_PYTHON) tools/translations.py build

# Every notebook, both editions, re-executed; the Chinese one is rebuilt from its sources first.
notebooks: translations
	$(VENV_PYTHON) tools/run_notebooks.py

rerun-check: venv
	$(VENV_PYTHON) tools/run_notebooks.py --rerun-check

# Between workshop groups: every file under notebooks/ back as committed, and whatever the last
# group added there (new notebooks, checkpoints, database files) deleted. Discards their edits.
reset:
	git checkout -- notebooks
	git clean -fdxq -- notebooks

bench: venv
	$(VENV_PYTHON) bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info
	find . -path ./.git -prune -o \
		\( -name __pycache__ -o -name .ipynb_checkpoints -o -name .pytest_cache \) \
		-type d -prune -exec rm -rf {} +
