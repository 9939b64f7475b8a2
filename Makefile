# Two commands: `make lab` (set up and open the course) and `make test` (set up and run every test).
# Needs only Python >= 3.11, make and git.

PYTHON ?= python3
VENV ?= .venv
# torch: on Linux without an NVIDIA driver (no nvidia-smi), the CPU-only build from PyTorch's index (about
# 200 MB, where PyPI's default Linux build pulls in gigabytes of CUDA libraries). `TORCH_INDEX=` (empty)
# keeps pip's default index; setting TORCH (CI: the local torch==2.13.0) leaves the index to you too.
ifeq ($(origin TORCH)$(shell uname -s)$(shell command -v nvidia-smi 2>/dev/null),undefinedLinux)
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
endif
TORCH ?= torch>=2.2
TORCH_INDEX ?=
LAB_ARGS ?=
BIN := $(VENV)/bin
# A mirror folder given relative to the project still works from notebooks/ (where nbval runs kernels).
ifneq ($(GAN_LESSONS_MNIST_MIRROR),)
ifneq ($(wildcard $(GAN_LESSONS_MNIST_MIRROR)),)
export GAN_LESSONS_MNIST_MIRROR := $(abspath $(GAN_LESSONS_MNIST_MIRROR))
endif
endif

.PHONY: setup lab test lint test-unit test-other-cpu test-notebooks test-claims test-ui ui-deps test-binder test-colab data sync clean site test-site

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall when the project's requirements change; `make setup` forces it.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e ".[lab,test]"
	touch $@

# JupyterLab opens the lessons' .py files (jupytext percent format) as notebooks on a double click:
# an application-wide settings override inside the venv (jupytext >= 1.16 leaves .py to the text editor).
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

$(LAB_OVERRIDES): | $(VENV)/.installed
	$(BIN)/jupytext-config --settings-file $@ set-default-viewer python

setup: $(VENV)/.installed $(LAB_OVERRIDES)

data: setup
	@$(BIN)/python -m gan_lessons data || echo "(MNIST is not in the cache yet: lessons 04-07 fetch it on first use, or see README 'Data')"

lab: setup data
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

test: setup
	$(BIN)/python -m gan_lessons data
	$(MAKE) lint test-unit test-notebooks

# ruff: pyflakes, pycodestyle and import order, configured in pyproject.toml ([tool.ruff]).
lint:
	$(BIN)/python -m ruff check .

# GAN_LESSONS_REQUIRE_MNIST=1: the data step above filled the cache, so an MNIST test that cannot find it fails
# instead of skipping quietly (tests/conftest.py).
test-unit:
	GAN_LESSONS_REQUIRE_MNIST=1 $(BIN)/python -m pytest tests -q

# The unit tests again on torch's plain, non-vectorised CPU kernels: in effect another CPU, so a test that
# compares floats recorded on one machine fails here before it fails on a learner's (CI runs it).
test-other-cpu: setup
	ATEN_CPU_CAPABILITY=default GAN_LESSONS_REQUIRE_MNIST=1 $(BIN)/python -m pytest tests -q -p no:cacheprovider

# Strict: a lesson's claim that does not hold fails the run (a learner sees a line with what to try instead);
# each claim is logged for `make test-claims`.
test-notebooks:
	rm -f build/claims/test.jsonl
	GAN_LESSONS_BUDGET=test GAN_LESSONS_STRICT=1 GAN_LESSONS_CLAIMS_LOG=$(CURDIR)/build/claims/test.jsonl \
		$(BIN)/python -m pytest --nbval-lax --nbval-current-env -q -p no:cacheprovider notebooks/*.ipynb

# Every claim of every lesson was checked by the `test` nbval run or the `lecture` site build (their logs).
test-claims:
	GAN_LESSONS_CLAIMS_TEST=1 $(BIN)/python -m pytest tests/test_claims.py -q -p no:cacheprovider

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

# Binder: the Dockerfile repo2docker itself writes for the repository (`repo2docker --no-build`, no Docker
# needed), then a fresh venv from binder/ alone, as that Dockerfile builds it, and 00_start_here under nbval.
test-binder: setup
	@$(BIN)/python -c "import repo2docker" 2>/dev/null || $(BIN)/python -m pip install --quiet jupyter-repo2docker
	GAN_LESSONS_BINDER_TEST=1 $(BIN)/python -m pytest tests/test_binder.py -q -s -p no:cacheprovider

# Colab: a fresh venv like Colab's in build/colab-venv, whose kernel has ipywidgets 7.7.1 imported before the
# first cell; lesson 01's own %pip line installs the course (core only), then lessons 01 and 07 under nbclient.
test-colab: setup
	GAN_LESSONS_COLAB_TEST=1 $(BIN)/python -m pytest tests/test_colab_widgets7.py -q -s -p no:cacheprovider

# The course as a static website in build/site/ (Sphinx + myst-nb, no network): every lesson executed
# in the lecture budget, cached in build/site-cache/ by its code (site/build.py). Needs Python >= 3.11.
$(VENV)/.site-installed: pyproject.toml | $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[lab,test,site]"
	touch $@

site: setup $(VENV)/.site-installed
	$(BIN)/python site/build.py

# The built site in headless Chromium (ui-deps installs it): every page, image, link; screenshots in artifacts/site/.
SITE_TIMEOUT ?= 300
test-site: ui-deps
	GAN_LESSONS_SITE_TEST=1 CHROMIUM=$(CHROMIUM) timeout -s INT -k 30 $(SITE_TIMEOUT) \
		$(BIN)/python -m pytest tests/site -q -p no:cacheprovider

# After editing a lesson's .py, refresh its .ipynb (without outputs), both in the form JupyterLab with
# jupytext saves them, so opening a lesson changes nothing (tools/sync_notebooks.py says what that is).
sync: setup
	$(BIN)/python tools/sync_notebooks.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
