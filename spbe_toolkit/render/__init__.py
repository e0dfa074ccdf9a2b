"""Display only, no rules of their own: charts (``plots``), notebook widgets (``widgets``),
coaching memos (``memo``) and reports combining tables and charts (``reports``)."""
