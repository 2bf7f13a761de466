#!/usr/bin/env python3
"""The soak's driver (run by scripts/soak.sh inside the network namespace it made).

For MINUTES it keeps a daemon busy the way a host's day would: library-OS tenants attach, map
frames, send and receive, crash (SIGKILL) and come back, frames are shared and abandoned
mid-hold, and the daemon itself is restarted now and then (SIGTERM, then a new one on the same
socket and configuration). At quiet points ("checkpoints") every tenant process is stopped,
the daemon is given a moment to reclaim, and its frames, descriptors, mappings and memory are
read: within one daemon's life they must come back to what the first checkpoint of that life
saw. Ends with a table (also written to OUT) and exit status 1 if anything did not come back.

Only processes this driver started are signalled, by pid.
"""

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time

ECHO_TENANTS = [("alice", 60001, "10.78.0.2"), ("bob", 60002, "10.78.0.3")]
FRAMES_TENANT = ("carol", 60003)
ECHO_PORT = 7000


def proc_figures(pid):
    """The daemon's open descriptors, mapped regions and resident memory (kB)."""
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    with open(f"/proc/{pid}/maps") as maps:
        regions = sum(1 for _ in maps)
    rss = anon = 0
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("RssAnon:"):
                anon = int(line.split()[1])
    return {"fds": fds, "maps": regions, "rss_kb": rss, "anon_kb": anon}


