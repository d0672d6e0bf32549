"""Textual screens, dialogs and widgets: they show state and turn keys into service calls."""
