//! SQL files read with a real parser (sqlparser), statement by statement: the file is split into
//! statements at the semicolons its tokenizer sees (so strings, comments and dollar-quoted
//! bodies are not cut), and each statement is parsed on its own. A statement no dialect parses is
//! handed back as one line of text for the tolerant patterns of `tables.rs`, so one vendor
//! extension costs that statement's precision, not the file's.

use std::ops::ControlFlow;

use sqlparser::ast::{
    AlterTableOperation, FromTable, ObjectName, ObjectType, RenameTableNameKind, Spanned,
    Statement, TableFactor, TableObject, visit_relations,
};
use sqlparser::dialect::{
    Dialect, GenericDialect, MsSqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect,
};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

use crate::tables::{Access, Declaration, Declared, Reference};

/// One statement of a SQL file.
pub(crate) enum Piece {
    /// Parsed: what it declares and uses.
    Parsed {
        declares: Vec<Declaration>,
        references: Vec<Reference>,
    },
    /// Not parsed by any dialect: its text as written, from its first token to its last, and
    /// the line it starts on.
    Unparsed { line: u32, text: String },
}

/// The statements of `text` in order, or `None` when it does not tokenize (an unterminated
/// string, say), in which case the caller reads it line by line.
pub(crate) fn pieces(text: &str) -> Option<Vec<Piece>> {
    let text = &without_delimiter_blocks(text);
    let tokens = Tokenizer::new(&GenericDialect {}, text)
        .tokenize_with_location()
        .ok()?;
    let mut pieces = Vec::new();
    for statement in tokens.split(|t| t.token == Token::SemiColon) {
        let words: Vec<&TokenWithSpan> = statement
            .iter()
            .filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF))
            .collect();
        let Some(first) = words.first() else {
            continue;
        };
        let line = first.span.start.line as u32;
        match parse(statement) {
            Some(parsed) => {
                let (declares, references) = facts(&parsed, line);
                pieces.push(Piece::Parsed {
                    declares,
                    references,
                });
            }
            None => pieces.push(Piece::Unparsed {
                line,
                text: slice(text, first.span.start, words[words.len() - 1].span.end).to_owned(),
            }),
        }
    }
    Some(pieces)
}

/// `text` with the `mysql` client's `DELIMITER //` … `DELIMITER ;` blocks blanked (line breaks
/// kept, so lines still count): they hold routine bodies, which are schema, and statements cut
/// at `//` that no parser reads.
fn without_delimiter_blocks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        let mut words = line.split_whitespace();
        if words
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("delimiter"))
        {
            inside = words.next().is_some_and(|d| d != ";");
            out.extend(line.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
            continue;
        }
        if inside {
            out.extend(line.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The one statement `tokens` hold, in the first dialect that parses it whole.
fn parse(tokens: &[TokenWithSpan]) -> Option<Statement> {
    let dialects: [&dyn Dialect; 5] = [
        &GenericDialect {},
        &PostgreSqlDialect {},
        &MySqlDialect {},
        &SQLiteDialect {},
        &MsSqlDialect {},
    ];
    dialects.into_iter().find_map(|dialect| {
        let mut statements = Parser::new(dialect)
            .with_tokens_with_locations(tokens.to_vec())
            .parse_statements()
            .ok()?;
        (statements.len() == 1).then(|| statements.remove(0))
    })
}

/// The part of `text` from `start` to `end` (1-based lines, columns in characters; `end`
/// excluded), or as much of it as exists.
fn slice(text: &str, start: Location, end: Location) -> &str {
    let offset = |at: Location| {
        let mut lines = text.split_inclusive('\n');
        let before: usize = lines
            .by_ref()
            .take((at.line as usize).saturating_sub(1))
            .map(str::len)
            .sum();
        let line = lines.next().unwrap_or_default();
        let column = line
            .char_indices()
            .nth((at.column as usize).saturating_sub(1))
            .map_or(line.len(), |(i, _)| i);
        before + column
    };
    let (from, to) = (offset(start), offset(end));
    text.get(from..to.max(from)).unwrap_or_default()
}

/// The table a name stands for: its last part, lower case, without quotes.
fn table(name: &ObjectName) -> Option<String> {
    let last = name.0.last()?.as_ident()?;
    Some(last.value.to_lowercase())
}

/// What a parsed statement declares and uses. Statements that make, change or drop a table
/// declare it; `INSERT`, `UPDATE` and `DELETE` write their target, and every other table they
/// or a query name (joins, subqueries, the source of an insert) is read. Other statements
/// (views, indexes, foreign keys, functions) are part of the schema, not uses.
fn facts(statement: &Statement, first_line: u32) -> (Vec<Declaration>, Vec<Reference>) {
    let line_of = |name: &ObjectName| match name.span().start.line {
        0 => first_line,
        line => line as u32,
    };
    let mut declares = Vec::new();
    let mut declare = |name: &ObjectName, how: Declared| {
        if let Some(table) = table(name) {
            declares.push(Declaration {
                table,
                line: line_of(name),
                how,
                app_model: false,
            });
        }
    };
    let mut written: Vec<&ObjectName> = Vec::new();
    match statement {
        Statement::CreateTable(create) => declare(&create.name, Declared::Create),
        Statement::AlterTable(alter) => {
            declare(&alter.name, Declared::Alter);
            for operation in &alter.operations {
                if let AlterTableOperation::RenameTable {
                    table_name: RenameTableNameKind::As(to) | RenameTableNameKind::To(to),
                } = operation
                {
                    declare(to, Declared::Rename);
                }
            }
        }
        Statement::Drop {
            object_type: ObjectType::Table,
            names,
            ..
        } => names.iter().for_each(|n| declare(n, Declared::Drop)),
        Statement::RenameTable(renames) => {
            for rename in renames {
                declare(&rename.old_name, Declared::Rename);
                declare(&rename.new_name, Declared::Rename);
            }
        }
        Statement::CreateIndex(index) => declare(&index.table_name, Declared::Alter),
        Statement::Insert(insert) => {
            if let TableObject::TableName(name) = &insert.table {
                written.push(name);
            }
        }
        Statement::Update(update) => {
            if let TableFactor::Table { name, .. } = &update.table.relation {
                written.push(name);
            }
        }
        Statement::Delete(delete) => {
            written.extend(&delete.tables);
            if delete.tables.is_empty() {
                let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) =
                    &delete.from;
                for target in from {
                    if let TableFactor::Table { name, .. } = &target.relation {
                        written.push(name);
                    }
                }
            }
        }
        _ => {}
    }
    let dml = matches!(
        statement,
        Statement::Query(_) | Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_)
    );
    if !dml {
        return (declares, Vec::new());
    }
    let mut references: Vec<Reference> = Vec::new();
    let mut reference = |name: &ObjectName, access: Access| {
        if let Some(table) = table(name) {
            references.push(Reference {
                table,
                line: line_of(name),
                access,
            });
        }
    };
    for name in &written {
        reference(name, Access::Write);
    }
    let _ = visit_relations(statement, |name| {
        if !written.iter().any(|w| std::ptr::eq(*w, name)) {
            reference(name, Access::Read);
        }
        ControlFlow::<()>::Continue(())
    });
    references.sort_by_key(|r| r.line);
    (declares, references)
}
