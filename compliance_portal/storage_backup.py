"""Every stored file (evidence, reports, audit checkpoints) to one archive and back, through
the file storage itself: the same for local files and an S3 bucket."""

import io
import tarfile
from collections.abc import Iterator

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


class StorageBackupError(ValueError):
    """An archive that cannot be restored; the message says why."""


def stored_names(folder: str = "") -> Iterator[str]:
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:  # a local storage not made yet holds nothing
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from stored_names(f"{folder}/{sub}" if folder else sub)


def write_archive(fileobj) -> int:
    """Every stored file into a gzipped tar; the number of files."""
    count = 0
    with tarfile.open(fileobj=fileobj, mode="w:gz") as tar:
        for name in stored_names():
            with default_storage.open(name, "rb") as stored:
                data = stored.read()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            count += 1
    return count


def restore_archive(fileobj) -> int:
    """The archive's files into an empty storage, under the same names; the number of files."""
    if next(stored_names(), None) is not None:
        raise StorageBackupError("The file storage is not empty: restore only into an empty one.")
    count = 0
    with tarfile.open(fileobj=fileobj, mode="r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            if member.name.startswith("/") or ".." in member.name.split("/"):
                raise StorageBackupError(
                    f"The archive names a file outside the storage: {member.name}"
                )
            saved = default_storage.save(member.name, ContentFile(tar.extractfile(member).read()))
            if saved != member.name:
                raise StorageBackupError(f"{member.name} was stored as {saved}.")
            count += 1
    return count
