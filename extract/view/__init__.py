"""``extract view``: a filing's text with every evidence span of its record highlighted.

One self-contained HTML page (inline CSS and JS, nothing fetched): the text, page by page
for a PDF, with each quote marked and coloured by its check status; beside it the record's
sections and fields, each value a link to its quote. ``make.make_view`` makes one from a
filing or a record file; ``page.render_view`` draws one from a record and its text.

This is a reporting layer: the batch (``--html``) and the evaluation report use it, and
nothing below it (load, tables, backends, the pipeline) imports it.
"""
