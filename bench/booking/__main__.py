import sys

from bench.booking.run import main

sys.exit(main())
