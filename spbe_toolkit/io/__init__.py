"""Everything that reads or writes files: submission readers and checks, the Excel template,
the bundled published tables, result tables from files, and the safe writers."""
