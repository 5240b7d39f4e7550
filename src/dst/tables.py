"""How `dst` commands print tables: Rich on a terminal, plain lines for scripts, or JSON.

A table is a title, column names and rows of cells. On a terminal it is a Rich table (cells fold
rather than being cut off). When standard output is not a terminal it is plain lines: a header line,
then one line per row, cells separated by a tab and never truncated or wrapped, so `cut -f`, `awk -F'\\t'`
and `grep` read it. With `--json` it is a JSON array with one object per row, keyed by `keys`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import typer

JSON_OPTION = typer.Option(False, "--json", help="Print the table as a JSON array of objects.")


@dataclass
class CliTable:
    title: str
    columns: Sequence[str]  # headers for people
    keys: Sequence[str]  # JSON keys, one per column
    rows: list[Sequence[Any]] = field(default_factory=list)

    def add(self, *cells: Any) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append(cells)

    def as_json(self) -> list[dict[str, Any]]:
        return [dict(zip(self.keys, row, strict=True)) for row in self.rows]

    def plain_lines(self) -> list[str]:
        lines = ["\t".join(self.columns)]
        lines.extend("\t".join(_plain(cell) for cell in row) for row in self.rows)
        return lines


def _plain(cell: Any) -> str:
    # One line per row whatever a cell holds: tabs and newlines inside a cell become spaces.
    text = "" if cell is None else str(cell)
    return " ".join(text.replace("\t", " ").splitlines())


def print_table(table: CliTable, *, as_json: bool = False, out: TextIO | None = None) -> None:
    stream = out or sys.stdout
    if as_json:
        stream.write(json.dumps(table.as_json(), indent=2, default=str) + "\n")
        return
    if not stream.isatty():
        stream.write("".join(line + "\n" for line in table.plain_lines()))
        return
    from rich.console import Console
    from rich.table import Table

    rich_table = Table(*table.columns, title=table.title)
    for column in rich_table.columns:
        column.overflow = "fold"
    for row in table.rows:
        rich_table.add_row(*(_plain(cell) for cell in row))
    Console(file=stream).print(rich_table)
