"""`kassa customers add|list|export|forget|prune`: the customer club's register (kassa_tui.club).

Joining needs a user who sells; listing, exporting and forgetting a member reveal or remove a
person and need a shift lead's (or a technician's) number and PIN. Nothing here writes the phone
number or the name to the log or the journal.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from kassa_tui.cli.base import N_, Group, friendly, till_of
from kassa_tui.cli.insight_reports import _day
from kassa_tui.cli.reports import report
from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    from kassa_tui.club.members import Club
    from kassa_tui.composition import Till
    from kassa_tui.people.person import Person


@click.group(cls=Group, help=N_("The customer club: members, their consents and their data."))
def customers() -> None:
    pass


def _club(ctx: click.Context) -> tuple[Till, Club]:
    from kassa_tui.club.members import Club

    till = till_of(ctx)
    return till, Club(till.db, till.journal, till.clock, till.config)


def _lead(till: Till) -> Person:
    from kassa_tui.cli.auth import authenticate_any
    from kassa_tui.people.permissions import Permission

    return authenticate_any(till, (Permission.Z_REPORT, Permission.USERS))


@customers.command(
    "add",
    help=N_(
        "A new member with a Norwegian phone number (8 digits) and, optionally, a member card "
        "(--card; --new-card makes one). Consents are given explicitly: --consent-purchases "
        "(purchases are kept and linked) and --consent-offers (personal offers on the "
        "receipt, which need both). A user number and PIN first; journaled by member number."
    ),
)
@click.option("--phone", required=True, help=N_("The member's phone number."))
@click.option("--card", default=None, help=N_("The member card's barcode."))
@click.option("--new-card", is_flag=True, help=N_("Make a new member card code."))
@click.option("--name", default=None, help=N_("The member's name (optional)."))
@click.option("--consent-purchases", is_flag=True, help=N_("Consent: keep my purchases."))
@click.option("--consent-offers", is_flag=True, help=N_("Consent: personal offers."))
@click.pass_context
@friendly
def customers_add(
    ctx: click.Context,
    phone: str,
    card: str | None,
    new_card: bool,
    name: str | None,
    consent_purchases: bool,
    consent_offers: bool,
) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.club.members import normalise_phone
    from kassa_tui.people.permissions import Permission

    normalise_phone(phone)  # a bad number asks for no PIN
    till, club = _club(ctx)
    person = authenticate(till, Permission.SELL)
    code = club.new_card() if new_card and card is None else card
    member = club.join(
        person,
        phone,
        card=code,
        name=name,
        consent_purchases=consent_purchases,
        consent_offers=consent_offers,
    )
    click.echo(_("Member {number} joined.").format(number=member.number))
    if member.card:
        click.echo(_("Card: {code}").format(code=member.card))


@customers.command(
    "list",
    help=N_(
        "Every member: number, phone, card, consents, joined, last visit; forgotten members "
        "without their data. A shift lead's or technician's number and PIN first."
    ),
)
@click.pass_context
@friendly
def customers_list(ctx: click.Context) -> None:
    till, club = _club(ctx)
    _lead(till)
    click.echo(
        f"{_('Member'):>6} {_('Phone'):<12} {_('Card'):<13} {_('Consents'):<9} "
        f"{_('Joined'):<10} {_('Last visit'):<10}"
    )
    for m in club.members():
        if m.forgotten:
            click.echo(f"{m.number:>6} {_('forgotten'):<12}")
            continue
        consents = ("P" if m.consent_purchases else "-") + ("O" if m.consent_offers else "-")
        last = club.last_visit_utc(m.number) or ""
        click.echo(
            f"{m.number:>6} {m.phone or '':<12} {m.card or '':<13} {consents:<9} "
            f"{m.joined_utc[:10]:<10} {last[:10]:<10}"
        )
    click.echo(_("Consents: P purchases kept, O personal offers."))


@customers.command(
    "export",
    help=N_(
        "Everything stored about member N (their right of access): data, consents with the "
        "text's version, linked purchases and offers. A shift lead's or technician's number "
        "and PIN first."
    ),
)
@click.argument("number", type=int)
@click.option("--json", "as_json", is_flag=True, help=N_("Print as JSON (øre)."))
@click.pass_context
@friendly
def customers_export(ctx: click.Context, number: int, as_json: bool) -> None:
    from kassa_tui.core.money import format_kr

    till, club = _club(ctx)
    club.get(number)  # an unknown member asks for no PIN
    _lead(till)
    data = club.export(number)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    consents = data["consents"]
    click.echo(_("Member {number}").format(number=data["member"]))
    click.echo(f"  {_('Phone')}: {data['phone'] or ''}")
    click.echo(f"  {_('Card')}: {data['card'] or ''}")
    click.echo(f"  {_('Name')}: {data['name'] or ''}")
    click.echo(f"  {_('Joined')}: {data['joined_utc']}")
    click.echo(
        "  "
        + _("Consents (text {version}, {when}): purchases {purchases}, offers {offers}").format(
            version=consents["version"],
            when=consents["given_utc"],
            purchases=_("yes") if consents["purchases"] else _("no"),
            offers=_("yes") if consents["offers"] else _("no"),
        )
    )
    click.echo("  " + _("Consent history:"))
    for c in data["consent_history"]:
        click.echo(
            "    "
            + _("{when} (text {version}): purchases {purchases}, offers {offers}").format(
                when=c["utc"],
                version=c["version"],
                purchases=_("yes") if c["purchases"] else _("no"),
                offers=_("yes") if c["offers"] else _("no"),
            )
        )
    if data["forgotten_utc"]:
        click.echo("  " + _("Forgotten {when}").format(when=data["forgotten_utc"]))
    click.echo(_("Purchases: {count}").format(count=len(data["purchases"])))
    for p in data["purchases"]:
        click.echo(f"  {p['utc']} {p['register']} #{p['receipt_nr']} {format_kr(p['total_ore'])}")
        for line in p["lines"]:
            click.echo(f"      {line['name'][:40]:<40} {format_kr(line['amount_ore']):>10}")
    click.echo(_("Offers: {count}").format(count=len(data["offers"])))
    for o in data["offers"]:
        click.echo(
            f"  {o['code']} {o['percent']} % {o['product']} {o['valid_to']}"
            f" {o['redeemed_utc'] or ''}"
        )


def _yes_no(_ctx: click.Context, _param: click.Parameter, value: str | None) -> bool | None:
    if value is None:
        return None
    answer = value.strip().lower()
    if answer in ("yes", "ja", "y", "j"):
        return True
    if answer in ("no", "nei", "n"):
        return False
    raise click.BadParameter(_("yes or no, not {value}").format(value=value))


@customers.command(
    "consent",
    help=N_(
        "Give or withdraw member N's consents at any time, without forgetting them: "
        "--purchases yes|no (purchases kept and linked from now on), --offers yes|no "
        "(personal offers on the receipt; they need the purchases consent). The new answers "
        "are kept with the consent text's version and the time. A shift lead's number and PIN "
        "first; journaled by member number."
    ),
)
@click.argument("number", type=int)
@click.option("--purchases", callback=_yes_no, metavar="yes|no", help=N_("Keep my purchases."))
@click.option("--offers", callback=_yes_no, metavar="yes|no", help=N_("Personal offers."))
@click.pass_context
@friendly
def customers_consent(
    ctx: click.Context, number: int, purchases: bool | None, offers: bool | None
) -> None:
    if purchases is None and offers is None:
        raise click.UsageError(_("Say --purchases yes|no or --offers yes|no (or both)."))
    till, club = _club(ctx)
    club.get(number)  # an unknown member asks for no PIN
    person = _lead(till)
    member = club.consent(person, number, purchases=purchases, offers=offers)
    click.echo(
        _("Member {number}: purchases {purchases}, offers {offers} (from {when}).").format(
            number=member.number,
            purchases=_("yes") if member.consent_purchases else _("no"),
            offers=_("yes") if member.consent_offers else _("no"),
            when=member.consent_utc,
        )
    )


@customers.command(
    "forget",
    help=N_(
        "Remove member N as a person (their right to erasure): phone, card, name and consents "
        "erased, their purchases' links and offers deleted. Sales, the journal, X/Z and SAF-T "
        "stay complete and unchanged. A shift lead's number and PIN first; journaled by "
        "member number."
    ),
)
@click.argument("number", type=int)
@click.pass_context
@friendly
def customers_forget(ctx: click.Context, number: int) -> None:
    till, club = _club(ctx)
    club.get(number)
    person = _lead(till)
    club.forget(person, number)
    click.echo(_("Member {number} is forgotten.").format(number=number))


@customers.command(
    "prune",
    help=N_(
        "Forget every member with no purchase for [club] retention_months (a timer runs this "
        "every night). A shift lead's number and PIN first."
    ),
)
@click.pass_context
@friendly
def customers_prune(ctx: click.Context) -> None:
    till, club = _club(ctx)
    person = _lead(till)
    done = club.prune(person)
    click.echo(_("{count} members forgotten (retention).").format(count=len(done)))


@report.command(
    "members",
    help=N_(
        "The customer club for a period: members, new and active members, visits, spend, "
        "average basket, favourite groups, lapsed members (no visit in --lapsed-days before "
        "--to), offers given and redeemed. No phone numbers or names. The last 90 days unless "
        "--from/--to say otherwise; a shift lead's or technician's number and PIN first."
    ),
)
@click.option("--from", "first", callback=_day, metavar="YYYY-MM-DD", help=N_("First day."))
@click.option("--to", "last", callback=_day, metavar="YYYY-MM-DD", help=N_("Last day."))
@click.option("--lapsed-days", default=60, type=click.IntRange(1, 3660), show_default=True)
@click.option("--json", "as_json", is_flag=True, help=N_("Print as JSON (øre)."))
@click.option("--csv", "as_csv", is_flag=True, help=N_("Print as CSV (';', kroner)."))
@click.pass_context
@friendly
def report_members(
    ctx: click.Context,
    first: str | None,
    last: str | None,
    lapsed_days: int,
    as_json: bool,
    as_csv: bool,
) -> None:
    from dataclasses import asdict

    from kassa_tui.cli.insight_reports import _emit, _how, _kr, _open, _period
    from kassa_tui.club.report import member_figures

    how = _how(as_json, as_csv)
    till = _open(ctx)
    first, last = _period(till, first, last)
    found = member_figures(till.db, first, last, lapsed_days)
    if how == "json":
        click.echo(json.dumps(asdict(found), ensure_ascii=False, indent=2))
        return
    figures = [
        ("members", found.members, _("Members")),
        ("new_members", found.new_members, _("New members")),
        ("active_members", found.active_members, _("Active members (a visit)")),
        ("visits", found.visits, _("Visits")),
        ("spend", _kr(found.spend_ore), _("Spend")),
        ("average_basket", _kr(found.average_basket_ore), _("Average basket")),
        (
            "lapsed_members",
            len(found.lapsed),
            _("Lapsed (no visit in {n} days)").format(n=lapsed_days),
        ),
        ("offers_given", found.offers_given, _("Offers given")),
        ("offers_redeemed", found.offers_redeemed, _("Offers redeemed")),
        ("offers_discount", _kr(found.redeemed_discount_ore), _("Their discount")),
    ]
    if how == "csv":
        rows: list[dict[str, object]] = [{"figure": k, "value": v} for k, v, _label in figures]
        rows += [{"figure": f"group {g.code}", "value": _kr(g.amount_ore)} for g in found.groups]
        _emit(rows, ["figure", "value"], {}, "csv")
        return
    click.echo(_("Customer club {first} to {last}").format(first=first, last=last))
    for _key, value, label in figures:
        click.echo(f"  {label:<34} {value:>12}")
    if found.groups:
        click.echo(_("Favourite groups"))
        for g in found.groups:
            click.echo(f"  {g.name[:34]:<34} {_kr(g.amount_ore):>12}")
