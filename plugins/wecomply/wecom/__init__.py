"""The WeCom protocol: client, errors, messages, pacing, tokens, callback crypto.

Pure Python: nothing here imports Airflow or `wecomply.records`, and nothing does I/O at
import time. Import from the submodules (`wecomply.wecom.client`, `.messages`, ...).
"""
