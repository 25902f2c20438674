"""Rendering of results: tables, workbooks, HTML. Never touches the store."""
