"""A filing in: bytes or a PDF's text layer decoded, normalised, with an offset map back.

``decode`` turns bytes into text, ``pdf`` reads a PDF's text layer (and, on request, the
cells of its tables), ``finglm`` renders FinGLM JSON lines as text and tables,
``normalise`` prepares text for matching, ``document`` ties them into a
:class:`~extract.load.document.Document`.
"""
