use std::io::{self, Write};

use crate::{Cell, Table};

/// Version of the JSON layout; bumped when a field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

/// How a [`Table`] is written. The variants' docs are the `--format` help of the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Format {
    /// Aligned columns.
    Table,
    /// Comma-separated values with a header; column names follow code-maat.
    Csv,
    /// JSON with a `schema_version`.
    Json,
    /// A Markdown table.
    #[cfg_attr(feature = "clap", value(name = "md"))]
    Markdown,
    /// A Graphviz graph (`coupling`, `components --show coupling`, `deps --show
    /// edges|stable|cycles|imports`).
    Dot,
    /// A `GraphML` graph (the same tables).
    #[cfg_attr(feature = "clap", value(name = "graphml"))]
    GraphMl,
    /// SARIF 2.1.0 for code scanning (`check` only).
    Sarif,
}

/// What a command prints, which decides the formats it can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// One table.
    Table,
    /// One table of pairs of entities, which can also be drawn as a graph.
    Pairs,
    /// Several tables, which CSV and the graph formats cannot hold.
    Tables,
    /// The findings of `check`, which SARIF can hold.
    Findings,
    /// A folder of every format (`report`).
    Folder,
}

impl Format {
    /// Why `command`, printing `output`, cannot be written in this format; `None` when it can.
    pub fn refusal(self, command: &str, output: Output) -> Option<String> {
        match (self, output) {
            (Format::Table, _)
            | (Format::Sarif, Output::Findings)
            | (Format::Dot | Format::GraphMl, Output::Pairs) => None,
            (Format::Sarif, _) => Some(format!(
                "`--format sarif` is for the findings of `check`, not `{command}`"
            )),
            (Format::Dot | Format::GraphMl, _) => Some(format!(
                "`--format dot` and `--format graphml` draw pairs of entities: use them with `coupling`, `components --show coupling` or `deps --show edges|stable|cycles|imports`; what `{command}` prints here is not pairs"
            )),
            (_, Output::Folder) => Some(format!(
                "`{command}` writes a folder of every format; `--format` does not apply to it"
            )),
            (Format::Csv, Output::Tables) => Some(format!(
                "`{command}` prints several tables and this format holds one: choose one with `--show` (`{command} --help` lists them)"
            )),
            _ => None,
        }
    }
}

/// Writes `table` to `out` in `format`.
pub fn render(table: &Table, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Table => text(table, out),
        Format::Csv => csv(table, out),
        Format::Json => json(table, out),
        Format::Markdown => markdown(table, out),
        Format::Dot => dot(table, out),
        Format::GraphMl => graphml(table, out),
        Format::Sarif => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "`--format sarif` is for the findings of `check`, not `{}`",
                table.name
            ),
        )),
    }
}

/// The columns naming the two ends of each row's edge, and whether edges have a direction:
/// `entity` and `coupled` (pairs that change together), or `from` and `to` (dependencies). An
/// error for tables that are neither.
fn pair_columns(table: &Table) -> io::Result<(usize, usize, bool)> {
    let find = |name: &str| table.columns.iter().position(|c| c == name);
    match (find("entity"), find("coupled"), find("from"), find("to")) {
        (Some(a), Some(b), _, _) => Ok((a, b, false)),
        (_, _, Some(a), Some(b)) => Ok((a, b, true)),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "`{}` is not a table of pairs: graph formats need `entity` and `coupled` columns (as `coupling` has) or `from` and `to` (as `deps --show edges` has)",
                table.name
            ),
        )),
    }
}

/// Nodes in order of first appearance.
fn nodes(table: &Table, a: usize, b: usize) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut nodes = Vec::new();
    for row in &table.rows {
        for i in [a, b] {
            let name = row[i].text();
            if seen.insert(name.clone()) {
                nodes.push(name);
            }
        }
    }
    nodes
}

