"""Errors shared across layers."""


class UserFacingError(Exception):
    """Bad input or configuration that a person must fix.

    The message names the place (file, row, column, key path or connection id) and the fix;
    the CLI prints it as one line and exits 2 instead of showing a traceback.
    """
