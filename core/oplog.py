"""The operator's log: one JSON line per failure on stderr, where systemd's journal and container runtimes
collect a server's output. Each says what failed (`event`), the sentence the person saw (`said`) and the
real cause where there is one (`cause`: the driver's words, a refused field); every value is masked, so no
password or URL secret reaches a log line.

Events: database_unreachable, database_unusable (a schema behind, a refused login, a damaged file, TLS),
sign_in_refused, not_a_member, input_refused (a refused import or save)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

from .store.errors import masked


def failure(event: str, said: str, **fields: object) -> None:
    """Write one line: {"at", "level": "error", "logger": "cockpit", "event", "said", **fields}."""
    record = {"at": datetime.now(UTC).isoformat(timespec="milliseconds"), "level": "error", "logger": "cockpit",
              "event": event, "said": masked(said)}  # fmt: skip
    record.update({k: masked(str(v)) for k, v in fields.items() if v not in (None, "")})
    print(json.dumps(record, ensure_ascii=False), file=sys.stderr, flush=True)
