"""Pages that compose every layer: the dashboard, the inventory, the navigation."""
