//! The report directory: `index.html`, `report.md`, `snapshot.json`, one CSV per analysis and
//! the charts as SVG files, written completely or not at all.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use crate::output::{Files, OutputError, write_folder};
use crate::render::{Format, SCHEMA_VERSION, json_value, render};
use crate::snapshot::{Snapshot, SnapshotError};
use crate::{Cell, Table};

/// Rows shown per table in the HTML and Markdown pages; the CSV files and the snapshot hold all.
pub const PAGE_ROWS: usize = 50;

/// A whole report.
#[derive(Debug, Clone)]
pub struct Report {
    /// The page title.
    pub title: String,
    /// What the report covers: repository, revision, window, as-of, counts.
    pub header: Vec<(String, String)>,
    /// The settings used, so that a later run can be compared.
    pub settings: Vec<(String, String)>,
    /// Single numbers a later run compares against (for example `crossing_share`).
    pub metrics: Vec<(String, f64)>,
    /// The sections, in page order.
    pub sections: Vec<Section>,
}

/// One analysis of the report.
#[derive(Debug, Clone)]
pub struct Section {
    /// Short name: the anchor, the CSV file's name and the key in the snapshot.
    pub id: String,
    /// Heading.
    pub title: String,
    /// One or two sentences saying what the section shows.
    pub text: String,
    /// The numbers.
    pub table: Table,
    /// Charts: file name (`*.svg`) and SVG text.
    pub charts: Vec<(String, String)>,
    /// Rows whose `column` holds `value` are highlighted (`(column, value)`).
    pub highlight: Option<(String, String)>,
    /// The columns the pages show, in order (empty: all); the CSV file and the snapshot hold
    /// every column.
    pub shown: Vec<String>,
}

impl Section {
    /// The table as the pages show it: the `shown` columns only.
    fn page_table(&self) -> Table {
        if self.shown.is_empty() {
            return self.table.clone();
        }
        let positions: Vec<usize> = self
            .shown
            .iter()
            .filter_map(|name| self.table.columns.iter().position(|c| c == name))
            .collect();
        let mut table = self.table.clone();
        table.columns = positions
            .iter()
            .map(|&i| self.table.columns[i].clone())
            .collect();
        table.rows = self
            .table
            .rows
            .iter()
            .map(|row| positions.iter().map(|&i| row[i].clone()).collect())
            .collect();
        table
    }
}

/// Writes the report into `dir` (see [`write_folder`](crate::write_folder) for what may be
/// there and how it is replaced). Returns the files written, sorted.
pub fn write_report(dir: &Path, report: &Report) -> Result<Vec<String>, OutputError> {
    let io = |err: io::Error| OutputError::Io {
        path: dir.to_owned(),
        source: err,
    };
    let mut files: Files = vec![
        ("index.html".into(), html(report).into_bytes()),
        (
            "report.md".into(),
            markdown(report).map_err(io)?.into_bytes(),
        ),
        (
            "snapshot.json".into(),
            snapshot(report).map_err(io)?.into_bytes(),
        ),
    ];
    for section in &report.sections {
        let mut csv = Vec::new();
        render(&section.table, Format::Csv, &mut csv).map_err(io)?;
        files.push((format!("{}.csv", section.id), csv));
        for (file, svg) in &section.charts {
            files.push((file.clone(), svg.as_bytes().to_vec()));
        }
    }
    write_folder(dir, &files)
}

