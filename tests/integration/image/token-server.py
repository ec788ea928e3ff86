#!/usr/bin/env python3
"""token-server.py PORT KEY CERT USER PASSWORD: Docker's token
authentication for the tests: GET /token?service=..&scope=.. with basic auth
USER:PASSWORD answers {"token": JWT} (RS256 with KEY, CERT in the x5c
header, the registry's rootcertbundle); anything else is 401."""
import base64, json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

port, keyfile, certfile, user, password = sys.argv[1:6]
key = serialization.load_pem_private_key(open(keyfile, "rb").read(), None)
cert = x509.load_pem_x509_certificate(open(certfile, "rb").read())
x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(service, scope):
    now = int(time.time())
    access = []
    if scope:
        kind, name, actions = scope.split(":", 2)
        access.append({"type": kind, "name": name, "actions": actions.split(",")})
    head = {"alg": "RS256", "typ": "JWT", "x5c": [x5c]}
    claims = {"iss": "husk-test-issuer", "sub": user, "aud": service, "exp": now + 300,
              "nbf": now - 10, "iat": now, "jti": str(now), "access": access}
    signing = b64(json.dumps(head).encode()) + "." + b64(json.dumps(claims).encode())
    sig = key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing + "." + b64(sig)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        if url.path != "/token":
            self.send_response(200)
            self.end_headers()
            return
        want = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        if self.headers.get("Authorization") != want:
            self.send_response(401)
            self.end_headers()
            return
        q = parse_qs(url.query)
        body = json.dumps({"token": jwt(q.get("service", [""])[0], q.get("scope", [""])[0]),
                           "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ThreadingHTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()
