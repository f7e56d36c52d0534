# The Python import rules of docs/structure.md written again over Python's own `ast` module: an
# independent parse to compare with `cochange deps --show imports` (edges as path<TAB>target),
# reading the files of HEAD from git, so bare repositories work.
#   python3 tests/oracles/python_imports.py REPO
import ast, subprocess, sys
root = sys.argv[1]
paths = subprocess.run(["git","-C",root,"ls-tree","-r","--name-only","-z","HEAD"],capture_output=True,text=True).stdout.split("\0")
paths = [p for p in paths if p]
def contents(p):
    return subprocess.run(["git","-C",root,"cat-file","blob",f"HEAD:{p}"],capture_output=True).stdout
allp = set(paths)
py = [p for p in paths if p.endswith((".py",".pyi"))]
def parent(p): return p.rsplit("/",1)[0] if "/" in p else ""
def join(d,n): return f"{d}/{n}" if d else n
def is_pkg(d): return d != "" and join(d,"__init__.py") in allp
mods = {}; of = {}
for p in py:
    r = parent(p)
    while is_pkg(r): r = parent(r)
    within = p[len(r)+1:] if r else p
    stem = within[:-4] if within.endswith(".pyi") else within[:-3]
    m = stem.split("/")
    init = m[-1] == "__init__"
    if init: m.pop()
    pkg = m if init else m[:-1]
    mods.setdefault((r,".".join(m)), p)
    of[p] = (r, pkg)
roots = sorted({r for r,_ in mods})
edges = set()
for p in py:
    try: tree = ast.parse(contents(p))
    except SyntaxError: continue
    r, pkg = of[p]
    for n in ast.walk(tree):
        if isinstance(n, ast.Import):
            reqs = [(0, a.name.split("."), []) for a in n.names]
        elif isinstance(n, ast.ImportFrom):
            reqs = [(n.level, (n.module or "").split(".") if n.module else [], [a.name for a in n.names])]
        else: continue
        for level, module, names in reqs:
            if level == 0: base = module; rs = [r] + [x for x in roots if x != r]
            else:
                up = level - 1
                if up > len(pkg): continue
                base = pkg[:len(pkg)-up] + module; rs = [r]
            found = []
            for rr in rs:
                subs = [mods[(rr, ".".join(base+[nm]))] for nm in names if nm != "*" and (rr, ".".join(base+[nm])) in mods]
                if subs: found = subs; break
                for k in range(len(base),0,-1):
                    if (rr,".".join(base[:k])) in mods: found=[mods[(rr,".".join(base[:k]))]]; break
                if found: break
            for t in found:
                if t != p: edges.add((p,t))
for e in sorted(edges): print(f"{e[0]}\t{e[1]}")
