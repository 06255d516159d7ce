#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn the port reference (tables/*.tsv) into C for the cmsedge core.

Reads port-reference.tsv, scenarios.tsv and footnotes.tsv, validates every row and writes:
  - a C file with the rows, scenarios, footnotes and a port index;
  - a header with the counts and the reference's default settings (relay range, admin port...).

Any problem stops the build with "file:line: reason", the way a compiler reports errors.
The cell grammar is documented in tables/README.md. Standard library only, like Wireshark's own
generators.
"""

import argparse
import re
import sys

ROLES = [
    "expressway-e", "expressway-e-public", "expressway-e-private", "expressway-c",
    "meeting-server", "unified-cm", "admin-pc", "sip-endpoint", "ms-client", "webapp-client",
    "any",
]
APPS = ["tls", "http", "sip", "stun", "turn-data", "rtp", "rtcp", "dtls", "ssh"]
SIZES = ["small", "medium", "large"]
TRANSPORTS = {"udp": "CMSEDGE_TRANSPORT_UDP", "tcp": "CMSEDGE_TRANSPORT_TCP"}
# Cell elements whose ports are a deployment setting; the number in brackets is the default.
SYMBOLS = {
    "zone": "CMSEDGE_PORTS_ZONE",
    "relay": "CMSEDGE_PORTS_RELAY",
    "msmedia": "CMSEDGE_PORTS_MS_MEDIA",
    "admin": "CMSEDGE_PORTS_ADMIN",
}
REQUIRED_COLUMNS = [
    "id", "table", "purpose", "footnotes", "src_label", "src", "src_ports", "src_ports_remark",
    "protocol", "transport", "app", "dst_label", "dst", "dst_ports", "dst_ports_remark", "sizes",
    "versions",
]
# What a payload-confirmed frame of the row says about who its hosts are (tables/README.md).
EVIDENCE = {"": "CMSEDGE_EVIDENCE_NONE", "specific": "CMSEDGE_EVIDENCE_SPECIFIC",
            "anchored": "CMSEDGE_EVIDENCE_ANCHORED"}


class TableError(Exception):
    """A problem in a data file, reported as file:line: reason."""

    def __init__(self, path, line, reason):
        super().__init__(f"{path}:{line}: {reason}")


def read_tsv(path, required):
    """Yield (line number, {column: cell}) for each data line; columns are found by header name."""
    header = None
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.split("\t")
            if header is None:
                missing = [c for c in required if c not in cells]
                if missing:
                    raise TableError(path, lineno, f"header lacks column(s): {', '.join(missing)}")
                header = cells
                continue
            if len(cells) < len(header):
                raise TableError(path, lineno, f"missing column '{header[len(cells)]}' "
                                 f"({len(cells)} cells, {len(header)} expected)")
            if len(cells) > len(header):
                raise TableError(path, lineno, f"{len(cells)} cells, {len(header)} expected")
            yield lineno, dict(zip(header, (c.strip() for c in cells)))
    if header is None:
        raise TableError(path, 0, "no header line")


def parse_version(text):
    m = re.fullmatch(r"[Xx]?(\d+)\.(\d+)(?:\.(\d+))?", text)
    if not m or int(m.group(2)) > 99 or int(m.group(3) or 0) > 99:
        return None
    return int(m.group(1)) * 10000 + int(m.group(2)) * 100 + int(m.group(3) or 0)


class Item:
    """One element of a port cell, as the C struct cmsedge_port_item holds it."""

    def __init__(self, kind, lo, hi, style="CMSEDGE_STYLE_PLAIN", parity="CMSEDGE_PARITY_ANY",
                 sizes=None, demux="CMSEDGE_DEMUX_EITHER", footnote=0):
        self.kind, self.lo, self.hi, self.style, self.parity = kind, lo, hi, style, parity
        self.sizes, self.demux, self.footnote = sizes or set(SIZES), demux, footnote


def parse_port(text, err):
    if not re.fullmatch(r"\d+", text) or not 0 < int(text) <= 65535:
        err(f"'{text}' is not a port number (1-65535)")
    return int(text)


def parse_range(text, err):
    """'N' or 'N-M' -> (lo, hi); inverted ranges are errors."""
    parts = text.split("-")
    if len(parts) == 1:
        p = parse_port(parts[0], err)
        return p, p
    if len(parts) != 2:
        err(f"'{text}' is not a port or port range")
    lo, hi = parse_port(parts[0], err), parse_port(parts[1], err)
    if lo > hi:
        err(f"inverted range '{text}'")
    return lo, hi


def parse_cell(text, footnotes, err):
    """Parse a port cell: alternatives separated by ' | ' (see tables/README.md)."""
    if not text:
        err("empty port cell")
    items = []
    for alt in text.split("|"):
        alt = alt.strip()
        cond = re.match(r"\[([^\]]*)\]\s*", alt)
        sizes, demux = None, "CMSEDGE_DEMUX_EITHER"
        if cond:
            alt = alt[cond.end():]
            words = [w.strip() for w in cond.group(1).split(",") if w.strip()]
            named_sizes = {w for w in words if w in SIZES}
            if named_sizes:
                sizes = named_sizes
            for w in words:
                if w == "demux":
                    demux = "CMSEDGE_DEMUX_ON"
                elif w == "nodemux":
                    demux = "CMSEDGE_DEMUX_OFF"
                elif w not in SIZES:
                    err(f"unknown condition '{w}' (expected small, medium, large, demux, nodemux)")
        footnote = 0
        fm = re.fullmatch(r"(.*?)\^(\d+)", alt)
        if fm:
            alt, footnote = fm.group(1), int(fm.group(2))
            if footnote not in footnotes:
                err(f"unknown footnote {footnote}")
        if not alt:
            err("empty element in port cell")
        item = parse_item(alt, err)
        item.explicit_sizes = sizes is not None
        item.sizes, item.demux, item.footnote = sizes or set(SIZES), demux, footnote
        items.append(item)
    return items


def parse_item(text, err):
    sym = re.fullmatch(r"([a-z]+)\(([^)]*)\)", text)
    if sym:
        name, arg = sym.groups()
        if name not in SYMBOLS:
            err(f"unknown port symbol '{name}' (expected {', '.join(SYMBOLS)})")
        lo, hi = parse_range(arg, err)
        return Item(SYMBOLS[name], lo, hi)
    if text == "turn-tcp":
        return Item("CMSEDGE_PORTS_TURN_TCP", 0, 0)
    if text == "ephemeral":
        return Item("CMSEDGE_PORTS_RANGE", 1024, 65535, style="CMSEDGE_STYLE_EPHEMERAL")
    if text.startswith(">="):
        return Item("CMSEDGE_PORTS_RANGE", parse_port(text[2:], err), 65535,
                    style="CMSEDGE_STYLE_AT_LEAST")
    if text.startswith("!"):
        p = parse_port(text[1:], err)
        return Item("CMSEDGE_PORTS_EXCLUDE", p, p)
    parity = "CMSEDGE_PARITY_ANY"
    for suffix, value in (("/even", "CMSEDGE_PARITY_EVEN"), ("/odd", "CMSEDGE_PARITY_ODD")):
        if text.endswith(suffix):
            text, parity = text[: -len(suffix)], value
    lo, hi = parse_range(text, err)
    want = 0 if parity == "CMSEDGE_PARITY_EVEN" else 1
    if parity != "CMSEDGE_PARITY_ANY" and (lo % 2 != want or hi % 2 != want):
        err(f"range {lo}-{hi} does not start and end on {parity.split('_')[-1].lower()} ports")
    return Item("CMSEDGE_PORTS_RANGE", lo, hi, parity=parity)


def parse_role(text, err):
    parts = text.split(">")
    if len(parts) > 2:
        err(f"'{text}': at most one translation ('original>translated')")
    for p in parts:
        if p not in ROLES:
            err(f"unknown role '{p}' (expected one of {', '.join(ROLES)})")
    return parts[0], (parts[1] if len(parts) == 2 else None)


def c_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def c_role(r):
    return "CMSEDGE_ROLE_" + r.upper().replace("-", "_") if r else "CMSEDGE_ROLE_NONE"


def size_mask(sizes):
    return " | ".join(f"CMSEDGE_SIZE_BIT(CMSEDGE_SIZE_{s.upper()})" for s in SIZES if s in sizes)


def load(args):
    footnotes = {}
    for lineno, row in read_tsv(args.footnotes, ["number", "text"]):
        if not row["number"].isdigit() or not row["text"]:
            raise TableError(args.footnotes, lineno, "footnote needs a number and text")
        footnotes[int(row["number"])] = row["text"]
    scenarios = {}
    for lineno, row in read_tsv(args.scenarios, ["table", "scenario", "caption"]):
        if not row["table"].isdigit() or not row["scenario"]:
            raise TableError(args.scenarios, lineno, "scenario needs a table number and title")
        scenarios[int(row["table"])] = (row["scenario"], row["caption"])

    rows, ids, defaults = [], set(), {}
    for lineno, cells in read_tsv(args.rows, REQUIRED_COLUMNS):
        def err(reason, _lineno=lineno):
            raise TableError(args.rows, _lineno, reason)

        for col in ("id", "table", "purpose", "src", "src_ports", "protocol", "transport",
                    "app", "dst", "dst_ports", "sizes", "src_label", "dst_label"):
            if not cells[col]:
                err(f"empty column '{col}'")
        rid = cells["id"]
        m = re.fullmatch(r"T(\d)-(\d\d)", rid)
        if not m:
            err(f"row id '{rid}' is not of the form T<table>-<nn>")
        if rid in ids:
            err(f"duplicate row id '{rid}'")
        ids.add(rid)
        if not cells["table"].isdigit() or int(cells["table"]) not in scenarios:
            err(f"unknown table '{cells['table']}'")
        table = int(cells["table"])
        if int(m.group(1)) != table:
            err(f"row id '{rid}' does not belong to table {table}")
        if re.search(r"\s\d+$", cells["purpose"]):
            err("purpose ends in a number: write footnote marks in the footnotes column")
        row_fns = set()
        for fn in filter(None, (x.strip() for x in cells["footnotes"].split(","))):
            if not fn.isdigit() or int(fn) not in footnotes:
                err(f"unknown footnote '{fn}'")
            row_fns.add(int(fn))
        transports = [t.strip() for t in cells["transport"].split(",")]
        for t in transports:
            if t not in TRANSPORTS:
                err(f"unknown transport '{t}' (expected udp, tcp)")
        if cells["app"] == "media":
            apps = ["media"]
        else:
            apps = cells["app"].split("|")
            for a in apps:
                if a not in APPS:
                    err(f"unknown application '{a}' (expected media or {', '.join(APPS)})")
        if cells["sizes"] == "all":
            sizes = set(SIZES)
        else:
            sizes = {s.strip() for s in cells["sizes"].split(",")}
            for s in sizes:
                if s not in SIZES:
                    err(f"unknown size '{s}' (expected all or {', '.join(SIZES)})")
        version_op, version = "CMSEDGE_VERSION_ANY", 0
        if cells["versions"]:
            vm = re.fullmatch(r"(<|>=)\s*(\S+)", cells["versions"])
            version = parse_version(vm.group(2)) if vm else None
            if not version:
                err(f"bad version condition '{cells['versions']}' (expected <X12.5.3 or >=X8.11)")
            version_op = "CMSEDGE_VERSION_BEFORE" if vm.group(1) == "<" else "CMSEDGE_VERSION_FROM"
        evidence = cells.get("evidence", "")
        if evidence not in EVIDENCE:
            err(f"unknown evidence '{evidence}' (expected specific, anchored or empty)")
        ends = {}
        for end in ("src", "dst"):
            role, translated = parse_role(cells[end], err)
            items = parse_cell(cells[end + "_ports"], footnotes, err)
            for it in items:
                if it.explicit_sizes and not it.sizes <= sizes:
                    err(f"{end}_ports element for {', '.join(sorted(it.sizes - sizes))} outside "
                        f"the row's sizes")
                if it.kind in (SYMBOLS["relay"], SYMBOLS["msmedia"], SYMBOLS["admin"],
                               SYMBOLS["zone"]):
                    known = defaults.setdefault(it.kind, (it.lo, it.hi, lineno))
                    if known[:2] != (it.lo, it.hi):
                        err(f"default {it.lo}-{it.hi} disagrees with {known[0]}-{known[1]} "
                            f"on line {known[2]}")
                row_fns.add(it.footnote) if it.footnote else None
            ends[end] = (role, translated, cells[end + "_label"], items, cells[end + "_ports"],
                         cells[end + "_ports_remark"])
        rows.append(dict(id=rid, table=table, purpose=cells["purpose"], footnotes=row_fns,
                         ends=ends, protocol=cells["protocol"], transports=transports, apps=apps,
                         sizes=sizes, version_op=version_op, version=version, evidence=evidence,
                         line=lineno))
    if args.expect_rows is not None and len(rows) != args.expect_rows:
        raise TableError(args.rows, 0, f"{len(rows)} rows, the reference has {args.expect_rows}")
    for needed in SYMBOLS.values():
        if needed not in defaults:
            raise TableError(args.rows, 0, f"no row gives the default for {needed}")
    return rows, scenarios, footnotes, defaults


def disjoint_intervals(spans, edges):
    """(lo, hi, row index) spans and their edges -> sorted disjoint (lo, hi, row bitset) runs,
    neighbours with the same rows merged. Shared with gen_services.py."""
    points = sorted(edges)
    intervals = []
    for lo, nxt in zip(points, points[1:]):
        mask = 0
        for slo, shi, idx in spans:
            if slo <= lo and nxt - 1 <= shi:
                mask |= 1 << idx
        if mask:
            if intervals and intervals[-1][2] == mask and intervals[-1][1] == lo - 1:
                intervals[-1] = (intervals[-1][0], nxt - 1, mask)
            else:
                intervals.append((lo, nxt - 1, mask))
    return intervals


def report_errors(work):
    """Run work(); a TableError or a file error becomes a message on stderr and exit status 1.
    Shared with gen_services.py."""
    try:
        work()
    except TableError as e:
        print(e, file=sys.stderr)
        return 1
    except OSError as e:
        print(f"{e.filename}: {e.strerror}", file=sys.stderr)
        return 1
    return 0


def build_index(rows, words):
    """Per transport: disjoint port intervals -> candidate row bitsets, and per-symbol bitsets.

    The interval index covers literal ports; cells that depend on settings are listed per
    symbol, and the C side checks the setting's current range. Either way a lookup costs a
    binary search plus a constant, whatever the number of rows.
    """
    index = {}
    for t in TRANSPORTS:
        edges, symbols = set(), {k: 0 for k in list(SYMBOLS.values()) + ["CMSEDGE_PORTS_TURN_TCP"]}
        spans = []
        for r in rows:
            for it in r["ends"]["dst"][3]:
                if it.kind == "CMSEDGE_PORTS_TURN_TCP":
                    if t == "tcp":
                        symbols[it.kind] |= 1 << r["index"]
                    continue
                if t not in r["transports"] or it.kind == "CMSEDGE_PORTS_EXCLUDE":
                    continue
                if it.kind == "CMSEDGE_PORTS_RANGE":
                    spans.append((it.lo, it.hi, r["index"]))
                    edges.update((it.lo, it.hi + 1))
                else:
                    symbols[it.kind] |= 1 << r["index"]
        index[t] = (disjoint_intervals(spans, edges), symbols)
    return index


def words_of(mask, words):
    return "{" + ", ".join(f"0x{(mask >> (64 * w)) & (2**64 - 1):016x}u" for w in range(words)) + "}"


def emit(rows, scenarios, footnotes, defaults, args):
    words = (len(rows) + 63) // 64
    for i, r in enumerate(rows):
        r["index"] = i
    out = [
        "/* Generated by tables/gen_reference.py from tables/port-reference.tsv. Do not edit. */",
        '#include "cmsedge/reference.h"',
        '#include "reference_index.h"',
        "",
    ]
    for r in rows:
        for end in ("src", "dst"):
            items = r["ends"][end][3]
            out.append(f"static const struct cmsedge_port_item {r['id'].replace('-', '_')}_{end}[] = {{")
            for it in items:
                out.append(f"    {{{it.kind}, {it.style}, {it.parity}, {size_mask(it.sizes)}, "
                           f"{it.demux}, {it.footnote}, {it.lo}, {it.hi}}},")
            out.append("};")
    out.append("")
    out.append("const struct cmsedge_row cmsedge_rows[] = {")
    for r in rows:
        ends = []
        for end in ("src", "dst"):
            role, translated, label, items, text, remark = r["ends"][end]
            ends.append(f"{{{c_role(role)}, {c_role(translated)}, {c_str(label)}, "
                        f"{{{r['id'].replace('-', '_')}_{end}, {len(items)}, {c_str(text)}, "
                        f"{c_str(remark)}}}}}")
        fn_mask = " | ".join(f"(1u << {n})" for n in sorted(r["footnotes"])) or "0"
        tmask = " | ".join(TRANSPORTS[t] for t in r["transports"])
        if r["apps"] == ["media"]:
            amask = "CMSEDGE_APP_ANY_MEDIA"
        else:
            amask = " | ".join(f"CMSEDGE_APP_BIT(CMSEDGE_APP_{a.upper().replace('-', '_')})"
                               for a in r["apps"])
        out.append(f"    {{{c_str(r['id'])}, {r['table']}, {r['index']}, {c_str(r['purpose'])}, "
                   f"{fn_mask},\n     {ends[0]},\n     {ends[1]},\n     {c_str(r['protocol'])}, "
                   f"{tmask}, {amask}, {size_mask(r['sizes'])}, {r['version_op']}, "
                   f"{r['version']}, {EVIDENCE[r['evidence']]}, {r['line']}}},")
    out.append("};")
    out.append(f"const size_t cmsedge_n_rows = {len(rows)};")
    out.append("")
    out.append("const struct cmsedge_scenario cmsedge_scenarios[] = {")
    for t, (title, caption) in sorted(scenarios.items()):
        out.append(f"    {{{t}, {c_str(title)}, {c_str(caption)}}},")
    out.append("};")
    out.append(f"const size_t cmsedge_n_scenarios = {len(scenarios)};")
    out.append("const struct cmsedge_footnote cmsedge_footnotes[] = {")
    for n, text in sorted(footnotes.items()):
        out.append(f"    {{{n}, {c_str(text)}}},")
    out.append("};")
    out.append(f"const size_t cmsedge_n_footnotes = {len(footnotes)};")
    out.append("")
    index = build_index(rows, words)
    for t, (intervals, symbols) in index.items():
        out.append(f"static const struct cmsedge_index_interval index_{t}[] = {{")
        for lo, hi, mask in intervals:
            out.append(f"    {{{lo}, {hi}, {words_of(mask, words)}}},")
        out.append("};")
    out.append("const struct cmsedge_index cmsedge_index_by_transport[2] = {")
    for t in ("udp", "tcp"):
        intervals, symbols = index[t]
        sym = ", ".join(f"[{k}] = {words_of(v, words)}" for k, v in symbols.items())
        out.append(f"    {{index_{t}, {len(intervals)}, {{{sym}}}}},")
    out.append("};")

    zone_lo = defaults[SYMBOLS["zone"]][0]
    hdr = [
        "/* Generated by tables/gen_reference.py from tables/port-reference.tsv. Do not edit. */",
        "#ifndef CMSEDGE_GENERATED_H",
        "#define CMSEDGE_GENERATED_H",
        f"#define CMSEDGE_ROW_COUNT {len(rows)}",
        f"#define CMSEDGE_ROW_WORDS {words}",
        f"#define CMSEDGE_FOOTNOTE_COUNT {len(footnotes)}",
        f"#define CMSEDGE_DEFAULT_ZONE_BASE {zone_lo}",
        f"#define CMSEDGE_DEFAULT_RELAY_LO {defaults[SYMBOLS['relay']][0]}",
        f"#define CMSEDGE_DEFAULT_RELAY_HI {defaults[SYMBOLS['relay']][1]}",
        f"#define CMSEDGE_DEFAULT_MS_MEDIA_LO {defaults[SYMBOLS['msmedia']][0]}",
        f"#define CMSEDGE_DEFAULT_MS_MEDIA_HI {defaults[SYMBOLS['msmedia']][1]}",
        f"#define CMSEDGE_DEFAULT_ADMIN_PORT {defaults[SYMBOLS['admin']][0]}",
        "#endif",
    ]
    with open(args.out_c, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    with open(args.out_h, "w", encoding="utf-8") as f:
        f.write("\n".join(hdr) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", required=True)
    ap.add_argument("--scenarios", required=True)
    ap.add_argument("--footnotes", required=True)
    ap.add_argument("--out-c", required=True)
    ap.add_argument("--out-h", required=True)
    ap.add_argument("--expect-rows", type=int, default=None,
                    help="fail unless the table has exactly this many rows")
    args = ap.parse_args()
    return report_errors(lambda: emit(*load(args), args))


if __name__ == "__main__":
    sys.exit(main())
