import sys

from bench.events.run import main

sys.exit(main())
