#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Merges the per-capture audits that scripts/batch-annotate.sh wrote into one.

  scripts/merge-audits.py OUT

Reads OUT/.index (capture path, name), OUT/NAME.audit.json and OUT/NAME.audit.csv; writes
OUT/merged-audit.json (per capture totals; per row of the reference the captures, flows,
frames and bytes seen; every off-spec flow, check finding and inferred host with its capture;
the rows no capture exercised) and OUT/merged-audit.csv (every audit line, prefixed with its
capture). Prints a short summary.
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
            capture, name = line.rstrip("\n").split("\t")
            index.append((capture, name))
    index.sort()
    broken = set()
    if os.path.exists(os.path.join(out, ".broken")):
        with open(os.path.join(out, ".broken"), encoding="utf-8") as f:
            broken = {line.strip() for line in f}

    captures, rows, offspec, checks, inferred = [], {}, [], [], []
    csv_rows, header = [], None
    for capture, name in index:
        entry = {"capture": capture, "name": name, "broken": name in broken}
        path = os.path.join(out, name + ".audit.json")
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError):
            entry["audit"] = False
            captures.append(entry)
            continue
        entry.update(audit=True, frames=doc["frames"], judged=doc["judged"],
                     offspec_frames=doc["offspec_frames"])
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

    read = [c for c in captures if c.get("audit")]
    print(f"merged: {len(read)} audit(s) of {len(captures)} capture(s), "
          f"{len(broken)} broken; {sum(c['frames'] for c in read)} frames, "
          f"{sum(c['offspec_frames'] for c in read)} off-spec, {len(checks)} check finding(s); "
          f"rows with no traffic anywhere: {len(merged['rows_without_traffic'])}")
    print(f"merged: {os.path.join(out, 'merged-audit.json')}, "
          f"{os.path.join(out, 'merged-audit.csv')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
