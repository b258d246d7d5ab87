"""Use cases shared by every front end (CLI, API, web).  Import the submodules."""
