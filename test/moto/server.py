"""moto's server on 127.0.0.1, for the EC2 port contract tests (started by test/support/moto.ts).

Listens on the port given (0 = any free one), prints `LISTENING http://127.0.0.1:<port>` once it accepts
requests, and exits when its stdin closes, so it never outlives the test process that started it.
"""

import sys

from moto.moto_server.threaded_moto_server import ThreadedMotoServer


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    host, bound = server.get_host_and_port()
    print(f"LISTENING http://{host}:{bound}", flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
