# SPDX-License-Identifier: GPL-2.0-or-later
"""gen_services.py refuses bad rows of services.tsv with file:line: reason, and accepts the real
table. Each case copies the real table, breaks one thing, runs the generator and checks the exit
status and the message. Run by ctest (generator.services_rejects_bad_rows).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

TABLES = os.environ.get("CMSEDGE_TABLES", os.path.join(os.path.dirname(__file__), "../../tables"))
GENERATOR = os.environ.get("CMSEDGE_SERVICES_GENERATOR", os.path.join(TABLES, "gen_services.py"))


class ServicesGeneratorTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cmsedge-gen-services-")
        self.rows = os.path.join(self.dir, "services.tsv")
        shutil.copy(os.path.join(TABLES, "services.tsv"), self.rows)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def run_generator(self):
        return subprocess.run([sys.executable, GENERATOR, "--rows", self.rows,
                               "--out-c", os.path.join(self.dir, "out.c"),
                               "--out-h", os.path.join(self.dir, "out.h")],
                              capture_output=True, text=True)

    def lines(self):
        with open(self.rows, encoding="utf-8") as f:
            return f.read().split("\n")

    def write(self, lines):
        with open(self.rows, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))

    def header(self):
        return next(l for l in self.lines() if l and not l.startswith("#")).split("\t")

    def edit_row(self, row_id, column, value):
        """Set one cell of the row with this id; returns the row's line number."""
        lines, header = self.lines(), self.header()
        for n, line in enumerate(lines):
            cells = line.split("\t")
            if cells[0] == row_id:
                cells[header.index(column)] = value
                lines[n] = "\t".join(cells)
                self.write(lines)
                return n + 1
        raise AssertionError(f"no row {row_id}")

    def assert_rejected(self, line, reason):
        result = self.run_generator()
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertRegex(result.stderr.strip(), "^" + re.escape(f"{self.rows}:{line}: ") + reason)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "out.c")))

    def test_real_table_is_accepted(self):
        result = self.run_generator()
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(os.path.join(self.dir, "out.h")) as f:
            count = int(re.search(r"#define CMSEDGE_SERVICE_COUNT (\d+)", f.read()).group(1))
        self.assertGreaterEqual(count, 40)

    def test_unknown_role(self):
        line = self.edit_row("S-01", "dst", "dns-server")
        self.assert_rejected(line, "unknown role 'dns-server'")

    def test_unknown_role_in_a_set(self):
        line = self.edit_row("S-03", "dst", "expressway-c,expresway-e")
        self.assert_rejected(line, "unknown role 'expresway-e'")

    def test_role_named_twice(self):
        line = self.edit_row("S-01", "src", "expressway,expressway-c")
        self.assert_rejected(line, "role 'expressway-c' named twice")

    def test_any_with_others(self):
        line = self.edit_row("S-01", "dst", "any,unified-cm")
        self.assert_rejected(line, "'any' already covers every host")

    def test_no_edge_end(self):
        line = self.edit_row("S-01", "src", "any")
        self.assert_rejected(line, "neither end names an edge role")

    def test_bad_port_cell(self):
        line = self.edit_row("S-01", "dst_ports", "5x3")
        self.assert_rejected(line, "'5x3' is not a port number")

    def test_inverted_range(self):
        line = self.edit_row("S-01", "dst_ports", "60-50")
        self.assert_rejected(line, "inverted range '60-50'")

    def test_footnote_mark(self):
        line = self.edit_row("S-01", "dst_ports", "53^1")
        self.assert_rejected(line, "footnote mark in '53\\^1'")

    def test_bad_transport(self):
        line = self.edit_row("S-01", "transport", "udp,sctp")
        self.assert_rejected(line, "unknown transport 'sctp'")

    def test_bad_app(self):
        line = self.edit_row("S-01", "app", "dns")
        self.assert_rejected(line, "unknown application 'dns'")

    def test_bad_checked(self):
        line = self.edit_row("S-01", "checked", "maybe")
        self.assert_rejected(line, "checked is 'maybe'")

    def test_missing_source(self):
        line = self.edit_row("S-02", "source", "")
        self.assert_rejected(line, "missing source")

    def test_bad_id(self):
        line = self.edit_row("S-02", "id", "T1-02")
        self.assert_rejected(line, "row id 'T1-02' is not of the form S-<nn>")

    def test_duplicate_id(self):
        first = self.edit_row("S-02", "id", "S-02")
        line = self.edit_row("S-03", "id", "S-02")
        self.assert_rejected(line, f"duplicate row id 'S-02' \\(first on line {first}\\)")

    def test_duplicate_flow(self):
        lines, header = self.lines(), self.header()
        n = next(i for i, l in enumerate(lines) if l.startswith("S-05\t"))
        copy = lines[n].split("\t")
        copy[header.index("id")] = "S-99"
        lines.append("\t".join(copy))
        self.write(lines)
        self.assert_rejected(len(lines), f"same flow as line {n + 1}")

    def test_missing_column(self):
        lines = self.lines()
        n = next(i for i, l in enumerate(lines) if l.startswith("S-04\t"))
        lines[n] = "\t".join(lines[n].split("\t")[:-1])
        self.write(lines)
        self.assert_rejected(n + 1, "missing column 'source'")


if __name__ == "__main__":
    unittest.main()
