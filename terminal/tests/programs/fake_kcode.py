"""A small long-lived REPL standing in for kcode in server tests.

It prints a banner with the user the server named, then answers each line:
`/later PATH` prints a line a moment later and then creates PATH (so a test knows the output was
produced), `/exit` leaves, anything else is echoed back doubled.
"""

import os
import sys
import threading
import time


def later(path: str) -> None:
    time.sleep(0.2)
    print("LATER-" + "OUTPUT", flush=True)
    open(path, "w").close()


def main() -> None:
    print(f"fake-kcode user={os.environ.get('KULVEX_USER_ID')}", flush=True)
    for line in sys.stdin:
        line = line.strip()
        if line == "/exit":
            return
        if line.startswith("/later "):
            threading.Thread(target=later, args=(line.split(" ", 1)[1],)).start()
        else:
            print(f"said:{line}{line}", flush=True)


if __name__ == "__main__":
    main()
