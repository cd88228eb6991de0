"""A savepoint a test opens to undo what it tried, in which an action still commits durably.

Actions open `atomic(durable=True)` (core/transactions.py), which refuses to run inside
another atomic block, except the blocks Django's TestCase opens around a test, which it
marks `_from_testcase`. A test that tries every page and rolls each back (the access
matrix walks, the CSV walk) opens its savepoints with this, carrying the same mark, so the
actions behind the pages run as they do in production instead of refusing to nest.
"""

from __future__ import annotations

from django.db import transaction
from django.db.transaction import Atomic


def undo_savepoint() -> Atomic:
    block = transaction.atomic()
    block._from_testcase = True
    return block
