"""Recovering a journal file cut by a crash: keep the intact records, set the damaged tail aside.

Optuna's journal is one JSON record per line, appended under a lock. A process killed in the
middle of an append leaves a last line cut short; the next append glues a whole record onto it,
and from then on every read of the journal fails to decode that line. Under the journal's lock,
the file is cut back to its longest prefix of complete, decodable lines; the whole damaged file
is first copied beside it (``NAME.bad-YYYYmmddTHHMMSS``) and a warning names both and the bytes
dropped. Records after a damaged one are dropped too: each may depend on the lost one.
"""

import json
import os
import shutil
import sys
import time
from pathlib import Path


def intact_length(data: bytes) -> tuple[int, int]:
    """(bytes, records) of the longest prefix of ``data`` made of whole JSON lines."""
    end = records = 0
    while end < len(data):
        newline = data.find(b"\n", end)
        if newline < 0:
            break
        try:
            json.loads(data[end:newline])
        except ValueError:  # JSONDecodeError, UnicodeDecodeError
            break
        end, records = newline + 1, records + 1
    return end, records


def repair_journal(path) -> Path | None:
    """Cut a damaged journal back to its intact records; the backup's path, or None if intact."""
    from optuna.storages.journal import JournalFileSymlinkLock
    from optuna.storages.journal._file import get_lock_file

    path = Path(path)
    if not path.is_file():
        return None
    with get_lock_file(JournalFileSymlinkLock(str(path))):
        data = path.read_bytes()
        good, records = intact_length(data)
        if good == len(data):
            return None
        backup = path.with_name(f"{path.name}.bad-{time.strftime('%Y%m%dT%H%M%S')}")
        shutil.copy2(path, backup)
        os.truncate(path, good)
    print(
        f"mlplab search: warning: {path}: dropped {len(data) - good} bytes after its "
        f"{records} intact records (a record cut by a crash); the damaged file is kept as "
        f"{backup}",
        file=sys.stderr,
    )
    return backup
