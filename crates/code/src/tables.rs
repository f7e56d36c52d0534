//! The database tables a file declares or names (docs/tables.md): SQL DDL, Rails migrations and
//! `db/schema.rb`, Django models and migrations, SQLAlchemy `__tablename__` and Alembic, Prisma
//! models, JPA entities; and table names in SQL text (FROM/JOIN read, INSERT/UPDATE/DELETE
//! write). SQL files are parsed statement by statement (`sql.rs`); everything else, and a
//! statement no SQL dialect parses, is read with tolerant patterns, so that a file that does not
//! parse, or a dialect no parser knows, still gives what it plainly says.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// The version of what [`read_tables`] gives: it changes whenever a file would be read
/// differently, so that cached facts of the older reading are not used.
pub const TABLE_FACTS_TABLE: &str = "table-facts-v3";

/// What a file says about database tables.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableFacts {
    /// The tables it declares, changes or drops, in the order written.
    pub declares: Vec<Declaration>,
    /// The tables named in its SQL text, in the order written.
    pub references: Vec<Reference>,
}

/// A table declared, changed or dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    /// The table's name, lower case, without schema or quotes; for a Django model without
    /// `db_table`, the model's name, which [`Declaration::table_at`] prefixes with the app.
    pub table: String,
    /// 1-based line.
    pub line: u32,
    /// How.
    pub how: Declared,
    /// A Django model named by its app and model (`shop_order`), the app being the file's
    /// folder.
    #[serde(default)]
    pub app_model: bool,
}

impl Declaration {
    /// The table's name as declared in the file at `path`.
    pub fn table_at(&self, path: &str) -> String {
        if self.app_model {
            format!("{}_{}", django_app(path), self.table)
        } else {
            self.table.clone()
        }
    }
}

/// What [`read_tables`] gives for a file depends on its bytes and on this, from its path: the
/// kind of file, and for Python whether it holds Django models or migrations.
pub fn table_kind(path: &str) -> &'static str {
    match extension(path) {
        "py" if path.contains("/migrations/") => "py-migration",
        "py" if crate::resolve::file_name(path) == "models.py" || path.contains("/models/") => {
            "py-models"
        }
        "sql" => "sql",
        "rb" => "rb",
        "py" => "py",
        "prisma" => "prisma",
        "java" | "kt" => "jvm",
        _ => "code",
    }
}

/// How a file declares a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Declared {
    /// `CREATE TABLE`, `create_table`, `CreateModel`: the table is made.
    Create,
    /// `ALTER TABLE`, `add_column`, `AddField`: the table is changed.
    Alter,
    /// `DROP TABLE`, `drop_table`, `DeleteModel`.
    Drop,
    /// Renamed from or to this name.
    Rename,
    /// An ORM model class maps to it (Django, SQLAlchemy, Rails, Prisma, JPA).
    Model,
}

/// A table named in SQL text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// The name, lower case, without schema or quotes.
    pub table: String,
    /// 1-based line.
    pub line: u32,
    /// Whether the statement reads or writes it.
    pub access: Access,
}

/// How a statement uses a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// `FROM`, `JOIN`.
    Read,
    /// `INSERT INTO`, `UPDATE … SET`, `DELETE FROM`.
    Write,
}

/// Whether [`read_tables`] reads the file at `path`: SQL and Prisma files and source code.
pub fn reads_tables(path: &str) -> bool {
    matches!(extension(path), "sql" | "prisma") || crate::Language::of(path).is_some()
}

fn extension(path: &str) -> &str {
    crate::resolve::file_name(path)
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
}

/// A table name as written (`"public"."Orders"`, `` `orders` ``, `[dbo].[orders]`), as one
/// capture group.
const NAME: &str = r#"((?:[`"\[]?\w+[`"\]]?\.)?[`"\[]?\w+[`"\]]?)"#;

fn regex(pattern: &str) -> Regex {
    // The patterns are constants of this file; a test compiles each.
    Regex::new(&pattern.replace("NAME", NAME)).unwrap_or_else(|e| unreachable!("{e}"))
}

