"""Login benchmark: sign-ins per second against the argon2id hashing limit of this machine."""
