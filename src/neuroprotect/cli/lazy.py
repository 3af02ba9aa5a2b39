"""Command groups imported only when used, so ``neuroprotect --help`` and small commands start fast.

Each group's modules import the analysis core (scipy, matplotlib, scikit-image, ...) at their top.
Importing every group to print the top-level help took most of a second; with
:class:`LazyTyperGroup` the top level lists each group from a one-line summary and imports a group
only when a command line names it. ``tests/cli/test_startup.py`` checks that the summaries match
the groups' own help and that importing the CLI pulls in none of the heavy libraries.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

import typer
from typer.core import TyperCommand, TyperGroup

# Typer's Click types (vendored privately by recent Typer) are only named through typer's own.
Command = Any


@dataclass(frozen=True)
class LazyCommand:
    """A top-level command or group, loaded on first use.

    ``parts`` are (module under ``neuroprotect.cli``, attribute) pairs: Typer apps whose commands
    make up one group (the first gives the group its help), or a single command function.
    ``extra`` adds single commands from other modules to the group (``design power`` is
    ``stats power``).
    """

    help: str
    parts: tuple[tuple[str, str], ...]
    extra: tuple[tuple[str, str, str], ...] = ()


def _attr(module: str, attr: str) -> Any:
    return getattr(importlib.import_module(f"neuroprotect.cli.{module}"), attr)


@cache
def load_command(name: str, entry: LazyCommand) -> Command:
    """The click command of a lazy entry (built once per process)."""
    first = _attr(*entry.parts[0])
    if isinstance(first, typer.Typer):
        apps = [first] + [_attr(*p) for p in entry.parts[1:]]
        merged = typer.Typer(
            **{k: getattr(first.info, k) for k in ("help", "no_args_is_help")},
            add_completion=False,
        )
        for app in apps:
            merged.registered_commands.extend(app.registered_commands)
        for command_name, module, attr in entry.extra:
            merged.command(command_name)(_attr(module, attr))
        group = typer.main.get_command(merged)
    else:  # one command function
        single = typer.Typer(add_completion=False)
        single.command(name)(first)
        group = typer.main.get_command(single)
    group.name = name
    return group


class LazyTyperGroup(TyperGroup):
    """A Typer group whose :attr:`lazy` entries are imported when a command line uses them.

    While help is printed the lazy entries are listed from their one-line summaries, without
    importing them.
    """

    lazy: ClassVar[dict[str, LazyCommand]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        eager = super().list_commands(ctx)
        return eager + [name for name in self.lazy if name not in eager]

    def get_command(self, ctx: Any, cmd_name: str) -> Command | None:
        found = super().get_command(ctx, cmd_name)
        entry = self.lazy.get(cmd_name)
        if found is not None or entry is None:
            return found
        if self._listing:  # only the summary is needed
            return TyperCommand(cmd_name, help=entry.help, short_help=entry.help)
        command = load_command(cmd_name, entry)
        self.commands[cmd_name] = command
        return command

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def walk_commands(
    command: Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Command]]:
    """Every command and group below ``command`` (loading lazy groups), with its name path."""
    if not isinstance(command, TyperGroup):
        return
    ctx = typer.Context(command)
    for name in command.list_commands(ctx):
        sub = command.get_command(ctx, name)
        if sub is None:
            continue
        yield (*path, name), sub
        yield from walk_commands(sub, (*path, name))