fn dot(table: &Table, out: &mut dyn Write) -> io::Result<()> {
    let (a, b, directed) = pair_columns(table)?;
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let degree = table.columns.iter().position(|c| c == "degree");
    let (kind, arrow) = if directed {
        ("digraph", "->")
    } else {
        ("graph", "--")
    };
    writeln!(out, "{kind} {} {{", quote(&table.name))?;
    writeln!(
        out,
        "  node [shape=box, fontname=\"sans-serif\", fontsize=10];"
    )?;
    for node in nodes(table, a, b) {
        writeln!(out, "  {};", quote(&node))?;
    }
    for row in &table.rows {
        let label = degree.map_or_else(String::new, |d| {
            let v = row[d].text();
            format!(
                " [label={}, weight={v}, penwidth={:.2}]",
                quote(&v),
                0.5 + v.parse::<f64>().unwrap_or(0.0) / 25.0
            )
        });
        writeln!(
            out,
            "  {} {arrow} {}{label};",
            quote(&row[a].text()),
            quote(&row[b].text())
        )?;
    }
    writeln!(out, "}}")
}

fn graphml(table: &Table, out: &mut dyn Write) -> io::Result<()> {
    let (a, b, directed) = pair_columns(table)?;
    let xml = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">"
    )?;
    let attributes: Vec<usize> = (0..table.columns.len())
        .filter(|&i| i != a && i != b)
        .collect();
    for &i in &attributes {
        let kind = match table.rows.first().map(|r| &r[i]) {
            Some(Cell::Int(_)) => "long",
            Some(Cell::Float(_)) => "double",
            Some(Cell::Bool(_)) => "boolean",
            _ => "string",
        };
        writeln!(
            out,
            "  <key id=\"e{i}\" for=\"edge\" attr.name=\"{}\" attr.type=\"{kind}\"/>",
            xml(&table.columns[i])
        )?;
    }
    writeln!(
        out,
        "  <graph id=\"{}\" edgedefault=\"{}\">",
        xml(&table.name),
        if directed { "directed" } else { "undirected" }
    )?;
    for node in nodes(table, a, b) {
        writeln!(out, "    <node id=\"{}\"/>", xml(&node))?;
    }
    for row in &table.rows {
        writeln!(
            out,
            "    <edge source=\"{}\" target=\"{}\">",
            xml(&row[a].text()),
            xml(&row[b].text())
        )?;
        for &i in &attributes {
            if row[i] != Cell::Null {
                writeln!(
                    out,
                    "      <data key=\"e{i}\">{}</data>",
                    xml(&row[i].text())
                )?;
            }
        }
        writeln!(out, "    </edge>")?;
    }
    writeln!(out, "  </graph>\n</graphml>")
}

