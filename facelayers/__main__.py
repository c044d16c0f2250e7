"""``python -m facelayers``: see :mod:`facelayers.delivery.cli`."""

import sys

# jsonschema imports rfc3987_syntax, when installed, to check the "iri" format, and that import builds
# a grammar: about 0.8 s per process. Our schemas use no formats, and this process is ours alone.
sys.modules.setdefault("rfc3987_syntax", None)

from facelayers.delivery.cli import main  # noqa: E402

raise SystemExit(main())
