"""python -m pipeline.sim: serve the simulated hub in the foreground.

Prints the base URL and serves until Ctrl-C or SIGTERM. With --catalogue DIR
it also writes the demo catalogue for this hub into DIR.
"""

from __future__ import annotations

import argparse
import pathlib
import signal
import threading
from types import FrameType

from pipeline.sim.demo import write_demo_catalogue
from pipeline.sim.server import SimulatedHub


def _parse(argv: list[str] | None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument("--trickle-seconds", type=float, default=30.0)
    parser.add_argument("--catalogue", type=pathlib.Path, help="write the demo catalogue here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run the hub until interrupted, printing its base URL first."""
    options = _parse(argv)
    done = threading.Event()

    def on_term(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)  # also when started with SIGINT ignored (`cmd &`)
    with SimulatedHub(options.host, options.port, options.trickle_seconds) as hub:
        print(hub.base_url, flush=True)
        if options.catalogue is not None:
            print(write_demo_catalogue(options.catalogue, hub.base_url), flush=True)
        while not done.wait(0.5):
            pass


if __name__ == "__main__":
    main()
