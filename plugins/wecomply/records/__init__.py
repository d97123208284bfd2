"""The records database: people, duties' evidence, the outbox and the callback inbox.

Import the submodules you need (`wecomply.records.db`, `.models`, `.outbox`, ...); this
package module itself stays empty so importing it costs nothing.
"""
