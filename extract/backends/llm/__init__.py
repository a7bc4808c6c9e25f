"""The LLM backend: passages located, prompts rendered, typed answers asked, every number grounded.

``plan`` decides what is asked (no openai import, so worker processes can plan), ``prompts``
renders it, ``client`` asks the endpoint (``transport``: retries and failures; ``cache``:
answers on disk; ``limits``: the budgets calls share), ``answers`` types the replies,
``ground`` finds every value in the source, and ``backend`` runs the whole flow per section.
Importing this package loads none of them.
"""
