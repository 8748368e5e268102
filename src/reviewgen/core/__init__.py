"""Ground floor: errors, the registry, record schemas, the config schema, seeds, secrets and
dataset I/O. Imports nothing from the floors above."""
