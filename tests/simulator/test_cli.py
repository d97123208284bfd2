"""`python -m wecom_simulator serve` for the demo, and the `/_sim/` admin API it offers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests

from wecom_simulator import WeComSimulator


def _serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "wecom_simulator", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.terminate()
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0
    return out


def test_serve_loads_users_and_prints_connections_on_request(tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    users.write_text(json.dumps({
        "departments": [{"id": 2, "name": "销售部", "parent_id": 1}],
        "users": [{"userid": "chenqi", "name": "陈七", "department_ids": [2]}],
    }), encoding="utf-8")
    proc = _serve("--seed", "3", "--users", str(users), "--print-connections")
    try:
        first = proc.stdout.readline()
        assert first.startswith("WeCom simulator listening on http://127.0.0.1:")
        base_url = first.split()[-1]
        conn_line = proc.stdout.readline()
        assert conn_line.startswith("AIRFLOW_CONN_WECOM_DEFAULT=")
        conn = json.loads(conn_line.split("=", 1)[1].strip().strip("'"))
        assert conn["host"] == base_url and conn["extra"]["agent_id"] == 1000002
        reply = requests.get(base_url + "/cgi-bin/gettoken",
                             params={"corpid": conn["login"], "corpsecret": conn["password"]}, timeout=5).json()
        assert reply["errcode"] == 0
        user = requests.get(base_url + "/cgi-bin/user/get",
                            params={"access_token": reply["access_token"], "userid": "chenqi"}, timeout=5).json()
        assert user["name"] == "陈七" and user["department"] == [2]
        body = {"touser": "chenqi", "msgtype": "text", "agentid": 1000002, "text": {"content": "hi"}}
        requests.post(base_url + "/cgi-bin/message/send", params={"access_token": reply["access_token"]},
                      json=body, timeout=5)
        received = requests.get(base_url + "/_sim/received", params={"userid": "chenqi"}, timeout=5).json()
        assert [m["text"]["content"] for m in received["received"]] == ["hi"]
        stats = requests.get(base_url + "/_sim/stats", timeout=5).json()
        assert stats["calls"]["/cgi-bin/message/send"] == 1 and stats["sent"] == 1
    finally:
        _stop(proc)


def test_serve_prints_only_the_base_url_by_default(tmp_path: Path) -> None:
    secrets_of_seed_5 = WeComSimulator(seed=5)
    target = tmp_path / "connections.json"
    proc = _serve("--seed", "5", "--write-connections", str(target))
    try:
        assert proc.stdout.readline().startswith("WeCom simulator listening on ")
        assert proc.stdout.readline().startswith("connections written to ")
    finally:
        out = _stop(proc)
    for secret in (secrets_of_seed_5.secret, secrets_of_seed_5.contacts_secret, secrets_of_seed_5.token,
                   secrets_of_seed_5.encoding_aes_key):
        assert secret not in out
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written["wecom_default"]["password"] == secrets_of_seed_5.secret
    assert written["wecom_contacts"]["password"] == secrets_of_seed_5.contacts_secret
    assert target.stat().st_mode & 0o077 == 0
