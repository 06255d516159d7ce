#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn the edge services table (tables/services.tsv) into C for the cmsedge core.

services.tsv lists what an edge host legitimately does besides the CMS chapter (DNS, NTP,
clustering, H.323, MRA...). This script validates every row and writes:
  - a C file with the rows and an index of their listening (destination) ports;
  - a header with the row count.

Any problem stops the build with "file:line: reason". Port cells use the grammar of
port-reference.tsv, parsed by gen_reference.py's own parser (imported, not copied), without
footnote marks. Standard library only.
"""

import argparse
import os
import re
import sys

sys.dont_write_bytecode = True  # the source tree stays clean when the build imports the parser
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_reference import (  # noqa: E402  (the shared cell grammar)
    APPS, ROLES, SYMBOLS, TRANSPORTS, TableError, c_role, c_str, disjoint_intervals, parse_cell,
    read_tsv, report_errors, words_of)

REQUIRED_COLUMNS = ["id", "service", "src", "src_ports", "protocol", "transport", "app", "dst",
                    "dst_ports", "checked", "source"]
NON_EMPTY = ["id", "service", "src", "src_ports", "protocol", "transport", "dst", "dst_ports",
             "checked", "source"]
CHECKED = ["yes", "partly", "no"]
EDGE_ROLES = ["expressway-e", "expressway-e-public", "expressway-e-private", "expressway-c",
              "meeting-server", "unified-cm"]
# Shorthands a role cell may use, each standing for a set of role keywords.
SHORTHANDS = {
    "expressway": ["expressway-c", "expressway-e"],
    "edge": ["expressway-c", "expressway-e", "meeting-server", "unified-cm"],
}
# Setting-dependent port kinds: the index cannot place them, so their rows are always
# candidates and the C side checks the cell under the current settings.
SYMBOLIC_KINDS = set(SYMBOLS.values()) | {"CMSEDGE_PORTS_TURN_TCP"}


def parse_role_set(text, err):
    """'expressway-c,meeting-server' or a shorthand -> ordered list of role keywords."""
    roles = []
    for word in (w.strip() for w in text.split(",")):
        if not word:
            err(f"empty role in '{text}'")
        if word in SHORTHANDS:
            expanded = SHORTHANDS[word]
        elif word in ROLES:
            expanded = [word]
        else:
            err(f"unknown role '{word}' (expected {', '.join(ROLES + list(SHORTHANDS))})")
        for r in expanded:
            if r in roles:
                err(f"role '{r}' named twice in '{text}'")
            roles.append(r)
    if "any" in roles and len(roles) > 1:
        err(f"'any' already covers every host: '{text}' names more")
    return roles


def parse_ports(text, err):
    if "^" in text:
        err(f"footnote mark in '{text}': services.tsv has no footnotes")
    return parse_cell(text, {}, err)


def cell_width(items):
    """Ports a cell names under the default settings; rows with narrower listening cells win."""
    width = 0
    for it in items:
        if it.kind == "CMSEDGE_PORTS_EXCLUDE":
            continue
        if it.kind in ("CMSEDGE_PORTS_TURN_TCP", SYMBOLS["zone"], SYMBOLS["admin"]):
            width += 1
            continue
        span = it.hi - it.lo + 1
        width += (span + 1) // 2 if it.parity != "CMSEDGE_PARITY_ANY" else span
    return width


def load(path, expect_rows):
    rows, ids, flows = [], {}, {}
    for lineno, cells in read_tsv(path, REQUIRED_COLUMNS):
        def err(reason, _lineno=lineno):
            raise TableError(path, _lineno, reason)

        for col in NON_EMPTY:
            if not cells[col]:
                err(f"missing source" if col == "source" else f"empty column '{col}'")
        sid = cells["id"]
        if not re.fullmatch(r"S-\d\d+", sid):
            err(f"row id '{sid}' is not of the form S-<nn>")
        if sid in ids:
            err(f"duplicate row id '{sid}' (first on line {ids[sid]})")
        ids[sid] = lineno
        transports = [t.strip() for t in cells["transport"].split(",")]
        for t in transports:
            if t not in TRANSPORTS:
                err(f"unknown transport '{t}' (expected udp, tcp)")
        if len(set(transports)) != len(transports):
            err(f"transport named twice in '{cells['transport']}'")
        apps = []
        if cells["app"]:
            apps = [a.strip() for a in cells["app"].split("|")]
            for a in apps:
                if a not in APPS:
                    err(f"unknown application '{a}' (expected empty or {', '.join(APPS)})")
        if cells["checked"] not in CHECKED:
            err(f"checked is '{cells['checked']}' (expected {', '.join(CHECKED)})")
        ends = {}
        for end in ("src", "dst"):
            roles = parse_role_set(cells[end], err)
            items = parse_ports(cells[end + "_ports"], err)
            ends[end] = (roles, cells[end], items, cells[end + "_ports"])
        if not any(r in EDGE_ROLES for end in ends.values() for r in end[0]):
            err("neither end names an edge role: the row would match any two unknown hosts")
        flow = (tuple(sorted(ends["src"][0])), ends["src"][3], tuple(sorted(ends["dst"][0])),
                ends["dst"][3], tuple(sorted(transports)))
        if flow in flows:
            err(f"same flow as line {flows[flow]}")
        flows[flow] = lineno
        rows.append(dict(id=sid, service=cells["service"], ends=ends, protocol=cells["protocol"],
                         transports=transports, apps=apps, checked=cells["checked"],
                         source=cells["source"], width=cell_width(ends["dst"][2]), line=lineno))
    if expect_rows is not None and len(rows) != expect_rows:
        raise TableError(path, 0, f"{len(rows)} rows, expected {expect_rows}")
    if not rows:
        raise TableError(path, 0, "no rows")
    return rows


def build_index(rows):
    """Per transport: disjoint listening-port intervals -> row bitsets, plus symbolic rows."""
    index = {}
    for t in TRANSPORTS:
        spans, edges, symbolic = [], set(), 0
        for r in rows:
            if t not in r["transports"]:
                continue
            for it in r["ends"]["dst"][2]:
                if it.kind in SYMBOLIC_KINDS:
                    symbolic |= 1 << r["index"]
                elif it.kind == "CMSEDGE_PORTS_RANGE":
                    spans.append((it.lo, it.hi, r["index"]))
                    edges.update((it.lo, it.hi + 1))
        index[t] = (disjoint_intervals(spans, edges), symbolic)
    return index


def role_mask(roles):
    return " | ".join(f"CMSEDGE_ROLE_BIT({c_role(r)})" for r in roles)


def emit(rows, path, out_c, out_h):
    words = (len(rows) + 63) // 64
    for i, r in enumerate(rows):
        r["index"] = i
    name = os.path.basename(path)
    out = [
        f"/* Generated by tables/gen_services.py from tables/{name}. Do not edit. */",
        '#include "cmsedge/services.h"',
        '#include "services_index.h"',
        "",
    ]
    for r in rows:
        for end in ("src", "dst"):
            out.append(f"static const struct cmsedge_port_item {r['id'].replace('-', '_')}_{end}[] = {{")
            for it in r["ends"][end][2]:
                sizes = " | ".join(f"CMSEDGE_SIZE_BIT(CMSEDGE_SIZE_{s.upper()})"
                                   for s in ("small", "medium", "large") if s in it.sizes)
                out.append(f"    {{{it.kind}, {it.style}, {it.parity}, {sizes}, {it.demux}, 0, "
                           f"{it.lo}, {it.hi}}},")
            out.append("};")
    out.append("")
    out.append("const struct cmsedge_service cmsedge_services[] = {")
    for r in rows:
        ends = []
        for end in ("src", "dst"):
            roles, text, items, ports = r["ends"][end]
            ends.append(f"{{{role_mask(roles)}, {c_str(text)}, "
                        f"{{{r['id'].replace('-', '_')}_{end}, {len(items)}, {c_str(ports)}, \"\"}}}}")
        tmask = " | ".join(TRANSPORTS[t] for t in r["transports"])
        amask = " | ".join(f"CMSEDGE_APP_BIT(CMSEDGE_APP_{a.upper().replace('-', '_')})"
                           for a in r["apps"]) or "0"
        checked = "CMSEDGE_CHECKED_" + r["checked"].upper()
        out.append(f"    {{{c_str(r['id'])}, {r['index']}, {c_str(r['service'])},\n"
                   f"     {ends[0]},\n     {ends[1]},\n     {c_str(r['protocol'])}, {tmask}, "
                   f"{amask}, {r['width']}u, {checked},\n     {c_str(r['source'])}, {r['line']}}},")
    out.append("};")
    out.append(f"const size_t cmsedge_n_services = {len(rows)};")
    out.append("")
    index = build_index(rows)
    for t, (intervals, _) in index.items():
        out.append(f"static const struct cmsedge_service_interval service_index_{t}[] = {{")
        for lo, hi, mask in intervals:
            out.append(f"    {{{lo}, {hi}, {words_of(mask, words)}}},")
        out.append("};")
    out.append("const struct cmsedge_service_index cmsedge_service_index_by_transport[2] = {")
    for t in ("udp", "tcp"):
        intervals, symbolic = index[t]
        out.append(f"    {{service_index_{t}, {len(intervals)}, {words_of(symbolic, words)}}},")
    out.append("};")
    hdr = [
        f"/* Generated by tables/gen_services.py from tables/{name}. Do not edit. */",
        "#ifndef CMSEDGE_SERVICES_GENERATED_H",
        "#define CMSEDGE_SERVICES_GENERATED_H",
        f"#define CMSEDGE_SERVICE_COUNT {len(rows)}",
        f"#define CMSEDGE_SERVICE_WORDS {words}",
        "#endif",
    ]
    with open(out_c, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    with open(out_h, "w", encoding="utf-8") as f:
        f.write("\n".join(hdr) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", required=True)
    ap.add_argument("--out-c", required=True)
    ap.add_argument("--out-h", required=True)
    ap.add_argument("--expect-rows", type=int, default=None,
                    help="fail unless the table has exactly this many rows")
    args = ap.parse_args()
    return report_errors(
        lambda: emit(load(args.rows, args.expect_rows), args.rows, args.out_c, args.out_h))


if __name__ == "__main__":
    sys.exit(main())