/// `"public"."Orders"` → `orders`.
fn clean(name: &str) -> String {
    let last = name.rsplit('.').next().unwrap_or(name);
    last.trim_matches(|c| matches!(c, '`' | '"' | '[' | ']'))
        .to_lowercase()
}

macro_rules! patterns {
    ($($name:ident = $pattern:expr;)*) => {
        $(static $name: LazyLock<Regex> = LazyLock::new(|| regex($pattern));)*
    };
}

patterns! {
    SQL_CREATE = r"(?i)\bcreate\s+(?:(?:global\s+|local\s+)?(?:temporary|temp)\s+|unlogged\s+|virtual\s+)?table\s+(?:if\s+not\s+exists\s+)?NAME";
    SQL_ALTER = r"(?i)\balter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?NAME";
    SQL_RENAME_TO = r"(?i)\brename\s+to\s+NAME";
    SQL_RENAME_TABLE = r"(?i)\brename\s+table\s+NAME\s+to\s+NAME";
    SQL_DROP = r"(?i)\bdrop\s+table\s+(?:if\s+exists\s+)?NAME";
    READ = r"\b(?:FROM|JOIN)\s+NAME";
    INSERT = r"\bINSERT\s+(?:OR\s+\w+\s+)?INTO\s+NAME";
    UPDATE = r"\bUPDATE\s+NAME\s+SET\b";
    DELETE = r"\bDELETE\s+FROM\s+NAME";
    READ_ANY_CASE = r"(?i)\b(?:from|join)\s+NAME";
    INSERT_ANY_CASE = r"(?i)\binsert\s+(?:or\s+\w+\s+)?into\s+NAME";
    UPDATE_ANY_CASE = r"(?i)\bupdate\s+NAME\s+set\b";
    DELETE_ANY_CASE = r"(?i)\bdelete\s+from\s+NAME";
    RAILS_CREATE = r#"\bcreate_table\s*\(?\s*[:"'](\w+)"#;
    RAILS_DROP = r#"\bdrop_table\s*\(?\s*[:"'](\w+)"#;
    RAILS_RENAME = r#"\brename_table\s*\(?\s*[:"'](\w+)["']?\s*,\s*[:"'](\w+)"#;
    RAILS_ALTER = r#"\b(?:change_table|add_column|remove_column|rename_column|change_column|change_column_default|change_column_null|add_index|remove_index|add_reference|remove_reference|add_timestamps|add_foreign_key)\s*\(?\s*[:"'](\w+)"#;
    RAILS_MODEL = r"^\s*class\s+(\w+)\s*<\s*(?:ApplicationRecord|ActiveRecord::Base)\b";
    RAILS_TABLE_NAME = r#"\bself\.table_name\s*=\s*[:"'](\w+)"#;
    DJANGO_MODEL = r"^\s*class\s+(\w+)\s*\(\s*(?:models\.)?Model\s*[,)]";
    DB_TABLE = r#"["']?db_table["']?\s*[=:]\s*["'](\w+)["']"#;
    DJANGO_CREATE = r#"\bmigrations\.CreateModel\(\s*(?:name\s*=\s*)?["'](\w+)["']"#;
    DJANGO_DELETE = r#"\bmigrations\.DeleteModel\(\s*(?:name\s*=\s*)?["'](\w+)["']"#;
    DJANGO_ALTER = r#"\bmigrations\.(?:AddField|AlterField|RemoveField|RenameField|AlterModelOptions|AlterUniqueTogether|AddIndex|RemoveIndex|AddConstraint)\(\s*(?:model_name\s*=\s*)?["'](\w+)["']"#;
    DJANGO_OPEN = r"\bmigrations\.(CreateModel|DeleteModel|AddField|AlterField|RemoveField|RenameField|AlterModelOptions|AlterUniqueTogether|AddIndex|RemoveIndex|AddConstraint)\(\s*$";
    DJANGO_NAME = r#"^\s*(?:name|model_name)\s*=\s*["'](\w+)["']"#;
    TABLENAME = r#"^\s*__tablename__\s*=\s*["'](\w+)["']"#;
    ALEMBIC_CREATE = r#"\bop\.create_table\(\s*["'](\w+)["']"#;
    ALEMBIC_DROP = r#"\bop\.drop_table\(\s*["'](\w+)["']"#;
    ALEMBIC_RENAME = r#"\bop\.rename_table\(\s*["'](\w+)["']\s*,\s*["'](\w+)["']"#;
    ALEMBIC_ALTER = r#"\bop\.(?:add_column|drop_column|alter_column)\(\s*["'](\w+)["']"#;
    PRISMA_MODEL = r"^\s*model\s+(\w+)\s*\{";
    PRISMA_MAP = r#"^\s*@@map\(\s*(?:name\s*:\s*)?"(\w+)""#;
    JPA_ENTITY = r"@Entity\b";
    JPA_TABLE = r#"@Table\s*\((?:[^)]*\b)?name\s*=\s*"(?:\w+\.)?(\w+)""#;
    CLASS = r"\bclass\s+(\w+)";
    ROUTINE = r"(?i)\bcreate\s+(?:or\s+replace\s+)?(?:definer\s*=\s*\S+\s+)?(?:procedure|function|trigger)\b";
}

