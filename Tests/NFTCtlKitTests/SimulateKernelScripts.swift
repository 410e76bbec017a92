/// Python helpers the kernel agreement test runs inside its namespaces (python3 is on
/// every CI image; nc/socat/ping are not).
enum SimulateKernelScripts {
    /// `server.py LOG PORT`: a TCP listener that writes every line it receives to LOG.
    static let server = """
        import socket, sys, threading
        log = open(sys.argv[1], 'a', buffering=1)
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(('0.0.0.0', int(sys.argv[2])))
        srv.listen(256)
        print('listening', flush=True)
        def handle(c):
            buf = b''
            while True:
                try:
                    d = c.recv(1000)
                except OSError:
                    break
                if not d:
                    break
                buf += d
                while b'\\n' in buf:
                    line, buf = buf.split(b'\\n', 1)
                    log.write(line.decode() + '\\n')
        while True:
            c, a = srv.accept()
            threading.Thread(target=handle, args=(c,), daemon=True).start()
        """

    /// `client.py probe FILE`: runs every probe of FILE at once, prints a JSON list of
    /// `delivered` / `dropped` / `error: ...`.
    /// `client.py est FILE`: opens the connections of FILE, prints `ready`, waits for a
    /// line on stdin, then sends each probe's token on its connection.
    static let client = """
        import json, random, socket, struct, sys, threading, time
        T = 1.5
        mode, path = sys.argv[1], sys.argv[2]
        probes = json.load(open(path))
        def connected(p, kind):
            s = socket.socket(socket.AF_INET, kind)
            s.bind((p['src'], 0)); s.settimeout(T)
            try:
                s.connect((p['dst'], p['dport']))
                if kind == socket.SOCK_DGRAM:
                    s.send(b'nftctl'); s.recv(100)
                return 'delivered'
            except ConnectionRefusedError:
                return 'delivered'
            except socket.timeout:
                return 'dropped'
            except OSError as e:
                return 'error: %s' % e
            finally:
                s.close()
        def tcp(p): return connected(p, socket.SOCK_STREAM)
        def udp(p): return connected(p, socket.SOCK_DGRAM)
        def csum(b):
            if len(b) % 2: b += b'\\0'
            s = sum(struct.unpack('!%dH' % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
            return ~s & 0xffff
        def icmp(p):
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); s.bind((p['src'], 0))
            ident = random.randrange(1, 65535); data = b'nftctl'
            c = csum(struct.pack('!BBHHH', 8, 0, 0, ident, 1) + data)
            s.sendto(struct.pack('!BBHHH', 8, 0, c, ident, 1) + data, (p['dst'], 0))
            end = time.time() + T
            try:
                while time.time() < end:
                    s.settimeout(max(0.01, end - time.time()))
                    try:
                        d, a = s.recvfrom(2000)
                    except socket.timeout:
                        break
                    ihl = (d[0] & 15) * 4
                    t, code, _, i, seq = struct.unpack('!BBHHH', d[ihl:ihl + 8])
                    if t == 0 and i == ident and a[0] == p['dst']:
                        return 'delivered'
                return 'dropped'
            finally:
                s.close()
        if mode == 'probe':
            res = [None] * len(probes)
            def run(i, p):
                try:
                    res[i] = {'tcp': tcp, 'udp': udp, 'icmp': icmp}[p['kind']](p)
                except Exception as e:
                    res[i] = 'error: %s' % e
            ts = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(probes)]
            [t.start() for t in ts]; [t.join() for t in ts]
            print(json.dumps(res))
        else:
            socks = []
            for p in probes:
                s = socket.socket(); s.bind((p['src'], 0)); s.settimeout(3)
                try:
                    s.connect((p['dst'], p['dport'])); socks.append((s, p))
                except OSError as e:
                    print('error: %s %s' % (p, e), flush=True)
            print('ready', flush=True)
            sys.stdin.readline()
            for s, p in socks:
                s.send((p['token'] + '\\n').encode())
            time.sleep(T + 0.5)
            print('done', flush=True)
        """
}
