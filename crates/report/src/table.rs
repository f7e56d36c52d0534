use polars::prelude::*;

/// One value of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value (SQL null): rendered empty in text and CSV, `null` in JSON.
    Null,
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A fraction or measure.
    Float(f64),
    /// A yes/no value.
    Bool(bool),
}

impl Cell {
    fn from_any(value: AnyValue<'_>) -> Cell {
        match value {
            AnyValue::Null => Cell::Null,
            AnyValue::Boolean(b) => Cell::Bool(b),
            AnyValue::String(s) => Cell::Text(s.to_owned()),
            AnyValue::StringOwned(s) => Cell::Text(s.to_string()),
            AnyValue::Int8(v) => Cell::Int(v.into()),
            AnyValue::Int16(v) => Cell::Int(v.into()),
            AnyValue::Int32(v) => Cell::Int(v.into()),
            AnyValue::Int64(v) => Cell::Int(v),
            AnyValue::UInt8(v) => Cell::Int(v.into()),
            AnyValue::UInt16(v) => Cell::Int(v.into()),
            AnyValue::UInt32(v) => Cell::Int(v.into()),
            AnyValue::UInt64(v) => Cell::Int(v as i64),
            AnyValue::Float32(v) => Cell::Float(v.into()),
            AnyValue::Float64(v) => Cell::Float(v),
            other => Cell::Text(other.to_string()),
        }
    }

    /// Whether the value is right-aligned in text tables.
    pub(crate) fn is_numeric(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Float(_))
    }

    /// The value as plain text (empty for null).
    pub fn text(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(v) => v.to_string(),
            Cell::Float(v) => format_float(*v),
            Cell::Bool(b) => b.to_string(),
        }
    }
}

/// Floats with at most six decimals and no trailing zeros, so output is stable and short; values
/// too small for that (p-values) in scientific notation with three significant digits, so that a
/// tiny p-value never reads as 0.
pub(crate) fn format_float(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{v:.0}");
    }
    if v.abs() < 1e-4 || v.abs() >= 1e15 {
        let s = format!("{v:.2e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exponent}");
    }
    let s = format!("{v:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::format_float;

    #[test]
    fn floats_are_short_and_small_ones_are_not_zero() {
        assert_eq!(format_float(3.0), "3");
        assert_eq!(format_float(0.5), "0.5");
        assert_eq!(format_float(2.0 / 3.0), "0.666667");
        assert_eq!(format_float(0.0001), "0.0001");
        assert_eq!(format_float(1.1e-13), "1.1e-13");
        assert_eq!(format_float(1.234_56e-5), "1.23e-5");
        assert_eq!(format_float(2.059_615_384e300), "2.06e300");
        assert_eq!(format_float(f64::INFINITY), "inf");
        assert_eq!(format_float(-2e-7), "-2e-7");
    }
}

/// A named result: column names and rows of cells, in display order.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// What the table is (the analysis name), used in JSON output.
    pub name: String,
    /// Column names.
    pub columns: Vec<String>,
    /// Rows; each has one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// A heading, shown above the table in text and Markdown.
    pub title: Option<String>,
    /// What the numbers cover (for example the window and the as-of date), as `(key, value)`:
    /// lines above the table in text and Markdown, an object in JSON, and columns repeated on
    /// every row in CSV, so that no format loses them.
    pub context: Vec<(String, String)>,
    /// Lines explaining the columns, below the table in text and Markdown.
    pub legend: Vec<String>,
}

impl Table {
    /// A table of `rows` under `columns`, without title, context or legend.
    pub fn new(name: &str, columns: &[&str], rows: Vec<Vec<Cell>>) -> Table {
        Table {
            name: name.to_owned(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows,
            title: None,
            context: Vec::new(),
            legend: Vec::new(),
        }
    }

    /// Copies a frame into a table, keeping its row order.
    pub fn from_frame(name: &str, frame: &DataFrame) -> PolarsResult<Table> {
        let columns: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(ToString::to_string)
            .collect();
        let mut rows = vec![Vec::with_capacity(columns.len()); frame.height()];
        for column in frame.columns() {
            let column = column.as_materialized_series();
            for (row, value) in rows.iter_mut().zip(column.iter()) {
                row.push(Cell::from_any(value));
            }
        }
        let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
        Ok(Table::new(name, &columns, rows))
    }

    /// Keeps the first `n` rows.
    pub fn truncate(&mut self, n: usize) {
        self.rows.truncate(n);
    }
}
