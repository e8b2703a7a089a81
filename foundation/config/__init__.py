"""What the user wrote: the stack config, the org address plan, the Region catalogue."""
