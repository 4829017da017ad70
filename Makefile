# Two entry points for a fresh machine: `make run` and `make test`. Both bootstrap .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BROWSER_STAMP := $(VENV)/.browser
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
DATA_DIR ?= $(or $(GONGKAI_DATA_DIR),./data)

.PHONY: run test bench clean postgresql-server

$(STAMP): requirements.txt requirements-nodeps.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade --quiet pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m ingest --data-dir $(DATA_DIR) --if-empty samples
	GONGKAI_DATA_DIR=$(DATA_DIR) $(PY) -m streamlit run app.py --browser.gatherUsageStats false

# The browser test drives Debian's chromium through the playwright package (pinned in
# requirements.txt; no `playwright install`), with a CJK font so Chinese renders.
$(BROWSER_STAMP): $(STAMP)
	test -x /usr/bin/chromium && fc-list :lang=zh | grep -q . || \
		($(SUDO) apt-get update && $(SUDO) apt-get install -y chromium fonts-noto-cjk)
	touch $(BROWSER_STAMP)

# The server-backend tests start a throwaway cluster (tests/servers.py) of Debian's PostgreSQL.
postgresql-server:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends postgresql)

test: $(STAMP) $(BROWSER_STAMP) postgresql-server
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m bench.ingest

clean:
	rm -rf $(VENV) data
