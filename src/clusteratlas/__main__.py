"""``python -m clusteratlas`` runs the command line."""

from clusteratlas.cli.launch import run

run()
