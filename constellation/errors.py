"""Errors shared by every area."""


class UserError(Exception):
    """Bad input or environment: printed as one clear line, without a traceback."""
