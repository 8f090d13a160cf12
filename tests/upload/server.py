#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in for intervals.icu's upload endpoint, for tests only.

Listens on 127.0.0.1 (a free port, written to --port-file once it
listens), takes POST multipart/form-data, and appends one JSON line per
request to --log: the time, method, path, Authorization header, and for
each part its name, file name, size and SHA-256. The first --fail
requests get HTTP 500 with --fail-body as the body; the others 201 with a
JSON body as the service's.
"""
import argparse
import email.parser
import email.policy
import hashlib
import http.server
import json
import time

args = None
count = 0


def parts(content_type, body):
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    if not msg.is_multipart():
        return None
    out = []
    for p in msg.iter_parts():
        data = p.get_payload(decode=True) or b""
        out.append({
            "name": p.get_param("name", header="content-disposition"),
            "filename": p.get_filename(),
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        })
    return out


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        count += 1
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        rec = {
            "t": time.monotonic(),
            "method": "POST",
            "path": self.path,
            "auth": self.headers.get("Authorization"),
            "parts": parts(self.headers.get("Content-Type", ""), body),
        }
        if count <= args.fail:
            status, reply = 500, args.fail_body.encode()
        else:
            status, reply = 201, b'{"id":"i%d","icu_athlete_id":"i1"}' % count
        rec["status"] = status
        with open(args.log, "a") as f:
            f.write(json.dumps(rec) + "\n")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *a):
        pass


def main():
    global args
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--fail", type=int, default=0)
    ap.add_argument("--fail-body", default='{"error":"try later"}')
    args = ap.parse_args()
    srv = http.server.HTTPServer(("127.0.0.1", args.port), Handler)
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
