"""Entry point of `python -m foundation`."""

import sys

from foundation.cli import main

sys.exit(main())