/// Whether `path` is a migration: under `db/migrate/` (Rails), a `migrations/` folder (Django,
/// plain SQL), `alembic/versions/` or `migrations/versions/` (Alembic), or `migrations`/`migrate`
/// in a SQL file's folders (Flyway's `db/migration`, and the like).
pub fn is_migration(path: &str) -> bool {
    let folders = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let has = |folder: &str| folders.split('/').any(|f| f == folder);
    has("migrate")
        || has("migrations")
        || has("migration")
        || folders.ends_with("alembic/versions")
        || (extension(path) == "sql" && folders.contains("migrat"))
}

/// `OrderItem` → `order_item`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Rails' table of a model: its snake-case name in the plural (`OrderItem` → `order_items`,
/// `Category` → `categories`, `Box` → `boxes`); irregular plurals are not known.
fn rails_table(model: &str) -> String {
    let singular = snake(model);
    if let Some(stem) = singular.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        return format!("{stem}ies");
    }
    if singular.ends_with(['s', 'x', 'z']) || singular.ends_with("ch") || singular.ends_with("sh") {
        return format!("{singular}es");
    }
    format!("{singular}s")
}

/// The Django app of a models file or migration: the folder that holds `models.py`, the
/// `models/` package or the `migrations/` folder.
fn django_app(path: &str) -> String {
    let mut folders: Vec<&str> = path.split('/').collect();
    folders.pop();
    if matches!(folders.last(), Some(&"models" | &"migrations")) {
        folders.pop();
    }
    folders.last().copied().unwrap_or_default().to_lowercase()
}

/// What the file at `path` with `contents` says about tables.
pub fn read_tables(path: &str, contents: &[u8]) -> TableFacts {
    let text = String::from_utf8_lossy(contents);
    let mut reader = Reader {
        kind: table_kind(path),
        facts: TableFacts::default(),
        line: 0,
        entity_pending: false,
        jpa_table: None,
        django_pending: None,
        breaks: Vec::new(),
    };
    if reader.kind == "sql"
        && let Some(pieces) = crate::sql::pieces(&text)
    {
        for piece in pieces {
            match piece {
                crate::sql::Piece::Parsed {
                    declares,
                    references,
                } => {
                    reader.facts.declares.extend(declares);
                    reader.facts.references.extend(references);
                }
                crate::sql::Piece::Unparsed { line, text } => reader.sql_statement(&text, line),
            }
        }
        return reader.facts;
    }
    for line in text.lines() {
        reader.line += 1;
        match reader.kind {
            "sql" => reader.sql(line),
            "rb" => reader.rails(line),
            "py" | "py-models" | "py-migration" => reader.python(line),
            "prisma" => reader.prisma(line),
            "jvm" => reader.jpa(line),
            _ => {}
        }
        reader.sql_text(line);
    }
    reader.facts
}

