"""The audit report: one self-contained HTML page built from the warehouse (no Dagster here).

``queries`` reads the marts (every section says what is missing rather than failing when a mart
is absent), ``charts`` draws them with Vega-Altair as static SVG, ``ledger_notes`` lists the
ledger's assumptions, ``render`` fills the Jinja2 template and writes the files, ``screenshot``
photographs the first screen for the README.
"""
