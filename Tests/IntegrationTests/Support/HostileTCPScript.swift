// The crafted-TCP script the hostile-input tests run where the Linux peer is (python3-scapy
// builds the Ethernet and IP headers; the TCP headers are packed by hand, so that they can be
// wrong in exactly the intended way). It prints one JSON object per run.

/// The Python source of `hostile_tcp.py`: `flood`, `resets` and `bogus` modes.
enum HostileTCPScript {
    static let source = #"""
# Crafted TCP at a tenant's tcp-echo, from where the Linux peer is (scapy sniffs the session;
# frames are packed by hand, so they can be wrong in exactly the intended way). Prints JSON.
# Modes: flood IFACE TENANT PORT COUNT | resets IFACE TENANT PORT | bogus IFACE TENANT PORT
import json, os, random, socket, struct, subprocess, sys, threading, time
from scapy.all import AsyncSniffer, Ether, IP, TCP, conf
conf.verb = 0
mode, iface, tenant, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rng = random.Random(11)
raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
raw.bind((iface, 0))
ACK, RST, SYN, FIN, PSH, URG = 0x10, 0x04, 0x02, 0x01, 0x08, 0x20

def checksum(data):
    if len(data) % 2: data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16: total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF

def segment(src, dst, sport, dport, seq, ack, flags, window=502, options=b"", payload=b"",
            urgent=0, bad_checksum=False, offset_words=None):
    """A TCP header and payload built byte by byte (scapy would fix what we break)."""
    words = offset_words if offset_words is not None else 5 + (len(options) + 3) // 4
    options = options + b"\0" * ((4 - len(options) % 4) % 4)
    header = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                         words << 4, flags, window, 0, urgent) + options
    pseudo = (socket.inet_aton(src) + socket.inet_aton(dst)
              + struct.pack("!BBH", 0, 6, len(header) + len(payload)))
    sum_ = checksum(pseudo + header + payload)
    if bad_checksum: sum_ ^= 0x5A5A
    return header[:16] + struct.pack("!H", sum_) + header[18:] + payload

def frame(src_mac, dst_mac, src, dst, tcp_bytes):
    """Ethernet and IPv4 around a TCP segment, packed by hand (scapy takes ~0.5 ms a frame)."""
    mac = lambda text: bytes.fromhex(text.replace(":", ""))
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp_bytes), rng.getrandbits(16), 0x4000, 64, 6, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return mac(dst_mac) + mac(src_mac) + b"\x08\x00" + ip + tcp_bytes

def nc(message, timeout=10):
    """The kernel's nc through tcp-echo: what came back."""
    out = subprocess.run(["timeout", str(timeout), "nc", "-N", tenant, str(port)], input=message,
                         capture_output=True)
    return out.stdout

def tenant_mac():
    for line in open("/proc/net/arp").read().splitlines()[1:]:
        fields = line.split()
        if fields[0] == tenant and fields[5] == iface: return fields[3]
    raise SystemExit("no ARP entry for " + tenant)

def flood(count):
    nc(b"warm-up\n")  # the kernel learns the tenant's MAC
    mac = tenant_mac()
    base = tenant.rsplit(".", 1)[0]
    # 20 made-up hosts of the subnet, each with a made-up MAC: the tenant answers them there,
    # and the kernel ignores frames for a MAC that is not its own (no reset frees a slot).
    hosts = [("%s.%d" % (base, 100 + i), "02:00:5e:00:%02x:%02x" % (i, rng.randrange(256)))
             for i in range(20)]
    mss_ws_sack = b"\x02\x04\x05\xb4\x01\x03\x03\x07\x04\x02\x01\x01"
    frames = []
    for _ in range(count):
        address, hw = rng.choice(hosts)
        tcp = segment(address, tenant, rng.randrange(1024, 65536), port, rng.getrandbits(32), 0, SYN,
                      window=64240, options=mss_ws_sack)
        frames.append(frame(hw, mac, address, tenant, tcp))
    # What the kernel's own connections exchanged (the made-up hosts are .100-.119, in the
    # /27 from .96): printed when a connection made during the flood went unanswered.
    made_up = "%s.96/27" % base
    trace = []
    listening = threading.Event()
    sniffer = AsyncSniffer(iface=iface, store=False, prn=trace.append, started_callback=listening.set,
                           filter="tcp port %d and not src net %s and not dst net %s" % (port, made_up, made_up))
    sniffer.start()
    if not listening.wait(10): raise SystemExit("the sniffer did not start")
    started, started_wall = time.monotonic(), time.time()
    during = []
    legit = {}
    for i in range(0, count, 100):  # about 10,000 a second: the tenant's ring takes them
        for f in frames[i:i + 100]: raw.send(f)
        if i == 1000:  # the backlog is full by now: connect while the flood goes on
            for n in range(3):
                message = b"during-%d\n" % n
                # 20 s: a SYN or SYN-ACK lost to a full ring meanwhile is retried at 1, 3, 7
                # and 15 s (one such run, under a full parallel suite, ran out of 10 s once).
                t = threading.Thread(target=lambda m=message: legit.__setitem__(m, nc(m, timeout=20)))
                t.start(); during.append(t)
        time.sleep(0.01)
    sent_for = time.monotonic() - started
    for t in during: t.join()
    after = nc(b"after-flood\n")
    time.sleep(0.5)
    sniffer.stop()
    report = {"sent": count, "seconds": round(sent_for, 2),
              "during": all(m == got for m, got in legit.items()) and len(legit) == 3,
              "duringEchoed": sum(1 for m, got in legit.items() if m == got),
              "after": after == b"after-flood\n",
              "heard": {k.decode(): v.decode(errors="replace") for k, v in legit.items()}}
    if not report["during"]:
        report["trace"] = ["%.3f %s:%d>%s:%d %s seq=%d ack=%d win=%d len=%d" % (
            float(p.time) - started_wall, p[IP].src, p[TCP].sport, p[IP].dst, p[TCP].dport, p[TCP].flags,
            p[TCP].seq, p[TCP].ack, p[TCP].window, len(p[TCP].payload)) for p in trace if TCP in p]
    print(json.dumps(report))