/// The state of reading one file, line by line.
struct Reader {
    kind: &'static str,
    facts: TableFacts,
    /// The 1-based line being read.
    line: u32,
    /// An `@Entity` whose class is still to come, and its `@Table` name if seen.
    entity_pending: bool,
    jpa_table: Option<String>,
    /// A Django operation whose name is on the lines that follow, as Django writes them.
    django_pending: Option<Declared>,
    /// Where the line breaks are in the text being read when it spans lines (a SQL statement no
    /// dialect parses), so that each finding gets its own line; empty when reading line by line.
    breaks: Vec<usize>,
}

impl Reader {
    /// The line of byte `offset` of the text being read.
    fn line_at(&self, offset: usize) -> u32 {
        self.line + self.breaks.partition_point(|&b| b < offset) as u32
    }

    fn declare(&mut self, table: String, how: Declared, app_model: bool) {
        self.declare_at(table, how, app_model, self.line);
    }

    fn declare_at(&mut self, table: String, how: Declared, app_model: bool, line: u32) {
        self.facts.declares.push(Declaration {
            table,
            line,
            how,
            app_model,
        });
    }

    /// Each table the patterns find in `text`, declared as their `Declared` says.
    fn each(&mut self, text: &str, patterns: &[(&Regex, Declared)]) {
        for (re, how) in patterns {
            for c in re.captures_iter(text) {
                let line = self.line_at(c.get(0).map_or(0, |m| m.start()));
                self.declare_at(clean(&c[1]), *how, false, line);
            }
        }
    }

    /// Both names of a rename the pattern finds in `text`.
    fn renames(&mut self, text: &str, re: &Regex) {
        for c in re.captures_iter(text) {
            let line = self.line_at(c.get(0).map_or(0, |m| m.start()));
            self.declare_at(clean(&c[1]), Declared::Rename, false, line);
            self.declare_at(clean(&c[2]), Declared::Rename, false, line);
        }
    }

    /// A SQL statement no dialect parses, starting on `line`: what the patterns find in it,
    /// each on its own line. A routine's body (`CREATE PROCEDURE`, `FUNCTION`, `TRIGGER`) is
    /// schema, not a use, as when it parses.
    fn sql_statement(&mut self, text: &str, line: u32) {
        self.line = line;
        self.breaks = text.match_indices('\n').map(|(i, _)| i).collect();
        self.sql(text);
        if !ROUTINE.is_match(text) {
            self.sql_text(text);
        }
        self.breaks.clear();
    }

    /// `db_table`, `self.table_name`, `@@map` on `line`: the last model maps to it instead.
    fn remap(&mut self, line: &str, re: &Regex) {
        if let Some(c) = re.captures(line) {
            rename_last_model(&mut self.facts.declares, clean(&c[1]));
        }
    }

    fn sql(&mut self, line: &str) {
        self.each(
            line,
            &[
                (&*SQL_CREATE, Declared::Create),
                (&*SQL_ALTER, Declared::Alter),
                (&*SQL_DROP, Declared::Drop),
                (&*SQL_RENAME_TO, Declared::Rename),
            ],
        );
        self.renames(line, &SQL_RENAME_TABLE);
    }

    fn rails(&mut self, line: &str) {
        self.each(
            line,
            &[
                (&*RAILS_CREATE, Declared::Create),
                (&*RAILS_DROP, Declared::Drop),
                (&*RAILS_ALTER, Declared::Alter),
            ],
        );
        self.renames(line, &RAILS_RENAME);
        if let Some(c) = RAILS_MODEL.captures(line) {
            self.declare(rails_table(&c[1]), Declared::Model, false);
        }
        self.remap(line, &RAILS_TABLE_NAME);
    }

