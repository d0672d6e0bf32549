"""The sync state as the sale screen's header shows it, and one push round for the App.

The running till pushes from a child process of its own (kassa_tui.sync.child runs
`sync_round` on the interval: its own SQLite connection, its own connection to HQ, never the
till's interpreter); the App reads the state back from SQLite (`header`). The header then
reads e.g. «HQ 10:32» (everything sent, last contact at 10:32), «HQ 10:32, 12 wait» (12 rows
still to send), «HQ off: 40 since 09:58» (HQ out of reach, 40 rows waiting, the oldest from
09:58; red once [hq] alert_after_… is passed), «HQ: FORK» (red) or «HQ: shop!» (red:
kassa.toml's [shop] shop_id is not HQ's shop for this register, kassa_tui.stock.own_shop). Short:
it shares the top line at 80 columns.
"""

from __future__ import annotations

import logging
import threading

from kassa_tui.config import Config
from kassa_tui.config.hq import HqSettings
from kassa_tui.core.clock import Clock, parse_utc
from kassa_tui.core.i18n import _
from kassa_tui.stock.own_shop import mismatch
from kassa_tui.sync import link, push
from kassa_tui.sync.pull import background_round

log = logging.getLogger("kassa.sync")


def _hhmm(utc: str | None) -> str:
    return parse_utc(utc).local.strftime("%H:%M") if utc else "--:--"


def status_text(
    state: push.SyncState, settings: HqSettings, now_utc: str, catalog_waiting: int = 0
) -> tuple[str, bool]:
    """(the header's text, fine?) for a sync state; a large catalog revision waiting for the
    till to be idle (kassa_tui.sync.large) is named when all is sent («HQ 10:32, rev 7 waits»:
    the longer states keep the top line to themselves at 80 columns)."""
    if state.status == "fork":
        return _("HQ: FORK"), False
    if state.status == "tls":
        return _("HQ: TLS!"), False
    if state.status in ("ahead", "broken", "refused"):
        return _("HQ: check"), False
    alert = state.alert(settings, now_utc)
    if state.status == "ok" and state.last_attempt_utc == state.last_ok_utc:
        last = _hhmm(state.last_ok_utc)
        if not state.waiting and catalog_waiting:
            text = _("HQ {time}").format(time=last)
            return _("{state}, rev {revision} waits").format(
                state=text, revision=catalog_waiting
            ), True
        if not state.waiting:
            return _("HQ {time}").format(time=last), True
        text = _("HQ {time}, {n} wait").format(time=last, n=state.waiting)
        return text, not alert
    if not state.waiting:
        return _("HQ off"), True
    text = _("HQ off: {n} since {time}").format(
        n=state.waiting, time=_hhmm(state.oldest_waiting_utc)
    )
    return text, not alert


def push_round(config: Config, clock: Clock) -> tuple[str, bool]:
    """Push once, then the catalog; the header's text after it. Never raises."""
    if config.hq is None:
        return "", True
    if not sync_round(config, clock):
        return _("HQ: check"), False
    return header(config, clock)


def sync_round(config: Config, clock: Clock, idle: threading.Event | None = None) -> bool:
    """One round as the till's sync child does it (kassa_tui.sync.child): push what HQ
    lacks on a SQLite connection of its own (gently while `idle` is clear: the cashier
    works), then the catalog HQ published. False when the round itself failed (the database
    could not be opened, a password file gone, a bug): the header then says «HQ: check».
    Never raises."""
    settings = config.hq
    if settings is None:
        return True
    try:
        database = push.open_own(config.database)
    except Exception:
        log.exception("sync: the database could not be opened")
        return False
    try:
        result = push.push(
            database,
            config.register_id,
            clock,
            lambda: link.connect(settings),
            batch_size=settings.batch_size,
            timeout=settings.timeout_seconds,
            idle=idle,
        )
        if result.status != "ok":
            log.warning("sync: %s", result.message)
        else:  # then the catalog HQ published (small revisions; kassa_tui.sync.pull)
            background_round(database, config, clock, lambda: link.connect(settings))
        return True
    except Exception:  # a password file gone, a bug: the till sells on, the header says so
        log.exception("sync failed")
        return False
    finally:
        database.close()


def header(config: Config, clock: Clock, catalog_waiting: int = 0) -> tuple[str, bool]:
    """The header's text for the sync state in SQLite (sync_cursor and the journal's head),
    read on a short connection of its own. Never raises."""
    settings = config.hq
    if settings is None:
        return "", True
    try:
        database = push.open_own(config.database)
        try:
            found = push.state(database, config.register_id)
            wrong_shop = mismatch(database, config)  # kassa_tui.stock.own_shop
        finally:
            database.close()
    except Exception:
        log.exception("sync: the state could not be read")
        return _("HQ: check"), False
    if wrong_shop is not None and found.status not in ("fork", "tls", "ahead", "broken", "refused"):
        return _("HQ: shop!"), False  # kassa.toml's [shop] shop_id is not HQ's
    return status_text(found, settings, clock.now().utc_text, catalog_waiting)
