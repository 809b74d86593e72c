"""Reports built from the data: the weekly report (figures now, PDF rendering later)."""
