"""`folio sign URL [--ttl S]`: a signed URL, made with the deployment's first signing key."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from service.access.signing import SigningKeyError
from service.config import ConfigError, Settings
from service.state.stores import signer_for


def cmd_sign(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"folio: {exc}", file=sys.stderr)
        return 2
    ttl = settings.signed_url_ttl if args.ttl is None else args.ttl
    if ttl < 1:
        print("folio: --ttl must be at least 1 second", file=sys.stderr)
        return 2
    if not args.url.startswith(("/", "http://", "https://")):
        print("folio: give a path like /processing/results/<id>/pdf or a full URL",
              file=sys.stderr)
        return 2
    try:
        signer = signer_for(settings)
    except SigningKeyError as exc:
        print(f"folio: {exc}", file=sys.stderr)
        return 2
    print(signer.sign(args.url, ttl))
    return 0


def add_sign_command(sub: Any) -> None:
    sign = sub.add_parser("sign", help="sign a results URL for reading without a key")
    sign.add_argument("url", help="path (with query) or full URL of a GET results route")
    sign.add_argument("--ttl", type=int, help="seconds the URL stays valid "
                      "(default FOLIO_SIGNED_URL_TTL)")
    sign.set_defaults(func=cmd_sign)
