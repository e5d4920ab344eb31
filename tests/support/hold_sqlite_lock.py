#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""hold_sqlite_lock.py DB DIR [SECONDS]: holds DB's write lock, as a slow disk would.

Once the lock is held it creates DIR/locked; it lets go when DIR/release appears, or after
SECONDS (default 60: a bound, so that a failed test never leaves it behind).
"""
import os
import sqlite3
import sys
import time


def main():
    db_path, folder = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 60
    db = sqlite3.connect(db_path, isolation_level=None, timeout=30)
    db.execute("BEGIN IMMEDIATE")
    open(os.path.join(folder, "locked"), "w").close()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not os.path.exists(os.path.join(folder, "release")):
        time.sleep(0.05)  # poll interval: the condition is the release file
    db.execute("COMMIT")


if __name__ == "__main__":
    main()
