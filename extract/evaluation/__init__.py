"""Score extractions against the gold labels in ``eval/gold`` (format: eval/gold/README.md).

The flow, each step a small function:

1. ``gold.load_gold_dir`` reads and validates every gold YAML file (``GoldDoc``), finding
   each document with ``documents.find_document``.
2. Predictions come from running ``extract_file`` on each gold document
   (``predict.predict_by_extracting``) or from a batch output folder
   (``predict.predictions_from_batch``).
3. ``score.score_document`` compares every contract field; ``fields.score_value`` decides
   one field.
4. ``score.build_report`` adds the counts and metrics per field path, section, document and
   overall into the ``report.EvalReport`` that ``render`` writes; ``run.evaluate`` does all
   four. ``compare`` sets two runs side by side; ``floor`` checks a run against
   ``eval/floor.json``.

Outcomes per field: ``correct``, ``wrong`` (both have values, they differ), ``missed`` (gold
value, prediction null), ``spurious`` (prediction value, gold null) and ``true_null`` (both
null; counted but left out of the metrics).

Metrics, over fields where gold or prediction has a value:
accuracy = correct / (correct + wrong + missed + spurious),
precision = correct / (correct + wrong + spurious), recall = correct / (correct + wrong + missed),
F1 = 2PR / (P + R). A metric whose denominator is 0 is ``None``.
"""
