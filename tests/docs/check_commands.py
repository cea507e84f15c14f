#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every command in README.md and docs/*.md is run by a test (issue 26).

  check_commands.py --source-root SRC --build-root BUILD [--timeout S] [FILE...]
  check_commands.py --source-root SRC --list     (print the commands, run none)

Reads the fenced shell blocks (```sh, ```bash, ```shell) of README.md and
docs/*.md (or the FILEs given), joins lines continued with a backslash and
drops comment lines, and for each command either

  * runs it with bash, from a scratch folder of its own page (the commands
    of one page run in their order there, so a page may make the files its
    later lines read) holding links to the checkout's examples/, tests/,
    core/ and .ci/ and to the build as build/, with the build's plugin,
    library and uninstalled pkg-config file found (GST_PLUGIN_PATH,
    LD_LIBRARY_PATH, PKG_CONFIG_PATH) and a registry of its own; it fails
    on a non-zero exit or after --timeout seconds;
  * or, for a line whose source never ends (a live source with no
    num-buffers, a network source), runs it for LIVE_SECONDS and fails
    if it exits before that with a non-zero status (it is then stopped);
  * or finds it in ELSEWHERE, the short list of commands another test
    runs, each naming that test.

A command that is neither fails the test: a new command in a doc needs a
line here or has to run as it is written.  Output blocks (``` with no
language) are not commands.  Exit 0 when every command passed, 1 when one
failed, 77 (skipped) when what the commands need is missing (/usr/bin/python3
with torch, espeak-ng, gst-launch-1.0).
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

LIVE_SECONDS = 4

# Commands another test runs (normalised: one line, single spaces), and
# which test that is.
ELSEWHERE = {
    "examples/demo.sh":
        "test 'demo-sh' (tests/docs/meson.build: demo.sh itself, shortened "
        "with --seconds-per-wave 0.3 --interval 0.1); 'demo-progress' its "
        "build progress; 'demo' its demo.py",
    "tests/run.sh":
        "CI: .ci/run ends with `exec tests/run.sh` (this test is one of those it runs)",
    "python3 tests/bench/bench.py --build build":
        "benchmark 'speed' (tests/bench/meson.build; `meson test -C build "
        "--benchmark --suite bench`); test 'bench-progress' runs it --quick",
}

# Commands whose source never ends: run for LIVE_SECONDS, and which test
# runs them to the end in another form.
LIVE = {
    "gst-launch-1.0 udpsrc port=5004 "
    "caps=\"application/x-rtp,media=audio,clock-rate=16000,encoding-name=L16,channels=1\" ! "
    "rtpjitterbuffer ! rtpL16depay ! audioconvert ! audio/x-raw,format=F32LE ! "
    "rnn model=model.safetensors ! fakesink":
        "no sender: only the start (parse, link, PLAYING) is checked",
    "gst-launch-1.0 videotestsrc is-live=true ! textoverlay name=o ! autovideosink "
    "audiotestsrc is-live=true wave=pink-noise samplesperbuffer=1600 ! "
    "audio/x-raw,rate=16000,channels=1 ! audioconvert ! "
    "melspec model=examples/models/kws-gru.safetensors ! "
    "rnn model=examples/models/kws-gru.safetensors mode=n-to-1 window=100 hop=10 ! "
    "rnntext newline=false ! o.text_sink":
        "test-rnntext-overlay runs it for 120 frames into a fakesink",
}

FENCE = re.compile(r"^```\s*(\w*)\s*$")
SHELL = ("sh", "bash", "shell")


def normalise(cmd):
    """One line, single spaces, no trailing comment."""
    cmd = re.sub(r"\s+#[^\"']*$", "", cmd.strip())
    return re.sub(r"\s+", " ", cmd).strip()


def commands(path):
    """[(line number, command)] of the shell blocks of @path."""
    out, lang, cur, start = [], None, None, 0
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            m = FENCE.match(line.strip())
            if m and lang is None:
                lang = m.group(1).lower() or "-"
                continue
            if m and not m.group(1):
                lang = None
                continue
            if lang not in SHELL:
                continue
            if cur is None:
                s = line.strip()
                if not s or s.startswith("#"):
                    continue
                cur, start = "", n
            cur += line.rstrip("\\").rstrip() + " " if line.endswith("\\") else line
            if not line.endswith("\\"):
                out.append((start, cur.strip()))
                cur = None
    return out