fn text(table: &Table, out: &mut dyn Write) -> io::Result<()> {
    let cells: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|r| r.iter().map(Cell::text).collect())
        .collect();
    let widths: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, name)| {
            cells
                .iter()
                .map(|r| r[i].chars().count())
                .chain([name.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let numeric: Vec<bool> = (0..table.columns.len())
        .map(|i| {
            table.rows.iter().any(|r| r[i].is_numeric())
                && table
                    .rows
                    .iter()
                    .all(|r| r[i].is_numeric() || r[i] == Cell::Null)
        })
        .collect();
    let line = |out: &mut dyn Write, values: &[String]| -> io::Result<()> {
        let mut text = String::new();
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            let pad = widths[i].saturating_sub(value.chars().count());
            let last = i + 1 == values.len();
            if numeric[i] {
                text.push_str(&" ".repeat(pad));
                text.push_str(value);
            } else {
                text.push_str(value);
                if !last {
                    text.push_str(&" ".repeat(pad));
                }
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    if let Some(title) = &table.title {
        writeln!(out, "{title}")?;
    }
    for (key, value) in &table.context {
        writeln!(out, "{key}: {value}")?;
    }
    if table.title.is_some() || !table.context.is_empty() {
        writeln!(out)?;
    }
    line(out, &table.columns)?;
    for row in &cells {
        line(out, row)?;
    }
    if cells.is_empty() {
        writeln!(out, "{NO_ROWS}")?;
    }
    if !table.legend.is_empty() {
        writeln!(out)?;
        for text in &table.legend {
            writeln!(out, "{text}")?;
        }
    }
    Ok(())
}

/// Under the header of a table without rows, in text and Markdown, so that an empty result is
/// not taken for a failed run (CSV and JSON stay as they are, for programs).
const NO_ROWS: &str = "(no rows)";

fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

fn csv(table: &Table, out: &mut dyn Write) -> io::Result<()> {
    let header: Vec<String> = table
        .columns
        .iter()
        .chain(table.context.iter().map(|(key, _)| key))
        .map(|c| csv_field(c))
        .collect();
    writeln!(out, "{}", header.join(","))?;
    for row in &table.rows {
        let fields: Vec<String> = row
            .iter()
            .map(Cell::text)
            .chain(table.context.iter().map(|(_, value)| value.clone()))
            .map(|text| csv_field(&text))
            .collect();
        writeln!(out, "{}", fields.join(","))?;
    }
    Ok(())
}

pub(crate) fn json_value(cell: &Cell) -> serde_json::Value {
    match cell {
        Cell::Null => serde_json::Value::Null,
        Cell::Text(s) => s.clone().into(),
        Cell::Int(v) => (*v).into(),
        Cell::Float(v) => {
            serde_json::Number::from_f64(*v).map_or(serde_json::Value::Null, Into::into)
        }
        Cell::Bool(b) => (*b).into(),
    }
}

/// Renders the tables of one command, each cut to `top` rows: one table as [`render`] does;
/// several one after the other, titled by name, in text and Markdown, or as one JSON document
/// (`{"schema_version", "tables": {name: {"columns", "rows", "context"?}}}`). The other formats hold one table, so several are refused.
pub fn render_tables(
    mut tables: Vec<Table>,
    format: Format,
    top: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    if let Some(top) = top {
        for table in &mut tables {
            table.truncate(top);
        }
    }
    if let [table] = tables.as_slice() {
        return render(table, format, out);
    }
    match format {
        Format::Csv | Format::Dot | Format::GraphMl | Format::Sarif => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "this format holds one table: choose one with `--show`",
        )),
        Format::Json => {
            let mut map = serde_json::Map::new();
            for table in &tables {
                map.insert(table.name.clone(), json_document(table));
            }
            let document = serde_json::json!({ "schema_version": SCHEMA_VERSION, "tables": map });
            serde_json::to_writer_pretty(&mut *out, &document)?;
            writeln!(out)
        }
        Format::Table | Format::Markdown => {
            for (i, table) in tables.iter_mut().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                    table.context.clear();
                }
                table.title.get_or_insert_with(|| table.name.clone());
                render(table, format, out)?;
            }
            Ok(())
        }
    }
}

fn json(table: &Table, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &json_document(table))?;
    writeln!(out)
}

fn json_document(table: &Table) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = table
        .rows
        .iter()
        .map(|row| {
            let object: serde_json::Map<String, serde_json::Value> = table
                .columns
                .iter()
                .cloned()
                .zip(row.iter().map(json_value))
                .collect();
            serde_json::Value::Object(object)
        })
        .collect();
    let mut document = serde_json::json!({
        "schema_version": SCHEMA_VERSION,
        "analysis": table.name,
        "columns": table.columns,
        "rows": rows,
    });
    if !table.context.is_empty() {
        let context: serde_json::Map<String, serde_json::Value> = table
            .context
            .iter()
            .map(|(key, value)| (key.clone(), value.clone().into()))
            .collect();
        document["context"] = context.into();
    }
    document
}

