# Two entry points for a fresh machine: `make run` and `make test`. Both bootstrap .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DATA_DIR ?= $(or $(GONGKAI_DATA_DIR),./data)

.PHONY: run test bench clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade --quiet pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m ingest --data-dir $(DATA_DIR) --if-empty samples
	GONGKAI_DATA_DIR=$(DATA_DIR) $(PY) -m streamlit run app.py --browser.gatherUsageStats false

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m bench.ingest

clean:
	rm -rf $(VENV) data

# The server-backend tests start a throwaway PostgreSQL cluster (tests/servers.py): Debian's
# server must be installed. An extra prerequisite line, so `test` above stays as it is.
.PHONY: postgresql-server
test: postgresql-server
postgresql-server:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		(apt-get update && apt-get install -y --no-install-recommends postgresql)
