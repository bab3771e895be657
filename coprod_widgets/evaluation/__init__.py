"""Cross-site evaluation for JupyterLab: data loading and filters, indicators, charts.

Imports pandas (and, for charts, Altair): never import this from the site app.
"""
