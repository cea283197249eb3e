"""PDF reports: rendering (no models) lives here; Report rows and tasks live beside it."""
