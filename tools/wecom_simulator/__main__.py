import sys

from wecom_simulator.cli import main

sys.exit(main())
