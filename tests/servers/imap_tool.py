"""IMAP from the tests' side (the lead's mail arriving, what the agent left behind).

  imap_tool.py append PORT USER PASS FOLDER FILE   put FILE in FOLDER
  imap_tool.py list PORT USER PASS FOLDER          print [{"uid":…, "flags":[…]}] as JSON
  imap_tool.py unseen PORT USER PASS FOLDER        clear \\Seen on every message (a person)
"""

import imaplib
import json
import re
import sys


def main():
    cmd, port, user, password, folder = sys.argv[1:6]
    m = imaplib.IMAP4("127.0.0.1", int(port))
    m.login(user, password)
    if cmd == "append":
        with open(sys.argv[6], "rb") as f:
            typ, data = m.append(folder, None, None, f.read())
        assert typ == "OK", data
    elif cmd == "unseen":
        typ, _ = m.select(folder)
        assert typ == "OK"
        typ, data = m.uid("STORE", "1:*", "-FLAGS", "(\\Seen)")
        assert typ == "OK", data
    elif cmd == "list":
        typ, _ = m.select(folder)
        assert typ == "OK"
        typ, data = m.uid("FETCH", "1:*", "(UID FLAGS)")
        out = []
        for line in data:
            if not line:
                continue
            text = line.decode() if isinstance(line, bytes) else line[0].decode()
            uid = re.search(r"UID (\d+)", text)
            flags = re.search(r"FLAGS \(([^)]*)\)", text)
            if uid:
                out.append({"uid": int(uid.group(1)), "flags": flags.group(1).split() if flags else []})
        print(json.dumps(out))
    m.logout()


if __name__ == "__main__":
    main()
