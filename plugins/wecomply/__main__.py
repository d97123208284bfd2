from wecomply.cli import main

raise SystemExit(main())
