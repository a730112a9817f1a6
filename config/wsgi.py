import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# What is loaded by now (modules, classes, models, settings: about 150,000 objects) lives as
# long as the process. Frozen, the collector's full passes no longer walk it: on national
# supervision's case list one request in seven ran a full pass of 60-80 ms (p95 132-154 ms,
# 86-92 ms frozen, at 1,000,000 cases; docs/performance.md). Each gunicorn worker imports
# this module after its fork, so each freezes its own heap.
gc.freeze()