    fn python(&mut self, line: &str) {
        let (models, migration) = (self.kind == "py-models", self.kind == "py-migration");
        if models && let Some(c) = DJANGO_MODEL.captures(line) {
            self.declare(c[1].to_lowercase(), Declared::Model, true);
        }
        if migration {
            for (re, how) in [
                (&*DJANGO_CREATE, Declared::Create),
                (&*DJANGO_DELETE, Declared::Drop),
                (&*DJANGO_ALTER, Declared::Alter),
            ] {
                if let Some(c) = re.captures(line) {
                    self.declare(c[1].to_lowercase(), how, true);
                }
            }
            if let Some(how) = self.django_pending
                && let Some(c) = DJANGO_NAME.captures(line)
            {
                self.declare(c[1].to_lowercase(), how, true);
                self.django_pending = None;
            }
            if let Some(c) = DJANGO_OPEN.captures(line) {
                self.django_pending = Some(match &c[1] {
                    "CreateModel" => Declared::Create,
                    "DeleteModel" => Declared::Drop,
                    _ => Declared::Alter,
                });
            }
        }
        self.each(line, &[(&*TABLENAME, Declared::Model)]);
        if models || migration {
            self.remap(line, &DB_TABLE);
        }
        self.each(
            line,
            &[
                (&*ALEMBIC_CREATE, Declared::Create),
                (&*ALEMBIC_DROP, Declared::Drop),
                (&*ALEMBIC_ALTER, Declared::Alter),
            ],
        );
        self.renames(line, &ALEMBIC_RENAME);
    }

    fn prisma(&mut self, line: &str) {
        self.each(line, &[(&*PRISMA_MODEL, Declared::Model)]);
        self.remap(line, &PRISMA_MAP);
    }

    fn jpa(&mut self, line: &str) {
        if JPA_ENTITY.is_match(line) {
            self.entity_pending = true;
        }
        if let Some(c) = JPA_TABLE.captures(line) {
            self.jpa_table = Some(clean(&c[1]));
        }
        if self.entity_pending
            && let Some(c) = CLASS.captures(line)
        {
            let table = self.jpa_table.take().unwrap_or_else(|| c[1].to_lowercase());
            self.declare(table, Declared::Model, false);
            self.entity_pending = false;
        }
    }

    /// Tables named in SQL text: any case in SQL files, upper case in code, where a lower-case
    /// `from` is mostly English or an import.
    fn sql_text(&mut self, line: &str) {
        let [read, insert, update, delete] = if self.kind == "sql" {
            [
                &*READ_ANY_CASE,
                &*INSERT_ANY_CASE,
                &*UPDATE_ANY_CASE,
                &*DELETE_ANY_CASE,
            ]
        } else {
            [&*READ, &*INSERT, &*UPDATE, &*DELETE]
        };
        // `DELETE FROM t` writes t; its `FROM t` is not also a read.
        let deleted: Vec<(usize, usize)> = delete
            .captures_iter(line)
            .filter_map(|c| c.get(1).map(|m| (m.start(), m.end())))
            .collect();
        let found = read
            .captures_iter(line)
            .filter_map(|c| c.get(1))
            .filter(|m| !deleted.contains(&(m.start(), m.end())))
            .map(|m| (m, Access::Read))
            .chain(
                [insert, update, delete]
                    .into_iter()
                    .flat_map(|re| re.captures_iter(line).filter_map(|c| c.get(1)))
                    .map(|m| (m, Access::Write)),
            );
        for (m, access) in found.collect::<Vec<_>>() {
            let line = self.line_at(m.start());
            self.facts.references.push(Reference {
                table: clean(m.as_str()),
                line,
                access,
            });
        }
    }
}

