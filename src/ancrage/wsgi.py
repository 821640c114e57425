import os

# One BLAS thread per server process: the directory search's encoder computes on small matrices,
# and OpenBLAS's idle threads spin, taking the processors from the other workers' requests (under
# `ancrage bench load`, p50 of a search 38 → 22 ms and throughput at saturation +35 %). Set before
# numpy is first imported.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from django.core.wsgi import get_wsgi_application  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ancrage.settings")
application = get_wsgi_application()
