#!/usr/bin/env python3
"""Checks the module graph of docs/ARCHITECTURE.md against the imports in the sources.

Every Swift file's imports must be among the modules its target may depend on: dependencies
point downward only (ExoPacket <- ExoWire <- ExoClient <- ExOS; ExoPacket <- ExoCore <-
ExoDaemon; ExoPlatform under daemon, client and library OS). ExOS never imports ExoCore or
ExoDaemon; exoctl and clients/ never import the daemon. ExoVersion (the version string) is a
leaf every binary imports. System modules are forbidden where
FORBIDDEN says so, with its reason (the daemon's syscalls live in ExoPlatform). Exits 1 and
names each breach.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SYSTEM = {"Glibc", "Foundation", "Synchronization", "Dispatch", "Darwin", "_Concurrency"}
PURE = set()  # pure modules: no system module at all, only the standard library

# target directory -> project and package modules it may import
ALLOWED = {
    "Sources/ExoVersion": PURE,
    "Sources/ExoPacket": PURE,
    "Sources/ExoImpairment": PURE,
    "Sources/HTTPCore": PURE,
    # Pure logic; FoundationEssentials only for its JSON coders (no I/O in that module).
    "Sources/IperfCore": {"FoundationEssentials"},
    "Sources/ExoWire": {"ExoPacket", "Synchronization"},
    "Sources/ExoCore": {"ExoPacket", "ExoWire", "Crypto"},
    "Sources/ExoPlatform": {"CExoShims", "CNetlink", "SystemPackage"} | SYSTEM,
    # The configuration's TOML parser: pure logic inside the daemon (checked before ExoDaemon,
    # the first matching prefix wins), so no system module can creep into it.
    "Sources/ExoDaemon/Config/TOML": PURE,
    "Sources/ExoDaemon": {"ExoVersion", "ExoPacket", "ExoWire", "ExoCore", "ExoPlatform", "ExoImpairment", "Crypto",
                          "Logging", "HTTPCore", "Prometheus"} | SYSTEM,  # less FORBIDDEN below
    "Sources/exokerneld": {"ExoVersion", "ExoDaemon", "ExoPlatform", "ArgumentParser", "Logging"} | SYSTEM,
    "Sources/ExoClient": {"ExoWire", "ExoPacket", "ExoPlatform"} | SYSTEM,
    "Sources/ExOS": {"ExoPacket", "ExoWire", "ExoClient", "ExoPlatform", "ExoImpairment"} | SYSTEM,
    "Sources/exoctl": {"ExoVersion", "ExoPacket", "ExoWire", "ExoClient", "ExoPlatform", "ArgumentParser"} | SYSTEM,
    "Sources/exobench": {"ExoVersion", "ExOS", "ExoClient", "ExoPacket", "ExoWire", "ExoCore", "ExoPlatform", "CExoShims",
                         "ArgumentParser"} | SYSTEM,
    # Fuzz entry points: pure calls into the modules they fuzz (no I/O of their own).
    "Sources/ExoFuzzing": {"ExoPacket", "ExoWire", "ExoCore", "ExoDaemon"},
    "Sources/exo-fuzz": {"ExoFuzzing", "Logging"} | SYSTEM,
}
# target directory -> system modules it may not import, and why (checked before ALLOWED).
FORBIDDEN = {
    "Sources/ExoDaemon": ({"Glibc", "Darwin", "Foundation"},
                          "syscalls only in ExoPlatform (add a small ExoPlatform API instead)"),
}
CLIENTS = {"ExoVersion", "ExOS", "ExoClient", "ExoPacket", "ExoWire", "ExoPlatform", "HTTPCore", "IperfCore", "ArgumentParser"} | SYSTEM

IMPORT = re.compile(r"^\s*(?:@[A-Za-z_]+\s+)*import\s+(?:(?:struct|enum|class|func|protocol|typealias|var|let)\s+)?([A-Za-z_][A-Za-z0-9_]*)", re.M)


MULTILINE_STRING = re.compile(r'"""[\s\S]*?"""')


def allowed_for(path: pathlib.Path):
    rel = path.relative_to(ROOT).as_posix()
    if rel.startswith("clients/"):
        return "clients/", CLIENTS
    for prefix, allowed in ALLOWED.items():
        if rel.startswith(prefix + "/"):
            return prefix, allowed
    return None, None


def main() -> int:
    breaches = []
    unknown = set()
    for path in sorted(list(ROOT.glob("Sources/**/*.swift")) + list(ROOT.glob("clients/**/*.swift"))):
        target, allowed = allowed_for(path)
        if target is None:
            unknown.add(path.relative_to(ROOT).parts[1])
            continue
        # Multi-line string literals (a Python script a benchmark embeds, say) are not imports.
        source = MULTILINE_STRING.sub('""', path.read_text())
        forbidden, why = FORBIDDEN.get(target, (set(), ""))
        for module in IMPORT.findall(source):
            if module in forbidden:
                breaches.append(f"{path.relative_to(ROOT)}: {target} may not import {module}: {why}")
            elif module not in allowed:
                breaches.append(f"{path.relative_to(ROOT)}: {target} may not import {module}")
    for name in sorted(unknown):
        breaches.append(f"Sources/{name}: target not in the module graph (add it to scripts/check-module-graph.py)")
    for line in breaches:
        print(line, file=sys.stderr)
    if breaches:
        print(f"module graph: {len(breaches)} breach(es)", file=sys.stderr)
        return 1
    print("module graph: every import points downward")
    return 0


if __name__ == "__main__":
    sys.exit(main())
