"""``extract batch DIR -o OUT``: extract every filing in a folder, resumably and concurrently.

How a run works (``runner.run_batch``):

1. ``walk.iter_filings`` walks ``DIR`` lazily (sorted within each directory), yielding one
   filing at a time; nothing is collected for the whole folder.
2. The runner keeps at most ``concurrency`` filings in flight. Each filing is hashed
   (sha256 of its bytes) and skipped when ``OUT/manifest/<name>.json`` says it was already
   extracted from the same bytes with the same settings. Otherwise the batch's engine
   produces its record (the per-file seam is ``runner.ExtractOne``): locally
   ``engine.AsyncPipeline``, whose blocking work runs in threads or worker processes
   (``workers``), or with ``--engine ray`` ``ray_engine.RayEngine``, a Ray task per filing.
   Folders may be fsspec URLs (``remote``).
3. ``store.OutputFolder`` commits a record in three atomic steps: drop the old manifest,
   write ``records/<name>.json``, write ``manifest/<name>.json``. The manifest is the commit
   marker, so a crash at any point leaves either a committed record or one that is redone
   next run.
4. At the end (also after Ctrl-C) ``results.jsonl`` and ``results.csv`` are rebuilt from the
   committed records, one line/row per filing, and ``summary.json`` is written.

Outputs in ``OUT``: ``records/``, ``manifest/``, ``results.jsonl`` (also appended line by line
during the run, for tailing), ``results.csv`` (UTF-8 with BOM), ``errors.jsonl`` (this run's
failures only) and ``summary.json``. ``progress`` shows the run as it goes.

Nothing is imported here: worker processes import ``workers`` alone.
"""
