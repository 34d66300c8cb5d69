import sys

from sfnc.cli import main

sys.exit(main())
