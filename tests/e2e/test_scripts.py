# SPDX-License-Identifier: GPL-2.0-or-later
"""End-to-end tests of the user's path around the plugin: scripts/annotate.sh, run-tshark.sh and
batch-annotate.sh with other copies of the plugin installed, root-only captures, bad hosts
files and broken captures, and the uninstall target.

Run by ctest (e2e.Scripts) with CMSEDGE_BUILD set to the build tree. The system copy of the
plugin is planted in a private mount namespace (unshare), over the system plugin folder, so the
real folder is never written.
"""

import gzip
import json
import os
import shutil
import subprocess
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("CMSEDGE_BUILD", os.path.join(ROOT, "build"))
SCRIPTS = os.path.join(ROOT, "scripts")


def readable_copy(tmp):
    """The scripts and the freshly built plugin, copied where the unprivileged user can read
    them (a clone under /root is not readable by it): (scripts folder, build folder)."""
    scripts = os.path.join(tmp, "project", "scripts")
    build = os.path.join(tmp, "project", "build")
    shutil.copytree(SCRIPTS, scripts)
    os.makedirs(os.path.join(build, "plugin"))
    shutil.copy(os.path.join(BUILD, "plugin", "cmsedge.so"), os.path.join(build, "plugin"))
    shutil.copy(os.path.join(BUILD, "CMakeCache.txt"), build)
    for top, dirs, files in os.walk(os.path.join(tmp, "project")):
        os.chmod(top, 0o755)
        for f in files:
            os.chmod(os.path.join(top, f), 0o755 if f.endswith((".sh", ".py")) else 0o644)
    return scripts, build


SAMPLE = os.path.join(ROOT, "samples", "edge-sample.pcap")
SAMPLE_HOSTS = os.path.join(ROOT, "samples", "edge-sample.hosts")
IS_ROOT = os.getuid() == 0
AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

import captures  # noqa: E402  (tests/e2e is on sys.path when run by ctest)
import test_tshark  # noqa: E402
import tsharkrun  # noqa: E402

SAMPLE_FRAMES = len(captures.sample().frames)


