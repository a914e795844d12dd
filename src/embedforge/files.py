"""Crash-safe file output and JSON Lines.

Every file embedforge writes goes to a temporary file in the same folder and is
renamed into place, so a process killed at any moment leaves either the old
file or the new one, never a truncated one. JSON is written with sorted keys
and no timestamps of its own, so the same content gives the same bytes.
"""

from __future__ import annotations

import errno
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename."""
    with _atomic(path, "wb") as handle:
        handle.write(data)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


@contextmanager
def atomic_open_text(path: str | os.PathLike[str]) -> Iterator[Any]:
    """Stream UTF-8 text into ``path``: written to a temporary file, renamed into place on success only."""
    with _atomic(path, "w") as handle:
        yield handle


@contextmanager
def _atomic(path: str | os.PathLike[str], mode: str) -> Iterator[Any]:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The pid in the name lets sweep_temporaries tell a killed writer's leftover from a live one's file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; a finished file gets what open() would give
        text = "b" not in mode
        with os.fdopen(fd, mode, encoding="utf-8" if text else None, newline="\n" if text else None) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if is_disk_full(exc):
            from embedforge.errors import EmbedforgeError

            raise EmbedforgeError(f"{target.parent}: no space left on the device (writing {target.name}); "
                                  "free some space or write to another folder") from exc
        raise


def is_disk_full(exc: BaseException) -> bool:
    """True when ``exc``, or an exception it was raised from, says the disk or the quota is full.

    Libraries written in Rust or C++ (safetensors, tokenizers) report it as their own error type
    with the OS's message, so the message is matched too.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "No space left on device" in str(current) or "Disk quota exceeded" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _umask() -> int:
    """The process umask, read without changing it where Linux allows (os.umask sets it to read it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass  # not Linux: fall back to setting and restoring it
    current = os.umask(0o022)
    os.umask(current)
    return current


def sweep_temporaries(folder: str | os.PathLike[str]) -> int:
    """Delete the temporary files that killed writers left under ``folder``; return how many.

    Only files named like ours (``.NAME.PID.XXXX.tmp``) whose writing process is gone are
    removed, so a run writing into the same folder at the same time keeps its files.
    """
    removed = 0
    for leftover in Path(folder).rglob(".*.tmp"):
        parts = leftover.name.rsplit(".", 3)
        if len(parts) == 4 and parts[1].isdigit() and leftover.is_file() and not _alive(int(parts[1])):
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True


_SURROGATE = re.compile("[\ud800-\udfff]")


def _storable(text: str) -> str:
    """JSON text UTF-8 can hold: a lone surrogate (a non-UTF-8 file name's byte) as its ``\\uXXXX`` escape.

    ``json.dumps`` puts such characters only inside strings, where ``\\udce9`` is the JSON escape that
    reads back as the same character: the record round-trips instead of failing to be written.
    """
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def dumps_line(row: dict[str, Any]) -> str:
    """One JSON Lines record: sorted keys, UTF-8 kept readable, no trailing spaces."""
    return _storable(json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


def write_jsonl(path: str | os.PathLike[str], rows: Iterable[dict[str, Any]]) -> int:
    """Write ``rows`` as JSON Lines atomically; return how many were written."""
    lines = [dumps_line(row) for row in rows]
    atomic_write_text(path, "".join(line + "\n" for line in lines))
    return len(lines)


def write_json(path: str | os.PathLike[str], obj: Any) -> None:
    """Write ``obj`` as indented JSON with sorted keys, atomically."""
    atomic_write_text(path, _storable(json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=2)) + "\n")


def iter_jsonl(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Yield the records of a JSON Lines file.

    Raises:
        EmbedforgeError: the file is missing, not UTF-8, or a line is not a JSON object.
    """
    from embedforge.errors import EmbedforgeError

    source = Path(path)
    if not source.is_file():
        raise EmbedforgeError(f"{source}: file not found; check the path")
    number = 0
    with source.open(encoding="utf-8") as handle:
        try:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield _json_object(line, source, number)
        except UnicodeDecodeError as exc:
            raise EmbedforgeError(f"{source}: not UTF-8 text (near line {number + 1}); fix or regenerate it") from exc


def _json_object(line: str, source: Path, number: int) -> dict[str, Any]:
    from embedforge.errors import EmbedforgeError

    try:
        row = json.loads(line)
    except (ValueError, RecursionError) as exc:  # also nested too deep, or an integer too long
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else type(exc).__name__
        raise EmbedforgeError(f"{source}:{number}: not valid JSON ({reason}); fix or regenerate it") from exc
    if not isinstance(row, dict):
        raise EmbedforgeError(f"{source}:{number}: expected a JSON object per line")
    return row
