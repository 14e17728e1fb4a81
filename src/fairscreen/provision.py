"""Initialising a deployment: key file and schema, both idempotent."""

from __future__ import annotations

import os
from typing import Any

from fairscreen.bootstrap import App
from fairscreen.db.migrate import upgrade
from fairscreen.vault.keys import LocalKeyProvider


def initialise(app: App) -> dict[str, Any]:
    """Create the data dir and key file if absent and migrate the schema."""
    settings = app.settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # A data dir made before files were created private keeps no reader but its owner.
    os.chmod(settings.data_dir, 0o700)
    created = False
    if settings.key_provider == "local":
        created = LocalKeyProvider.create(settings.key_file)
    upgrade(app.engine)
    database = app.engine.url.database
    if app.engine.dialect.name == "sqlite" and database and os.path.exists(database):
        os.chmod(database, 0o600)
    return {
        "key_file": str(settings.key_file),
        "key_created": created,
        "database": app.engine.url.render_as_string(hide_password=True),
    }
