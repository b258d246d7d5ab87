"""The JSON API: routers over the service layer (mounted by :mod:`clusteratlas.server`)."""
