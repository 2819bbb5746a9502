#!/usr/bin/env python3
"""A stand-in for the Lambda runtime API (python3 stdlib only), and the driver that measures a
function binary under it. Used by infra/lambda-figures.sh.

  runtime_api_stub.py coldstart [--runs N] BINARY...
      Starts each BINARY N times (default 15; in rounds over the binaries) against a fresh
      stub; for each run, the time from just before exec to the first GET
      /runtime/invocation/next. Kills the process there. Prints one JSON line per binary:
      {"binary", "runs_ms": [...], "median_ms", "min_ms", "max_ms", "failed"}.

  runtime_api_stub.py invoke --event FILE [--timeout S] BINARY
      Starts BINARY once, hands it the event of FILE on its first /next, waits for the
      response (or error), reads the process's peak RSS (VmHWM of /proc/PID/status) while it
      waits on its second /next, then kills it. Prints JSON: {"binary", "ms_to_next",
      "ms_to_response", "handler_ms", "peak_rss_kib", "response" | "error" | "init_error"}.

The binary inherits this process's environment plus the variables Lambda sets
(AWS_LAMBDA_RUNTIME_API pointing at the stub, function name, memory size 256, version, log
group and stream). Timing uses a monotonic clock read in this process: t0 just before the
fork, t1 when the stub receives the request, so both include exec and the runtime's connect.
"""

import argparse
import http.server
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid

API = "/2018-06-01/runtime"


class Stub:
    """One runtime API: a queue of events, the times requests arrived, the answers."""

    def __init__(self, events):
        self.events = list(events)
        self.lock = threading.Lock()
        self.first_next_ns = None
        self.first_next = threading.Event()
        self.second_next = threading.Event()
        self.answered = threading.Event()
        self.answer_ns = None
        self.handed_ns = None
        self.response = None
        self.error = None
        self.init_error = None
        self.stopping = threading.Event()
        self.nexts = 0
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _body(self):
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            def _reply(self, status, body=b"", headers=None):
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def do_GET(self):
                if self.path != API + "/invocation/next":
                    self._reply(404)
                    return
                now = time.monotonic_ns()
                with stub.lock:
                    stub.nexts += 1
                    if stub.first_next_ns is None:
                        stub.first_next_ns = now
                        stub.first_next.set()
                    event = stub.events.pop(0) if stub.events else None
                    if stub.nexts >= 2:
                        stub.second_next.set()
                if event is None:
                    # Nothing more to hand out: hold the request, as Lambda freezes an idle
                    # function, until the driver stops the process.
                    stub.stopping.wait(300)
                    self.close_connection = True
                    return
                request_id = str(uuid.uuid4())
                deadline = int(time.time() * 1000) + 30_000
                body = json.dumps(event).encode()
                stub.handed_ns = time.monotonic_ns()
                self._reply(
                    200,
                    body,
                    {
                        "Content-Type": "application/json",
                        "Lambda-Runtime-Aws-Request-Id": request_id,
                        "Lambda-Runtime-Deadline-Ms": str(deadline),
                        "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:figures",
                        "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000;Sampled=0",
                    },
                )

            def do_POST(self):
                body = self._body()
                now = time.monotonic_ns()
                if self.path == API + "/init/error":
                    stub.init_error = body.decode("utf-8", "replace")
                    stub.answer_ns = now
                    stub.answered.set()
                elif self.path.endswith("/response"):
                    try:
                        stub.response = json.loads(body)
                    except ValueError:
                        stub.response = body.decode("utf-8", "replace")
                    stub.answer_ns = now
                    stub.answered.set()
                elif self.path.endswith("/error"):
                    stub.error = body.decode("utf-8", "replace")
                    stub.answer_ns = now
                    stub.answered.set()
                else:
                    self._reply(404)
                    return
                self._reply(202, b"{}", {"Content-Type": "application/json"})

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


