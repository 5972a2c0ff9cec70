"""One APIRouter per resource: ``health`` (liveness), ``datasets``, ``jobs`` (solve and jobs),
``approval``, ``batches``, ``keys``. ``service.app.create_app`` includes them all; each route takes
the running :class:`~landquota.service.runtime.Service` as a dependency (``common.Svc``) and
declares the scope it needs (``who: Reader`` / ``Solver`` / ``Admin``, ``service.auth``)."""
