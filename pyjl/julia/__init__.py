"""The bridge to Julia: locate it, start it once (juliacall or PyJulia), convert, call.

``availability()`` says whether the ``julia`` engine can run here (and why not),
``call(name, *args)`` runs ``PyJL.<name>`` with arrays passed as views (layout:
see the orientation rule in :mod:`pyjl.julia.bridge`), ``julia_version()``
and ``bridge_summary()`` feed ``pyjl info``.  Importing this package never
imports juliacall and never starts Julia.
"""

from ..exceptions import JuliaLinAlgError
from .bridge import availability, bridge_summary, call, julia_version, start

__all__ = ["availability", "call", "julia_version", "bridge_summary", "start", "JuliaLinAlgError"]
