"""Answering: routing, SQL over the figures, retrieval answers, citations (built on the stores)."""
