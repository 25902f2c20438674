"""`python -m retour` runs the command line."""

from retour.cli.main import run

run()
