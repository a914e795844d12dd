"""``python -m embedforge`` (and ``torchrun -m embedforge train ...``) run the CLI."""

from __future__ import annotations

import sys

from embedforge.commands.main import main

if __name__ == "__main__":
    sys.exit(main())
