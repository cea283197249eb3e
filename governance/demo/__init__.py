"""The demo's governance steps, run by ``seed_demo`` after the registry's demo content."""
