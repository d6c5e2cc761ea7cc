"""The `kb user` commands: local accounts (learner, curator, admin)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import click

from kb.cli.common import fail, open_store, with_settings
from kb.settings import Settings

if TYPE_CHECKING:
    from kb.store.database import Database

T = TypeVar("T")


@click.group()
def user() -> None:
    """Manage local accounts (learner, curator, admin)."""


def read_password(confirm: bool = True) -> str:
    """Read a password from the terminal (asked twice) or, when piped, from standard input."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=confirm)


def change_account(settings: Settings, change: Callable[[Database], T], hint: str = "") -> T:
    """Run `change` on the opened store; an AccountError it raises is an error message."""
    from kb.accounts import AccountError

    database = open_store(settings)
    try:
        return change(database)
    except AccountError as error:
        fail(str(error), hint)


@user.command("add")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["learner", "curator", "admin"]),
    default="learner",
    show_default=True,
)
@click.option("--name", "display_name", default="", help="Display name.")
@with_settings
def user_add(settings: Settings, username: str, role: str, display_name: str) -> None:
    """Create an account; the password is prompted for (or read from stdin)."""
    from kb.accounts import create_user

    created = change_account(
        settings,
        lambda database: create_user(database, username, read_password(), role, display_name),
    )
    click.echo(f"created {created.username} ({created.role})")


@user.command("list")
@with_settings
def user_list(settings: Settings) -> None:
    """List the accounts."""
    from kb.accounts import list_users

    for account in list_users(open_store(settings)):
        click.echo(f"{account.username:<24} {account.role:<8} {account.display_name}")


@user.command("passwd")
@click.argument("username")
@with_settings
def user_passwd(settings: Settings, username: str) -> None:
    """Set a new password (prompted, or read from stdin)."""
    from kb.accounts import set_password

    change_account(settings, lambda database: set_password(database, username, read_password()))
    click.echo(f"password changed for {username} (signed out everywhere)")


@user.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(["learner", "curator", "admin"]))
@with_settings
def user_role(settings: Settings, username: str, role: str) -> None:
    """Change an account's role (recorded in the audit log)."""
    from kb.accounts import set_role

    change_account(settings, lambda database: set_role(database, username, role))
    click.echo(f"{username} is now {role} (signed out everywhere)")


@user.command("signout")
@click.argument("username")
@with_settings
def user_signout(settings: Settings, username: str) -> None:
    """End every session of an account at once (sign out everywhere)."""
    from kb.accounts import sign_out_everywhere

    ended = change_account(
        settings,
        lambda database: sign_out_everywhere(database, username),
        "`kb user list` shows the accounts",
    )
    click.echo(f"{username} is signed out everywhere ({ended} sessions ended)")


COMMANDS = (user,)
