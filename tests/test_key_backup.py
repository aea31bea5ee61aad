"""The keys' backup: encrypted, refused with the wrong passphrase, never over existing keys."""

import pytest
from django.core.management import CommandError, call_command

from attestations.key_backup import KeyBackupError, pack, unpack
from attestations.signing_keys import all_keys

PASSPHRASE = "correct horse battery staple"


def test_keys_come_back_only_with_the_passphrase_and_only_into_an_empty_folder(settings, tmp_path):
    before = {k.kid for k in all_keys()}
    blob = pack(PASSPHRASE)
    settings.SIGNING_KEYS_DIR = tmp_path / "restored"

    with pytest.raises(KeyBackupError, match="Wrong passphrase"):
        unpack(blob, "not the passphrase at all")
    with pytest.raises(KeyBackupError, match="Wrong passphrase"):
        unpack(blob[:-1] + bytes([blob[-1] ^ 1]), PASSPHRASE)  # one bit changed
    unpack(blob, PASSPHRASE)

    assert {k.kid for k in all_keys()} == before
    assert b"PRIVATE KEY" not in blob
    with pytest.raises(KeyBackupError, match="not empty"):
        unpack(blob, PASSPHRASE)


def test_the_commands_refuse_without_a_passphrase(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("KEYS_BACKUP_PASSPHRASE", raising=False)
    with pytest.raises(CommandError, match="never backed up in clear"):
        call_command("backup_keys", str(tmp_path / "keys.enc"))
    monkeypatch.setenv("KEYS_BACKUP_PASSPHRASE", "short")
    with pytest.raises(CommandError, match="at least 12 characters"):
        call_command("backup_keys", str(tmp_path / "keys.enc"))
    assert not (tmp_path / "keys.enc").exists()
