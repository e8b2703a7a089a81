"""Entry point of `python -m foundation`."""

import sys

from foundation.cli import main

if __name__ == "__main__":  # a spawned worker re-imports this module as __mp_main__
    sys.exit(main())
