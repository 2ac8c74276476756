"""The wire types: what every JSON route of the server extension answers, as ``TypedDict``s.

One module per area (``status``, ``runs`` for experiments, runs and artifacts, ``compare``, ``registry`` for
models, versions, promotion and version files, ``snapshots``). Their TypeScript twins live in ``src/api/``
(``types.ts``, ``registryTypes.ts``, ``compareTypes.ts``, ``snapshotTypes.ts``) under the same names with an
``I`` prefix. ``tests/test_wire_contract.py`` checks a recorded answer of every route against both
(``src/__tests__/recorded/``; ``MLOPS_RECORD_WIRE=1`` records them again).

The views import these names for their annotations only (``TYPE_CHECKING``): nothing here runs in a kernel.
"""
