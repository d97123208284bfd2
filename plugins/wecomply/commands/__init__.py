"""Command groups of `python -m wecomply`; each module defines `register(subparsers)`.

A module's `register` adds one sub-command whose parser sets `handler=fn(args) -> int`.
"""