/// A fraction as the page shows it: at most three decimals.
fn page_float(v: f64) -> String {
    if v.abs() >= 1e-3 || v == 0.0 {
        let text = format!("{v:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        format!("{v:.1e}")
    }
}

/// Text with `code` spans, as HTML.
fn with_code(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in escape(text).split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The SVG without its XML declaration, to inline in HTML.
fn inline_svg(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |start| &svg[start..])
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1a1a1a;background:#fafafa}\
header{background:#24292f;color:#fff;padding:1.2em 2em}header h1{margin:0 0 .4em 0;font-size:1.6em}\
header dl{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1.2em;margin:0}header dt{color:#9da7b3}header dd{margin:0}\
nav{padding:.6em 2em;background:#eaeef2;position:sticky;top:0;display:flex;flex-wrap:wrap;gap:.2em 1.2em}nav a{color:#0550ae;text-decoration:none;white-space:nowrap}code{background:#eef1f4;padding:0 .2em;border-radius:3px}\
main{padding:0 2em 3em 2em}section{margin-top:2em}h2{border-bottom:1px solid #d0d7de;padding-bottom:.3em}\
figure{margin:1em 0;overflow-x:auto}figure svg{max-width:100%;height:auto;background:#fff;border:1px solid #d0d7de}\
.table{overflow-x:auto}table{border-collapse:collapse;font-size:.85em;background:#fff}\
th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left;vertical-align:top}div.long{white-space:normal;width:34em}td.p{min-width:10em}\
th{background:#f6f8fa;cursor:pointer;white-space:nowrap}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
tr.hl td{background:#fff4d6}p.note{color:#57606a;font-size:.85em}details{margin-top:2em}";

/// Sorts a table by the clicked column; numbers numerically. The page reads fine without it.
const SCRIPT: &str = "document.querySelectorAll('table.sortable th').forEach(function(th,i){th.addEventListener('click',function(){\
var body=th.closest('table').tBodies[0];var rows=Array.from(body.rows);var asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';\
rows.sort(function(a,b){var x=a.cells[i].textContent,y=b.cells[i].textContent;var p=parseFloat(x),q=parseFloat(y);\
var c=(!isNaN(p)&&!isNaN(q))?p-q:x.localeCompare(y);return asc?c:-c;});rows.forEach(function(r){body.appendChild(r);});});});";

fn html_table(section: &Section) -> String {
    let full = &section.table;
    let table = section.page_table();
    let highlight = section.highlight.as_ref().and_then(|(column, value)| {
        full.columns
            .iter()
            .position(|c| c == column)
            .map(|i| (i, value.as_str()))
    });
    let mut out = String::from("<div class=\"table\"><table class=\"sortable\"><thead><tr>");
    for column in &table.columns {
        let _ = write!(out, "<th>{}</th>", escape(&column.replace('_', " ")));
    }
    out.push_str("</tr></thead><tbody>");
    for (row, full_row) in table.rows.iter().zip(&full.rows).take(PAGE_ROWS) {
        let marked = highlight.is_some_and(|(i, v)| full_row[i].text() == v);
        out.push_str(if marked { "<tr class=\"hl\">" } else { "<tr>" });
        for cell in row {
            let _ = match cell {
                // Fractions to three decimals on the page; the CSV keeps them whole.
                Cell::Float(v) => write!(
                    out,
                    "<td class=\"n\" title=\"{}\">{}</td>",
                    cell.text(),
                    page_float(*v)
                ),
                _ if cell.is_numeric() => write!(out, "<td class=\"n\">{}</td>", cell.text()),
                // Long text wraps in a column of its own width instead of widening the table.
                Cell::Text(long) if long.chars().count() > 60 => {
                    write!(out, "<td><div class=\"long\">{}</div></td>", escape(long))
                }
                // Paths break at their slashes only.
                Cell::Text(path) if path.contains('/') && !path.contains(' ') => write!(
                    out,
                    "<td class=\"p\">{}</td>",
                    escape(path).replace('/', "/<wbr/>")
                ),
                _ => write!(out, "<td>{}</td>", escape(&cell.text())),
            };
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    if table.rows.len() > PAGE_ROWS {
        let _ = write!(
            out,
            "<p class=\"note\">The first {PAGE_ROWS} of {} rows; all are in <code>{}.csv</code>.</p>",
            table.rows.len(),
            escape(&section.id)
        );
    }
    out
}

fn html(report: &Report) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/><title>{}</title><style>{STYLE}</style></head><body>\n",
        escape(&report.title)
    );
    let _ = write!(out, "<header><h1>{}</h1><dl>", escape(&report.title));
    for (key, value) in &report.header {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(key), with_code(value));
    }
    out.push_str("</dl></header>\n<nav>");
    for section in &report.sections {
        let _ = writeln!(
            out,
            "<a href=\"#{}\">{}</a>",
            escape(&section.id),
            escape(&section.title)
        );
    }
    out.push_str("<a href=\"#settings\">Settings</a></nav>\n<main>\n");
    for section in &report.sections {
        let _ = write!(
            out,
            "<section id=\"{}\"><h2>{}</h2><p>{}</p>",
            escape(&section.id),
            escape(&section.title),
            with_code(&section.text)
        );
        for (_, svg) in &section.charts {
            let _ = write!(out, "<figure>{}</figure>", inline_svg(svg));
        }
        out.push_str(&html_table(section));
        out.push_str("</section>\n");
    }
    out.push_str("<section id=\"settings\"><h2>Settings</h2><dl>");
    for (key, value) in &report.settings {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(key), with_code(value));
    }
    // CDATA keeps the page well-formed XML as well as HTML.
    let _ = write!(
        out,
        "</dl></section>\n</main>\n<script>//<![CDATA[\n{SCRIPT}\n//]]></script>\n</body></html>\n"
    );
    out
}

fn markdown(report: &Report) -> io::Result<String> {
    let mut out = format!("# {}\n\n", report.title);
    for (key, value) in &report.header {
        let _ = writeln!(out, "- **{key}**: {value}");
    }
    for section in &report.sections {
        let _ = write!(out, "\n## {}\n\n{}\n\n", section.title, section.text);
        for (file, _) in &section.charts {
            let _ = write!(out, "![{}: {file}]({file})\n\n", section.title);
        }
        let mut shown = section.page_table();
        shown.truncate(PAGE_ROWS);
        let mut table = Vec::new();
        render(&shown, Format::Markdown, &mut table)?;
        out.push_str(&String::from_utf8_lossy(&table));
        if section.table.rows.len() > PAGE_ROWS {
            let _ = write!(
                out,
                "\nThe first {PAGE_ROWS} of {} rows; all are in [{id}.csv]({id}.csv).\n",
                section.table.rows.len(),
                id = section.id
            );
        }
    }
    out.push_str("\n## Settings\n\n");
    for (key, value) in &report.settings {
        let _ = writeln!(out, "- **{key}**: {value}");
    }
    Ok(out)
}

fn snapshot(report: &Report) -> io::Result<String> {
    let mut text =
        serde_json::to_string_pretty(&snapshot_value(report)).map_err(io::Error::other)?;
    text.push('\n');
    Ok(text)
}

impl Report {
    /// The report's snapshot, read back as `diff` and `check` read it.
    pub fn snapshot(&self) -> Result<Snapshot, SnapshotError> {
        Snapshot::from_value("the report's snapshot", &snapshot_value(self))
    }
}

/// The snapshot of a report as JSON: `schema_version`, title, header, settings, metrics and
/// every table in full under `analyses`.
pub fn snapshot_value(report: &Report) -> serde_json::Value {
    let pairs = |list: &[(String, String)]| -> serde_json::Map<String, serde_json::Value> {
        list.iter()
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect()
    };
    let analyses: serde_json::Map<String, serde_json::Value> = report
        .sections
        .iter()
        .map(|section| {
            let table = &section.table;
            let rows: Vec<serde_json::Value> = table
                .rows
                .iter()
                .map(|row| {
                    serde_json::Value::Object(
                        table
                            .columns
                            .iter()
                            .cloned()
                            .zip(row.iter().map(json_value))
                            .collect(),
                    )
                })
                .collect();
            (
                section.id.clone(),
                serde_json::json!({ "columns": table.columns, "rows": rows }),
            )
        })
        .collect();
    let metrics: serde_json::Map<String, serde_json::Value> = report
        .metrics
        .iter()
        .map(|(k, v)| (k.clone(), (*v).into()))
        .collect();
    serde_json::json!({
        "schema_version": SCHEMA_VERSION,
        "title": report.title,
        "header": pairs(&report.header),
        "settings": pairs(&report.settings),
        "metrics": metrics,
        "analyses": analyses,
    })
}

/// Column names as the pages want them.
pub(crate) fn shown(columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| (*c).to_owned()).collect()
}
