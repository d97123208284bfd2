"""Monthly compliance reports: the report model, inline SVG charts and rendering.

`wecomply.reports.model` is the data the records aggregation fills in;
`wecomply.reports.render` turns one report into a self-contained HTML file and a WeCom
markdown summary.
"""
