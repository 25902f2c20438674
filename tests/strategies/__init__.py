"""Hypothesis strategies for valid datasets in the exchange format."""