class Soak:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.bin = args.bin
        self.socket = os.path.join(args.dir, "exokerneld.sock")
        self.daemon = None
        self.lifetime = 0
        self.echoes = {}  # tenant name -> Popen
        self.frames_job = None  # (Popen, kill_at or None)
        self.counts = {"echo_crashes": 0, "echo_exits": 0, "echo_starts": 0, "frames_runs": 0,
                       "frames_killed": 0, "frames_failed": 0, "restarts": 0, "sent": 0, "answered": 0,
                       "reattached_in_place": 0}
        self.rows = []
        self.failures = []
        self.sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sender.setblocking(False)
        self.sequence = 0
        self.next_crash = 0.0
        self.reattach_ms = []  # restart to first echo from a process that lived through it
        self.last_answer = {}  # address -> when its echo server last answered

    # --- the daemon -------------------------------------------------------------------
    def exoctl(self, *words):
        out = subprocess.run([f"{self.bin}/exoctl", "--json", "--socket", self.socket, *words],
                             capture_output=True, text=True, timeout=10)
        if out.returncode != 0:
            raise RuntimeError(f"exoctl {' '.join(words)}: status {out.returncode}: {out.stderr.strip()}")
        return json.loads(out.stdout)

    def start_daemon(self):
        self.lifetime += 1
        log = open(os.path.join(self.args.dir, f"daemon-{self.lifetime}.log"), "w")
        self.daemon = subprocess.Popen([f"{self.bin}/exokerneld", "--config", self.args.config],
                                       stdout=log, stderr=log)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.daemon.poll() is not None:
                raise RuntimeError(f"exokerneld exited with {self.daemon.returncode} at start (see {log.name})")
            try:
                self.exoctl("status")
                return
            except (RuntimeError, json.JSONDecodeError):
                time.sleep(0.05)
        raise RuntimeError("exokerneld did not answer within 20 s")

    def stop_daemon(self):
        if self.daemon and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            try:
                status = self.daemon.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                status = self.daemon.wait()
                self.failures.append(f"life {self.lifetime}: exokerneld did not stop within 20 s of SIGTERM")
            if status != 0:
                self.failures.append(f"life {self.lifetime}: exokerneld exited with {status} after SIGTERM")

    # --- tenants ----------------------------------------------------------------------
    def start_echo(self, name, uid, address):
        log = open(os.path.join(self.args.dir, f"{name}-echo.log"), "a")
        self.echoes[name] = subprocess.Popen(
            [f"{self.bin}/udp-echo", "--tenant", name, "--as-uid", str(uid), "--address", address,
             "--port", str(ECHO_PORT), "--socket", self.socket, "--quiet"],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        self.counts["echo_starts"] += 1

    def keep_tenants(self, now):
        for name, uid, address in ECHO_TENANTS:
            process = self.echoes.get(name)
            if process is not None and process.poll() is not None:
                self.counts["echo_exits"] += 1
                process = None
            if process is None:
                self.start_echo(name, uid, address)
        if now >= self.next_crash:
            name = self.rng.choice([t[0] for t in ECHO_TENANTS])
            victim = self.echoes.get(name)
            if victim is not None and victim.poll() is None:
                victim.kill()
                victim.wait()
                self.counts["echo_crashes"] += 1
                del self.echoes[name]
            self.next_crash = now + self.rng.uniform(*self.args.crash_every)
        self.churn_frames(now)

    def churn_frames(self, now):
        name, uid = FRAMES_TENANT
        if self.frames_job is not None:
            process, kill_at = self.frames_job
            if process.poll() is None:
                if kill_at is not None and now >= kill_at:
                    process.kill()  # dies holding mapped frames
                    process.wait()
                    self.counts["frames_killed"] += 1
                    self.frames_job = None
                return
            if process.returncode != 0 and kill_at is None:
                self.counts["frames_failed"] += 1
            self.frames_job = None
        base = [f"{self.bin}/frames-demo", "--tenant", name, "--as-uid", str(uid), "--socket", self.socket,
                "--count", str(self.rng.choice([1, 8, 32, 64]))]
        log = open(os.path.join(self.args.dir, "carol-frames.log"), "a")
        if self.rng.random() < 0.5:
            process = subprocess.Popen(base + ["--share-with", "alice"], stdout=log, stderr=log,
                                       stdin=subprocess.DEVNULL)
            self.frames_job = (process, None)
        else:
            process = subprocess.Popen(base + ["--hold"], stdout=log, stderr=log, stdin=subprocess.PIPE)
            self.frames_job = (process, now + self.rng.uniform(0.2, 1.5))
        self.counts["frames_runs"] += 1

    def stop_tenants(self):
        """Ends every tenant process, half of them by SIGKILL (a crash), half by SIGTERM."""
        processes = list(self.echoes.values())
        if self.frames_job is not None:
            processes.append(self.frames_job[0])
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL if self.rng.random() < 0.5 else signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.echoes = {}
        self.frames_job = None

    # --- traffic ----------------------------------------------------------------------
    def traffic(self):
        for _, _, address in ECHO_TENANTS:
            self.sequence += 1
            try:
                self.sender.sendto(self.sequence.to_bytes(8, "big"), (address, ECHO_PORT))
                self.counts["sent"] += 1
            except OSError:
                pass  # the TAP is gone while the daemon restarts
        while True:
            try:
                _, (address, _) = self.sender.recvfrom(64)
                self.counts["answered"] += 1
                self.last_answer[address] = time.monotonic()
            except (BlockingIOError, OSError):
                break

    # --- checkpoints ------------------------------------------------------------------
    def checkpoint(self, elapsed, baseline, fresh=False):
        self.stop_tenants()
        deadline = time.monotonic() + 10
        status = None
        while time.monotonic() < deadline:
            status = self.exoctl("status")
            # The query's own session is the only one left; every frame is back in the pool.
            if (status["sessions"] == 1 and status["holdings"] == 0 and status["outstandingTokens"] == 0
                    and status["freeFrames"] == status["poolFrames"]):
                break
            time.sleep(0.1)
        figures = proc_figures(self.daemon.pid)
        row = {"minute": round(elapsed / 60, 1), "life": self.lifetime, **figures,
               "free": status["freeFrames"], "pool": status["poolFrames"], "holdings": status["holdings"],
               "sessions": status["sessions"], **{k: self.counts[k] for k in ("sent", "answered")}}
        self.rows.append(row)
        problems = []
        if status["freeFrames"] != status["poolFrames"] or status["holdings"] != 0:
            problems.append(f"frames not back: {status['freeFrames']}/{status['poolFrames']} free, "
                            f"{status['holdings']} holdings")
        if status["sessions"] != 1 or status["outstandingTokens"] != 0:
            problems.append(f"{status['sessions']} sessions, {status['outstandingTokens']} tokens left")
        if baseline is not None:
            for key in ("fds", "maps"):
                if figures[key] != baseline[key]:
                    problems.append(f"{key} {figures[key]} (baseline {baseline[key]})")
            growth = figures["rss_kb"] - baseline["rss_kb"]
            if growth > self.args.rss_slack_kb:
                problems.append(f"RSS grew {growth} kB (baseline {baseline['rss_kb']} kB, "
                                f"slack {self.args.rss_slack_kb} kB)")
        for problem in problems:
            self.failures.append(f"minute {row['minute']}, life {self.lifetime}: {problem}")
        row["ok"] = not problems
        row["mark"] = "fresh" if fresh else ("baseline" if baseline is None else "")
        print(f"soak: checkpoint {json.dumps(row)}", flush=True)
        return figures

    # --- the run ----------------------------------------------------------------------
    def run(self):
        start = time.monotonic()
        end = start + self.args.minutes * 60
        self.start_daemon()
        # A fresh daemon's figures, for the record; a life's baseline is its first checkpoint
        # after tenants have run (first-use allocations in the daemon are not leaks).
        self.checkpoint(0, None, fresh=True)
        baseline = None
        next_check = start + self.args.check_every
        next_restart = start + self.args.restart_every
        self.next_crash = start + self.rng.uniform(*self.args.crash_every)
        next_send = start
        while True:
            now = time.monotonic()
            if now >= end:
                break
            if now >= next_restart:
                # A restart under live tenants: they see the daemon go and must come back.
                alive = {name: p for name, p in self.echoes.items() if p.poll() is None}
                stopped_at = time.monotonic()
                self.stop_daemon()
                self.counts["restarts"] += 1
                self.start_daemon()
                self.settle(alive, stopped_at)
                # Figures of the new life before its tenants have run much, for the record; its
                # baseline is its next checkpoint.
                self.checkpoint(time.monotonic() - start, None, fresh=True)
                baseline = None
                next_restart = time.monotonic() + self.args.restart_every
                next_check = time.monotonic() + self.args.check_every
                continue
            if now >= next_check:
                figures = self.checkpoint(now - start, baseline)
                baseline = baseline or figures
                next_check = time.monotonic() + self.args.check_every
                continue
            self.keep_tenants(now)
            if now >= next_send:
                self.traffic()
                next_send = now + self.args.send_interval
            time.sleep(0.005)
        self.checkpoint(time.monotonic() - start, baseline)
        self.stop_daemon()
        return self.report(time.monotonic() - start)

    def settle(self, alive, stopped_at):
        """Traffic only, for `settle` seconds after a restart: an echo server that was running
        before it and answers again, the same process, reattached in place (ExOS's reattach);
        one that exited is started again by the next turn of the loop. The time recorded runs from
        the old daemon's stop to the first answer seen from the same process."""
        restarted_at = time.monotonic()
        addresses = {name: address for name, _, address in ECHO_TENANTS}
        pending = dict(alive)
        while pending and time.monotonic() < restarted_at + self.args.settle:
            self.traffic()
            for name, process in list(pending.items()):
                if self.last_answer.get(addresses[name], 0) > restarted_at and process.poll() is None:
                    self.counts["reattached_in_place"] += 1
                    self.reattach_ms.append(round((self.last_answer[addresses[name]] - stopped_at) * 1000))
                    del pending[name]
            time.sleep(self.args.send_interval)

    def report(self, seconds):
        lines = [f"soak: {seconds / 60:.1f} minutes, seed {self.args.seed}, {self.lifetime} daemon lives",
                 "counts: " + ", ".join(f"{k} {v}" for k, v in self.counts.items()),
                 f"stop of the old daemon to an echo from the same process (ms): {self.reattach_ms}",
                 "minute life fds maps rss_kb anon_kb free/pool sessions echoes ok"]
        for row in self.rows:
            lines.append(f"{row['minute']:>6} {row['life']:>4} {row['fds']:>3} {row['maps']:>4} {row['rss_kb']:>6} "
                         f"{row['anon_kb']:>7} {row['free']}/{row['pool']} {row['sessions']:>8} "
                         f"{row['answered']}/{row['sent']} {row['ok']} {row['mark']}")
        lines += [f"FAILED: {failure}" for failure in self.failures] or ["every checkpoint came back to its baseline"]
        text = "\n".join(lines)
        print(text, flush=True)
        if self.args.out:
            with open(self.args.out, "w") as out:
                out.write(text + "\n")
        return 1 if self.failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--restart-every", type=float, default=200, help="seconds between daemon restarts")
    parser.add_argument("--check-every", type=float, default=45, help="seconds between checkpoints")
    parser.add_argument("--crash-every", type=float, nargs=2, default=(2.0, 8.0),
                        help="an echo server is SIGKILLed every MIN..MAX seconds")
    parser.add_argument("--send-interval", type=float, default=0.02)
    parser.add_argument("--settle", type=float, default=5, help="seconds for tenants to reattach after a restart")
    parser.add_argument("--rss-slack-kb", type=int, default=4096)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out")
    args = parser.parse_args()
    soak = Soak(args)
    try:
        status = soak.run()
    finally:
        soak.stop_tenants()
        soak.stop_daemon()
    sys.exit(status)


if __name__ == "__main__":
    main()