/// `db_table`, `self.table_name`, `@@map`: the last model declared maps to `table` instead.
fn rename_last_model(declares: &mut [Declaration], table: String) {
    if let Some(last) = declares
        .iter_mut()
        .rev()
        .find(|d| matches!(d.how, Declared::Model | Declared::Create))
    {
        last.table = table;
        last.app_model = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(path: &str, text: &str) -> Vec<String> {
        read_tables(path, text.as_bytes())
            .declares
            .iter()
            .map(|d| format!("{} {} {:?}", d.table_at(path), d.line, d.how))
            .collect()
    }

    fn referenced(path: &str, text: &str) -> Vec<String> {
        read_tables(path, text.as_bytes())
            .references
            .iter()
            .map(|r| format!("{} {} {:?}", r.table, r.line, r.access))
            .collect()
    }

    #[test]
    fn sql_ddl_in_any_case_and_quoting() {
        let ddl = "CREATE TABLE IF NOT EXISTS \"public\".\"Orders\" (id int);\n\
                   create temporary table scratch (x int);\n\
                   ALTER TABLE ONLY orders ADD COLUMN total int;\n\
                   ALTER TABLE items RENAME TO order_items;\n\
                   RENAME TABLE `old` TO `new`;\n\
                   DROP TABLE IF EXISTS [dbo].[legacy];\n";
        assert_eq!(
            declared("db/schema.sql", ddl),
            [
                "orders 1 Create",
                "scratch 2 Create",
                "orders 3 Alter",
                "items 4 Alter",
                "order_items 4 Rename",
                "old 5 Rename",
                "new 5 Rename",
                "legacy 6 Drop"
            ]
        );
        assert!(!is_migration("db/schema.sql"));
        assert!(is_migration("db/migrations/V1__init.sql"));
    }

    #[test]
    fn sql_files_are_parsed_statement_by_statement() {
        // Line 1 is a comment (its `;` splits nothing); the table of line 2 is named on line 3;
        // the foreign key, the index and the view are schema, not uses; line 9's string holds a
        // `;`; line 10 parses in no dialect and is read by the patterns.
        let sql = "-- CREATE TABLE not_a_table (x int);\n\
                   CREATE TABLE\n  orders (\n  id int REFERENCES customers(id)\n);\n\
                   CREATE INDEX orders_total ON orders (total);\n\
                   INSERT INTO audit (x) SELECT id FROM orders WHERE id IN (SELECT oid FROM refunds);\n\
                   CREATE VIEW big AS SELECT * FROM orders o JOIN customers c ON c.id = o.cid;\n\
                   UPDATE orders SET note = 'a; b' WHERE id = 1;\n\
                   CREATE TABLE weird (x int) ENGINE ~~ nonsense;\n";
        assert_eq!(
            declared("db/schema.sql", sql),
            ["orders 3 Create", "orders 6 Alter", "weird 10 Create"]
        );
        assert_eq!(
            referenced("db/schema.sql", sql),
            [
                "audit 7 Write",
                "orders 7 Read",
                "refunds 7 Read",
                "orders 9 Write"
            ]
        );
        // A MySQL `DELIMITER` block holds a routine: schema, no uses. A statement no dialect
        // parses gives each finding on its own line; a routine that does not parse no uses.
        let routines = "CREATE TABLE counters (n int);\n\
                        DELIMITER //\n\
                        CREATE PROCEDURE bump() BEGIN\n\
                        \x20 UPDATE counters SET n = n + 1;\n\
                        END //\n\
                        DELIMITER ;\n\
                        SELECT n\n  FROM counters ~~ strange;\n\
                        CREATE FUNCTION f() RETURNS int AS $$ UPDATE counters SET n = 0 ~~; $$ LANGUAGE weird ~~;\n";
        assert_eq!(declared("db/r.sql", routines), ["counters 1 Create"]);
        assert_eq!(referenced("db/r.sql", routines), ["counters 8 Read"]);
        // A file that does not even tokenize (an unterminated string) is read line by line.
        assert_eq!(
            declared(
                "db/broken.sql",
                "CREATE TABLE a (x int);\nSELECT 'oops FROM a;\n"
            ),
            ["a 1 Create"]
        );
    }

    #[test]
    fn sql_text_reads_and_writes_upper_case_in_code() {
        let code = "q = \"SELECT * FROM orders o JOIN customers c ON c.id = o.cid\"\n\
                    w = \"INSERT INTO audit (x) VALUES (1)\"\n\
                    u = 'UPDATE orders SET total = 1'\n\
                    d = 'DELETE FROM carts WHERE 1'\n\
                    from orders import thing  # an import, not SQL\n";
        assert_eq!(
            referenced("app/q.py", code),
            [
                "orders 1 Read",
                "customers 1 Read",
                "audit 2 Write",
                "orders 3 Write",
                "carts 4 Write"
            ]
        );
    }

    #[test]
    fn rails_migrations_schema_and_models() {
        let migration = "class CreateOrders < ActiveRecord::Migration[7.0]\n  def change\n    create_table :orders do |t|\n    end\n    add_column :users, :age, :integer\n    rename_table :carts, :baskets\n    drop_table \"legacy\"\n  end\nend\n";
        assert_eq!(
            declared("db/migrate/20240101_create_orders.rb", migration),
            [
                "orders 3 Create",
                "users 5 Alter",
                "carts 6 Rename",
                "baskets 6 Rename",
                "legacy 7 Drop"
            ]
        );
        assert!(is_migration("db/migrate/1_x.rb"));
        assert_eq!(
            declared(
                "db/schema.rb",
                "  create_table \"orders\", force: :cascade do |t|\n"
            ),
            ["orders 1 Create"]
        );
        assert_eq!(
            declared(
                "app/models/category.rb",
                "class Category < ApplicationRecord\nend\nclass OrderItem < ApplicationRecord\nend\nclass Box < ApplicationRecord\n  self.table_name = \"crates\"\nend\n"
            ),
            [
                "categories 1 Model",
                "order_items 3 Model",
                "crates 5 Model"
            ]
        );
    }

    #[test]
    fn django_models_migrations_sqlalchemy_and_alembic() {
        let models = "from django.db import models\nclass Order(models.Model):\n    pass\nclass Refund(models.Model):\n    class Meta:\n        db_table = 'refunds'\n";
        assert_eq!(
            declared("shop/models.py", models),
            ["shop_order 2 Model", "refunds 4 Model"]
        );
        let migration = "operations = [\n    migrations.CreateModel(\n        name='Order',\n    ),\n    migrations.CreateModel(name='Refund', options={'db_table': 'refunds'}),\n    migrations.AddField(model_name='order', name='x'),\n]\n";
        assert_eq!(
            declared("shop/migrations/0001_initial.py", migration),
            [
                "shop_order 3 Create",
                "refunds 5 Create",
                "shop_order 6 Alter"
            ],
            "Django writes the name on the line after the call"
        );
        assert_eq!(
            declared(
                "app/db.py",
                "class User(Base):\n    __tablename__ = 'users'\n"
            ),
            ["users 2 Model"]
        );
        let alembic = "def upgrade():\n    op.create_table('invoices', sa.Column('id'))\n    op.add_column('users', sa.Column('age'))\n    op.rename_table('a', 'b')\n";
        assert_eq!(
            declared("alembic/versions/1234_invoices.py", alembic),
            [
                "invoices 2 Create",
                "users 3 Alter",
                "a 4 Rename",
                "b 4 Rename"
            ]
        );
        assert!(is_migration("alembic/versions/1234_invoices.py"));
        assert!(is_migration("shop/migrations/0001_initial.py"));
    }

    #[test]
    fn prisma_and_jpa_models() {
        assert_eq!(
            declared(
                "prisma/schema.prisma",
                "model User {\n  id Int @id\n  @@map(\"users\")\n}\nmodel Post {\n  id Int @id\n}\n"
            ),
            ["users 1 Model", "post 5 Model"]
        );
        assert_eq!(
            declared(
                "src/main/java/shop/Order.java",
                "@Entity\n@Table(name = \"orders\")\npublic class Order {}\n@Entity\nclass Item {}\n"
            ),
            ["orders 3 Model", "item 5 Model"]
        );
    }
}
