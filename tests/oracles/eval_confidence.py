#!/usr/bin/env python3
"""The `eval` protocol of docs/metrics.md for the `confidence` ranker, by brute force over
`git log`, written apart from cochange's code to check its numbers.

Usage: eval_confidence.py REPO [TEST_SHARE]. Prints `queries hit_1 hit_3 recall_10 mrr` with six
decimals, as `cochange eval --format csv` does for the same repository with
`--no-default-excludes`.
"""
import subprocess
import sys

repo = sys.argv[1]
test_share = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1

log = subprocess.run(
    ["git", "-C", repo, "log", "--no-merges", "--no-renames", "--name-only", "-z",
     "--format=%x00commit %H %ct"],
    check=True, capture_output=True).stdout.decode("utf-8", "surrogateescape")

# Each commit: its id, committer time and the distinct paths it changed.
commits = []
for field in log.split("\0"):
    field = field.strip("\n")
    if field.startswith("commit "):
        _, commit_id, time = field.split(" ")
        commits.append((int(time), commit_id, set()))
    elif field and commits:
        commits[-1][2].add(field)

sets = sorted((c for c in commits if 2 <= len(c[2]) <= 30), key=lambda c: (c[0], c[1]))
tested = int(len(sets) * test_share)  # the newest floor(n x share)
train = len(sets) - tested
history = [c[2] for c in sets[:train]]

queries = hit1 = hit3 = 0
recall10 = mrr = 0.0
for _, _, files in sets[train:]:
    for q in sorted(files):
        with_q = [s for s in history if q in s]
        if not with_q:
            continue
        shared = {}
        for s in with_q:
            for other in s:
                if other != q:
                    shared[other] = shared.get(other, 0) + 1
        # confidence = shared / change sets of q, highest first, then by path
        ranked = sorted(shared, key=lambda f: (-shared[f] / len(with_q), f))
        hidden = files - {q}
        queries += 1
        hit1 += any(f in hidden for f in ranked[:1])
        hit3 += any(f in hidden for f in ranked[:3])
        recall10 += sum(f in hidden for f in ranked[:10]) / len(hidden)
        first = next((i for i, f in enumerate(ranked) if f in hidden), None)
        if first is not None:
            mrr += 1 / (first + 1)
    history.append(files)

print(queries, *(f"{x / queries:.6f}" for x in (hit1, hit3, recall10, mrr)))
