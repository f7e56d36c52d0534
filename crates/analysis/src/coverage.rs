//! Line coverage from lcov `.info` or Cobertura XML files, for the backlog's test factor.

use std::collections::BTreeMap;

use quick_xml::events::Event;

/// A coverage file that does not parse: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CoverageError {
    /// 1-based line of the problem.
    pub line: usize,
    /// What is wrong, naming the offending text.
    pub message: String,
}

/// Lines found and hit per file, as named in the coverage file, with the folders the file says
/// paths are relative to (Cobertura's `<source>`; none for lcov).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Path → (instrumented lines, lines hit at least once).
    pub files: BTreeMap<String, (u64, u64)>,
    /// Cobertura `<source>` folders, in file order.
    pub sources: Vec<String>,
}

/// Parses lcov tracefile or Cobertura XML text, telling them apart by the first character.
pub fn parse_coverage(text: &str) -> Result<Coverage, CoverageError> {
    if text.trim_start().starts_with('<') {
        parse_cobertura(text)
    } else {
        parse_lcov(text)
    }
}

fn lines_to_counts(lines: BTreeMap<String, BTreeMap<u64, u64>>) -> BTreeMap<String, (u64, u64)> {
    lines
        .into_iter()
        .map(|(file, hits)| {
            let hit = hits.values().filter(|&&h| h > 0).count() as u64;
            (file, (hits.len() as u64, hit))
        })
        .collect()
}

/// lcov: `SF:<path>` opens a file, `DA:<line>,<hits>[,<checksum>]` records a line,
/// `end_of_record` closes it; other `KEY:value` records are not needed and skipped.
fn parse_lcov(text: &str) -> Result<Coverage, CoverageError> {
    let mut lines: BTreeMap<String, BTreeMap<u64, u64>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let error = |message: String| CoverageError {
            line: n + 1,
            message,
        };
        if line.is_empty() {
            continue;
        }
        if line == "end_of_record" {
            current = None;
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(error(format!("`{line}` is not an lcov record")));
        };
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(error(format!("`{line}` is not an lcov record")));
        }
        match key {
            "SF" => {
                current = Some(value.to_owned());
                lines.entry(value.to_owned()).or_default();
            }
            "DA" => {
                let Some(file) = &current else {
                    return Err(error(format!("`{line}` comes before any `SF:` record")));
                };
                let mut fields = value.split(',');
                let number = fields.next().and_then(|f| f.trim().parse::<u64>().ok());
                let hits = fields
                    .next()
                    .and_then(|f| f.trim().parse::<i64>().ok())
                    .map(|h| h.max(0) as u64);
                let (Some(number), Some(hits)) = (number, hits) else {
                    return Err(error(format!("`{line}` is not `DA:<line number>,<hits>`")));
                };
                let slot = lines
                    .get_mut(file)
                    .expect("SF inserted the file")
                    .entry(number)
                    .or_default();
                *slot = (*slot).max(hits);
            }
            _ => {}
        }
    }
    Ok(Coverage {
        files: lines_to_counts(lines),
        sources: Vec::new(),
    })
}

