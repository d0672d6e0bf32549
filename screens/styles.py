"""Where the stylesheets are. They sit in screens/ beside this module, so a screen or a dialog
in any subpackage loads the very same file (Textual reads each path once)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent

#: Modal dialogs: one centred box over the dimmed screen underneath.
DIALOGS = HERE / "dialogs.tcss"
#: The sale screen.
SALE = HERE / "sale.tcss"
#: Sign in and the lock screen.
SIGNIN = HERE / "signin.tcss"
#: The stock lookup, the stock work screens, the day close and the signals.
STOCK = HERE / "stock.tcss"
#: The Pi's Linux console (the App loads it: plain ASCII borders for 16 colours).
CONSOLE = HERE / "console.tcss"
#: Training mode's colours on every screen (the App loads it; the App has `-training`).
TRAINING = HERE / "training.tcss"

# The scrollbars' glyphs for the console theme live in code, not CSS: in force with any screen.
import screens.console  # noqa: E402, F401
