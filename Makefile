# Hotspot Patrol - developer commands. Everything runs headless; `make test` and `make demo`
# install what they need first (`make setup`).
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= $(VENV)/bin/python
PLUGIN := hotspot_patrol_plugin
VERSION := $(shell sed -n 's/^version=//p' metadata.txt)
BUILD := build/$(PLUGIN)
DEMO_OUT ?= out/demo
QGIS_PROFILE_PLUGINS ?= $(HOME)/.local/share/QGIS/QGIS3/profiles/default/python/plugins
export QT_QPA_PLATFORM ?= offscreen
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: ts setup setup-spark test-spark bench-spark test test-ltr ltr-root qt6-check demo build package install lint bench sample desktop clean

setup:
	@bash scripts/setup.sh

## the Spark job's own venv (.spark-venv: Java >= 17 from Debian, pyspark 4 + pyarrow); never .venv
setup-spark:
	@bash scripts/setup_spark.sh

## the Spark job proven equal to matchtracks (one real local[2] session)
test-spark: setup setup-spark
	$(PYTHON) -m pytest -q -p no:cacheprovider tests/spark

SIZES ?= 10M
bench-spark: setup-spark
	SPARK_LOCAL_IP=127.0.0.1 nice -n 10 .spark-venv/bin/python scripts/bench_spark.py $(SIZES)

## the whole suite on this machine's QGIS (the README's test command)
test: setup
	$(PYTHON) -m pytest -q -p no:cacheprovider tests

## the same suite and the demo inside a Debian sid root with QGIS 3.44 LTR (built once, cached)
test-ltr: build
	bash scripts/ltr.sh test -q -p no:cacheprovider tests
	bash scripts/ltr.sh demo

ltr-root:
	bash scripts/ltr.sh build

## every Qt name the plugin uses, resolved against PyQt6 (its own small venv, no QGIS)
qt6-check:
	bash scripts/qt6_check.sh

## QGIS needs metadata.txt and resources inside the plugin folder: stage them in build/
build:
	rm -rf $(BUILD)
	mkdir -p $(BUILD)
	cp -r $(PLUGIN)/. $(BUILD)/
	cp -r resources $(BUILD)/resources
	cp metadata.txt LICENSE $(BUILD)/
	find $(BUILD) \( -name __pycache__ -o -name '*.pyc' -o -name '.pytest_cache' \) -prune -exec rm -rf {} +

package: build
	mkdir -p dist
	rm -f dist/$(PLUGIN)-$(VERSION).zip
	cd build && zip -qr ../dist/$(PLUGIN)-$(VERSION).zip $(PLUGIN)
	@echo "dist/$(PLUGIN)-$(VERSION).zip"

install: build
	mkdir -p "$(QGIS_PROFILE_PLUGINS)"
	rm -rf "$(QGIS_PROFILE_PLUGINS)/$(PLUGIN)"
	cp -r $(BUILD) "$(QGIS_PROFILE_PLUGINS)/$(PLUGIN)"
	@echo "installed into $(QGIS_PROFILE_PLUGINS)/$(PLUGIN); enable it in Plugins > Manage and Install Plugins"

## the main job on the bundled sample, through qgis_process as a user would run it
demo: setup build
	PYTHON=$(PYTHON) DEMO_OUT=$(DEMO_OUT) bash scripts/demo.sh

lint: setup
	$(VENV)/bin/ruff check $(PLUGIN) scripts tests
	$(VENV)/bin/ruff format --check $(PLUGIN) scripts tests

bench: setup
	$(PYTHON) scripts/bench.py
	$(PYTHON) scripts/bench_hotspots.py
	$(PYTHON) scripts/bench_briefing.py
	$(PYTHON) scripts/bench_import.py
	$(PYTHON) scripts/bench_sources.py
	$(PYTHON) scripts/bench_plans.py
	$(PYTHON) scripts/bench_shift.py

## the translation template resources/i18n/hotspot_patrol.ts (every tr() string), for a force to translate
ts:
	$(PYTHON) scripts/make_ts.py

sample: setup
	$(PYTHON) scripts/make_sample.py

## a real QGIS window with the plugin loaded (needs a display, or runs under xvfb-run)
desktop: setup build
	QGIS_PLUGINPATH=$(CURDIR)/build PYTHONPATH=$$($(PYTHON) -c 'import site; print(site.getsitepackages()[0])') \
	  QT_QPA_PLATFORM= $$(command -v xvfb-run >/dev/null && [ -z "$$DISPLAY" ] && echo "xvfb-run -a") qgis --nologo

clean:
	rm -rf build dist out .pytest_cache
