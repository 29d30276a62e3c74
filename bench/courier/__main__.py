import sys

from bench.courier.run import main

sys.exit(main())
