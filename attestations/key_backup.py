"""The signing keys, the platform root and the audit MAC key as one encrypted file, kept
beside the data backup: a restore without them can verify nothing new and sign nothing.

The file is a tar of SIGNING_KEYS_DIR (with the root when it lives there, and
SIGNING_ROOT_DIR's files when kept elsewhere) encrypted with AES-256-GCM under a key derived
from a passphrase by scrypt: "PORTALKEYS1" | salt (16) | nonce (12) | ciphertext and tag."""

import io
import os
import tarfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from attestations import platform_root
from attestations.signing_keys import keys_dir

MAGIC = b"PORTALKEYS1"
MIN_PASSPHRASE = 12


class KeyBackupError(ValueError):
    """A key backup that cannot be made or read; the message says why."""


def _key(passphrase: str, salt: bytes) -> bytes:
    if len(passphrase) < MIN_PASSPHRASE:
        raise KeyBackupError(f"The passphrase must have at least {MIN_PASSPHRASE} characters.")
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())


def _folders() -> dict[str, Path]:
    folders = {"keys": keys_dir()}
    root = platform_root.root_dir()
    if not root.is_relative_to(keys_dir()):
        folders["root"] = root
    return folders


def pack(passphrase: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, folder in _folders().items():
            if not folder.exists():
                raise KeyBackupError(f"{folder} does not exist: there are no keys to back up.")
            tar.add(folder, arcname=name)
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_key(passphrase, salt)).encrypt(nonce, buffer.getvalue(), MAGIC)
    return MAGIC + salt + nonce + sealed


def unpack(blob: bytes, passphrase: str) -> list[str]:
    """Restore into empty key folders; return the files restored."""
    if not blob.startswith(MAGIC):
        raise KeyBackupError("This is not a key backup made by the portal.")
    salt, nonce, sealed = blob[11:27], blob[27:39], blob[39:]
    try:
        plain = AESGCM(_key(passphrase, salt)).decrypt(nonce, sealed, MAGIC)
    except InvalidTag as exc:
        raise KeyBackupError("Wrong passphrase, or the backup was changed.") from exc
    folders = _folders()
    for folder in folders.values():
        if folder.exists() and any(folder.iterdir()):
            raise KeyBackupError(f"{folder} is not empty: restore keys only into an empty one.")
    restored = []
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r:gz") as tar:
        for member in tar.getmembers():
            top, _, rest = member.name.partition("/")
            if top not in folders or not (member.isfile() or member.isdir()):
                continue  # links and devices: never in a key folder
            target = (folders[top] / rest).resolve()
            if not target.is_relative_to(folders[top].resolve()):
                raise KeyBackupError(f"The backup names a file outside its folder: {member.name}")
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True, mode=0o700)
                continue
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            target.write_bytes(tar.extractfile(member).read())
            target.chmod(0o600)
            restored.append(str(target))
    return restored
