#!/usr/bin/env python3
"""Restores the corpus files that may not be redistributed from their public source.

    python3 datasets/real/restore.py            # fetch what is missing, check sha256
    python3 datasets/real/restore.py --dry-run  # list what would be fetched
    python3 datasets/real/restore.py --mirror DIR  # read local git mirrors first

Each `manifest.jsonl` line with `"redistributable": false` names its GitHub
repository, the commit and the path; the file is downloaded from
raw.githubusercontent.com at that commit into `<part>/restored/` (ignored by
git) and kept only when its SHA-256 equals the manifest's. With `--mirror DIR`,
a bare clone at `DIR/<owner>+<name>` (or in its `repo/`, `repo/.git`, `*.git`)
is read first with `git show <commit>:<path>`; if that commit is absent, any
version of the path in the clone's history whose SHA-256 matches is taken.
Otherwise it needs internet access to GitHub; without it, score on the
redistributable files alone (`--split test --only-redistributable` in
benches/real_invoices.sh).
"""

import glob
import hashlib
import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def git(gitdir, *args):
    r = subprocess.run(["git", "--git-dir", gitdir, *args], capture_output=True)
    return r.stdout if r.returncode == 0 else None


def from_mirror(root, m):
    """The entry's bytes from a local clone under root, or None."""
    base = os.path.join(root, m["source_repo"].replace("/", "+"))
    for d in [base, base + "/repo", base + "/repo/.git", *glob.glob(base + "/*.git")]:
        if not os.path.isfile(os.path.join(d, "HEAD")):
            continue
        data = git(d, "show", f"{m['commit']}:{m['source_path']}")
        if data is not None:
            return data
        # The snapshot may lack that commit: try the path's other versions.
        for c in (git(d, "log", "--all", "--format=%H", "--", m["source_path"]) or b"").split():
            data = git(d, "show", f"{c.decode()}:{m['source_path']}")
            if data is not None and hashlib.sha256(data).hexdigest() == m["sha256"]:
                return data
    return None


def main():
    dry = "--dry-run" in sys.argv
    mirror = None
    if "--mirror" in sys.argv:
        at = sys.argv.index("--mirror") + 1
        if at >= len(sys.argv) or not os.path.isdir(sys.argv[at]):
            sys.exit("usage: restore.py [--dry-run] [--mirror DIR]  (DIR: a folder of git mirrors)")
        mirror = sys.argv[at]
    with open(os.path.join(HERE, "manifest.jsonl"), encoding="utf-8") as f:
        manifest = [json.loads(l) for l in f if l.strip()]
    missing = [m for m in manifest if not os.path.exists(os.path.join(HERE, m["file"]))]
    failed = 0
    for m in missing:
        url = "https://raw.githubusercontent.com/{}/{}/{}".format(
            m["source_repo"], m["commit"], urllib.parse.quote(m["source_path"]))
        if dry:
            print(f"would fetch {m['file']} from {url}")
            continue
        data = from_mirror(mirror, m) if mirror else None
        try:
            if data is None:
                with urllib.request.urlopen(url, timeout=60) as r:
                    data = r.read()
        except OSError as e:
            print(f"could not fetch {m['file']} from {url}: {e}", file=sys.stderr)
            failed += 1
            continue
        if hashlib.sha256(data).hexdigest() != m["sha256"]:
            print(f"{m['file']}: the source's bytes differ from the manifest's sha256; skipped",
                  file=sys.stderr)
            failed += 1
            continue
        path = os.path.join(HERE, m["file"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".part", "wb") as f:
            f.write(data)
        os.replace(path + ".part", path)
        print(f"restored {m['file']}")
    print(f"{len(manifest) - len(missing)} present, {len(missing) - failed} restored, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
