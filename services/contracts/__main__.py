"""`python -m services.contracts asyncapi [PATH] | check | update | table`.

- `asyncapi [PATH]` writes the AsyncAPI 3 document (default `docs/asyncapi.json`);
- `check` compares the event schemas with the committed snapshots: exit 1 when a change
  could break a consumer, and lists what is safe but not yet recorded;
- `update` records the safe changes in the snapshots (and refuses, writing nothing, while
  anything is breaking): the only way a snapshot changes;
- `table` prints the README's table of events.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .catalogue import published_events
from .published import asyncapi_document, contract_report, record_contract
from .readme import markdown

DEFAULT_DOCUMENT = Path("docs/asyncapi.json")


def render(document: dict[str, object]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.contracts",
                                     description="The published events' contract.")
    commands = parser.add_subparsers(dest="command", required=True)
    write = commands.add_parser("asyncapi", help="write the AsyncAPI 3 document to PATH")
    write.add_argument("path", type=Path, nargs="?", default=DEFAULT_DOCUMENT)
    commands.add_parser("check", help="fail when an event changed in a way that could break a consumer")
    commands.add_parser("update", help="record safe changes in the snapshots (refused while breaking)")
    commands.add_parser("table", help="print the README's table of events")
    args = parser.parse_args(argv)
    if args.command == "asyncapi":
        document = asyncapi_document()
        args.path.parent.mkdir(parents=True, exist_ok=True)
        args.path.write_text(render(document), "utf-8")
        print(f"wrote {args.path}: {len(document['channels'])} event types")
        return 0
    if args.command == "table":
        print(markdown(published_events()), end="")
        return 0
    report = contract_report() if args.command == "check" else record_contract()
    for line in report.lines():
        print(line)
    if not report.ok:
        print("refused: nothing was recorded" if args.command == "update" else
              "a change could break a consumer", file=sys.stderr)
        return 1
    if args.command == "update":
        print(f"recorded {len(report.records)} shape(s)" if report.records else "nothing to record")
    elif report.unrecorded:
        print("safe, but not recorded: run `python -m services.contracts update`")
    else:
        print(f"{len(published_events())} published event types match their recorded shapes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
