"""The command line: a thin face over retour.service."""

from retour.cli.main import app, main

__all__ = ["app", "main"]
