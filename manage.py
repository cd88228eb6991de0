#!/usr/bin/env python
"""Same as the `safeguarding` console script."""

from safeguarding.manage import main

if __name__ == "__main__":
    main()
