# The Python imports of a repository's HEAD, found by Python itself, to compare with
# `cochange deps --show imports` (edges as path<TAB>target): the files are parsed with Python's
# `ast` module, and which module a dotted name is comes from Python's own path finder
# (`importlib.machinery.PathFinder`, which knows regular and namespace packages) over the files of
# HEAD written to a temporary folder. Only two conventions are cochange's (docs/structure.md):
# where the import roots are (the first folder up with no `__init__.py` in it or above it; an
# absolute import looks in the importer's root first, then in the others), and that an import of
# a name that is no module stands for the deepest module of the dotted name that exists.
#   python3 tests/oracles/python_imports.py REPO
import ast, importlib.machinery, io, os, subprocess, sys, tarfile, tempfile

repo = sys.argv[1]
paths = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "--name-only", "-z", "HEAD"],
                       capture_output=True, check=True).stdout.decode().split("\0")
py = [p for p in paths if p.endswith((".py", ".pyi"))]
tmp = tempfile.mkdtemp()
archive = subprocess.run(["git", "-C", repo, "archive", "--format=tar", "HEAD", "--", *py],
                         capture_output=True, check=True).stdout
with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
    tar.extractall(tmp, filter="data")

def parent(p): return p.rsplit("/", 1)[0] if "/" in p else ""
def join(d, n): return f"{d}/{n}" if d else n
inits = {parent(p) for p in py if p.endswith("/__init__.py") or p == "__init__.py"}
def below_package(d):
    while d:
        if d in inits: return True
        d = parent(d)
    return False

def root_of(p):
    r = parent(p)
    while below_package(r): r = parent(r)
    return r

def module_file(root, dotted):
    """The file Python's path finder gives for the module `dotted` under `root`, or None (no
    such module, or a namespace package, which has no file)."""
    locations = [os.path.join(tmp, root) if root else tmp]
    spec = None
    for i in range(len(dotted)):
        if not dotted[i] or not locations: return None
        # The last name alone: a dotted one makes the finder look for the parent in sys.modules.
        spec = importlib.machinery.PathFinder.find_spec(dotted[i], locations)
        if spec is None: return None
        locations = list(spec.submodule_search_locations or [])
    if spec is None or spec.origin in (None, "namespace"): return None
    return os.path.relpath(spec.origin, tmp).replace(os.sep, "/")

roots = sorted({root_of(p) for p in py})
edges = set()
for p in py:
    try: tree = ast.parse(open(os.path.join(tmp, p), "rb").read())
    except (SyntaxError, ValueError): continue
    root = root_of(p)
    within = p[len(root) + 1:] if root else p
    stem = within.rsplit(".", 1)[0].split("/")
    package = stem[:-1]
    for n in ast.walk(tree):
        if isinstance(n, ast.Import):
            requests = [(0, a.name.split("."), []) for a in n.names]
        elif isinstance(n, ast.ImportFrom):
            requests = [(n.level, n.module.split(".") if n.module else [], [a.name for a in n.names])]
        else:
            continue
        for level, module, names in requests:
            if level == 0:
                base, search = module, [root] + [r for r in roots if r != root]
            else:
                up = level - 1
                if up > len(package): continue
                base, search = package[:len(package) - up] + module, [root]
            found = []
            for r in search:
                found = [f for f in (module_file(r, base + [name]) for name in names if name != "*") if f]
                if found: break
                for k in range(len(base), 0, -1):
                    f = module_file(r, base[:k])
                    if f: found = [f]; break
                if found: break
            for target in found:
                if target != p: edges.add((p, target))
for e in sorted(edges): print(f"{e[0]}\t{e[1]}")
