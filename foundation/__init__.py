"""foundation: a reliable AWS network foundation per environment (the tool)."""
