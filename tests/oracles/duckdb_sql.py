"""Runs one SQL query of docs/scale.md over an export with DuckDB and prints its rows as CSV.

usage: duckdb_sql.py DOCS_SCALE_MD QUERY_NAME EXPORT_DIR

The query is the fenced ```sql block whose first line is `-- QUERY_NAME` (for example
`-- duckdb: coupling`); `DIR` in it is replaced by EXPORT_DIR. Only the standard library and the
`duckdb` package are used.
"""

import csv
import re
import sys

import duckdb


def query_text(markdown, name):
    for block in re.findall(r"```sql\n(.*?)```", markdown, flags=re.S):
        first, _, rest = block.partition("\n")
        if first.strip() == f"-- {name}":
            return rest
    sys.exit(f"no ```sql block starting with `-- {name}` in the document")


def main():
    doc, name, export = sys.argv[1:4]
    with open(doc, encoding="utf-8") as f:
        sql = query_text(f.read(), name).replace("'DIR/", "'" + export.rstrip("/") + "/")
    result = duckdb.connect().execute(sql)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow([d[0] for d in result.description])
    for row in result.fetchall():
        out.writerow(row)


main()
