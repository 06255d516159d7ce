# SPDX-License-Identifier: GPL-2.0-or-later
"""Running tshark with the freshly built plugin from the corpus and slice tests.

The same way test_tshark.py does: scripts/run-tshark.sh copies the plugin into a private HOME
and, when we are root (Wireshark then ignores personal plugin folders), runs tshark as nobody;
the files it reads must be readable by that user.
"""

import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("CMSEDGE_BUILD", os.path.join(ROOT, "build"))
RUN_TSHARK = os.path.join(ROOT, "scripts", "run-tshark.sh")


def sanitizer_env():
    """The variables a sanitizer build's tshark wrapper sets ("env LD_PRELOAD=... ..."), for the
    tests that start tshark or Wireshark themselves rather than through run-tshark.sh: an
    uninstrumented program that loads an ASan-built plugin must have the runtime preloaded."""
    words = os.environ.get("CMSEDGE_TSHARK_WRAPPER", "").split()
    if not words or words[0] != "env":
        return {}
    return dict(w.split("=", 1) for w in words[1:] if "=" in w)


def readable_tmpdir(prefix, parent=None):
    """A temporary folder that the user nobody, who runs tshark, can read."""
    path = tempfile.mkdtemp(prefix=prefix, dir=parent)
    os.chmod(path, 0o755)
    return path


def write_test_captures(tmp):
    """tests/e2e/captures.py's captures and hosts file in tmp, readable by the tshark user:
    ({name: path}, hosts path)."""
    import captures  # noqa: E402  (tests/e2e is on sys.path when run by ctest)
    caps = {}
    for name, build in captures.CAPTURES.items():
        caps[name] = os.path.join(tmp, name + ".pcap")
        build().write(caps[name])
        os.chmod(caps[name], 0o644)
    hosts = os.path.join(tmp, "cmsedge_hosts")
    captures.write_hosts(hosts)
    os.chmod(hosts, 0o644)
    return caps, hosts


class LabFailed(AssertionError):
    pass


def run_lab(folder):
    """The training lab's captures of real programs (tests/lab/lab.sh) in folder, readable by
    the tshark user. Returns None, or why it cannot run here (for a skip).

    Under ctest the lab runs once (the lab.captures fixture) into CMSEDGE_LAB, and each test
    takes a copy: four runs of the lab cost minutes and cannot share lo at once. Without that
    folder (a test run by hand, or a lab run that failed) the test runs the lab itself."""
    shared = os.environ.get("CMSEDGE_LAB")
    if shared and os.path.isfile(os.path.join(shared, "lab.hosts")):
        shutil.copytree(shared, folder)
        os.chmod(folder, 0o755)
        return None
    if os.geteuid() != 0:
        return "lab.sh captures on lo: run as root"
    proc = subprocess.run(["bash", os.path.join(ROOT, "tests", "lab", "lab.sh"), folder],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode == 77:
        return proc.stderr.strip()
    if proc.returncode != 0:
        raise LabFailed(f"lab.sh failed: {proc.stdout}{proc.stderr}")
    os.chmod(folder, 0o755)
    return None


def mount_namespaces():
    """None when private mount namespaces work here, else why not (e.g. in a chroot)."""
    if not (os.geteuid() == 0 and shutil.which("unshare")):
        return "needs root and unshare"
    proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"],
                          capture_output=True, text=True)
    return None if proc.returncode == 0 else f"no private mount namespace here: {proc.stderr.strip()}"


def tshark(tmp, *args, hosts=None, plugin=True, timeout=300):
    """tshark ARGS with the plugin (or the same tshark without it): CompletedProcess (text)."""
    home = readable_tmpdir("home-", tmp)
    cmd = [RUN_TSHARK, "--build", BUILD, "--home", home]
    if not plugin:
        cmd.append("--no-plugin")
    if hosts:
        cmd += ["--hosts", hosts]
    return subprocess.run(cmd + ["--", *args], capture_output=True, text=True, timeout=timeout)


def fields(tmp, capture, names, *extra, **kw):
    """One dict a frame, each field's occurrences as a list (empty when absent)."""
    args = ["-r", capture, "-T", "fields", "-E", "header=y", "-E", "occurrence=a",
            "-E", "aggregator=\x1f"]
    for n in names:
        args += ["-e", n]
    proc = tshark(tmp, *args, *extra, **kw)
    if proc.returncode != 0:
        raise AssertionError(f"tshark {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    lines = proc.stdout.rstrip("\n").split("\n")
    header = lines[0].split("\t")
    rows = []
    for line in lines[1:]:
        cells = line.split("\t")
        rows.append({h: [v for v in c.split("\x1f") if v != ""] for h, c in zip(header, cells)})
    return rows


def frame_numbers(tmp, capture, display_filter, **kw):
    """Numbers of the frames that pass a display filter."""
    proc = tshark(tmp, "-r", capture, "-Y", display_filter, "-T", "fields", "-e", "frame.number",
                  **kw)
    if proc.returncode != 0:
        raise AssertionError(f"tshark -Y {display_filter!r} failed: {proc.stderr}")
    return [int(l) for l in proc.stdout.split()]
