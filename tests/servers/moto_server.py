#!/usr/bin/env python3
"""moto's server, with DynamoDB's write atomicity.

AWS applies each DynamoDB request to an item atomically: two concurrent `ADD n :one` updates
of one counter return two different values. moto's threaded server runs concurrent requests
without a lock, so under load two of them can read the same value and both write it back.
This launcher serves DynamoDB requests one at a time (every other service stays concurrent:
SQS long polls must not wait behind each other) and is otherwise `moto_server`:

    python3 moto_server.py -H 127.0.0.1 -p PORT
"""
import argparse
import os
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


class DynamoDbOneAtATime:
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
            return self.app(environ, start_response)
        with self.lock:
            # The body is produced inside the lock: the write happens while it is built.
            return list(self.app(environ, start_response))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    # moto writes its own address into what it returns (queue URLs), as moto_server does.
    os.environ.setdefault("MOTO_PORT", str(args.port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        args.host,
        args.port,
        DynamoDbOneAtATime(app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
