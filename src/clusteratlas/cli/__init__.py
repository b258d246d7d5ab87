"""The ``clusteratlas`` command: a thin layer over the service.

The app is in :mod:`clusteratlas.cli.main`; this package imports nothing, so that the
console script (:mod:`clusteratlas.cli.launch`) can start work before Typer and the
commands load."""
