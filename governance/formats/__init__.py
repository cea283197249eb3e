"""Date and number formats that differ from Django's for a language of ours."""