def lambda_env(port):
    env = dict(os.environ)
    env.update(
        {
            "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
            "AWS_LAMBDA_FUNCTION_NAME": os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "figures"),
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/figures",
            "AWS_LAMBDA_LOG_STREAM_NAME": "figures",
        }
    )
    return env


def peak_rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()


def one_start(binary, events, log):
    stub = Stub(events)
    env = lambda_env(stub.port)
    t0 = time.monotonic_ns()
    proc = subprocess.Popen([binary], env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    return stub, proc, t0


def coldstart(args):
    # Rounds over the binaries (a, b, c, a, b, c, …): whatever else the machine does while
    # the figures run falls on every binary alike.
    runs = {b: [] for b in args.binaries}
    failed = {b: 0 for b in args.binaries}
    with open(args.log, "ab") if args.log else open(os.devnull, "wb") as log:
        for _ in range(args.runs):
            for binary in args.binaries:
                stub, proc, t0 = one_start(binary, [], log)
                deadline = time.monotonic() + args.timeout
                # The stub's thread stamps the request; this thread only sleeps until then.
                while not stub.first_next.wait(0.05) and proc.poll() is None and time.monotonic() < deadline:
                    pass
                if stub.first_next_ns is not None:
                    runs[binary].append((stub.first_next_ns - t0) / 1e6)
                else:
                    failed[binary] += 1
                stop(proc)
                stub.close()
    ok = True
    for binary in args.binaries:
        r = runs[binary]
        out = {"binary": binary, "runs_ms": [round(x, 2) for x in r], "failed": failed[binary]}
        if r:
            out.update(
                median_ms=round(statistics.median(r), 2),
                min_ms=round(min(r), 2),
                max_ms=round(max(r), 2),
            )
        ok = ok and bool(r) and not failed[binary]
        print(json.dumps(out))
    return 0 if ok else 1


def invoke(args):
    with open(args.event) as f:
        event = json.load(f)
    with open(args.log, "ab") if args.log else open(os.devnull, "wb") as log:
        stub, proc, t0 = one_start(args.binary, [event], log)
        try:
            deadline = time.monotonic() + args.timeout
            while not stub.answered.wait(0.05) and proc.poll() is None and time.monotonic() < deadline:
                pass
            out = {"binary": args.binary}
            if stub.answered.is_set() and stub.init_error is None:
                # The process asks for the next event once it has answered: its memory peak of
                # init plus this batch is then final.
                stub.second_next.wait(10)
            out["peak_rss_kib"] = peak_rss_kib(proc.pid)
        finally:
            stop(proc)
            stub.close()
    if stub.first_next_ns is not None:
        out["ms_to_next"] = round((stub.first_next_ns - t0) / 1e6, 2)
    if stub.answer_ns is not None:
        out["ms_to_response"] = round((stub.answer_ns - t0) / 1e6, 2)
        if stub.handed_ns is not None:
            out["handler_ms"] = round((stub.answer_ns - stub.handed_ns) / 1e6, 2)
    if stub.init_error is not None:
        out["init_error"] = stub.init_error
    elif stub.error is not None:
        out["error"] = stub.error
    elif stub.response is not None:
        out["response"] = stub.response
    else:
        code = proc.returncode
        out["error"] = (
            f"no answer within {args.timeout} s"
            if code in (None, -signal.SIGKILL)
            else f"the process exited with {code} before it answered"
        )
    print(json.dumps(out))
    return 0 if "response" in out else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("coldstart")
    c.add_argument("--runs", type=int, default=15)
    c.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the first /next")
    c.add_argument("--log", help="append the function's stdout and stderr to this file")
    c.add_argument("binaries", nargs="+", metavar="binary")
    i = sub.add_parser("invoke")
    i.add_argument("--event", required=True)
    i.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the answer")
    i.add_argument("--log", help="append the function's stdout and stderr to this file")
    i.add_argument("binary")
    args = p.parse_args()
    return coldstart(args) if args.cmd == "coldstart" else invoke(args)


if __name__ == "__main__":
    sys.exit(main())
