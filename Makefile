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

.PHONY: setup lab test test-unit test-notebooks data sync clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall when the project's requirements change; `make setup` forces it.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

setup: $(VENV)/.installed

data: setup
	@$(BIN)/python -m gan_lessons.data || echo "(MNIST is not in the cache yet: lessons 04-07 fetch it on first use, or see README 'Data')"

lab: setup data
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(LAB_ARGS)

test: setup
	$(BIN)/python -m gan_lessons.data
	$(MAKE) test-unit test-notebooks

test-unit:
	$(BIN)/python -m pytest tests -q

test-notebooks:
	GAN_LESSONS_BUDGET=test $(BIN)/python -m pytest --nbval-lax -q -p no:cacheprovider notebooks/*.ipynb

# After editing a lesson's .py, refresh its .ipynb (without outputs).
sync: setup
	$(BIN)/jupytext --sync notebooks/*.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
