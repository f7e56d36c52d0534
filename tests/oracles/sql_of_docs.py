"""Runs one SQL query of docs/scale.md over an export and prints its rows as CSV.

usage: sql_of_docs.py ENGINE DOCS_SCALE_MD QUERY EXPORT_DIR

ENGINE is `duckdb` (the `duckdb` package) or `spark` (the `pyspark` package and a Java runtime).
The query is the fenced ```sql block whose first line is `-- ENGINE: QUERY` (for example
`-- duckdb: coupling`); for Spark, the block `-- spark: views` runs first. `'DIR/` in them is
replaced by EXPORT_DIR.
"""

import csv
import re
import sys


def block(markdown, name):
    for text in re.findall(r"```sql\n(.*?)```", markdown, flags=re.S):
        first, _, rest = text.partition("\n")
        if first.strip() == f"-- {name}":
            return rest
    sys.exit(f"no ```sql block starting with `-- {name}` in the document")


def duckdb_rows(markdown, query, local):
    import duckdb

    result = duckdb.connect().execute(local(block(markdown, f"duckdb: {query}")))
    return [d[0] for d in result.description], result.fetchall()


def spark_rows(markdown, query, local):
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    for statement in local(block(markdown, "spark: views")).split(";"):
        if statement.strip():
            spark.sql(statement)
    frame = spark.sql(local(block(markdown, f"spark: {query}")))
    rows = [list(row) for row in frame.collect()]
    spark.stop()
    return frame.columns, rows


def main():
    engine, doc, query, export = sys.argv[1:5]
    with open(doc, encoding="utf-8") as f:
        markdown = f.read()
    local = lambda sql: sql.replace("'DIR/", "'" + export.rstrip("/") + "/")
    run = {"duckdb": duckdb_rows, "spark": spark_rows}[engine]
    columns, rows = run(markdown, query, local)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(columns)
    out.writerows(rows)


main()
