# SPDX-License-Identifier: GPL-2.0-or-later
"""The generator refuses bad rows with file:line: reason, and accepts the real table.

Each case copies the real tables, breaks one thing, runs the generator and checks the exit
status and the message. Run by ctest (generator.rejects_bad_rows).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

GENERATOR = os.environ.get("CMSEDGE_GENERATOR",
                           os.path.join(os.path.dirname(__file__), "../../tables/gen_reference.py"))
TABLES = os.environ.get("CMSEDGE_TABLES", os.path.join(os.path.dirname(__file__), "../../tables"))


class GeneratorTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cmsedge-gen-")
        for name in ("port-reference.tsv", "scenarios.tsv", "footnotes.tsv"):
            shutil.copy(os.path.join(TABLES, name), self.dir)
        self.rows = os.path.join(self.dir, "port-reference.tsv")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def run_generator(self, expect_rows=53):
        cmd = [sys.executable, GENERATOR, "--rows", self.rows,
               "--scenarios", os.path.join(self.dir, "scenarios.tsv"),
               "--footnotes", os.path.join(self.dir, "footnotes.tsv"),
               "--out-c", os.path.join(self.dir, "out.c"),
               "--out-h", os.path.join(self.dir, "out.h")]
        if expect_rows is not None:
            cmd += ["--expect-rows", str(expect_rows)]
        return subprocess.run(cmd, capture_output=True, text=True)

    def edit_row(self, row_id, column, value):
        """Set one cell of the row with this id; returns the row's line number."""
        with open(self.rows, encoding="utf-8") as f:
            lines = f.read().split("\n")
        header = next(l for l in lines if l and not l.startswith("#")).split("\t")
        for n, line in enumerate(lines):
            cells = line.split("\t")
            if cells[0] == row_id:
                if column is None:
                    cells = cells[:-1]  # drop the last column
                else:
                    cells[header.index(column)] = value
                lines[n] = "\t".join(cells)
                with open(self.rows, "w", encoding="utf-8") as f:
                    f.write("\n".join(lines))
                return n + 1
        raise AssertionError(f"no row {row_id}")

    def assert_rejected(self, line, reason):
        result = self.run_generator()
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertRegex(result.stderr.strip(),
                         "^" + re.escape(f"{self.rows}:{line}: ") + reason)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "out.c")))

    def test_real_table_is_accepted(self):
        result = self.run_generator()
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(os.path.join(self.dir, "out.h")) as f:
            self.assertIn("#define CMSEDGE_ROW_COUNT 53", f.read())

    def test_unknown_role(self):
        line = self.edit_row("T2-06", "dst", "expresway-e")
        self.assert_rejected(line, "unknown role 'expresway-e'")

    def test_inverted_range(self):
        line = self.edit_row("T1-04", "src_ports", "35999-30000")
        self.assert_rejected(line, "inverted range '35999-30000'")

    def test_unknown_footnote(self):
        line = self.edit_row("T1-01", "dst_ports", "443^7")
        self.assert_rejected(line, "unknown footnote 7")

    def test_unknown_row_footnote(self):
        line = self.edit_row("T1-13", "footnotes", "9")
        self.assert_rejected(line, "unknown footnote '9'")

    def test_missing_column(self):
        line = self.edit_row("T3-02", None, None)
        self.assert_rejected(line, "missing column 'evidence'")

    def test_unknown_evidence(self):
        line = self.edit_row("T1-04", "evidence", "strong")
        self.assert_rejected(line, "unknown evidence 'strong'")

    def test_empty_cell(self):
        line = self.edit_row("T3-02", "purpose", "")
        self.assert_rejected(line, "empty column 'purpose'")

    def test_duplicate_id(self):
        line = self.edit_row("T1-02", "id", "T1-01")
        self.assert_rejected(line, "duplicate row id 'T1-01'")

    def test_footnote_glued_to_purpose(self):
        line = self.edit_row("T1-11", "purpose", "TURN relays 5")
        self.assert_rejected(line, "purpose ends in a number")

    def test_bad_port(self):
        line = self.edit_row("T1-04", "dst_ports", "70000")
        self.assert_rejected(line, "'70000' is not a port number")

    def test_odd_range_marked_even(self):
        line = self.edit_row("T2-06", "dst_ports", "[large] 36001-36011/even")
        self.assert_rejected(line, "range 36001-36011 does not start and end on even ports")

    def test_conflicting_default(self):
        line = self.edit_row("T2-13", "src_ports", "relay(24000-30000)")
        self.assert_rejected(line, r"default 24000-30000 disagrees with 24000-29999 on line \d+")

    def test_unknown_transport(self):
        line = self.edit_row("T2-02", "transport", "sctp")
        self.assert_rejected(line, "unknown transport 'sctp'")

    def test_bad_version_condition(self):
        line = self.edit_row("T1-11", "versions", "before 12")
        self.assert_rejected(line, "bad version condition 'before 12'")

    def test_row_count_floor(self):
        result = self.run_generator(expect_rows=54)
        self.assertEqual(result.returncode, 1)
        self.assertIn("53 rows, the reference has 54", result.stderr)


if __name__ == "__main__":
    unittest.main()
