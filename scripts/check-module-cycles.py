#!/usr/bin/env python3
"""Fails when source files of a crate depend on each other in a cycle.

Dependencies must point one way (docs/architecture.md): a module never uses a module that uses
it back, directly or through others. This reads every `.rs` file under each crate's `src/`,
resolves the paths it names (`use` trees and inline `crate::`/`super::`/child-module paths, with
comments and string literals removed) to the file that defines them, and reports every strongly
connected group of files. A parent's `mod child;` declaration is not a dependency; a parent
that calls into its child is, so a child that reaches back into its parent closes a cycle.

Usage: scripts/check-module-cycles.py [CRATE_DIR ...]   (default: every workspace crate)
"""
import os
import re
import sys

CRATES = ["shopify", "api-types", "engine", "sim", "cli", "dashboard", "bench/xeno-bench"]

COMMENT_OR_STRING = re.compile(
    r'//[^\n]*|/\*.*?\*/|r#*"(?:.|\n)*?"#*|b?"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])\'',
    re.S,
)
USE_STMT = re.compile(r"\buse\s+([^;]+);")
MOD_DECL = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", re.M)
PATH = re.compile(r"\b((?:crate|super|self|[a-z_][a-z0-9_]*)(?:::[A-Za-z_][A-Za-z0-9_]*)+)")


def strip(src):
    # Keep lifetimes ('a) intact: only char literals of one (escaped) char are removed.
    return COMMENT_OR_STRING.sub(" ", src)


def expand_use(tree):
    """`a::{b, c::{d as e, self}}` -> [a::b, a::c::d, a::c]."""
    tree = re.sub(r"\s+as\s+\w+", "", tree)
    tree = re.sub(r"\s+", "", tree)
    out = []

    def walk(prefix, t):
        if "{" not in t:
            out.append(re.sub(r"::(self|\*)$", "", prefix + t))
            return
        i = t.index("{")
        head, body = t[:i], t[i + 1 : t.rindex("}")]
        depth, start, parts = 0, 0, []
        for j, ch in enumerate(body):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                parts.append(body[start:j])
                start = j + 1
        parts.append(body[start:])
        for p in parts:
            if p:
                walk(prefix + head, p)

    walk("", tree)
    return out


class Crate:
    def __init__(self, root):
        self.root = root
        self.src = os.path.join(root, "src")
        self.files = {}  # module path tuple -> file
        for dirpath, _, names in os.walk(self.src):
            for n in names:
                if n.endswith(".rs"):
                    f = os.path.join(dirpath, n)
                    self.files[self.module_of(f)] = f

    def module_of(self, f):
        rel = os.path.relpath(f, self.src)[:-3].split(os.sep)
        if rel[-1] == "mod" or (len(rel) == 1 and rel[0] in ("lib", "main")):
            rel = rel[:-1]
        return tuple(rel)

    def resolve(self, path):
        """Deepest prefix of `path` (a module path tuple) that is a file."""
        for k in range(len(path), -1, -1):
            if path[:k] in self.files:
                return path[:k]
        return None


def inline_modules(text):
    """(start, end) offsets of every inline `mod name { .. }` block."""
    spans = []
    for m in re.finditer(r"\bmod\s+\w+\s*\{", text):
        depth, i = 0, m.end() - 1
        while i < len(text):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        spans.append((m.start(), i))
    return spans


def edges(crate, mod, file):
    text = strip(open(file, encoding="utf-8").read())
    children = set(MOD_DECL.findall(text))
    # A binary's main.rs and a library's lib.rs share the root path; treat the file as its own.
    inline = inline_modules(text)
    raw = []
    for m in USE_STMT.finditer(text):
        raw.extend((m.start(), p) for p in expand_use(m.group(1)))
    raw.extend((m.start(), m.group(1)) for m in PATH.finditer(text))
    out = set()
    for pos, p in raw:
        segs = [s for s in p.split("::") if s]
        if not segs:
            continue
        # Inside an inline `mod tests { .. }`, the first `super` is this file itself.
        depth = sum(1 for a, b in inline if a <= pos < b)
        while depth and segs and segs[0] == "super":
            segs, depth = segs[1:], depth - 1
        if not segs:
            continue
        if segs[0] == "crate":
            target = tuple(segs[1:])
        elif segs[0] in ("super", "self"):
            base = list(mod)
            # A non-mod.rs file's `self` is itself; `super` is its parent.
            while segs and segs[0] in ("super", "self"):
                if segs[0] == "super":
                    base = base[:-1]
                segs = segs[1:]
            target = tuple(base) + tuple(segs)
        elif segs[0] in children:
            target = mod + tuple(segs)
        else:
            continue
        dest = crate.resolve(target)
        if dest is not None and dest != mod:
            out.add(dest)
    return out


def sccs(graph):
    index, low, stack, on, result, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                result.append(group)

    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index:
            visit(v)
    return result


def main():
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dirs = sys.argv[1:] or [os.path.join(top, c) for c in CRATES]
    bad = 0
    for d in dirs:
        if not os.path.isdir(os.path.join(d, "src")):
            continue
        crate = Crate(d)
        graph = {}
        for mod, f in crate.files.items():
            if f.endswith("main.rs") and (mod == ()) and os.path.exists(os.path.join(crate.src, "lib.rs")):
                continue  # main.rs uses the library by its crate name, not `crate::`
            graph[mod] = edges(crate, mod, f)
        for group in sccs(graph):
            bad += 1
            names = sorted(os.path.relpath(crate.files[m], top) for m in group)
            print(f"cycle in {os.path.relpath(d, top)}: " + " <-> ".join(names))
            for m in sorted(group):
                for t in sorted(graph[m] & set(group)):
                    print(f"    {os.path.relpath(crate.files[m], top)} -> {os.path.relpath(crate.files[t], top)}")
    if bad:
        print(f"{bad} import cycle(s): dependencies must point one way (docs/architecture.md)")
        return 1
    print("module graph: no import cycles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
