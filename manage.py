#!/usr/bin/env python
"""Same as the `ancrage` console script, for those who type manage.py out of habit."""

from ancrage.cli import main

if __name__ == "__main__":
    main()
