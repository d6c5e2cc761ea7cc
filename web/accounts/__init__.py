"""Accounts: sign in and out, self-registration, and the admins' accounts page."""
