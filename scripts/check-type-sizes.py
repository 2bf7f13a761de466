#!/usr/bin/env python3
"""Checks that no type spans more than LIMIT lines across its extensions.

Every module is made of small parts with one job each (docs/ARCHITECTURE.md): a type whose
declaration and extensions together grow past LIMIT lines is doing more than one job and is
split into parts that own their state, not stretched over more extension files. For every
Swift file under Sources/ and clients/ this sums, per type name, the lines of each top-level
`class`/`struct`/`enum`/`actor`/`protocol` declaration and each `extension` (from its doc
comment to its closing brace; nested types count toward the outer one). File headers and
imports count toward no type. EXCEPTIONS lists a type allowed more, with its limit and the
reason. Exits 1 and names each type over its limit; `--list` prints every type's total.
"""
import pathlib
import re
import sys
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "Sources", ROOT / "clients"]
LIMIT = 300
# type name -> (allowed lines, why it may be larger)
EXCEPTIONS: dict[str, tuple[int, str]] = {}

DECLARATION = re.compile(
    r"^(?:@[A-Za-z_]+(?:\([^)]*\))?\s+)*(?:(?:public|internal|fileprivate|private|package|final|open|indirect)\s+)*"
    r"(?:class|struct|enum|actor|protocol|extension)\s+([A-Za-z_][A-Za-z0-9_]*)")
STRING = re.compile(r'"(?:\\.|[^"\\])*"')


def code_of(line: str) -> str:
    """The line without string literals and without a trailing // comment (braces in either are not code)."""
    line = STRING.sub('""', line)
    return line.split("//", 1)[0]


def spans(path: pathlib.Path):
    """(type name, lines) for each top-level declaration or extension in the file."""
    lines = path.read_text().splitlines()
    depth = 0
    current = None  # (name, first line index)
    preamble_start = None  # first line of the doc comment / attributes just above a declaration
    in_block_comment = False
    for index, raw in enumerate(lines):
        stripped = raw.strip()
        if in_block_comment:
            in_block_comment = "*/" not in stripped
            continue
        if stripped.startswith("/*") and "*/" not in stripped:
            in_block_comment = True
            continue
        if depth == 0 and current is None:
            if stripped.startswith("///") or stripped.startswith("@"):
                if preamble_start is None:
                    preamble_start = index
            else:
                match = DECLARATION.match(stripped)
                if match:
                    current = (match.group(1), preamble_start if preamble_start is not None else index)
                preamble_start = None
        code = code_of(raw)
        opened = code.count("{")
        closed = code.count("}")
        depth += opened - closed
        if current is not None and depth == 0 and (opened or closed):
            yield current[0], index - current[1] + 1
            current = None
    if depth != 0 or current is not None:
        raise ValueError(f"{path.relative_to(ROOT)}: braces do not balance; cannot measure its types")


def main() -> int:
    totals: dict[str, int] = defaultdict(int)
    files: dict[str, list[str]] = defaultdict(list)
    breaches = []
    for path in sorted(path for folder in SOURCES for path in folder.rglob("*.swift")):
        try:
            for name, count in spans(path):
                totals[name] += count
                files[name].append(path.relative_to(ROOT).as_posix())
        except ValueError as error:
            breaches.append(str(error))
    if "--list" in sys.argv:
        for name, total in sorted(totals.items(), key=lambda item: -item[1]):
            print(f"{total:5d}  {name}  ({len(set(files[name]))} files)")
        sys.stdout.flush()
    for name, total in sorted(totals.items()):
        limit, _ = EXCEPTIONS.get(name, (LIMIT, ""))
        if total > limit:
            where = ", ".join(sorted(set(files[name])))
            breaches.append(f"{name}: {total} lines across {where} (limit {limit}); split it into parts with one job each")
    for name in sorted(set(EXCEPTIONS) - set(totals)):
        breaches.append(f"{name}: listed in EXCEPTIONS but no longer in Sources/ or clients/ (remove the entry)")
    for line in breaches:
        print(line, file=sys.stderr)
    if breaches:
        print(f"type sizes: {len(breaches)} breach(es)", file=sys.stderr)
        return 1
    print(f"type sizes: every type within {LIMIT} lines across its extensions, but {len(EXCEPTIONS)} listed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
