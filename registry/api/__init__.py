"""The registry's REST endpoints, serializers and filters."""
