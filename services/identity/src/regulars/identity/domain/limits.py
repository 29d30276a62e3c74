"""Rate limits of the client-account flows, checked before any password is hashed.

The design goal besides slowing guessers: nobody can lock a client out. Every
bucket of an account is keyed by the email as typed (``auth.account_key``), whether
or not an account has it, so no answer tells which emails have accounts.

- Per IP, tightly: an address sending many requests is slowed whatever the
  account. This is the attacker's own address, so it costs clients nothing.
- Per (IP, account): an address guessing one account's password gets 10 tries
  per 15 minutes; a device the client signed in from before has its own 10.
- Per account, across all addresses (OWASP ASVS 2.2.1): above 30 failed sign-ins
  in the last hour the account is "under attack" and unknown addresses get 3 tries
  each; at 100 the ceiling holds and unknown clients get ``sign_in_by_email``
  (429) without a password check until the hour's failures fall below it. Known
  clients keep their allowance: a device with the signed device cookie of an
  earlier sign-in to this account, or an address that signed in to it in the
  last ``KNOWN_ADDRESS_DAYS``. Anyone else with access to the mailbox gets in
  with an emailed sign-in link or code.
- Emails someone else can trigger (sign-up notices, verification emails,
  reset links, sign-in links), per account: beyond the limit the answer is the
  same but nothing more is sent, so a mailbox cannot be flooded; the links
  already sent keep working.
"""

from __future__ import annotations

from datetime import timedelta

from regulars.shared.ratelimit import Limit

MINUTES_15 = timedelta(minutes=15)
HOUR = timedelta(hours=1)

LOGIN_PER_IP = Limit("login-ip", 60, MINUTES_15)
LOGIN_PER_IP_ACCOUNT = Limit("login-ip-account", 10, MINUTES_15)
LOGIN_PER_DEVICE_ACCOUNT = Limit("login-device-account", 10, MINUTES_15)  # a known device's own allowance
LOGIN_PER_IP_ACCOUNT_UNDER_ATTACK = 3  # allowance of unknown addresses while the account is under attack
LOGIN_UNDER_ATTACK = 30  # failed sign-ins of an account in the last hour, from anywhere
LOGIN_FAILURES_PER_ACCOUNT = Limit("login-failures-account", 100, HOUR)  # the ceiling for unknown clients
KNOWN_ADDRESS_DAYS = 30  # an address that signed in to the account this recently is known
REGISTER_PER_IP = Limit("register-ip", 20, HOUR)
EMAIL_FLOW_PER_IP = Limit("email-flow-ip", 20, MINUTES_15)  # forgot, resend, sign-in link
EMAILS_PER_ACCOUNT = Limit("emails-account", 5, HOUR)  # every email others can trigger: beyond, nothing is sent
TOKEN_PER_IP = Limit("token-ip", 30, MINUTES_15)  # verify, reset, confirm email, sign-in link
PASSWORD_CHECK_PER_ACCOUNT = Limit("password-check-account", 10, MINUTES_15)  # while signed in