def missing_tools():
    miss = []
    if not shutil.which("gst-launch-1.0"):
        miss.append("gst-launch-1.0 (gstreamer1.0-tools)")
    if not shutil.which("espeak-ng"):
        miss.append("espeak-ng")
    if subprocess.run(["/usr/bin/python3", "-c", "import torch"],
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
        miss.append("torch in /usr/bin/python3 (python3-torch)")
    return miss


def scratch(src, build, parent):
    d = tempfile.mkdtemp(prefix="docs-", dir=parent)
    for name in ("examples", "tests", "core", ".ci"):
        os.symlink(os.path.join(src, name), os.path.join(d, name))
    os.symlink(build, os.path.join(d, "build"))
    return d


def environment(build, workdir):
    env = dict(os.environ)
    env["GST_PLUGIN_PATH"] = os.path.join(build, "plugin")
    env.pop("GST_PLUGIN_PATH_1_0", None)
    env["GST_REGISTRY"] = os.path.join(workdir, "registry.bin")
    env.pop("GST_REGISTRY_1_0", None)
    env["PKG_CONFIG_PATH"] = os.path.join(build, "meson-uninstalled")
    lib = os.path.join(build, "core")
    env["LD_LIBRARY_PATH"] = lib + (":" + env["LD_LIBRARY_PATH"]
                                    if env.get("LD_LIBRARY_PATH") else "")
    env["PATH"] = lib + ":" + env.get("PATH", "/usr/bin:/bin")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run(cmd, cwd, env, timeout, live):
    """(ok, what happened)."""
    t0 = time.time()
    p = subprocess.Popen(["bash", "-o", "pipefail", "-c", cmd], cwd=cwd, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)
    try:
        out, _ = p.communicate(timeout=LIVE_SECONDS if live else timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGINT)
        try:
            out, _ = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, _ = p.communicate()
        if live:
            return True, "ran %d s without an error, then stopped" % LIVE_SECONDS
        return False, "still running after %d s\n%s" % (timeout, tail(out))
    dt = time.time() - t0
    if p.returncode != 0:
        return False, "exit %d after %.1f s\n%s" % (p.returncode, dt, tail(out))
    return True, "ran, exit 0 in %.1f s" % dt


def tail(out, n=15):
    lines = out.decode(errors="replace").rstrip().split("\n")
    return "\n".join("    | " + l for l in lines[-n:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--build-root")
    ap.add_argument("--timeout", type=float, default=180)
    ap.add_argument("--list", action="store_true", help="print the commands, run none")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    src = os.path.abspath(args.source_root)
    files = args.files or (["README.md"] + sorted(
        os.path.join("docs", f) for f in os.listdir(os.path.join(src, "docs"))
        if f.endswith(".md")))

    if args.list:
        for f in files:
            for n, cmd in commands(os.path.join(src, f)):
                print("%s:%d: %s" % (f, n, normalise(cmd)))
        return 0
    if not args.build_root:
        ap.error("--build-root is needed to run the commands")
    build = os.path.abspath(args.build_root)
    miss = missing_tools()
    if miss:
        print("SKIP: missing %s" % ", ".join(miss))
        return 77

    parent = tempfile.mkdtemp(prefix="check-commands-")
    failed = ran = listed = 0
    try:
        for f in files:
            cmds = commands(os.path.join(src, f))
            if not cmds:
                continue
            workdir = scratch(src, build, parent)
            env = environment(build, workdir)
            for n, cmd in cmds:
                key = normalise(cmd)
                where = "%s:%d" % (f, n)
                if key in ELSEWHERE:
                    listed += 1
                    print("ok    %s: %s\n      run elsewhere: %s" % (where, key, ELSEWHERE[key]),
                          flush=True)
                    continue
                ok, what = run(cmd, workdir, env, args.timeout, key in LIVE)
                ran += 1
                if key in LIVE:
                    what += " (%s)" % LIVE[key]
                print("%s %s: %s\n      %s" % ("ok   " if ok else "FAIL ", where, key, what),
                      flush=True)
                failed += not ok
    finally:
        shutil.rmtree(parent, ignore_errors=True)
    print("%d commands run, %d run by other tests, %d failed" % (ran, listed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
