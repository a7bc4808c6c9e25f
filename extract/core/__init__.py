"""What every layer stands on: errors, the record's schema, spans, numbers and dates.

Nothing here imports another part of the package.
"""
