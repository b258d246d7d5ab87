"""The registry's up-to-date check without Alembic (issue 17.1: every process opens it)."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

from clusteratlas.registry.store import RegistryStore, _head_revision


def test_head_read_from_the_scripts_is_alembics_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location",
                        str(resources.files("clusteratlas.registry") / "migrations"))
    assert _head_revision() == ScriptDirectory.from_config(cfg).get_current_head()


def test_an_up_to_date_registry_is_opened_without_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    store = RegistryStore(url)
    assert store.migrate() == _head_revision()
    store.close()
    probe = ("import json, sys\nfrom clusteratlas.registry.store import RegistryStore\n"
             f"s = RegistryStore({url!r}); rev = s.migrate(); s.close()\n"
             "print(json.dumps([rev, 'alembic' in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == [_head_revision(), False]


def test_an_older_registry_is_still_upgraded(tmp_path):
    from conftest import migrate_store

    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    store = RegistryStore(url)
    store.migrate()
    migrate_store(store, "-1", down=True)
    assert store.revision() != _head_revision()
    assert store.migrate() == _head_revision()
    assert store.revision() == _head_revision()
    store.close()
