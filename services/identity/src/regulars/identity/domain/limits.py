"""Rate limits of the client-account flows, checked before any password is hashed.

The design goal besides slowing guessers: nobody can lock a client out.

- Per IP, tightly: an address sending many requests is slowed whatever the
  account. This is the attacker's own address, so it costs clients nothing.
- Per (IP, account): an address guessing one account's password gets 10 tries
  per 15 minutes.
- Per account, loosely, and only as a signal: when one account collects many
  failed sign-ins from everywhere (a distributed guess), the per (IP, account)
  allowance of addresses that never signed in to it drops to 3. The account is
  never blocked: the first attempts from any fresh address are always checked,
  so the client with the right password always gets in.
- Emails (forgot password, resend verification) per account: beyond the limit
  the answer is the same 202 but nothing more is sent, so a mailbox cannot be
  flooded; the links already sent keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

MINUTES_15 = timedelta(minutes=15)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Limit:
    name: str
    max_hits: int
    window: timedelta


LOGIN_PER_IP = Limit("login-ip", 60, MINUTES_15)
LOGIN_PER_IP_ACCOUNT = Limit("login-ip-account", 10, MINUTES_15)
LOGIN_PER_IP_ACCOUNT_UNDER_ATTACK = 3  # allowance of unknown addresses while the account is under attack
LOGIN_FAILURES_PER_ACCOUNT = Limit("login-failures-account", 30, HOUR)  # "under attack" above this
REGISTER_PER_IP = Limit("register-ip", 20, HOUR)
EMAIL_FLOW_PER_IP = Limit("email-flow-ip", 20, MINUTES_15)  # forgot, resend
EMAILS_PER_ACCOUNT = Limit("emails-account", 5, HOUR)  # forgot, resend: beyond this nothing is sent
TOKEN_PER_IP = Limit("token-ip", 30, MINUTES_15)  # verify, reset, confirm email
PASSWORD_CHECK_PER_ACCOUNT = Limit("password-check-account", 10, MINUTES_15)  # while signed in
