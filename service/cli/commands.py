"""The `folio` command: serve, worker, keys, migrate, submit, get, sign."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence

from service.access.apikeys import KeyFileError
from service.cli.client import add_commands
from service.cli.logs import setup_logging
from service.cli.servers import RUNNERS
from service.cli.sign import add_sign_command
from service.cli.store_check import store_ready
from service.config import SERVERS, ConfigError, Settings
from service.errors import StateUnavailable
from service.state.import_files import import_files
from service.state.migrate import DatabaseSetupError, prepare
from service.state.stores import database_for, keys_for


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as exc:
        print(f"folio: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _database_ready(settings: Settings) -> list[str]:
    """With FOLIO_DATABASE_URL: the database answers and its schema is current (the
    migrations missing are applied); else exit 2 naming the setting."""
    if not settings.database_url:
        return []
    try:
        return prepare(settings.database_url, settings.database_timeout)
    except DatabaseSetupError as exc:
        print(f"folio: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _setup_logging(level: str) -> None:
    setup_logging(level)


def cmd_serve(args: argparse.Namespace) -> int:
    # flags become settings, so every uvicorn worker process reads the same values
    for flag in ("host", "port", "workers", "server"):
        value = getattr(args, flag)
        if value is not None:
            os.environ[f"FOLIO_{flag.upper()}"] = str(value)
    settings = _settings()
    _setup_logging(settings.log_level)
    store_ready(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _database_ready(settings)
    key_file = keys_for(settings)
    if not settings.api_keys and not any(not k.revoked for k in key_file.load()):
        key, secret = key_file.create("default")
        print("No API key existed, so one was created for tenant 'default':\n"
              f"  Authorization: ApiKey {secret}\n"
              f"(key id {key.key_id}; it is shown only this once)", flush=True)
    from service.jobs.embedded import start_embedded_workers

    workers = start_embedded_workers(settings)
    try:
        RUNNERS[settings.server](settings)
    finally:
        if workers is not None:
            workers.stop()
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    settings = _settings()
    _database_ready(settings)
    key_file = keys_for(settings)
    if args.action == "create":
        expires = None
        if args.expires:
            try:
                expires = dt.date.fromisoformat(args.expires)
            except ValueError:
                print("folio: --expires must be a date like 2027-12-31", file=sys.stderr)
                return 2
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        key, secret = key_file.create(args.tenant, expires)
        print(f"key id:  {key.key_id}\ntenant:  {key.tenant}\n"
              f"expires: {key.expires or 'never'}\nsecret:  {secret}\n"
              "(the secret is shown only this once)")
        return 0
    if args.action == "list":
        keys = key_file.load()
        if not keys:
            print("no keys")
        for k in keys:
            state = "revoked" if k.revoked else "active"
            print(f"{k.key_id}  tenant={k.tenant}  created={k.created}  "
                  f"expires={k.expires or 'never'}  {state}")
        return 0
    if key_file.revoke(args.key_id):
        print(f"revoked {args.key_id}")
        return 0
    print(f"folio: no active key {args.key_id}", file=sys.stderr)
    return 1


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings()
    if not settings.database_url:
        print("folio: FOLIO_DATABASE_URL is not set: the state is files in the data "
              "directory, which need no migration", file=sys.stderr)
        return 2
    applied = _database_ready(settings)
    for name in applied:
        print(f"applied {name}")
    if not applied:
        print("the database schema is up to date")
    if args.import_files:
        db = database_for(settings)
        assert db is not None
        done = import_files(settings.data_dir, db)
        print(f"imported from {settings.data_dir}: {done.records} records, {done.keys} API "
              f"keys, {done.tokens} share tokens (already there: kept)")
        if done.unreadable:
            print(f"folio: {done.unreadable} record files could not be read and were left "
                  "out", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="folio", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.add_argument("--server", choices=SERVERS,
                       help="HTTP server (default uvicorn; granian needs the granian extra)")
    serve.set_defaults(func=cmd_serve)

    keys = sub.add_parser("keys", help="manage API keys")
    actions = keys.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create")
    create.add_argument("--tenant", required=True)
    create.add_argument("--expires", help="last valid day, YYYY-MM-DD")
    actions.add_parser("list")
    revoke = actions.add_parser("revoke")
    revoke.add_argument("key_id")
    keys.set_defaults(func=cmd_keys)

    migrate = sub.add_parser("migrate", help="bring the database schema (FOLIO_DATABASE_URL) "
                             "up to date; serve and worker also do this at start")
    migrate.add_argument("--import-files", action="store_true",
                         help="also copy the records, API keys and share tokens of "
                         "FOLIO_DATA_DIR into the database (what it has already is kept)")
    migrate.set_defaults(func=cmd_migrate)

    add_commands(sub)
    add_sign_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except KeyFileError as exc:
        print(f"folio: {exc}", file=sys.stderr)
        return 2
    except StateUnavailable:
        print("folio: FOLIO_DATABASE_URL: the database is unavailable", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    raise SystemExit(main())
