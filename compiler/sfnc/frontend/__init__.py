"""The front end: source text → positioned YAML → schema check → model → semantic checks."""
