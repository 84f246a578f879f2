"""Pure translation between lexoffice JSON and the unified model (``schemas``): no I/O here."""