/// Cobertura: `<source>` folders, and per `<class filename=…>` the `<line number hits>` elements
/// of its `<lines>` (those under `<methods>` repeat them and are skipped).
fn parse_cobertura(text: &str) -> Result<Coverage, CoverageError> {
    let line_of = |offset: u64| {
        text[..(offset as usize).min(text.len())]
            .matches('\n')
            .count()
            + 1
    };
    let mut reader = quick_xml::Reader::from_str(text);
    let mut lines: BTreeMap<String, BTreeMap<u64, u64>> = BTreeMap::new();
    let mut sources = Vec::new();
    let mut class: Option<String> = None;
    let mut in_methods = 0usize;
    let mut in_source = false;
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|err| CoverageError {
            line: line_of(reader.error_position()),
            message: format!("not well-formed XML: {err}"),
        })?;
        let error = |message: String| CoverageError {
            line: line_of(position),
            message,
        };
        let attribute = |e: &quick_xml::events::BytesStart<'_>,
                         name: &str|
         -> Result<Option<String>, CoverageError> {
            match e.try_get_attribute(name) {
                Ok(Some(a)) => a
                    .unescape_value()
                    .map(|v| Some(v.into_owned()))
                    .map_err(|err| error(format!("attribute `{name}`: {err}"))),
                Ok(None) => Ok(None),
                Err(err) => Err(error(format!("attribute `{name}`: {err}"))),
            }
        };
        match event {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"class" => {
                let Some(file) = attribute(&e, "filename")? else {
                    return Err(error("`<class>` without a `filename` attribute".into()));
                };
                lines.entry(file.clone()).or_default();
                class = Some(file);
            }
            Event::Start(e) if e.name().as_ref() == b"methods" => in_methods += 1,
            Event::End(e) if e.name().as_ref() == b"methods" => {
                in_methods = in_methods.saturating_sub(1);
            }
            Event::End(e) if e.name().as_ref() == b"class" => class = None,
            Event::Start(e) if e.name().as_ref() == b"source" => in_source = true,
            Event::End(e) if e.name().as_ref() == b"source" => in_source = false,
            Event::Text(t) if in_source => {
                let text = t
                    .decode()
                    .map_err(|err| error(format!("`<source>`: {err}")))?;
                sources.push(text.trim().to_owned());
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"line" => {
                let (Some(file), 0) = (&class, in_methods) else {
                    continue;
                };
                let number = attribute(&e, "number")?;
                let hits = attribute(&e, "hits")?;
                let parsed = (
                    number.as_deref().and_then(|n| n.trim().parse::<u64>().ok()),
                    hits.as_deref().and_then(|h| h.trim().parse::<u64>().ok()),
                );
                let (Some(number), Some(hits)) = parsed else {
                    return Err(error(format!(
                        "`<line number={:?} hits={:?}>` needs whole numbers",
                        number.unwrap_or_default(),
                        hits.unwrap_or_default()
                    )));
                };
                let slot = lines
                    .get_mut(file)
                    .expect("class inserted the file")
                    .entry(number)
                    .or_default();
                *slot = (*slot).max(hits);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if class.is_some() {
        return Err(CoverageError {
            line: line_of(text.len() as u64),
            message: "the file ends inside a `<class>`".into(),
        });
    }
    Ok(Coverage {
        files: lines_to_counts(lines),
        sources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lcov_counts_found_and_hit_lines() {
        let text = "TN:\nSF:src/a.rs\nFN:1,f\nDA:1,3\nDA:2,0\nDA:3,1,abc\nLF:3\nLH:2\nend_of_record\n\
                    SF:/abs/b.rs\nDA:7,0\nend_of_record\n";
        let c = parse_coverage(text).unwrap();
        assert_eq!(c.files["src/a.rs"], (3, 2));
        assert_eq!(c.files["/abs/b.rs"], (1, 0));
    }

    #[test]
    fn lcov_errors_name_the_line() {
        let err = parse_coverage("SF:a\nDA:x,1\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("DA:x,1"), "{err}");
        assert_eq!(parse_coverage("DA:1,1\n").unwrap_err().line, 1);
        assert_eq!(parse_coverage("SF:a\nhello world\n").unwrap_err().line, 2);
    }

    #[test]
    fn cobertura_reads_class_lines_once() {
        let text = r#"<?xml version="1.0"?>
<coverage line-rate="0.5">
  <sources><source>/work/app</source></sources>
  <packages><package name="p"><classes>
    <class name="A" filename="src/a.py" line-rate="0.5">
      <methods><method name="f"><lines><line number="1" hits="1"/></lines></method></methods>
      <lines><line number="1" hits="1"/><line number="2" hits="0"/><line number="4" hits="2"/></lines>
    </class>
  </classes></package></packages>
</coverage>"#;
        let c = parse_coverage(text).unwrap();
        assert_eq!(c.files["src/a.py"], (3, 2));
        assert_eq!(c.sources, ["/work/app"]);
    }

    #[test]
    fn cobertura_errors_name_the_line() {
        let err = parse_coverage("<coverage>\n<class filename=\"a\">\n<lines>\n<line number=\"x\" hits=\"1\"/>\n</lines></class></coverage>").unwrap_err();
        assert_eq!(err.line, 4, "{err}");
        let err = parse_coverage("<coverage>\n<class filename=\"a\">\n</coverage>").unwrap_err();
        assert!(err.line >= 2, "{err}");
    }
}

/// A coverage file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoverageFileError {
    /// It cannot be read.
    #[error("cannot read the coverage file `{}`", path.display())]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
    /// It does not parse.
    #[error("the coverage file `{}` does not parse", path.display())]
    Parse {
        /// The file.
        path: std::path::PathBuf,
        /// Where and why.
        source: CoverageError,
    },
}

/// Reads and parses the coverage file `path` (lcov or Cobertura).
pub fn read_coverage(path: &std::path::Path) -> Result<Coverage, CoverageFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| CoverageFileError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse_coverage(&text).map_err(|source| CoverageFileError::Parse {
        path: path.to_owned(),
        source,
    })
}
