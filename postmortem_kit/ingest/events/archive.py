"""Event exports that come as a ZIP archive (Slack's "Export data" gives one): the archive's
event files are extracted to a temporary folder for as long as the import runs, and read as
that folder would be; provenance names the member inside the archive
(``slack-export.zip/inc-2041/2026-10-14.json:3``), never the temporary folder."""

from __future__ import annotations

import contextlib
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from postmortem_kit.errors import IngestError

#: Members extracted: the file endings an event folder is read for (attachments are not).
MEMBER_SUFFIXES: tuple[str, ...] = (".json", ".jsonl", ".ndjson", ".csv", ".tsv")
#: Bytes the extracted members may hold together: an archive that would unpack to more is
#: refused (a ZIP bomb, or not an event export), with its size in the message.
MAX_EXTRACTED_BYTES = 4 * 2**30


def is_zip(path: Path) -> bool:
    """Whether ``path`` is a file that starts as a ZIP archive does."""
    if not path.is_file():
        return False
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


@contextlib.contextmanager
def unzipped(path: Path, shown: str) -> Iterator[Path]:
    """The temporary folder ``path``'s event files are extracted to, removed on leaving
    (an export zipped with its folder is that folder inside: read as a folder of folders).
    ``shown`` is how the archive is named in messages."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(f"{shown}: not a readable ZIP archive ({exc})") from None
    with archive, tempfile.TemporaryDirectory(prefix="pmk-archive-") as tmp:
        members = [
            m for m in archive.infolist()
            if not m.is_dir() and m.filename.lower().endswith(MEMBER_SUFFIXES)
            and not Path(m.filename).name.startswith((".", "__MACOSX"))
            and not m.filename.startswith("__MACOSX/")
        ]  # fmt: skip
        size = sum(m.file_size for m in members)
        if size > MAX_EXTRACTED_BYTES:
            raise IngestError(
                f"{shown}: its event files would unpack to {size / 2**30:.1f} GiB (more than "
                f"{MAX_EXTRACTED_BYTES // 2**30} GiB); unpack it and name the folders to read"
            )
        if not members:
            raise IngestError(f"{shown}: a ZIP archive with no event file (JSON, CSV) in it")
        try:
            for member in members:  # extract() drops absolute paths and ".." parts
                archive.extract(member, tmp)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise IngestError(f"{shown}: could not be unpacked ({exc})") from None
        yield Path(tmp)


class ArchiveDisplay:
    """How a path appears in provenance: through ``display``, but a path inside an unpacked
    archive as the archive's name and the member's path inside it."""

    def __init__(self, display: Callable[[Path], str]) -> None:
        self.display = display
        #: Unpacked folder → (the archive as shown, its name).
        self.roots: dict[Path, tuple[str, str]] = {}

    def add(self, folder: Path, archive: Path) -> None:
        """Note that ``archive`` was unpacked into ``folder`` (see :func:`unzipped`)."""
        self.roots[folder] = (self.display(archive), archive.name.removesuffix(".zip"))

    def __call__(self, path: Path) -> str:
        path = Path(path)
        for base, (shown, _) in self.roots.items():
            if path == base or base in path.parents:
                inside = path.relative_to(base).as_posix()
                return shown if inside == "." else f"{shown}/{inside}"
        return self.display(path)

    def name(self, path: Path) -> str:
        """The name of an input (its ``source``): for an unpacked archive's folder, the
        archive's file name without ``.zip``, as the folder it was made of would be named."""
        found = self.roots.get(Path(path))
        return found[1] if found else Path(path).name
