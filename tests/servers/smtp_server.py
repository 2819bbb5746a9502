"""An SMTP server on 127.0.0.1 for the real-mail tests (aiosmtpd).

Prints its port on the first line of standard output, then serves until killed. Every message
accepted is written to DIR/mail/NNNNN.eml. The file DIR/mode, read at each command, decides the
answer:
  ok         250 with a queue id (the default)
  451        451 to the end of the data (nothing kept)
  550        550 to the end of the data (nothing kept)
  drop       the message is kept, then the connection is cut before the 250 is written
  drop-mail  the connection is cut at MAIL FROM (nothing kept)
With SMTP_USER and SMTP_PASS set, AUTH is required (PLAIN or LOGIN, also without TLS: the
server listens on 127.0.0.1 only). With TLS_CERT and TLS_KEY set, STARTTLS is offered and
required; with TLS_IMPLICIT=1 as well, TLS starts with the first byte instead.
"""

import asyncio
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult


def main():
    root = sys.argv[1]
    os.makedirs(os.path.join(root, "mail"), exist_ok=True)

    def mode():
        try:
            with open(os.path.join(root, "mode")) as f:
                return f.read().strip() or "ok"
        except FileNotFoundError:
            return "ok"

    class Handler:
        count = 0

        async def handle_MAIL(self, server, session, envelope, address, mail_options):
            if mode() == "drop-mail":
                server.transport.abort()
                return "421 4.3.0 closing"
            envelope.mail_from = address
            envelope.mail_options.extend(mail_options)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            m = mode()
            if m == "451":
                return "451 4.3.0 Try again later"
            if m == "550":
                return "550 5.7.1 Message refused"
            Handler.count += 1
            n = Handler.count
            path = os.path.join(root, "mail", f"{n:05}.eml")
            with open(path + ".tmp", "wb") as f:
                f.write(envelope.original_content or envelope.content)
            os.rename(path + ".tmp", path)
            if m == "drop":
                server.transport.abort()
                return "250 2.0.0 never written"
            return f"250 2.0.0 Ok: queued as Q{n:05}"

    user, password = os.environ.get("SMTP_USER"), os.environ.get("SMTP_PASS")

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            user is not None
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        # handled=False: the server answers 535 itself.
        return AuthResult(success=ok, handled=False)

    tls = None
    if os.environ.get("TLS_CERT"):
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(os.environ["TLS_CERT"], os.environ["TLS_KEY"])

    implicit = tls is not None and os.environ.get("TLS_IMPLICIT") == "1"

    def factory():
        return SMTP(
            Handler(),
            hostname="localhost",
            decode_data=False,
            authenticator=authenticator if user else None,
            auth_required=bool(user),
            auth_require_tls=tls is not None,
            tls_context=None if implicit else tls,
            require_starttls=tls is not None and not implicit,
        )

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(
        loop.create_server(factory, "127.0.0.1", 0, ssl=tls if implicit else None)
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    loop.run_forever()


if __name__ == "__main__":
    main()
