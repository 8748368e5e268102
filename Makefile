# `make demo`: set up (once) and generate 10 reviews offline with the embedded model.
# `make test`: set up (once) and run lint plus the test suite.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test lint clean

$(VENV)/.installed: pyproject.toml scripts/setup.sh scripts/build_llama.sh
	bash scripts/setup.sh $(VENV)

setup: $(VENV)/.installed

demo: setup
	$(BIN)/reviewgen generate --config config.yaml --count 10 --out out --overwrite

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest

clean:
	rm -rf out .pytest_cache
