"""Ingestion: files → documents → tables, facts and chunks → the SQL and vector stores.

The stages are declared in `ingest.pipeline`; `python -m ingest` is the command line.
"""
