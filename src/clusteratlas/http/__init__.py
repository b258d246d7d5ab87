"""What the JSON API and the HTML pages share: request dependencies (atlas, registry,
the caller, CSRF), the error shape, security headers and request limits.

``api`` and ``web`` import from here and never from each other; the application
factory that mounts both is :mod:`clusteratlas.server`.
"""
