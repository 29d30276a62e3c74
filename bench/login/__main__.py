import sys

from bench.login.run import main

sys.exit(main())
