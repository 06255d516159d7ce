#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A larger port reference for the core micro-benchmark: the 53 rows, TIMES times over.

  replicate_rows.py --times N --rows port-reference.tsv --scenarios scenarios.tsv --out-dir DIR

Writes DIR/port-reference.tsv and DIR/scenarios.tsv, which tables/gen_reference.py accepts
(--expect-rows 53*N). Copy 0 is the reference as it is. Every further copy k keeps each row's
roles, transports, payloads, sizes and footnotes, and differs in two ways:

  - its id: row ids are T<table>-<nn> (two digits, one table digit), so 53*N rows do not fit in
    tables 1-4; the copies go to tables 5-9 (scenarios.tsv gets their titles), 99 rows a table;
  - its ports: every literal port and range moves up by k*SHIFT (an even number, so even and
    odd ranges stay so) where it still fits below 65536; wide ranges (1024-65535, >=1024,
    ephemeral) cannot move and stay. Setting-dependent cells (zone(7001), relay(...),
    msmedia(...), admin(8443)) become the literal ports of their default, moved likewise: the
    generator takes each setting's default from the cells that name it, and they must agree.

So a copy is a row of its own on ports nobody uses, except where a wide range overlaps the
original: what a frame costs with a reference ten times longer, not ten identical matches.
"""

import argparse
import os
import re
import sys

SHIFT = 100
SYMBOLS = ("zone", "relay", "msmedia", "admin")
ROWS_PER_TABLE = 99
FIRST_COPY_TABLE = 5


def shift_range(text, shift):
    """'N' or 'N-M', moved up by shift when the top still fits; else unchanged."""
    parts = [int(p) for p in text.split("-")]
    if parts[-1] + shift > 65535:
        return text
    return "-".join(str(p + shift) for p in parts)


def shift_element(elem, shift):
    """One alternative of a port cell, without its [condition] and ^footnote."""
    sym = re.fullmatch(r"([a-z]+)\(([\d-]+)\)", elem)
    if sym and sym.group(1) in SYMBOLS:
        return shift_range(sym.group(2), shift)
    plain = re.fullmatch(r"(!?)([\d-]+)((?:/even|/odd)?)", elem)
    if plain:
        return plain.group(1) + shift_range(plain.group(2), shift) + plain.group(3)
    return elem  # ephemeral, >=N, turn-tcp: not a fixed set of ports


def shift_cell(cell, shift):
    out = []
    for alt in cell.split("|"):
        m = re.fullmatch(r"\s*(\[[^\]]*\]\s*)?(.*?)(\^\d+)?\s*", alt)
        out.append((m.group(1) or "") + shift_element(m.group(2), shift) + (m.group(3) or ""))
    return " | ".join(out)


def replicate(times, rows_path, scenarios_path, out_dir):
    with open(rows_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    header_at = next(i for i, line in enumerate(lines) if line and not line.startswith("#"))
    header = lines[header_at].split("\t")
    col = {name: header.index(name) for name in ("id", "table", "src_ports", "dst_ports")}
    rows = [line.split("\t") for line in lines[header_at + 1:] if line and not line.startswith("#")]
    out = [f"# {times} copies of {os.path.basename(rows_path)}, made by "
           "tests/bench/replicate_rows.py for the core micro-benchmark.", lines[header_at]]
    out += ["\t".join(r) for r in rows]
    n, tables = 0, set()
    for k in range(1, times):
        for r in rows:
            copy = list(r)
            table = FIRST_COPY_TABLE + n // ROWS_PER_TABLE
            if table > 9:
                sys.exit(f"replicate_rows.py: {times} copies do not fit in tables 1-9")
            tables.add(table)
            copy[col["id"]] = f"T{table}-{n % ROWS_PER_TABLE + 1:02d}"
            copy[col["table"]] = str(table)
            for c in ("src_ports", "dst_ports"):
                copy[col[c]] = shift_cell(r[col[c]], k * SHIFT)
            out.append("\t".join(copy))
            n += 1
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "port-reference.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    with open(scenarios_path, encoding="utf-8") as f:
        scenarios = f.read().rstrip("\n")
    extra = [f"{t}\tCopies of the reference (benchmark)\tCopies (benchmark)"
             for t in sorted(tables)]
    with open(os.path.join(out_dir, "scenarios.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join([scenarios] + extra) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--times", type=int, default=10)
    ap.add_argument("--rows", required=True)
    ap.add_argument("--scenarios", required=True)
    ap.add_argument("--out-dir", required=True)
    a = ap.parse_args()
    replicate(a.times, a.rows, a.scenarios, a.out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
