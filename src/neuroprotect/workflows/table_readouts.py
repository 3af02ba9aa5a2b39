"""Registrations of the tabular readouts (neurological score, TTC table, brain water, Evans Blue)."""