fn markdown(table: &Table, out: &mut dyn Write) -> io::Result<()> {
    let escape = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    if let Some(title) = &table.title {
        writeln!(out, "## {}\n", escape(title))?;
    }
    for (key, value) in &table.context {
        writeln!(out, "**{}**: {}  ", escape(key), escape(value))?;
    }
    if !table.context.is_empty() {
        writeln!(out)?;
    }
    let header: Vec<String> = table.columns.iter().map(|c| escape(c)).collect();
    writeln!(out, "| {} |", header.join(" | "))?;
    let align: Vec<&str> = (0..table.columns.len())
        .map(|i| {
            if table.rows.first().is_some_and(|r| r[i].is_numeric()) {
                "---:"
            } else {
                "---"
            }
        })
        .collect();
    writeln!(out, "|{}|", align.join("|"))?;
    for row in &table.rows {
        let cells: Vec<String> = row.iter().map(|c| escape(&c.text())).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    if table.rows.is_empty() {
        writeln!(out, "\n{NO_ROWS}")?;
    }
    if !table.legend.is_empty() {
        writeln!(out)?;
        for text in &table.legend {
            writeln!(out, "- {}", escape(text))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Format, Output, render};

    #[test]
    fn each_format_is_refused_where_it_cannot_hold_the_output() {
        use Format as F;
        use Output as O;
        let formats = [
            F::Table,
            F::Csv,
            F::Json,
            F::Markdown,
            F::Dot,
            F::GraphMl,
            F::Sarif,
        ];
        let outputs = [O::Table, O::Pairs, O::Tables, O::Findings, O::Folder];
        // Worked out from the rules: rows are outputs, columns the formats above; 1 = accepted.
        let expected = [
            [1, 1, 1, 1, 0, 0, 0], // one table
            [1, 1, 1, 1, 1, 1, 0], // pairs: also drawn as graphs
            [1, 0, 1, 1, 0, 0, 0], // several tables: not CSV or graphs
            [1, 1, 1, 1, 0, 0, 1], // findings: also SARIF
            [1, 0, 0, 0, 0, 0, 0], // a folder of every format
        ];
        for (output, row) in outputs.iter().zip(expected) {
            for (format, accepted) in formats.iter().zip(row) {
                let refusal = format.refusal("cmd", *output);
                assert_eq!(
                    refusal.is_none(),
                    accepted == 1,
                    "{format:?} for {output:?}: {refusal:?}"
                );
            }
        }
        assert_eq!(
            F::Csv.refusal("report", O::Folder).as_deref(),
            Some("`report` writes a folder of every format; `--format` does not apply to it")
        );
    }
    use crate::{Cell, Table};

    fn sample() -> Table {
        Table {
            name: "sample".into(),
            columns: vec!["path".into(), "n".into(), "note".into()],
            rows: vec![
                vec![Cell::Text("a,b.rs".into()), Cell::Int(12), Cell::Null],
                vec![
                    Cell::Text("c.rs".into()),
                    Cell::Int(3),
                    Cell::Text("say \"hi\"".into()),
                ],
            ],
            title: None,
            context: Vec::new(),
            legend: Vec::new(),
        }
    }

    #[test]
    fn context_reaches_every_format() {
        let mut table = sample();
        table.context = vec![("window".into(), "2024-01-01 .. 2024-12-31".into())];
        for format in [Format::Table, Format::Csv, Format::Json, Format::Markdown] {
            let mut out = Vec::new();
            render(&table, format, &mut out).expect("writing to memory");
            let text = String::from_utf8(out).expect("utf-8");
            assert!(
                text.contains("2024-01-01 .. 2024-12-31"),
                "{format:?}: {text}"
            );
        }
    }

    fn rendered(format: Format) -> String {
        let mut out = Vec::new();
        render(&sample(), format, &mut out).expect("writing to memory");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn text_aligns_numbers_right() {
        assert_eq!(
            rendered(Format::Table),
            "path     n  note\na,b.rs  12\nc.rs     3  say \"hi\"\n"
        );
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(
            rendered(Format::Csv),
            "path,n,note\n\"a,b.rs\",12,\n\"c.rs\",3,\"say \"\"hi\"\"\"\n"
                .replace("\"c.rs\"", "c.rs")
        );
    }

    #[test]
    fn json_has_schema_version_and_nulls() {
        let value: serde_json::Value =
            serde_json::from_str(&rendered(Format::Json)).expect("valid json");
        assert_eq!(value["schema_version"], 1);
        assert_eq!(value["rows"][0]["note"], serde_json::Value::Null);
        assert_eq!(value["rows"][1]["n"], 3);
    }

    #[test]
    fn markdown_is_a_table() {
        assert_eq!(
            rendered(Format::Markdown),
            "| path | n | note |\n|---|---:|---|\n| a,b.rs | 12 |  |\n| c.rs | 3 | say \"hi\" |\n"
        );
    }
}
