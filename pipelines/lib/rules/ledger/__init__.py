"""The ledger: the agreement and the law as data (``pipelines/ledger/*.yaml``), validated.

One module per job: :mod:`.rule_language` (the closed vocabulary of rules and its one
interpreter), :mod:`.schema` (the pydantic models and their cross-checks), :mod:`.loader` (reading
the YAML files, errors naming the file and the entry), :mod:`.frames` (the ledger as tables for
SQL) and :mod:`.queries` (what the ledger says of one line on one day).
"""
