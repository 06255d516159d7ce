#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Merges the per-capture audits that scripts/batch-annotate.sh wrote into one.

  scripts/merge-audits.py OUT

Reads OUT/.index (a line per capture: path, name, status, frames read, message, separated by
tabs), OUT/NAME.audit.json and OUT/NAME.audit.csv; writes OUT/merged-audit.json (per capture
its status and totals; per row of the reference the captures, flows, frames and bytes seen;
every off-spec flow, check finding and inferred host with its capture; the rows no capture
exercised) and OUT/merged-audit.csv (every audit line, prefixed with its capture). A capture
without an audit (missing, unreadable, not a capture) is listed with its status; a truncated
one adds what was read. Prints a summary and exits 1 when any capture is not "done".
"""

import csv
import json
import os
import sys


def main():
    out = sys.argv[1] if len(sys.argv) == 2 else sys.exit(__doc__)
    index = []
    with open(os.path.join(out, ".index"), encoding="utf-8") as f:
        for line in f:
            capture, name, status, read, message = (line.rstrip("\n").split("\t", 4) + [""] * 5)[:5]
            index.append((capture, name, status, int(read or 0), message))
    index.sort()

    captures, rows, offspec, checks, inferred = [], {}, [], [], []
    csv_rows, header = [], None
    for capture, name, status, read, message in index:
        entry = {"capture": capture, "name": name, "status": status, "complete": status == "done",
                 "message": message, "frames_read": read}
        path = os.path.join(out, name + ".audit.json")
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError):
            entry["audit"] = False
            captures.append(entry)
            continue
        entry.update(audit=True, frames_annotated=doc["frames"], frames_judged=doc["judged"],
                     frames_offspec=doc["offspec_frames"])
        captures.append(entry)
        for r in doc["rows"]:
            row = rows.setdefault(r["rule"], {"table": r["table"], "rule": r["rule"],
                                              "purpose": r["purpose"], "captures": 0,
                                              "flows": 0, "frames": 0, "bytes": 0})
            if r["flows"]:
                row["captures"] += 1
            row["flows"] += len(r["flows"])
            row["frames"] += sum(f["frames"] for f in r["flows"])
            row["bytes"] += sum(f["bytes"] for f in r["flows"])
        offspec += [dict(o, capture=capture) for o in doc["offspec"]]
        checks += [dict(c, capture=capture) for c in doc["checks"]]
        inferred += [dict(h, capture=capture) for h in doc.get("inferred", [])]
        try:
            with open(os.path.join(out, name + ".audit.csv"), encoding="utf-8", newline="") as f:
                reader = csv.reader(f)
                header = ["capture"] + next(reader)
                csv_rows += [[capture] + r for r in reader]
        except (OSError, StopIteration):
            pass

    merged = {
        "captures": captures,
        "rows": [rows[k] for k in sorted(rows, key=lambda k: (rows[k]["table"], k))],
        "offspec": offspec,
        "checks": checks,
        "inferred": inferred,
        "rows_without_traffic": sorted(k for k, r in rows.items() if r["flows"] == 0),
    }
    with open(os.path.join(out, "merged-audit.json"), "w", encoding="utf-8") as f:
        json.dump(merged, f, indent=1)
        f.write("\n")
    with open(os.path.join(out, "merged-audit.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        if header:
            w.writerow(header)
        w.writerows(csv_rows)

    audited = [c for c in captures if c.get("audit")]
    by_status = {}
    for c in captures:
        by_status[c["status"]] = by_status.get(c["status"], 0) + 1
    order = ["done", "truncated", "empty", "not-capture", "missing", "unreadable", "not-a-file",
             "failed"]
    statuses = ", ".join(f"{by_status[k]} {k}" for k in sorted(
        by_status, key=lambda k: (order.index(k) if k in order else len(order), k)))
    print(f"merged: {len(captures)} capture(s): {statuses or 'none'}; "
          f"{sum(c['frames_read'] for c in captures)} frames read, "
          f"{sum(c['frames_annotated'] for c in audited)} annotated, "
          f"{sum(c['frames_offspec'] for c in audited)} off-spec, "
          f"{len(checks)} check finding(s); "
          f"rows with no traffic anywhere: {len(merged['rows_without_traffic'])}")
    incomplete = [c for c in captures if not c["complete"]]
    for c in incomplete:
        kept = " (its audit is merged)" if c.get("audit") else ""
        print(f"incomplete: {c['status']} {c['capture']}: {c['message']}{kept}")
    print(f"merged: {os.path.join(out, 'merged-audit.json')}, "
          f"{os.path.join(out, 'merged-audit.csv')}")
    return 1 if incomplete else 0


if __name__ == "__main__":
    sys.exit(main())
