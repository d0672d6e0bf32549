"""The sale screen's keys in the order they came: a key right behind one that opens a dialog
goes to the dialog.

Textual gives each widget its own queue. The App hands every key to the focused widget (the
entry line) as it reads it, so in a burst (a script, tmux send-keys, a fast finger: F6 then 3)
the digit already waits in the entry line's queue when F6 opens the reason dialog. Two rules
keep every key where the cashier meant it, none lost and none doubled:

1. The entry line runs a command key's action at once, in its own turn (not as a message for
   the screen to read later), so the dialog is on the App's screen stack before the entry line
   looks at the next key. Enter, '*' and Esc go the same way: the keys keep their order.
2. A key the entry line gets while a dialog covers its screen arrived before that dialog was
   on screen: it is handed on to the dialog, as the App would have done a moment later, once
   the dialog is mounted (its input has the focus). The keys handed on go one at a time, each
   when the one before has been dealt with (a digit that picks and closes the menu: the scan
   behind it goes back to the entry line), and a key the App reads meanwhile waits behind them.

A scan typed by a keyboard wedge while no dialog is opening lands in the entry line as before;
an evdev scan never passes through here (the App calls the sale screen with the code).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from textual import events
from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.widget import Widget

#: Runs an entry line's message (a command, a quantity) at once, in the entry line's turn.
Receiver = Callable[[Message], None]

#: How long a key handed on waits between two looks at whether the screen is ready for it.
STEP_SECONDS = 0.005
#: After this many looks (about a second) the key goes anyway: nothing waits for ever.
MAX_WAITS = 200


def covered(widget: Widget) -> bool:
    """True while another screen (a dialog) is on top of the widget's own screen."""
    try:
        return widget.app.screen is not widget.screen
    except Exception:  # no screen (being taken down): nothing to hand keys on to
        return False


class Handover:
    """The keys on their way to the screen on top, in the order they came."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.keys: deque[events.Key] = deque()
        self.last: MessagePump | None = None
        self.handling = False  # the last key handed on is still in its widget's hands
        self.scheduled = False
        self.calm = 0  # looks in a row that found nothing moving
        self.waits = 0

    def add(self, key: events.Key) -> None:
        self.keys.append(events.Key(key.key, key.character))
        self.schedule()

    def schedule(self) -> None:
        if not self.scheduled:
            self.scheduled = True
            self.app.set_timer(STEP_SECONDS, self.step)

    def settled(self) -> bool:
        """The screen on top is mounted, and the last key and what it set off are dealt with:
        two looks in a row found no queue with anything in it (a message handled in one widget
        is posted on to its parent while the first is already empty)."""
        screen = self.app.screen
        last = self.last
        moving = (
            not screen.is_mounted
            or (self.handling and last is not None and not (last._closing or last._closed))
            or not idle(last)
            or not idle(screen)
        )
        self.calm = 0 if moving else self.calm + 1
        return self.calm >= 2

    def step(self) -> None:
        self.scheduled = False
        if not self.keys or not self.app.is_running or not self.app.screen_stack:
            self.keys.clear()  # the App is closing: no screen to give them to
            return
        if self.waits < MAX_WAITS and not self.settled():
            self.waits += 1
            self.schedule()
            return
        self.waits = self.calm = 0
        target: MessagePump = self.app.focused or self.app.screen
        target._forward_event(self.keys.popleft())  # type: ignore[attr-defined]
        self.last, self.handling = target, True
        target.call_later(self.handled)  # behind the key in the widget's queue
        if self.keys:
            self.schedule()

    def handled(self) -> None:
        self.handling = False


def idle(node: MessagePump | None) -> bool:
    """Nothing waiting in the node's queue (or the node is gone)."""
    if node is None or node._closing or node._closed:
        return True
    return node._message_queue.empty()


_HANDOVERS: WeakKeyDictionary[App[Any], Handover] = WeakKeyDictionary()


def hand_on(widget: Widget, key: events.Key) -> None:
    """Give a key that reached `widget` too late to the screen on top, when it is ready."""
    app = widget.app
    handover = _HANDOVERS.get(app)
    if handover is None:
        handover = _HANDOVERS[app] = Handover(app)
    handover.add(key)


def held(app: App[Any], key: events.Key) -> bool:
    """For the App, before it routes a key it has read: True (and the key waits in line) while
    keys handed on are still on their way, so this one cannot overtake them."""
    handover = _HANDOVERS.get(app)
    if handover is None or not handover.keys:
        return False
    handover.add(key)
    return True
