#!/usr/bin/env python3
"""The unity build's one hazard, checked: no two sources of one target declare the same file-local name.

With VARSTYLE_UNITY (cmake/VarstyleUnity.cmake) a target's sources are compiled a few at a time as
one file, so the anonymous namespaces and `static` names of those sources meet. Two structs or two
variables of one name stop the build, but two functions of one name and different parameters
compile: a call in one file may then pick the other file's overload and silently change what the
program does. So every file-local name may be declared in one source of a target only (a type
alias written identically in two files is allowed: it names the same type).

Usage: unity_names_test.py MANIFEST   (lines "target<TAB>source", written when CMake configures;
                                      the self-test runs first)
       unity_names_test.py --self-test
"""
import collections
import os
import re
import sys
import tempfile

TOKEN = re.compile(r"[A-Za-z_]\w*|::|->|\d[\w.']*|\S")
TYPE_KEYS = {"struct", "class", "union", "enum"}


def tokens(text):
    """The file's tokens without comments, literals and preprocessor lines."""
    text = re.sub(r"//[^\n]*|/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r'R"(\w*)\((?:.|\n)*?\)\1"', '""', text)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', '""', text)
    text = re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)
    return TOKEN.findall(text)


def skip_block(toks, i):
    """Index after the brace block that opens at toks[i] == '{'."""
    depth = 0
    while i < len(toks):
        if toks[i] == "{":
            depth += 1
        elif toks[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def declared_name(statement):
    """The name a namespace-scope declaration introduces, or None."""
    toks = list(statement)
    while toks[:1] == ["template"]:  # template <...>
        depth, j = 0, 1
        while j < len(toks):
            depth += {"<": 1, ">": -1}.get(toks[j], 0)
            j += 1
            if depth == 0:
                break
        toks = toks[j:]
    for k, tok in enumerate(toks):
        if tok in TYPE_KEYS:
            rest = [t for t in toks[k + 1:] if t not in TYPE_KEYS]
            return rest[0] if rest and re.match(r"[A-Za-z_]", rest[0]) else None
    depth = 0
    for k, tok in enumerate(toks):
        if tok == "<":
            depth += 1
        elif tok == ">":
            depth -= 1
        elif depth == 0 and tok in ("(", "=", "{", "[") and k > 0:
            name = toks[k - 1]
            before = toks[k - 2] if k > 1 else ""
            if re.match(r"[A-Za-z_]\w*$", name) and before not in ("::", ".", "->", "operator"):
                return name
            return None
    return None


def file_local_names(path):
    """{name: declaration text} for the names of `path` with internal linkage."""
    toks = tokens(open(path, encoding="utf-8", errors="replace").read())
    names = {}
    stack = []  # True for an anonymous namespace
    statement = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok == "}" and not statement:
            if stack:
                stack.pop()
            i += 1
            continue
        if tok == "{":
            if statement[:1] == ["namespace"] or statement[:2] == ["inline", "namespace"]:
                stack.append(len([t for t in statement if re.match(r"[A-Za-z_]", t)]) == (1 if statement[0] == "namespace" else 2))
                statement = []
                i += 1
                continue
            if statement[:1] == ["extern"]:  # extern "C" { ... }: its names are external
                statement = []
                i = skip_block(toks, i)
                continue
            end = skip_block(toks, i)
            record(names, statement, any(stack))
            statement = []
            i = end
            if i < len(toks) and toks[i] == ";":
                i += 1
            continue
        if tok == ";":
            record(names, statement, any(stack))
            statement = []
            i += 1
            continue
        statement.append(tok)
        i += 1
    return names


def record(names, statement, in_anonymous):
    if not statement or statement[0] in ("using", "namespace") and "=" not in statement:
        return  # a using-declaration or directive: it declares nothing new
    if statement[0] in ("static_assert", "friend"):
        return
    if not (in_anonymous or statement[0] == "static" or statement[:2] == ["constexpr", "static"]):
        return
    name = declared_name(statement)
    if name:
        names.setdefault(name, " ".join(statement))


def collisions(sources):
    """[(name, [(file, declaration), ...])] for names declared file-locally in two or more sources."""
    seen = collections.defaultdict(list)
    for path in sources:
        if not os.path.exists(path):
            continue  # generated when the build runs
        for name, text in file_local_names(path).items():
            seen[name].append((path, text))
    found = []
    for name, where in sorted(seen.items()):
        if len(where) < 2:
            continue
        texts = {text for _, text in where}
        if len(texts) == 1 and next(iter(texts)).startswith("using "):
            continue  # the same alias in each file: the same type
        found.append((name, where))
    return found


def self_test():
    a = "namespace n {\nnamespace {\ndouble rounded(double v, double scale) { return v * scale; }\n"\
        "using Clock = int;\nstruct Shared { int x; };\n}  // namespace\n}\n"
    b = "namespace n {\nnamespace {\ndouble rounded(double v, int digits) { return v + digits; }\n"\
        "using Clock = int;\n}  // namespace\nstatic int helper(int) { return 1; }\nint exported(int) { return 2; }\n}\n"
    c = "namespace n {\nstruct Shared { int y; };\nstatic int helper(long) { return 3; }\nint exported(int);\n}\n"
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for name, text in (("a.cpp", a), ("b.cpp", b), ("c.cpp", c)):
            paths.append(os.path.join(d, name))
            open(paths[-1], "w").write(text)
        found = {name for name, _ in collisions(paths)}
    expected = {"rounded", "helper"}  # Shared is file-local only in a.cpp; Clock is one alias; exported is external
    if found != expected:
        print(f"unity_names_test: self-test found {sorted(found)}, expected {sorted(expected)}")
        return 1
    print("unity_names_test: self-test passed (two overloads and two static helpers found, nothing else)")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 2:
        print(__doc__)
        return 2
    if self_test():
        return 1
    targets = collections.defaultdict(list)
    for line in open(argv[1], encoding="utf-8"):
        if line.strip():
            target, source = line.rstrip("\n").split("\t", 1)
            targets[target].append(source)
    failed = 0
    for target, sources in sorted(targets.items()):
        for name, where in collisions(sources):
            failed += 1
            print(f"{target}: the file-local name '{name}' is declared in {len(where)} of its sources, "
                  "which a unity build compiles together; rename all but one:")
            for path, text in where:
                print(f"    {path}: {text[:120]}")
    count = sum(os.path.exists(path) for s in targets.values() for path in s)
    if failed:
        return 1
    if count == 0:  # an empty or stale manifest would otherwise pass having read nothing
        print(f"unity_names_test: {argv[1]} names no source that exists; re-run CMake")
        return 1
    print(f"unity_names_test: {len(targets)} targets, {count} sources, no file-local name declared twice")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
