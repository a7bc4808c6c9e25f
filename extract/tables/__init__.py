"""Tables: where a table is, and the rows of figures it holds, from flattened text or PDF cells."""
