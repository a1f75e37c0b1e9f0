"""Dash + dash-cytoscape explorer over the named queries."""
