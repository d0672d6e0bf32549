"""kassa — a keyboard-driven terminal point-of-sale for Norwegian shops."""

__version__ = "0.1.0"
