# Compares the component graph of `cochange deps --show edges` between a Cargo workspace's members
# with the dependencies between them that `cargo metadata --no-deps` declares (normal, dev, build).
#   python3 tests/oracles/cargo_deps.py WORK_TREE [COCHANGE_BINARY]
import csv, io, json, subprocess, sys
root = sys.argv[1]
binary = sys.argv[2] if len(sys.argv) > 2 else "cochange"
meta = json.loads(subprocess.run(["cargo", "metadata", "--offline", "--no-deps", "--format-version", "1"],
                                 cwd=root, capture_output=True, text=True, check=True).stdout)
members = {p["name"] for p in meta["packages"]}
cargo = {(p["name"], d["name"]) for p in meta["packages"] for d in p["dependencies"]
         if d["name"] in members and d["name"] != p["name"]}
out = subprocess.run([binary, "deps", "--show", "edges", "--format", "csv", "-q"],
                     cwd=root, capture_output=True, text=True, check=True).stdout
ours = {(r["from"], r["to"]) for r in csv.DictReader(io.StringIO(out))
        if r["from"] in members and r["to"] in members}
print(f"{len(members)} members; cargo declares {len(cargo)} dependencies between them, "
      f"the imports give {len(ours)}; {len(cargo & ours)} in both")
for a, b in sorted(cargo - ours): print(f"declared, not imported: {a} -> {b}")
for a, b in sorted(ours - cargo): print(f"imported, not declared: {a} -> {b}")
