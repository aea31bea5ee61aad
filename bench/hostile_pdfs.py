"""CPU time the verification page spends on hostile uploads, beside its 2-second target.

    python bench/hostile_pdfs.py

Builds each hostile file in memory, then times what /verify/ does with an upload that is not
an issued report (hashing, then attestations.verification.embedded_snapshot). For the page bomb
it also times what the page did before (text of every page), for comparison in the same run.
Exits non-zero only if the benchmark itself fails, not when a target is missed.
"""

import hashlib
import io
import os
import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance_portal.test_settings")

import django

django.setup()

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from attestations.attestation import SNAPSHOT_ATTACHMENT
from attestations.verification import CannotCheck, embedded_snapshot

TARGET_CPU_SECONDS = 2.0


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page_bomb(pages: int = 10_000) -> bytes:
    """Many pages sharing one text-heavy content stream: small file, huge extraction."""
    writer = PdfWriter()
    text = b"BT /F1 8 Tf " + b" ".join(b"(%d hostile text) Tj 0 -9 Td" % i for i in range(300))
    stream = DecodedStreamObject()
    stream.set_data(text + b" ET")
    ref = writer._add_object(stream)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    resources = writer._add_object(
        DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
        )
    )
    for _ in range(pages):
        page = writer.add_blank_page(600, 800)
        page[NameObject("/Contents")] = ref
        page[NameObject("/Resources")] = resources
    return _bytes(writer)


def attachment_bomb() -> bytes:
    """A snapshot attachment that inflates from ~100 kB to 100 MB."""
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_attachment(SNAPSHOT_ATTACHMENT, b"{}")
    clone = PdfWriter(clone_from=io.BytesIO(_bytes(writer)))
    for obj in clone._objects:
        if obj is not None and obj.get("/Type") == "/EmbeddedFile":
            obj._data = zlib.compress(b"\0" * (100 * 1024 * 1024), 9)
            obj[NameObject("/Filter")] = NameObject("/FlateDecode")
    return _bytes(clone)


def encrypted() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("secret", algorithm="RC4-128")
    return _bytes(writer)


def check(data: bytes) -> str:
    hashlib.sha256(data).hexdigest()
    try:
        return "not a report" if embedded_snapshot(data) is None else "snapshot read"
    except CannotCheck as exc:
        return str(exc)


def cpu(fn, *args) -> tuple[float, object]:
    start = time.process_time()
    result = fn(*args)
    return time.process_time() - start, result


def old_text_extraction(data: bytes) -> int:
    return sum(len(p.extract_text() or "") for p in PdfReader(io.BytesIO(data)).pages)


def main() -> None:
    files = {
        "10,000-page text bomb": page_bomb(),
        "100 MB attachment bomb": attachment_bomb(),
        "encrypted": encrypted(),
        "truncated": page_bomb(50)[:4000],
    }
    print(f"{'file':28} {'size':>10} {'CPU s':>8} {'target':>7} {'ratio':>6}  answer")
    worst = 0.0
    for name, data in files.items():
        seconds, answer = cpu(check, data)
        worst = max(worst, seconds)
        print(
            f"{name:28} {len(data):>10,} {seconds:8.3f} {TARGET_CPU_SECONDS:7.1f} "
            f"{seconds / TARGET_CPU_SECONDS:6.2f}  {str(answer)[:60]}"
        )
    sample = page_bomb(1_000)
    before, _ = cpu(old_text_extraction, sample)
    after, _ = cpu(check, sample)
    print(
        f"\nBefore vs now on a 1,000-page text bomb (the old page extracted every page's text): "
        f"{before:.2f} s vs {after:.3f} s CPU"
    )
    verdict = "met" if worst < TARGET_CPU_SECONDS else "MISSED"
    print(f"Worst hostile file: {worst:.3f} s CPU, target {TARGET_CPU_SECONDS} s: {verdict}")


if __name__ == "__main__":
    main()
