"""The inbox: one folder per source under `data/inbox/` where users drop the files they download.

The pipeline reads every file in a source's folder and never modifies or deletes one. A path
that resolves outside its folder (a symlink or hard link to elsewhere, a folder that is itself
a symlink) is refused, and so is a symlink loop.
"""

import os
from datetime import UTC, date, datetime
from pathlib import Path

from ingestion.errors import InboxError
from ingestion.paths import PROJECT_ROOT

DEFAULT_INBOX = PROJECT_ROOT / "data" / "inbox"


def inbox_root() -> Path:
    """`CHIPWATCH_INBOX` if set, else `data/inbox` in the project."""
    configured = os.environ.get("CHIPWATCH_INBOX")
    return Path(configured).resolve() if configured else DEFAULT_INBOX


def _resolved(path: Path) -> Path:
    try:
        return path.resolve(strict=True)
    except (RuntimeError, OSError) as error:  # a symlink loop, or a link to nothing
        raise InboxError(
            f"{path} cannot be resolved ({error}): a symlink loop or a broken link, refused."
        ) from error


def inbox_files(
    source: str, suffixes: tuple[str, ...], root: Path | None = None, allow_empty: bool = False
) -> list[Path]:
    """The files in `<root>/<source>/` with one of `suffixes`, by name; hidden files are ignored.
    A missing folder or one without such a file is an InboxError, or no file with `allow_empty`.
    The folder and every file must really be inside the inbox: a folder that is a symlink to
    elsewhere, a file that resolves outside it, a symlink loop or a file with other hard links
    (which may be the same file outside) is refused."""
    root = root or inbox_root()
    folder = root / source
    if allow_empty and not folder.is_dir() and not folder.is_symlink():
        return []
    if not folder.is_dir():
        raise InboxError(
            f"Inbox folder {folder} does not exist: create it and drop the {source} files there."
        )
    real_folder = _resolved(folder)
    if real_folder != _resolved(root) / source:
        raise InboxError(f"Inbox folder {folder} points elsewhere ({real_folder}): refused.")
    files = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in suffixes:
            continue
        real = _resolved(path)
        if not real.is_relative_to(real_folder):
            raise InboxError(f"{path} points outside its inbox folder {folder} ({real}): refused.")
        if not real.is_file():
            continue
        if (links := real.stat().st_nlink) > 1:
            raise InboxError(
                f"{path} has {links} hard links, so it may be a file outside the inbox: refused. "
                "Copy the file into the folder instead of linking it."
            )
        files.append(path)
    if not files and not allow_empty:
        raise InboxError(
            f"No {'/'.join(suffixes)} file in {folder}: drop the {source} download there and re-run."
        )
    return files


def file_modified_date(path: Path) -> date:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).date()