class Session:
    """A kernel TCP connection to tcp-echo, and what a sniffer saw of it."""
    def __init__(self):
        self.seen = []
        listening = threading.Event()
        self.sniffer = AsyncSniffer(iface=iface, filter="tcp and host %s and port %d" % (tenant, port),
                                    prn=self.seen.append, store=False, started_callback=listening.set)
        self.sniffer.start()
        if not listening.wait(10): raise SystemExit("the sniffer did not start")
        self.sock = socket.create_connection((tenant, port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.local, self.lport = self.sock.getsockname()
        self.sent = 0

    def echo(self, message):
        self.sock.sendall(message)
        got = b""
        while len(got) < len(message):
            piece = self.sock.recv(65536)
            if not piece: break
            got += piece
        self.sent += len(message)
        return got

    def mine(self):
        return [p for p in self.seen if TCP in p and self.lport in (p[TCP].sport, p[TCP].dport)]

    def state(self):
        """RCV.NXT and SND.NXT of the tenant, its window in bytes, the two MACs. The sequence
        numbers come from the handshake and the bytes echoed so far (exact, whatever the
        sniffer has caught up with); the window from the tenant's ACK of the last byte."""
        # The sniffer's thread may still be dissecting what the kernel already delivered.
        deadline = time.monotonic() + 5
        while True:
            ours = self.mine()
            syn = next((p for p in ours if p[IP].src == self.local and p[TCP].flags & SYN), None)
            syn_ack = next((p for p in ours if p[IP].src == tenant and p[TCP].flags & SYN), None)
            if syn is not None and syn_ack is not None: break
            if time.monotonic() > deadline: raise SystemExit("the sniffer missed the handshake")
            time.sleep(0.02)
        rcv_nxt = (syn[TCP].seq + 1 + self.sent) & 0xFFFFFFFF
        snd_nxt = (syn_ack[TCP].seq + 1 + self.sent) & 0xFFFFFFFF
        scale = dict(o for o in syn_ack[TCP].options if isinstance(o, tuple)).get("WScale", 0)
        deadline = time.monotonic() + 2
        while True:
            acks = [p for p in self.mine() if p[IP].src == tenant and p[TCP].ack == rcv_nxt]
            if acks or time.monotonic() > deadline: break
            time.sleep(0.02)
        last = (acks or [p for p in self.mine() if p[IP].src == tenant])[-1]
        return rcv_nxt, snd_nxt, last[TCP].window << scale, syn_ack[Ether].dst, syn_ack[Ether].src

    def inject(self, seq, ack, flags, **kw):
        tcp = segment(self.local, tenant, self.lport, port, seq, ack, flags, **kw)
        raw.send(frame(self.kernel_mac, self.tenant_mac, self.local, tenant, tcp))

    def acks_since(self, mark):
        """Pure ACKs the tenant sent after `mark` (an index into what was seen)."""
        return sum(1 for p in self.mine()[mark:]
                   if p[IP].src == tenant and p[TCP].flags == "A" and len(p[TCP].payload) == 0)

    def wait_for_acks(self, mark, count, seconds=2):
        """Pure ACKs since `mark`, once there are `count` of them or `seconds` passed."""
        deadline = time.monotonic() + seconds
        while self.acks_since(mark) < count and time.monotonic() < deadline: time.sleep(0.02)
        return self.acks_since(mark)

def resets():
    s = Session()
    before = s.echo(b"before-resets\n") == b"before-resets\n"
    rcv_nxt, snd_nxt, window, s.kernel_mac, s.tenant_mac = s.state()
    # In the window but not RCV.NXT: each must be met by a challenge ACK, not believed.
    in_window = [1, 2, 100, 1000, window // 2, window - 1]
    # One at a time, waiting for the answer, 0.6 s apart: a connection sends at most one
    # challenge ACK per 0.5 s (RFC 5961 §7). Nothing else is in flight, so a pure ACK from the
    # tenant is the challenge.
    challenged = 0
    last = 0.0
    for offset in in_window:
        for flags in (RST, RST | ACK):
            time.sleep(max(0.0, last + 0.6 - time.monotonic()))
            mark = len(s.mine())
            s.inject(rcv_nxt + offset, snd_nxt, flags)
            challenged += 1 if s.wait_for_acks(mark, 1) >= 1 else 0
            last = time.monotonic()
    # One more at once after a challenge: rate-limited, so no answer.
    mark = len(s.mine())
    s.inject(rcv_nxt + 5, snd_nxt, RST)
    time.sleep(0.3)
    rapid_answered = s.acks_since(mark)
    # Out of the window: dropped without a word.
    out_of_window = [-1, -1000, -(1 << 20), 1 << 30, (1 << 31) - 1, 3 << 30]
    time.sleep(0.3)
    mark = len(s.mine())
    for offset in out_of_window:
        s.inject(rcv_nxt + offset, snd_nxt, RST | ACK)
    time.sleep(0.3)
    answered = s.acks_since(mark)
    # A SYN in the window of a synchronized connection: a challenge ACK too (RFC 5961 §4).
    mark = len(s.mine())
    s.inject(rcv_nxt + 10, 0, SYN, options=b"\x02\x04\x05\xb4")
    syn_challenged = s.wait_for_acks(mark, 1) >= 1
    after = s.echo(b"after-resets\n") == b"after-resets\n"
    print(json.dumps({"before": before, "after": after, "inWindowSent": 2 * len(in_window),
                      "challenged": challenged, "outOfWindowSent": len(out_of_window),
                      "outOfWindowAnswered": answered, "synChallenged": syn_challenged, "window": window,
                      "rapidAnswered": rapid_answered}))

def bogus():
    s = Session()
    before = s.echo(b"before-bogus\n") == b"before-bogus\n"
    rcv, snd, window, s.kernel_mac, s.tenant_mac = s.state()
    message = bytes(rng.randrange(97, 123) for _ in range(96))  # what the kernel sends next
    junk = lambda n: bytes(rng.randrange(256) for _ in range(n))
    sent = {}
    def send(name, seq, ack, flags, **kw):
        sent[name] = sent.get(name, 0) + 1
        s.inject(seq, ack, flags, **kw)
    # Out of the window, both sides, with data: dropped (with an ACK).
    send("outOfWindow", rcv + (1 << 30), snd, ACK | PSH, payload=junk(40))
    send("outOfWindow", rcv - 5000, snd, ACK | PSH, payload=junk(40))
    send("outOfWindow", rcv - 13, snd, ACK | PSH, payload=junk(13))  # the bytes just echoed, contradicted
    # Ahead of RCV.NXT in the window, overlapping and contradictory: the true bytes, then others
    # over the same range, then others over a larger one; the kernel's segment covers them all.
    send("overlapping", rcv + 16, snd, ACK, payload=message[16:32])
    send("overlapping", rcv + 16, snd, ACK, payload=junk(16))
    send("overlapping", rcv + 8, snd, ACK, payload=junk(40))
    # At RCV.NXT with junk: each must be refused, or the echo below comes back wrong.
    send("badChecksum", rcv, snd, ACK | PSH, payload=junk(20), bad_checksum=True)
    send("noFlags", rcv, snd, 0, payload=junk(20))
    send("ackOfUnsentData", rcv, snd + (1 << 20), ACK | PSH, payload=junk(20))
    send("ackTooOld", rcv, snd - (1 << 30), ACK | PSH, payload=junk(20))
    send("shortDataOffset", rcv, snd, ACK | PSH, payload=junk(20), offset_words=4)
    send("dataOffsetPastEnd", rcv, snd, ACK | PSH, offset_words=15)
    # Bogus options on in-window segments that carry the true bytes (harmless if taken).
    options = {
        "optionLengthZero": b"\x08\x00", "optionLengthOne": b"\x05\x01",
        "optionPastHeader": b"\x01\x01\x08\x0a\x00\x00",  # timestamps cut off by the header's end
        "optionLength255": b"\xfe\xff\x00\x00", "sackOddLength": b"\x05\x07\x00\x00\x00\x01\x00",
        "unknownOption": b"\x63\x06\x01\x02\x03\x04",
    }
    for n, (name, opt) in enumerate(options.items()):
        start = 40 + 8 * n
        send(name, rcv + start, snd, ACK, options=opt, payload=message[start:start + 8])
    # SYN+FIN, SYN with MSS 0 and window scale 200, in the window: a challenge ACK each.
    send("synFin", rcv + 3, snd, SYN | FIN)
    send("synAbsurdOptions", rcv + 4, 0, SYN, options=b"\x02\x04\x00\x00\x03\x03\xc8\x01")
    # Urgent data (true bytes), ahead of RCV.NXT: taken as ordinary data, the pointer ignored.
    send("urgent", rcv + 88, snd, ACK | URG, payload=message[88:96], urgent=4)
    # The listener, too: SYNs with absurd or broken options from a made-up host (whose MAC is
    # not the kernel's, so no reset frees anything).
    base = tenant.rsplit(".", 1)[0]
    for name, opt in (("listenerAbsurdOptions", b"\x02\x04\x00\x00\x03\x03\xc8\x01"),
                      ("listenerOptionLengthZero", b"\x08\x00"), ("listenerOptionLengthOne", b"\x02\x01")):
        sent[name] = 1
        tcp = segment(base + ".120", tenant, rng.randrange(1024, 65536), port, rng.getrandbits(32), 0, SYN,
                      options=opt)
        raw.send(frame("02:00:5e:00:99:01", s.tenant_mac, base + ".120", tenant, tcp))
    # An ACK no SYN-ACK of ours asked for (a guessed cookie), and data without ACK, at the listener.
    for name, flags in (("listenerGuessedCookie", ACK), ("listenerDataWithoutAck", PSH)):
        sent[name] = 1
        tcp = segment(base + ".120", tenant, rng.randrange(1024, 65536), port, rng.getrandbits(32),
                      rng.getrandbits(32), flags, payload=junk(10))
        raw.send(frame("02:00:5e:00:99:01", s.tenant_mac, base + ".120", tenant, tcp))
    absurd = absurd_handshake(s, base + ".121")
    time.sleep(0.1)
    echoed = s.echo(message)
    after = s.echo(b"after-bogus\n") == b"after-bogus\n"
    fresh = nc(b"new-connection\n") == b"new-connection\n"
    print(json.dumps({"before": before, "message": echoed == message, "after": after, "fresh": fresh,
                      "absurdHandshake": absurd,
                      "sent": sent, "echoed": echoed.decode(errors="replace")}))

def absurd_handshake(s, address):
    """A whole connection from a made-up host whose SYN offers MSS 0 and window scale 200: the
    SYN-ACK, our ACK with data, and the echo, read off the wire (the tenant answers a MAC that
    is not the kernel's, which the sniffer still sees). True when the bytes came back."""
    hw, sport, isn = "02:00:5e:00:99:02", 40000 + rng.randrange(1000), rng.getrandbits(32)
    send = lambda seq, ack, flags, **kw: raw.send(
        frame(hw, s.tenant_mac, address, tenant, segment(address, tenant, sport, port, seq, ack, flags, **kw)))
    answers = lambda: [p for p in s.seen if IP in p and TCP in p and p[IP].dst == address and p[TCP].dport == sport]
    def wait_for(test):
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            found = next((p for p in answers() if test(p)), None)
            if found is not None: return found
            time.sleep(0.02)
    send(isn, 0, SYN, window=64240, options=b"\x02\x04\x00\x00\x03\x03\xc8\x01")
    syn_ack = wait_for(lambda p: p[TCP].flags & SYN)
    if syn_ack is None: return False
    data = b"absurd-options\n"
    send(isn + 1, syn_ack[TCP].seq + 1, ACK | PSH, window=4, payload=data)  # 4 << 14: 64 KiB
    echo = wait_for(lambda p: bytes(p[TCP].payload) == data)
    if echo is None: return False
    send(isn + 1 + len(data), echo[TCP].seq + len(data), ACK, window=4)
    return True

{"flood": lambda: flood(int(sys.argv[5])), "resets": resets, "bogus": bogus}[mode]()
"""#
}