def ws_version():
    with open(os.path.join(BUILD, "CMakeCache.txt"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("CMSEDGE_WS_MAJOR_MINOR:"):
                return line.strip().split("=", 1)[1]
    raise AssertionError("CMSEDGE_WS_MAJOR_MINOR missing from the build tree's cache")


def system_plugin_dir():
    out = subprocess.run(["tshark", "-G", "folders"], capture_output=True, text=True,
                         env={k: v for k, v in os.environ.items() if k != "WIRESHARK_PLUGIN_DIR"})
    for line in out.stdout.splitlines():
        if line.startswith("Global Plugins:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError("tshark -G folders names no global plugin folder")


def script(name, *args, **kw):
    """A script run as root from the source tree."""
    kw.setdefault("timeout", 600)
    return subprocess.run([os.path.join(SCRIPTS, name), *args], capture_output=True, text=True,
                          env=dict(os.environ, CMSEDGE_BUILD=BUILD), **kw)


class ScriptsCase(test_tshark.TsharkCase):
    """The test captures and hosts file of the tshark tests, and a hosts file tshark refuses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scripts, cls.build = readable_copy(cls.tmp)
        cls.bad_hosts = os.path.join(cls.tmp, "bad_hosts")
        with open(cls.bad_hosts, "w") as f:
            f.write('"10.0.0.300","expressway-c",""\n')
        os.chmod(cls.bad_hosts, 0o644)

    def mkdir(self, name, mode=0o755):
        path = os.path.join(self.tmp, name)
        os.makedirs(path)
        os.chmod(path, mode)
        return path


@unittest.skipIf(tsharkrun.mount_namespaces(), tsharkrun.mount_namespaces())
class Coexistence(ScriptsCase):
    """A system copy (Debian package or cmake --install) and a personal copy (install-user)
    of the plugin: the scripts still run the plugin of the build tree, and only it."""

    def setUp(self):
        self.system = system_plugin_dir()
        planted = self.mkdir(f"planted-{self._testMethodName}")
        for f in os.listdir(os.path.join(self.system, "epan")):
            shutil.copy(os.path.join(self.system, "epan", f), planted)
        shutil.copy(os.path.join(BUILD, "plugin", "cmsedge.so"), planted)
        os.chmod(planted, 0o755)
        # a personal copy in the HOME of an unprivileged user
        self.home = self.mkdir(f"home-{self._testMethodName}")
        personal = os.path.join(self.home, ".local/lib/wireshark/plugins", ws_version(), "epan")
        os.makedirs(personal)
        shutil.copy(os.path.join(BUILD, "plugin", "cmsedge.so"), personal)
        subprocess.run(["chown", "-R", "65534:65534", self.home], check=True)
        # the planted system copy is seen only by processes in this private mount namespace
        self.ns = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                   'mount --bind "$0" "$1" && shift && exec "$@"', planted,
                   os.path.join(self.system, "epan")]

    def in_ns(self, *cmd, user=False, **kw):
        prefix = self.ns + (AS_NOBODY + ["env", f"HOME={self.home}"] if user else [])
        return subprocess.run(prefix + list(cmd), capture_output=True, text=True, timeout=600,
                              env=dict(os.environ, CMSEDGE_BUILD=self.build,
                                       **tsharkrun.sanitizer_env()), **kw)

    def loaded(self, listing):
        return [l.split("\t")[-1] for l in listing.splitlines() if l.startswith("cmsedge.so")]

    def test_the_planted_copies_do_collide_for_plain_tshark(self):
        proc = self.in_ns("tshark", "-G", "plugins", user=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr,
                         "tshark: The plugin 'cmsedge.so' was found in multiple directories\n")
        self.assertEqual(self.loaded(proc.stdout),
                         [os.path.join(self.system, "epan", "cmsedge.so")])

    def check_fresh_plugin_alone(self, user):
        proc = self.in_ns(os.path.join(self.scripts, "run-tshark.sh"), "--build", self.build, "--",
                          "-G", "plugins", user=user)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        paths = self.loaded(proc.stdout)
        self.assertEqual(len(paths), 1, proc.stdout)
        self.assertRegex(paths[0], r"/cmsedge-home\.[^/]+/plugins/" + ws_version().replace(".", r"\.")
                         + r"/epan/cmsedge\.so$")
        # the other system plugins are still there, through the private folder
        self.assertIn("mate.so", proc.stdout)
        self.assertNotIn(os.path.join(self.system, "epan"), proc.stdout)
        proc = self.in_ns(os.path.join(self.scripts, "run-tshark.sh"), "--build", self.build, "--no-plugin",
                          "--", "-G", "plugins", user=user)
        self.assertEqual((proc.returncode, proc.stderr, self.loaded(proc.stdout)), (0, "", []))

    def test_run_tshark_as_root_loads_the_fresh_plugin_alone(self):
        self.check_fresh_plugin_alone(user=False)

    def test_run_tshark_as_a_user_with_a_personal_copy_loads_the_fresh_plugin_alone(self):
        self.check_fresh_plugin_alone(user=True)

    def test_annotate_and_batch_run_the_fresh_plugin(self):
        proc = self.in_ns(os.path.join(self.scripts, "annotate.sh"), SAMPLE, "--hosts", SAMPLE_HOSTS)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        lines = proc.stdout.splitlines()
        self.assertEqual(len(lines), 1 + SAMPLE_FRAMES)
        self.assertRegex(lines[112], r"^  112  192\.0\.2\.30:40000 -> 203\.0\.113\.10:23000 .* OFF-SPEC: "
                         r"TURN relays \(T1-13\)")
        out = os.path.join(self.tmp, "coexist-batch")
        proc = self.in_ns(os.path.join(self.scripts, "batch-annotate.sh"), "-o", out, "--hosts",
                          self.hosts, self.caps["documented"], self.caps["flowchecks"])
        self.assertEqual((proc.returncode, proc.stderr), (0, ""), proc.stdout)
        self.assertIn("merged: 2 capture(s): 2 done; 131 frames read, 131 annotated, ",
                      proc.stdout)

    def test_a_personal_copy_in_the_given_home_is_refused(self):
        proc = script("run-tshark.sh", "--build", self.build, "--home", self.home, "--", "-v")
        personal = os.path.join(self.home, ".local/lib/wireshark/plugins", ws_version(), "epan")
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr,
                         f"run-tshark.sh: {personal}/cmsedge.so is a personal copy of the plugin in "
                         "the HOME given with --home; tshark would find cmsedge.so twice: remove it "
                         "or give another --home\n")


class Annotate(ScriptsCase):
    def test_a_home_that_does_not_exist_yet_is_made(self):
        # scripts/fuzz.sh passes --home before the folder exists
        home = os.path.join(self.tmp, "not-yet", "home")
        proc = script("run-tshark.sh", "--build", self.build, "--home", home, "--", "-v")
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertTrue(os.path.isfile(os.path.join(home, "plugins", ws_version(), "epan",
                                                    "cmsedge.so")))

    @unittest.skipUnless(IS_ROOT, "needs root")
    def test_root_reads_a_capture_only_root_can_read(self):
        private = self.mkdir("root-only", 0o700)
        capture = os.path.join(private, "edge-sample.pcap")
        shutil.copy(SAMPLE, capture)
        os.chmod(capture, 0o600)
        hosts = os.path.join(private, "hosts")
        shutil.copy(SAMPLE_HOSTS, hosts)
        os.chmod(hosts, 0o600)
        proc = script("annotate.sh", capture, "--hosts", hosts)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        plain = script("annotate.sh", SAMPLE, "--hosts", SAMPLE_HOSTS)
        self.assertEqual(proc.stdout, plain.stdout)
        self.assertEqual(len(proc.stdout.splitlines()), 1 + SAMPLE_FRAMES)
        # two passes need a file, not a pipe: a private copy, and the same table as two passes
        # over the readable sample
        proc = script("annotate.sh", capture, "--hosts", hosts, "-2")
        plain = script("annotate.sh", SAMPLE, "--hosts", SAMPLE_HOSTS, "-2")
        self.assertEqual((proc.returncode, proc.stderr, proc.stdout), (0, "", plain.stdout))
        # tshark's complaint names the capture, not its standard input
        cut = os.path.join(private, "cut.pcap")
        with open(SAMPLE, "rb") as src, open(cut, "wb") as dst:
            dst.write(src.read(5000))
        os.chmod(cut, 0o600)
        proc = script("annotate.sh", cut)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr, f'tshark: The file "{cut}" appears to have been cut short '
                                      "in the middle of a packet.\n")

    def test_missing_hosts_file_is_one_error(self):
        missing = os.path.join(self.tmp, "MISSING")
        proc = script("annotate.sh", SAMPLE, "--hosts", missing)
        self.assertEqual((proc.returncode, proc.stdout), (2, ""))
        self.assertEqual(proc.stderr, f"annotate.sh: hosts file '{missing}': No such file or directory\n")

    def test_refused_hosts_file_is_an_error(self):
        proc = script("annotate.sh", SAMPLE, "--hosts", self.bad_hosts)
        self.assertEqual((proc.returncode, proc.stdout), (1, ""))
        lines = proc.stderr.splitlines()
        self.assertEqual(lines[0], f"annotate.sh: hosts file '{self.bad_hosts}' refused (fix it, "
                                   "or leave --hosts out to infer roles):")
        self.assertIn(f"  {self.bad_hosts}:1: '10.0.0.300': not an IPv4 or IPv6 address; this row "
                      "is refused", lines)

    def test_missing_capture_is_one_error(self):
        missing = os.path.join(self.tmp, "nope.pcap")
        proc = script("annotate.sh", missing)
        self.assertEqual((proc.returncode, proc.stdout), (2, ""))
        self.assertEqual(proc.stderr, f"annotate.sh: capture '{missing}': No such file or directory\n")


class Batch(ScriptsCase):
    maxDiff = None
    def test_mixed_batch_reports_each_capture_as_what_it_is(self):
        folder = self.mkdir("mixed-in")
        for name in ("documented", "flowchecks"):
            shutil.copy(self.caps[name], folder)
        with open(self.caps["inference"], "rb") as src, \
                gzip.open(os.path.join(folder, "inference.pcap.gz"), "wb") as dst:
            dst.write(src.read())
        with open(self.caps["documented"], "rb") as src, \
                open(os.path.join(folder, "cut-short.pcap"), "wb") as dst:
            dst.write(src.read(5000))
        open(os.path.join(folder, "empty.pcapng"), "wb").close()
        secret = os.path.join(folder, "secret.pcap")
        shutil.copy(self.caps["flowchecks"], secret)
        for f in os.listdir(folder):
            os.chmod(os.path.join(folder, f), 0o644)
        os.chmod(secret, 0o000)  # unreadable for the unprivileged user who runs the batch
        missing = os.path.join(self.tmp, "gone.pcap")
        out = self.mkdir("mixed-out", 0o777)
        cmd = [os.path.join(self.scripts, "batch-annotate.sh"), "-o", out, "-j", "2", "--hosts",
               self.hosts, "--build", self.build, folder, missing]
        if IS_ROOT:
            cmd = AS_NOBODY + ["env", f"HOME={out}"] + cmd
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        self.assertEqual((proc.returncode, proc.stderr), (1, ""), proc.stdout)
        lines = proc.stdout.splitlines()
        self.assertEqual(lines[0], f"batch-annotate: 7 capture(s), 2 at a time, into {out}")
        progress = sorted(l.split("] ", 1)[1] for l in lines if l.startswith("["))
        cut = os.path.join(folder, "cut-short.pcap")
        self.assertEqual(progress, sorted([
            f"done        {folder}/documented.pcap: 111 frames read, 111 annotated, 0 off-spec",
            f"done        {folder}/flowchecks.pcap: 20 frames read, 20 annotated, 6 off-spec",
            f"done        {folder}/inference.pcap.gz: 49 frames read, 49 annotated, 2 off-spec",
            f"truncated   {cut}: 41 frames read before the capture was cut short (tshark: The "
            f'file "{cut}" appears to have been cut short in the middle of a packet.)',
            f"empty       {folder}/empty.pcapng: no frames in the capture",
            f"unreadable  {secret}: Permission denied",
            f"missing     {missing}: No such file or directory",
        ]))
        self.assertIn("merged: 7 capture(s): 3 done, 1 truncated, 1 empty, 1 missing, "
                      "1 unreadable; 221 frames read, 221 annotated, ", proc.stdout)
        self.assertIn(f"incomplete: unreadable {secret}: Permission denied\n", proc.stdout)
        self.assertIn(f"incomplete: missing {missing}: No such file or directory\n", proc.stdout)
        with open(os.path.join(out, "merged-audit.json")) as f:
            merged = json.load(f)
        status = {os.path.basename(c["capture"]): (c["status"], c["complete"], c["audit"],
                                                   c["frames_read"]) for c in merged["captures"]}
        self.assertEqual(status, {
            "documented.pcap": ("done", True, True, 111),
            "flowchecks.pcap": ("done", True, True, 20),
            "inference.pcap.gz": ("done", True, True, 49),
            "cut-short.pcap": ("truncated", False, True, 41),
            "empty.pcapng": ("empty", False, True, 0),
            "secret.pcap": ("unreadable", False, False, 0),
            "gone.pcap": ("missing", False, False, 0),
        })
        # what was read is merged: the checks of flowchecks, the flows of the cut-short part
        self.assertTrue(any(c["capture"] == cut for c in merged["offspec"] + merged["checks"])
                        or any(r["flows"] for r in merged["rows"]))
        flowchecks = [c for c in merged["checks"] if c["capture"].endswith("/flowchecks.pcap")]
        self.assertEqual(len(flowchecks), 9)

    def test_bad_hosts_file_stops_the_batch_before_any_capture(self):
        out = os.path.join(self.tmp, "bad-hosts-out")
        proc = script("batch-annotate.sh", "-o", out, "--hosts", self.bad_hosts, "--build", self.build,
                      self.caps["documented"])
        self.assertEqual((proc.returncode, proc.stdout), (2, ""))
        lines = proc.stderr.splitlines()
        self.assertEqual(lines[0], f"batch-annotate.sh: hosts file '{self.bad_hosts}' refused "
                                   "(fix it, or leave --hosts out to infer roles):")
        self.assertIn(f"  {self.bad_hosts}:1: '10.0.0.300': not an IPv4 or IPv6 address; this row "
                      "is refused", lines)
        self.assertEqual(lines[-1], "batch-annotate.sh: no capture was read")
        self.assertFalse(os.path.exists(out))
        missing = os.path.join(self.tmp, "no-hosts")
        proc = script("batch-annotate.sh", "-o", out, "--hosts", missing, self.caps["documented"])
        self.assertEqual((proc.returncode, proc.stdout), (2, ""))
        self.assertEqual(proc.stderr, f"batch-annotate.sh: hosts file '{missing}': No such file or "
                                      "directory\nbatch-annotate.sh: no capture was read\n")


class Uninstall(ScriptsCase):
    def test_uninstall_removes_what_cmake_install_put(self):
        prefix = os.path.join(self.tmp, "prefix")
        proc = subprocess.run(["cmake", "--install", BUILD, "--prefix", prefix],
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(os.path.join(BUILD, "install_manifest.txt")) as f:
            installed = f.read().splitlines()  # one path a line; the profile's has spaces
        plugin = os.path.join(prefix, "lib")
        self.assertTrue(any(p.endswith("/epan/cmsedge.so") and p.startswith(plugin)
                            for p in installed), installed)
        for p in installed:
            self.assertTrue(os.path.isfile(p), p)
        proc = subprocess.run(["cmake", "--build", BUILD, "--target", "uninstall"],
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for p in installed:
            self.assertFalse(os.path.exists(p), p)
            self.assertIn(f"-- cmsedge: removed {p}\n", proc.stdout)
        self.assertFalse(os.path.exists(os.path.join(prefix, "share/doc/wireshark-cmsedge")))
        # the plugin folder itself is Wireshark's and stays
        self.assertTrue(any(os.path.isdir(os.path.dirname(p)) for p in installed
                            if p.endswith("cmsedge.so")))
        proc = subprocess.run(["cmake", "--build", BUILD, "--target", "uninstall"],
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn(f"-- cmsedge: {installed[0]} was not installed\n", proc.stdout)


if __name__ == "__main__":
    unittest.main()
