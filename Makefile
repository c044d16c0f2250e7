# facelayers: `make help` lists the targets. Needs GNU make and python3 >= 3.10, nothing else.

PYTHON   ?= python3
VENV     ?= .venv
LAB_PORT ?= 8888
PRESENT_PORT ?= 8866
# Which lessons `make present` serves (a notebook, or the folder for a menu of all of them).
LESSON   ?= notebooks
# Extra pytest arguments for any test target, e.g. `make test-unit PYTEST_ARGS="-x -k anatomy"`.
PYTEST_ARGS ?=

SHELL := /bin/bash
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.stamp
OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
# JupyterLab otherwise shows a "fetch news?" toast over the page (and a browser test's screenshot).
NO_NEWS   := {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}
START_NB  := notebooks/00_start_here.ipynb

# Every stage prints how long it took, pass or fail: `@$(START) command; $(DONE)`.
START = t0=$$(date +%s);
DONE  = rc=$$?; echo "== $@: $$(( $$(date +%s) - t0 )) s (exit $$rc)"; exit $$rc

.NOTPARALLEL:
.PHONY: help venv lab lessons present lint test test-unit test-notebooks test-browser bench clean distclean

help:
	@echo "make venv            create $(VENV) and install facelayers with the lessons and test extras"
	@echo "make lab             start JupyterLab at the repository, opening $(START_NB) (LAB_PORT=...)"
	@echo "make lessons         after editing a lesson's notebooks/NN_*.md: sync its .ipynb (jupytext), re-store checked outputs"
	@echo "make lint            ruff: pyflakes, pycodestyle, import order, numpydoc docstrings ([tool.ruff] in pyproject.toml)"
	@echo "make test            lint, then test-unit, test-notebooks and test-browser"
	@echo "make test-unit       pytest tests/ without the real-browser tests"
	@echo "make test-notebooks  run every notebook top to bottom (pytest --nbval-lax)"
	@echo "make test-browser    drive JupyterLab in headless Debian chromium (apt-get install -y chromium)"
	@echo "make present         serve the lessons as offline apps, code hidden (Voila; LESSON=..., PRESENT_PORT=...)"
	@echo "make bench           sizes and times: builds, widget messages, offline files vs PyVista, clicks in JupyterLab"
	@echo "make clean           remove build outputs, caches and screenshots (keeps $(VENV))"
	@echo "make distclean       clean, and remove $(VENV)"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
	  { echo "facelayers needs python >= 3.10; $(PYTHON) is $$($(PYTHON) -V 2>&1). Try: make PYTHON=python3.11"; exit 1; }
	@$(START) \
	  $(PYTHON) -m venv $(VENV) && \
	  $(BIN)/python -m pip install --quiet --upgrade pip && \
	  $(BIN)/python -m pip install --quiet -e '.[lessons,test,export]' && \
	  mkdir -p $(dir $(OVERRIDES)) && \
	  echo '$(NO_NEWS)' > $(OVERRIDES) && \
	  touch $@; \
	$(DONE)

# The server's root is the repository (so /lab/tree/notebooks/... resolves, and the lessons find data/), and
# its start page is $(START_NB): the URL JupyterLab prints (with its ?token=...) opens the start lesson.
lab: $(STAMP)
	@echo
	@echo "  JupyterLab opens the start lesson: http://127.0.0.1:$(LAB_PORT)/lab/tree/$(START_NB)"
	@echo "  Use the link with ?token=... that JupyterLab prints below (it opens the same lesson). Stop with Ctrl-C (twice)."
	@echo
	@$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/$(START_NB) \
	  --ip=127.0.0.1 --port=$(LAB_PORT) --no-browser $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

# The lessons are MyST markdown (notebooks/NN_slug.md), paired by jupytext with the executed notebooks that nbval
# checks. Edit either (JupyterLab keeps the pair in step); then this syncs the pair and re-stores the rounded
# outputs nbval compares (LESSONS=notebooks/03_*.md to redo one). tests/test_lessons.py fails on drift.
LESSONS ?= $(wildcard notebooks/[0-9][0-9]_*.md)
lessons: $(STAMP)
	@$(START) $(BIN)/jupytext --sync $(LESSONS) && \
	  $(BIN)/python tools/refresh_checked_outputs.py $(LESSONS:.md=.ipynb); \
	$(DONE)

# The lessons as apps, code hidden (Voila): for a lecture or a kiosk. The lecture hall may be offline: the
# facelayers template (share/jupyter/nbconvert/templates/facelayers, found through JUPYTER_PATH) is Voila's lab
# template without its CDN links, so the page loads nothing from outside 127.0.0.1.
# tests/browser/conftest.py (voila_server) serves the same way. voila.json (read from the repository, the
# working directory) keeps jupytext's JupyterLab extension out of Voila's page, where it fails to load (a console error).
present: $(STAMP)
	@echo
	@echo "  Presenting $(LESSON) at http://127.0.0.1:$(PRESENT_PORT)/  (code hidden; Ctrl-C to stop)"
	@echo "  One lesson: make present LESSON=notebooks/03_blind_versus_endoscopic.ipynb"
	@echo
	@JUPYTER_PATH="$(CURDIR)/share/jupyter$${JUPYTER_PATH:+:$$JUPYTER_PATH}" \
	  $(BIN)/voila $(LESSON) --no-browser --port=$(PRESENT_PORT) --Voila.ip=127.0.0.1 --strip_sources=True \
	  --template=facelayers --theme=dark

test: lint test-unit test-notebooks test-browser

lint: $(STAMP)
	@$(START) $(BIN)/ruff check facelayers benchmarks tests tools && $(BIN)/lint-imports; $(DONE)

test-unit: $(STAMP)
	@$(START) $(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS) tests/; $(DONE)

# pytest exits 5 when it collects nothing: fine while there are no notebooks, a failure once there are.
test-notebooks: $(STAMP)
	@$(START) \
	  $(BIN)/python -m pytest -p no:cacheprovider --nbval-lax --nbval-current-env $(PYTEST_ARGS) notebooks/; rc=$$?; \
	  if [ $$rc -eq 5 ] && [ -z "$$(find notebooks -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' 2>/dev/null)" ]; then \
	    echo "no notebooks yet: nothing to run"; rc=0; fi; \
	  (exit $$rc); \
	$(DONE)

test-browser: $(STAMP)
	@$(START) $(BIN)/python -m pytest -m browser $(PYTEST_ARGS) tests/; $(DONE)

# The browser parts (first drawn frame of the offline files; click to visible change in JupyterLab) need chromium;
# the peer comparison needs PyVista: $(BIN)/pip install -e '.[bench]'. BENCH_ARGS=--no-lab skips JupyterLab.
BENCH_ARGS ?=
bench: $(STAMP)
	@$(START) $(BIN)/python -m benchmarks.bench $(BENCH_ARGS); $(DONE)

clean:
	rm -rf build dist *.egg-info screenshots .pytest_cache .import_linter_cache bench-results.json
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
