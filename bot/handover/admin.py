"""`python -m bot staff ...`: register centres' staff groups and staff members.

    python -m bot staff centres                       the centre ids, their staff group and hours
    python -m bot staff chat CENTRE CHAT_ID [--forum] [--hours "mon-fri 08:00-15:30"]
    python -m bot staff add CENTRE TELEGRAM_ID NAME [--admin]
    python -m bot staff remove TELEGRAM_ID [--centre CENTRE]
    python -m bot staff list [--centre CENTRE]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.centres import Centres
from bot.errors import ConfigurationError
from bot.handover.hours import OfficeHours
from bot.handover.store import CentreChats, StaffRegistry
from bot.storage.db import Database


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    staff = sub.add_parser("staff", help="register staff groups and staff of the founder centres")
    verbs = staff.add_subparsers(dest="verb", required=True)
    verbs.add_parser("centres", help="list the centres, their staff group and office hours")
    chat = verbs.add_parser("chat", help="set a centre's staff group (Telegram chat id)")
    chat.add_argument("centre")
    chat.add_argument("chat_id", type=int)
    chat.add_argument("--forum", action="store_true", help="the group is a supergroup with topics")
    chat.add_argument("--hours", default=None, help='"mon-fri 08:00-15:30", "always" or "closed"; default OFFICE_HOURS')
    add = verbs.add_parser("add", help="register a staff member")
    add.add_argument("centre")
    add.add_argument("telegram_id", type=int)
    add.add_argument("name", help="first name, shown to users")
    add.add_argument("--admin", action="store_true", help="may register colleagues with /staff_add")
    remove = verbs.add_parser("remove", help="remove a staff member")
    remove.add_argument("telegram_id", type=int)
    remove.add_argument("--centre", default=None)
    listing = verbs.add_parser("list", help="list registered staff")
    listing.add_argument("--centre", default=None)


def run(args: argparse.Namespace, database_url: str, root: Path) -> int:
    centres = {c.id: c for c in Centres.load(root / "content" / "centres.yml")}
    for name in ("centre",):
        value = getattr(args, name, None)
        if value is not None and value not in centres:
            raise ConfigurationError(f"unknown centre {value!r}; see `python -m bot staff centres`")
    database = Database(database_url)
    database.migrate()
    try:
        with database.session() as session:
            chats, registry = CentreChats(session), StaffRegistry(session)
            if args.verb == "centres":
                for centre_id, centre in centres.items():
                    chat = chats.get(centre_id)
                    where = f"group {chat.chat_id}{' (topics)' if chat.forum else ''}, hours {chat.hours or 'default'}" if chat else "no staff group"
                    print(f"{centre_id:10} {centre.county:22} {where}")
            elif args.verb == "chat":
                if args.hours and args.hours.strip().lower() != "always":
                    try:
                        OfficeHours.parse(args.hours)
                    except ValueError as exc:
                        raise ConfigurationError(str(exc)) from exc
                chats.set(args.centre, args.chat_id, args.forum, args.hours)
                print(f"{args.centre}: staff group {args.chat_id}")
            elif args.verb == "add":
                member = registry.add(args.telegram_id, args.centre, args.name, args.admin)
                print(f"Registered {member.first_name} ({member.telegram_id}) at {args.centre}")
            elif args.verb == "remove":
                removed = registry.remove(args.telegram_id, args.centre)
                print(f"Removed {removed} registration(s)")
                return 0 if removed else 1
            elif args.verb == "list":
                members = [m for m in registry.all() if args.centre in (None, m.centre_id)]
                for m in members:
                    flags = ", ".join(f for f, on in (("admin", m.admin), ("on duty", m.on_duty)) if on)
                    print(f"{m.centre_id:10} {m.telegram_id:>12} {m.first_name}{f' ({flags})' if flags else ''}")
                if not members:
                    print("No staff registered.")
    finally:
        database.dispose()
    return 0
