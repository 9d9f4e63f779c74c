"""Deleting processings: one on request (DELETE), or all past FOLIO_RETENTION_DAYS."""
