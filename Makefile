# Two commands: `make lab` (set up and open the course) and `make test` (set up and run every test).
# Needs only Python >= 3.10, make and git.

PYTHON ?= python3
VENV ?= .venv
TORCH ?= torch>=2.2
LAB_ARGS ?=
BIN := $(VENV)/bin
# A mirror folder given relative to the project still works from notebooks/ (where nbval runs kernels).
ifneq ($(GAN_LESSONS_MNIST_MIRROR),)
ifneq ($(wildcard $(GAN_LESSONS_MNIST_MIRROR)),)
export GAN_LESSONS_MNIST_MIRROR := $(abspath $(GAN_LESSONS_MNIST_MIRROR))
endif
endif

.PHONY: setup lab test test-unit test-notebooks test-ui ui-deps test-binder data sync clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall when the project's requirements change; `make setup` forces it.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# JupyterLab opens the lessons' .py files (jupytext percent format) as notebooks on a double click:
# an application-wide settings override inside the venv (jupytext >= 1.16 leaves .py to the text editor).
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

$(LAB_OVERRIDES): | $(VENV)/.installed
	$(BIN)/jupytext-config --settings-file $@ set-default-viewer python

setup: $(VENV)/.installed $(LAB_OVERRIDES)

data: setup
	@$(BIN)/python -m gan_lessons.data || echo "(MNIST is not in the cache yet: lessons 04-07 fetch it on first use, or see README 'Data')"

lab: setup data
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

test: setup
	$(BIN)/python -m gan_lessons.data
	$(MAKE) test-unit test-notebooks

test-unit:
	$(BIN)/python -m pytest tests -q

test-notebooks:
	GAN_LESSONS_BUDGET=test $(BIN)/python -m pytest --nbval-lax -q -p no:cacheprovider notebooks/*.ipynb

# The course in a real browser: JupyterLab from .venv driven by Debian's headless Chromium through
# Playwright (its own browser download does not work offline). Screenshots go to artifacts/ui/.
CHROMIUM ?= /usr/bin/chromium
UI_TIMEOUT ?= 900  # the whole browser session; a busy 2-core machine needs over 300 s
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

ui-deps: setup
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
	@$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/python -m pip install --quiet "playwright>=1.40"

# timeout sends SIGINT first, so pytest still stops JupyterLab and keeps the screenshots.
test-ui: ui-deps
	GAN_LESSONS_UI_TEST=1 GAN_LESSONS_BUDGET=test CHROMIUM=$(CHROMIUM) timeout -s INT -k 30 $(UI_TIMEOUT) \
		$(BIN)/python -m pytest tests/ui -q -p no:cacheprovider

# Binder: a fresh venv from binder/ alone, as repo2docker's pip path builds it, then 00_start_here under nbval.
test-binder: setup
	GAN_LESSONS_BINDER_TEST=1 $(BIN)/python -m pytest tests/test_binder.py -q -s -p no:cacheprovider

# After editing a lesson's .py, refresh its .ipynb (without outputs).
sync: setup
	$(BIN)/jupytext --sync notebooks/*.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
