"""The `census` command's entry point: `census run` goes to the local census server when it
can (flows/local_server.py: a warm process and a running Prefect API, so a correction takes
about its own work), every other command and every other case to `flows.cli` in this process.

Only the standard library is imported here: the point is not to pay for pandas and Prefect in
a process that hands its run over.
"""

from __future__ import annotations

import os
import sys

from flows import local_server


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # With a Prefect API configured (an operator's server, a profile) the run talks to it from
    # this process, as before; so it does when the local server is switched off or missing.
    if argv[:1] == ["run"] and local_server.enabled() and not local_server.api_configured():
        try:
            code = local_server.run_remote(argv)
        except KeyboardInterrupt:  # Ctrl-C while the server starts: nothing has run yet
            print("\ncensus: đã dừng / interrupted", file=sys.stderr)
            return 130
        if code is not None:
            return code
    from flows.cli import main as cli_main

    try:
        return cli_main(argv)
    except BrokenPipeError:
        # Whoever read the output stopped early (`census check ... | head`): nothing is wrong
        # with the run. Python's own advice: point stdout at devnull so its flush at exit
        # raises no second error, and exit as a process killed by SIGPIPE would.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
