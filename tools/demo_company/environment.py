"""The environment `python -m demo_company run` needs in a project home of its own.

What `make demo` passes (where the home is; the demo sets the rest of the project's
Airflow settings itself, `demo_company.airflow_settings`), pointed at `home` instead of
the checkout, without any AIRFLOW_* or connection the caller's environment carries (the
demo sets its own connections): the scenario test and the chaos-month benchmark each run
the month so. And the demo's own Airflow Fernet key.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet

from wecomply.atomic_files import replacing
from wecomply.errors import UserFacingError


def isolated_env(home: Path, *, log_level: str = "WARNING", **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_CONN_", "AIRFLOW__", "AIRFLOW_HOME"))}
    return env | {
        "AIRFLOW_HOME": str(home / ".airflow"),
        "WECOMPLY_DATA_DIR": str(home / "data"),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": log_level,
        **extra,
    }


def demo_fernet_key(airflow_home: Path) -> str:
    """The demo's Airflow Fernet key: made once per Airflow home and kept beside its
    database (mode 0600), so `make airflow` reads what `make demo` wrote. Without a key
    Airflow warns that it stores values (a deferred task's trigger arguments, connections
    saved in the UI) unencrypted. docker-compose takes its key from `.env` instead.

    Raises `UserFacingError` naming the file and the fix when the file holds no valid key."""
    path = airflow_home / "fernet.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # Create-only: two demo processes starting together agree on the first one's key.
            with replacing(path, "w", create_only=True, encoding="ascii") as out:
                os.fchmod(out.fileno(), 0o600)
                out.write(Fernet.generate_key().decode("ascii"))
        except FileExistsError:
            pass
    key = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        Fernet(key)
    except ValueError:
        # An empty or edited file would otherwise reach Airflow, which stores values
        # unencrypted with an empty key and fails on its first decrypt with any other.
        raise UserFacingError(
            f"{path}: 不是有效的 Fernet 密钥 / not a valid Fernet key (32 url-safe base64 bytes). "
            f"删除该文件后重新运行 make demo 会生成新密钥 / delete it and run make demo again to make a "
            f"new one (anything Airflow stored encrypted under the old key can no longer be read; "
            f"if Airflow then reports a decryption error, delete {path.parent / 'airflow.db'} too)"
        ) from None
    return key
