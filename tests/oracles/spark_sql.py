"""Runs the Spark SQL of docs/scale.md over an export with PySpark and prints its rows as CSV.

usage: spark_sql.py DOCS_SCALE_MD QUERY_NAME EXPORT_DIR

First the ```sql block starting with `-- spark: views` (the views over the export), then the block
starting with `-- QUERY_NAME` (for example `-- spark: coupling`); `DIR` in them is replaced by
EXPORT_DIR. Needs the `pyspark` package and a Java runtime.
"""

import csv
import re
import sys

from pyspark.sql import SparkSession


def block(markdown, name):
    for text in re.findall(r"```sql\n(.*?)```", markdown, flags=re.S):
        first, _, rest = text.partition("\n")
        if first.strip() == f"-- {name}":
            return rest
    sys.exit(f"no ```sql block starting with `-- {name}` in the document")


def main():
    doc, name, export = sys.argv[1:4]
    with open(doc, encoding="utf-8") as f:
        markdown = f.read()
    local = lambda sql: sql.replace("'DIR/", "'" + export.rstrip("/") + "/")
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
    frame = spark.sql(local(block(markdown, name)))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(frame.columns)
    for row in frame.collect():
        out.writerow(list(row))
    spark.stop()


main()
