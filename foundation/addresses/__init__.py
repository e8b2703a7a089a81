"""Addresses: turning a stack into IPAM requests, the lock cycle, and the check across stacks."""
