"""Widgets the screens and dialogs share: the entry line, the number-and-PIN field and the
basket table."""
