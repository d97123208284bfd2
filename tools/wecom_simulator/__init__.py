"""A faithful WeCom (企业微信) server for tests, the demo and benchmarks.

Outside the runtime path: `wecomply` never imports it, and it never imports `wecomply`.
"""

from wecom_simulator.clock import SimClock
from wecom_simulator.crypto import CallbackCrypto
from wecom_simulator.employees import TAMPERS, CallbackDelivery, UrlVerification
from wecom_simulator.faults import FAULT_KINDS, FaultPlan
from wecom_simulator.simulator import WeComSimulator
from wecom_simulator.state import SimConfig, UploadedMedia

__all__ = [
    "FAULT_KINDS",
    "TAMPERS",
    "CallbackCrypto",
    "CallbackDelivery",
    "FaultPlan",
    "SimClock",
    "SimConfig",
    "UploadedMedia",
    "UrlVerification",
    "WeComSimulator",
]
