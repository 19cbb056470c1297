"""Vendor adapters: translate real exports into Tilsyn's canonical landing files (../../shared/SOURCES.md).

One module per export format, each a plain function that reads the vendor's files and writes canonical CSV files into
`<landing>/<source>/`, returning an `ImportReport` (rows in and out, quirks counted, rows excluded and why):

- `anonymous_bank.import_anonymous_bank`: the Technion SEE lab's Anonymous Bank call log (one row per call).
- `amazon_connect.import_amazon_connect`: Amazon Connect contact trace records and agent event stream.

The mapping tables live in each module's docstring; `docs/real-data.md` is the user's guide.
"""
