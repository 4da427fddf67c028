from data_layer.cli import main

raise SystemExit(main())
