"""What every REST endpoint shares: JSON errors, pagination, base views, the API root."""
