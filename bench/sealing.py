"""Cold `kehu check` with 10 % of the customers sealed, against the same records unsealed.

    python bench/sealing.py [--customers 20000] [--out bench/out] [--rounds 3]

Builds (once) the demo repository at company size, then two repositories that differ only
in sealing: every tenth customer is made 机密 in both; in one, `kehu seal` seals its fields
(staff and CI get real age keys, policy `sealing.ci_recipient`). Times a cold process of
`kehu check --no-cache` on each: unsealed; sealed without a key (partial sight); sealed
with the CI key (every value opened). Figures go to stdout as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import ensure_repository  # noqa: E402 -- bench/run.py, the generator's front door

SHARE = 10  # every tenth customer


def replace_file(path: Path, text: str) -> None:
    """Write by rename: the copies share unchanged files as hard links."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def make_copy(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    subprocess.run(["cp", "-al", str(source / "records"), str(target / "records")], check=True)
    shutil.copy(source / "kehu.yaml", target / "kehu.yaml")


def confidential_every_tenth(root: Path) -> int:
    changed = 0
    for index, path in enumerate(sorted((root / "records" / "customers").rglob("*.yaml"))):
        if index % SHARE:
            continue
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^confidentiality:.*\n", "", text)
        replace_file(path, text.rstrip("\n") + "\nconfidentiality: 机密\n")
        changed += 1
    return changed


def give_keys(root: Path, keys: Path) -> None:
    from pyrage import x25519

    keys.mkdir(exist_ok=True)
    ci = x25519.Identity.generate()
    (keys / "ci.txt").write_text(f"{ci}\n", encoding="utf-8")
    for path in sorted((root / "records" / "staff").glob("*.yaml")):
        identity = x25519.Identity.generate()
        (keys / f"{path.stem}.txt").write_text(f"{identity}\n", encoding="utf-8")
        text = path.read_text(encoding="utf-8")
        replace_file(path, text.rstrip("\n") + f"\nage_recipient: {identity.to_public()}\n")
    policy = root / "records" / "policy.yaml"
    text = policy.read_text(encoding="utf-8") if policy.exists() else ""
    replace_file(policy, text.rstrip("\n") + f"\nsealing:\n  ci_recipient: {ci.to_public()}\n")


def kehu(root: Path, *args: str, identity: Path | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its workers): on a shared machine the
    wall time swings with the other load, the CPU time much less."""
    env = {key: value for key, value in os.environ.items() if key != "KEHU_AGE_IDENTITY"}
    if identity is not None:
        env["KEHU_AGE_IDENTITY"] = str(identity)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "kehu", *args, "--repo", str(root), "--today", "2026-11-20"],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode not in (0, 1):
        raise SystemExit(f"kehu {' '.join(args)} failed: {run.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="time the copies an earlier run made and sealed")
    options = parser.parse_args()
    source = options.out / f"N{options.customers}"
    ensure_repository(source, options.customers)
    plain, sealed = options.out / f"N{options.customers}-plain", options.out / f"N{options.customers}-sealed"
    keys = options.out / f"N{options.customers}-keys"
    made, seconds = options.customers // SHARE, float("nan")
    if not (options.reuse and (keys / "ci.txt").exists()):
        for target in (plain, sealed):
            make_copy(source, target)
            made = confidential_every_tenth(target)
        give_keys(sealed, keys)
        seconds, _ = kehu(sealed, "seal", identity=keys / "ci.txt")
    values = sum(text.count("age:v1:") for text in
                 (p.read_text(encoding="utf-8", errors="replace") for p in (sealed / "records" / "customers").rglob("*.yaml")))
    print(f"{made} of {options.customers} customers made 机密; kehu seal sealed {values} values in {seconds:.1f} s",
          file=sys.stderr)
    runs = {
        "unsealed (10 % 机密 in the clear)": (plain, None),
        "sealed, no key (partial sight)": (sealed, None),
        "sealed, CI key (every value opened)": (sealed, keys / "ci.txt"),
    }
    times = {label: [] for label in runs}
    for _ in range(options.rounds):  # interleaved, so a busy moment on the machine hits each
        for label, (root, identity) in runs.items():
            times[label].append(kehu(root, "check", "--no-cache", identity=identity))
    base_wall = min(w for w, _ in times["unsealed (10 % 机密 in the clear)"])
    base_cpu = min(c for _, c in times["unsealed (10 % 机密 in the clear)"])
    print("| `kehu check --no-cache`, cold process | wall, best (s) | wall, runs (s) | CPU, best (s) | CPU, runs (s) "
          "| vs. unsealed (wall / CPU) |")
    print("|---|---|---|---|---|---|")
    for label, seen in times.items():
        walls, cpus = [w for w, _ in seen], [c for _, c in seen]
        print(f"| {label} | {min(walls):.1f} | {', '.join(f'{t:.1f}' for t in walls)} | {min(cpus):.1f} | "
              f"{', '.join(f'{t:.1f}' for t in cpus)} | {min(walls) / base_wall:.2f}× / {min(cpus) / base_cpu:.2f}× |")
    print(f"\n{values} sealed values in {made} customers; `kehu seal` over all of them: {seconds:.1f} s")


if __name__ == "__main__":
    main()
