from data_layer.ops.cli import main

raise SystemExit(main())
