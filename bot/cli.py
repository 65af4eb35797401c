"""Veiviser's command line: parse, build from explicit settings, run.

    python -m bot run        Telegram with TELEGRAM_BOT_TOKEN, else the terminal chat
    python -m bot chat       the terminal chat (--language ar)
    python -m bot train      train config.yml into models/ (skipped when unchanged)
    python -m bot eval       NLU quality per language on the held-out set
    python -m bot check      content check for editors
    python -m bot migrate    create or upgrade both databases (run by `run`)
    python -m bot worker     one of WORKERS bot processes (started by `run`)
    python -m bot staff      register founder centres' staff groups and staff (handover)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from bot.config import load_settings
from bot.errors import VeiviserError
from bot.languages import CODES


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Veiviser")
    parser.add_argument("--env-file", type=Path, default=None, help="KEY=VALUE settings file")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="Telegram with TELEGRAM_BOT_TOKEN, else a terminal chat")
    run.add_argument("--language", choices=CODES)
    chat = sub.add_parser("chat", help="chat in the terminal")
    chat.add_argument("--language", choices=CODES)
    train = sub.add_parser("train", help="train a model (skipped when nothing changed)")
    train.add_argument("--config", type=Path, default=Path("config.yml"))
    train.add_argument("--out", type=Path, default=Path("models"))
    ev = sub.add_parser("eval", help="NLU quality per language on the held-out set")
    ev.add_argument("--config", type=Path, default=Path("config.yml"))
    ev.add_argument("--report", type=Path, default=None, help="write a Markdown report here")
    check = sub.add_parser("check", help="content check for editors")
    check.add_argument("--stale-after-days", type=int, default=365,
                       help="list facts not checked for this many days (default 365, about 12 months)")
    review = sub.add_parser("review", help="export messages worth a review as Rasa NLU data")
    review.add_argument("--out", type=Path, default=Path("review"))
    sub.add_parser("migrate", help="create or upgrade Veiviser's database and Rasa's tracker store")
    worker = sub.add_parser("worker", help="one bot worker (started by `run` when WORKERS > 1)")
    worker.add_argument("--index", type=int, required=True)
    worker.add_argument("--workers", type=int, required=True)
    worker.add_argument("--port", type=int, required=True)
    sub.add_parser("rollback", help="set the newest model aside; the previous one serves again")
    sub.add_parser("i18n-sync-source", help="copy the English source texts into the en catalog")
    from bot.handover.admin import add_parser as add_staff_parser

    add_staff_parser(sub)
    return parser


def quiet_libraries() -> None:
    """No library logs message texts: Rasa's structlog logger, unconfigured,
    prints every parsed message at debug level (personal data)."""
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for name in ("rasa", "tensorflow", "absl", "sanic", "apscheduler", "httpx", "telegram", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)


async def _interactive(settings, language):  # type: ignore[no-untyped-def]
    from bot.chat import chat
    from bot.engine import Assistant

    print("Veiviser is starting (loading the language model takes about half a minute)…", flush=True)
    assistant = await Assistant.create(settings)
    try:
        await chat(assistant, language)
    finally:
        await assistant.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_libraries()
    try:
        settings = load_settings(env_file=args.env_file)
        root = settings.root
        if args.command in ("run", "chat"):
            if args.command == "run" and settings.telegram_bot_token:
                settings.check_telegram()  # before anything starts
                if settings.workers > 1:
                    from bot.telegram.workers import serve_front  # does not load Rasa itself

                    asyncio.run(serve_front(settings))
                else:
                    from bot.telegram.app import serve

                    asyncio.run(serve(settings))
                return 0
            logging.getLogger().setLevel(logging.WARNING)
            asyncio.run(_interactive(settings, args.language))
            return 0
        if args.command == "migrate":
            from bot.engine import prepare_databases

            prepare_databases(settings)
            return 0
        if args.command == "worker":
            from bot.telegram.workers import serve_worker

            asyncio.run(serve_worker(settings, args.index, args.workers, args.port))
            return 0
        if args.command == "train":
            from bot.training import train

            model = train(root, root / args.config, root / args.out)
            print(f"Model: {model}")
            return 0
        if args.command == "eval":
            from bot.evaluation import main as evaluate

            return evaluate(root, root / args.config, args.report)
        if args.command == "check":
            from bot.check import main as check

            return check(root, args.stale_after_days)
        if args.command == "review":
            from bot.review import collect, write

            written = write(collect(settings.resolved_tracker_store_url()), root / args.out)
            for path in written:
                print(f"Wrote {path}")
            if not written:
                print("Nothing to review.")
            return 0
        if args.command == "rollback":
            from bot.modelstore import rollback

            aside, serving = rollback(Path(settings.rasa_model or root / "models"))
            print(f"Set aside {aside}; now serving {serving.name}")
            return 0
        if args.command == "staff":
            from bot.handover.admin import run as staff

            return staff(args, settings.resolved_database_url(), root)
        if args.command == "i18n-sync-source":
            from bot.i18n.sync import sync_source_catalog

            sync_source_catalog(root / "locales")
            return 0
    except VeiviserError as exc:
        print(f"veiviser: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 1
