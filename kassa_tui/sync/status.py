"""The sync state as the sale screen's header shows it, and one push round for the App.

The App pushes on an interval in a thread worker (`push_round`): its own SQLite connection
(closed after), its own connection to HQ, never the UI thread. The header then reads e.g.
«HQ 10:32» (everything sent, last contact at 10:32), «HQ 10:32, 12 wait» (12 rows still to
send), «HQ off: 40 since 09:58» (HQ out of reach, 40 rows waiting, the oldest from 09:58; red once
[hq] alert_after_… is passed) or «HQ: FORK» (red). Short: it shares the top line at 80 columns.
"""

from __future__ import annotations

import logging

from kassa_tui.config import Config
from kassa_tui.config.hq import HqSettings
from kassa_tui.core.clock import Clock, parse_utc
from kassa_tui.core.i18n import _
from kassa_tui.sync import link, push
from kassa_tui.sync.pull import background_round

log = logging.getLogger("kassa.sync")


def _hhmm(utc: str | None) -> str:
    return parse_utc(utc).local.strftime("%H:%M") if utc else "--:--"


def status_text(state: push.SyncState, settings: HqSettings, now_utc: str) -> tuple[str, bool]:
    """(the header's text, fine?) for a sync state."""
    if state.status == "fork":
        return _("HQ: FORK"), False
    if state.status == "tls":
        return _("HQ: TLS!"), False
    if state.status in ("ahead", "broken", "refused"):
        return _("HQ: check"), False
    alert = state.alert(settings, now_utc)
    if state.status == "ok" and state.last_attempt_utc == state.last_ok_utc:
        last = _hhmm(state.last_ok_utc)
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
    """Push once (a thread worker's job); the header's text after it. Never raises."""
    settings = config.hq
    if settings is None:
        return "", True
    try:
        database = push.open_own(config.database)
    except Exception:
        log.exception("sync: the database could not be opened")
        return _("HQ: check"), False
    try:
        result = push.push(
            database,
            config.register_id,
            clock,
            lambda: link.connect(settings),
            batch_size=settings.batch_size,
            timeout=settings.timeout_seconds,
        )
        if result.status != "ok":
            log.warning("sync: %s", result.message)
        else:  # then the catalog HQ published (small revisions; kassa_tui.sync.pull)
            background_round(database, config, clock, lambda: link.connect(settings))
        return status_text(push.state(database, config.register_id), settings, clock.now().utc_text)
    except Exception:  # a password file gone, a bug: the till sells on, the header says so
        log.exception("sync failed")
        return _("HQ: check"), False
    finally:
        database.close()
