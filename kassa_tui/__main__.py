"""`python -m kassa_tui` is the `kassa` command."""

from kassa_tui.cli import main

main()
