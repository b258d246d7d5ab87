"""``python -m clusteratlas`` runs the command line."""

from clusteratlas.cli.main import run

run()
