"""The copy of the warehouse taken before a run, to roll a failed run back to."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

BACKUP_SUFFIX = ".before-run"


class BackupRefused(RuntimeError):
    """The copy of the warehouse taken before a run cannot be written; nothing was."""


def take_backup(path: Path) -> Path | None:
    """A copy of the warehouse file ``path`` as it is before a run (``None`` when there is none
    yet), to roll the run back to. Refused with one line (:class:`BackupRefused`) when its
    directory lacks the free space for it or cannot be written; a copy that fails halfway (or
    is interrupted) is removed, never left behind."""
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    where = path.parent
    try:
        backup.unlink(missing_ok=True)
        if not path.exists():
            return None
        needed = sum(p.stat().st_size for p in (path, Path(f"{path}.wal")) if p.exists())
        free = shutil.disk_usage(where).free
        if free < needed:
            raise BackupRefused(
                f"not enough free space in {where} for the copy of the warehouse a run takes "
                f"before it writes (to roll back to): it needs {_mb(needed)}, {_mb(free)} are "
                "free; free some space (or set TARIFF_AUDIT_DATA to a directory on a larger "
                "disk), then run again; nothing was written")
        try:
            shutil.copyfile(path, backup)
        except BaseException:  # a full disk, a signal: never leave a partial copy behind
            backup.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise BackupRefused(
            f"cannot write in {where} the copy of the warehouse a run takes before it writes "
            f"({backup.name}): {exc.strerror or exc}; make {where} writable, with room for "
            f"{path.name} once more, then run again; nothing was written") from None
    return backup


def restore_backup(path: Path, backup: Path | None) -> None:
    """Put the copy taken before the run back in place (no copy: there was no warehouse)."""
    Path(f"{path}.wal").unlink(missing_ok=True)
    if backup is None:
        path.unlink(missing_ok=True)
    else:
        os.replace(backup, path)


def _mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"
