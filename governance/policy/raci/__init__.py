"""Who is responsible, accountable, consulted and informed for each system, model, dataset."""
