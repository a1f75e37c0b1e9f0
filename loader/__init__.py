"""Loader: model metadata -> names -> vectors -> edges -> communities/hierarchy -> artifacts."""
