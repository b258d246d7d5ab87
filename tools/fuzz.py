"""Fuzz the whole API as every role and print the table of docs/security.md.

Runs ``tests/api/test_schemathesis.py`` with more examples per operation than the
test suite uses (schemathesis strategies from /openapi.json, driven by Hypothesis;
anonymous, analyst, manager and admin in turn, each on every operation) and
prints, per role, the requests made, the answers by status, the server errors and
the successes the access rules should have refused.

    python tools/fuzz.py [EXAMPLES]        # default 25 per operation and role
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(examples: int) -> int:
    with tempfile.TemporaryDirectory(prefix="clusteratlas-fuzz-") as tmp:
        report = Path(tmp) / "fuzz.json"
        env = os.environ | {"CLUSTERATLAS_FUZZ_EXAMPLES": str(examples),
                            "CLUSTERATLAS_FUZZ_REPORT": str(report)}
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "tests/api/test_schemathesis.py", "-q",
             "-p", "no:cacheprovider"], cwd=ROOT, env=env, check=False)
        took = time.perf_counter() - started
        if not report.exists():
            print("no report written: the fuzz run failed before any role finished")
            return done.returncode or 1
        roles = json.loads(report.read_text())
    print(f"\n{examples} examples per operation, {took:.0f} s\n")
    print("| role | operations | requests | 2xx | 4xx | 5xx | 2xx against the rules |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    total = errors = 0
    for role, r in roles.items():
        counts = {int(code): n for code, n in r["statuses"].items()}
        ok = sum(n for code, n in counts.items() if code < 300)
        refused = sum(n for code, n in counts.items() if 400 <= code < 500)
        print(f"| {role} | {r['operations']} | {r['requests']:,} | {ok:,} | {refused:,} | "
              f"{r['server_errors']} | {r['trespasses']} |")
        total += r["requests"]
        errors += r["server_errors"]
    print(f"\n{total:,} requests, {errors} server errors")
    for role, r in roles.items():
        print(f"{role}: " + ", ".join(f"{c}: {n}" for c, n in r["statuses"].items())
              + f" (credentials renewed {r['renewed']}×)")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 25))
