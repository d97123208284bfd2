"""The WeCom simulator as the benchmarks use it: N members, ids the child processes can
regenerate, and the connection details a child needs (passed on stdin, never in argv)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wecom_simulator import WeComSimulator

SEND_PATH = "/cgi-bin/message/send"
TOKEN_PATH = "/cgi-bin/gettoken"
MEMBERS_PER_DEPARTMENT = 1000


def userid(index: int) -> str:
    return f"u{index:06d}"


def userids(n: int, first: int = 0) -> list[str]:
    return [userid(i) for i in range(first, first + n)]


def start_simulator(
    n_members: int, *, seed: int = 0, members_per_department: int = MEMBERS_PER_DEPARTMENT
) -> WeComSimulator:
    """A started simulator with `n_members` active, visible members, `members_per_department`
    to a department."""
    from wecom_simulator import WeComSimulator

    sim = WeComSimulator(seed=seed)
    departments = max(1, -(-n_members // members_per_department))
    for d in range(departments):
        sim.add_department(d + 2, f"部门{d + 1}")
    for i in range(n_members):
        sim.add_user(userid(i), f"员工{i}", [2 + i // members_per_department])
    return sim.start()


def connection_spec(sim: WeComSimulator) -> dict[str, Any]:
    return {"base_url": sim.base_url, "corp_id": sim.corp_id, "secret": sim.secret, "agent_id": sim.agent_id}


def api_figures(sim: WeComSimulator) -> dict[str, int]:
    return {
        "api_calls": sim.calls(),
        "send_calls": sim.calls(SEND_PATH),
        "token_calls": sim.calls(TOKEN_PATH),
        "api_errors": sim.errors(),
        "drops": sim.drops(),
    }
