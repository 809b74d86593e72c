"""The Qt layer: a thin shell over the services; no business rules live here."""
