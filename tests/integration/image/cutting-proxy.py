#!/usr/bin/env python3
"""cutting-proxy.py PORT UPSTREAM MODE: an HTTP proxy to UPSTREAM
(host:port) that forwards requests as they are, except that a blob GET
larger than 64 KiB is cut after half its body (the connection closed):
the first one only (MODE once) or every one (MODE always)."""
import sys, threading, http.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, upstream, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
lock = threading.Lock()
cuts = [0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        conn = http.client.HTTPConnection(upstream)
        conn.request("GET", self.path, headers={k: v for k, v in self.headers.items()})
        r = conn.getresponse()
        body = r.read()
        cut = False
        if "/blobs/" in self.path and len(body) > 65536 and r.status == 200:
            with lock:
                cut = mode == "always" or cuts[0] == 0
                cuts[0] += 1
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if cut:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *a):
        sys.stderr.write("%s\n" % (a,))


ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
