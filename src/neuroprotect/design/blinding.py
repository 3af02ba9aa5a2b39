"""Allocation concealment: group codes and a sealed (encrypted) allocation key.

The allocator randomises, gives experimenters and assessors only coded sheets, and keeps the key
(code -> group) sealed with a passphrase. Sealing uses scrypt to derive a key from the passphrase
and Fernet (AES-128-CBC with HMAC-SHA256) to encrypt, both from the ``cryptography`` package: a
person without the passphrase cannot read the key, and a tampered file is detected. Analyses run
on the group codes until the study is unblinded with the passphrase.

References
----------
Schulz KF, Grimes DA (2002). Allocation concealment in randomised trials. Lancet 359:614-618.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from neuroprotect.errors import InputError

MAGIC = "neuroprotect-sealed-key-v1"
PASSPHRASE_ENV = "NEUROPROTECT_KEY_PASSPHRASE"
_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class AllocationKey:
    """The concealed key of one study."""

    study_id: str
    group_codes: dict[str, str]  # code -> group id
    animal_codes: dict[str, str]  # animal blinded code -> animal id
    seed: int | None
    created_at: str

    def to_json(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> AllocationKey:
        return cls(**json.loads(text))


def make_group_codes(groups: list[str], *, rng: np.random.Generator) -> dict[str, str]:
    """Random two-letter codes per group, e.g. ``{'vehicle': 'KD', ...}`` (not in group order)."""
    codes: set[str] = set()
    out: dict[str, str] = {}
    for g in groups:
        while True:
            code = "".join(rng.choice(list(_CODE_LETTERS), size=2))
            if code not in codes:
                codes.add(code)
                out[g] = code
                break
    return out


def _fernet(passphrase: str, salt: bytes) -> Fernet:
    if not passphrase:
        raise InputError(
            "Expected a non-empty passphrase for the allocation key", field="passphrase"
        )
    kdf = Scrypt(salt=salt, length=32, n=2**14, r=8, p=1)
    return Fernet(base64.urlsafe_b64encode(kdf.derive(passphrase.encode("utf-8"))))


def seal_key(key: AllocationKey, passphrase: str) -> str:
    """Encrypt a key; returns the text of a sealed-key file."""
    salt = os.urandom(16)
    token = _fernet(passphrase, salt).encrypt(key.to_json().encode("utf-8"))
    return json.dumps(
        {
            "format": MAGIC,
            "study_id": key.study_id,
            "created_at": key.created_at,
            "salt": base64.b64encode(salt).decode(),
            "token": token.decode(),
        },
        indent=2,
    )


def read_sealed_header(path: str | Path) -> dict[str, Any]:
    """The unencrypted header of a sealed-key file (study id, date); never the key itself."""
    path = Path(path)
    expected = "Expected a sealed allocation-key file written by neuroprotect"
    if not path.is_file():
        state = "a folder" if path.is_dir() else "no such file"
        raise InputError(f"{expected}, but got {state}", file=path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(f"{expected}, but got another file", file=path) from None
    if not isinstance(data, dict) or data.get("format") != MAGIC:
        raise InputError(f"{expected}, but got another file", file=path)
    return {k: data[k] for k in ("study_id", "created_at", "salt", "token")}


def open_key(path: str | Path, passphrase: str) -> AllocationKey:
    """Decrypt a sealed-key file.

    Raises
    ------
    InputError
        Not a sealed-key file, wrong passphrase, or a tampered file.
    """
    header = read_sealed_header(path)
    fernet = _fernet(passphrase, base64.b64decode(header["salt"]))
    try:
        text = fernet.decrypt(header["token"].encode()).decode("utf-8")
    except InvalidToken:
        raise InputError(
            "Expected the passphrase that sealed this allocation key, but it does not open it "
            "(wrong passphrase or a modified file)",
            file=path,
        ) from None
    return AllocationKey.from_json(text)


def new_key(
    study_id: str, *, group_codes: dict[str, str], animal_codes: dict[str, str], seed: int | None
) -> AllocationKey:
    """An :class:`AllocationKey` from ``group -> code`` and ``animal -> code`` mappings."""
    return AllocationKey(
        study_id=study_id,
        group_codes={code: group for group, code in group_codes.items()},
        animal_codes={code: animal for animal, code in animal_codes.items()},
        seed=seed,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


@dataclass(frozen=True)
class ConcealedAllocation:
    """What a concealed allocation hands out: the sealed key text and coded tables."""

    sealed_key: str
    #: animal_id, group (the group code), blinded_code, sex, body_weight_g: the blinded study's
    #: animals table.
    coded_animals: Any
    group_codes: dict[str, str]  # group id -> code (keep with the allocator only)


def conceal_allocation(
    allocation: Any, *, study_id: str, groups: list[str], seed: int, passphrase: str
) -> ConcealedAllocation:
    """Replace group names by random group codes and seal the key.

    Parameters
    ----------
    allocation
        ``Allocation.allocation`` (``animal_id, group, blinded_code`` ...).
    groups
        All group ids of the study (codes are drawn for each, in a seeded random order).
    seed
        The randomisation seed; the codes are drawn from ``default_rng([seed, 1])``.
    passphrase
        Passphrase that seals the key.
    """
    codes = make_group_codes(groups, rng=np.random.default_rng([seed, 1]))
    key = new_key(
        study_id,
        group_codes=codes,
        animal_codes=dict(zip(allocation["animal_id"], allocation["blinded_code"], strict=True)),
        seed=seed,
    )
    return ConcealedAllocation(
        sealed_key=seal_key(key, passphrase),
        coded_animals=animals_table(allocation.assign(group=allocation["group"].map(codes))),
        group_codes=codes,
    )


def animals_table(allocation: Any) -> Any:
    """A study's animals table from an allocation: ``animal_id, group, blinded_code, sex,
    body_weight_g`` (those present), by animal id."""
    keep = [
        c for c in ("animal_id", "group", "blinded_code", "sex", "body_weight_g") if c in allocation
    ]
    return allocation[keep].sort_values("animal_id").reset_index(drop=True)
