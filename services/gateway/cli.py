"""`python -m services.gateway tokens issue|revoke|list`: manage API tokens from a shell.

Uses the same settings as the gateway (`EVENT_STORE_URL`, `DATA_DIR`), so it works on
the machine running `./scripts/run` and, pointed at MongoDB, in Kubernetes (`kubectl
exec` into a gateway pod). The new token is printed once; only its hash is stored.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence

from shared.config import ConfigError, load_settings
from shared.errors import AnbeiError

from .domain.tokens import ROLES
from .tokens import TokenBook


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services.gateway tokens",
                                     description="Issue, revoke and list the gateway's API tokens.")
    commands = parser.add_subparsers(dest="command", required=True)
    issue = commands.add_parser("issue", help="issue a token and print it (shown only this once)")
    issue.add_argument("--user", required=True, help="who the token is for, e.g. keeper-li")
    issue.add_argument("--role", required=True, choices=ROLES)
    issue.add_argument("--warehouse", action="append", default=[], dest="warehouses",
                       help="a warehouse a warehouse_keeper keeps (repeat for several)")
    issue.add_argument("--team", action="append", default=[], dest="teams",
                       help="the team a team_leader leads")
    issue.add_argument("--note", help="what the token is for")
    issue.add_argument("--id", dest="token_id", help="a token id of your choosing (default: random)")
    revoke = commands.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("token_id")
    revoke.add_argument("--reason")
    commands.add_parser("list", help="every token on record, as JSON lines (never the secret)")
    return parser


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        book = TokenBook.open(load_settings("gateway"))
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    actor = f"cli:{getpass.getuser()}"
    try:
        if args.command == "issue":
            print(book.issue(args.user, args.role, warehouses=args.warehouses, teams=args.teams,
                             note=args.note, token_id=args.token_id, actor=actor))
        elif args.command == "revoke":
            revoked = book.revoke(args.token_id, args.reason, actor=actor)
            print(f"revoked {args.token_id}" if revoked else f"{args.token_id} was already revoked")
        else:
            for doc in book.list():
                print(json.dumps(doc, ensure_ascii=False, sort_keys=True))
    except AnbeiError as error:
        print(f"{error.code}: {error}", file=sys.stderr)
        return 1
    finally:
        book.close()
    return 0
