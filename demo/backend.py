#!/usr/bin/env python3
"""A tiny backend for the nftctl demo: plain HTTP and HTTPS listeners in one process.

    backend.py --name NAME [--http PORT]... [--https PORT]... [--cert PEM --key PEM]

Every answer is one line that says who answered, on which local address and port (so a
DNAT is visible), over which scheme, and for which client. GET /bytes/N streams N bytes
(for long downloads). Standard library only.
"""
import argparse
import http.server
import ssl
import sys
import threading


def make_handler(name, scheme):
    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "nftctl-demo-backend"
        protocol_version = "HTTP/1.0"

        def log_message(self, fmt, *args):  # quiet: the demo prints what matters
            pass

        def do_GET(self):
            if self.path.startswith("/bytes/"):
                try:
                    size = int(self.path[len("/bytes/"):])
                except ValueError:
                    self.send_error(400)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                chunk = b"x" * 65536
                left = size
                try:
                    while left > 0:
                        n = min(left, len(chunk))
                        self.wfile.write(chunk[:n])
                        left -= n
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    pass
                return
            local = self.connection.getsockname()
            proto = self.headers.get("X-Forwarded-Proto")
            body = "backend %s answered on %s:%d over %s for %s%s, path %s\n" % (
                name, local[0], local[1], scheme, self.client_address[0],
                " (X-Forwarded-Proto: %s)" % proto if proto else "", self.path)
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--name", required=True)
    p.add_argument("--http", type=int, action="append", default=[])
    p.add_argument("--https", type=int, action="append", default=[])
    p.add_argument("--cert")
    p.add_argument("--key")
    a = p.parse_args()
    servers = []
    for port in a.http:
        servers.append(Server(("0.0.0.0", port), make_handler(a.name, "http")))
    if a.https:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        for port in a.https:
            s = Server(("0.0.0.0", port), make_handler(a.name, "https"))
            s.socket = ctx.wrap_socket(s.socket, server_side=True, do_handshake_on_connect=False)
            servers.append(s)
    if not servers:
        sys.exit("backend.py: nothing to serve")
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for t in threads:
        t.start()
    print("ready", flush=True)
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
