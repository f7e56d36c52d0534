//! `cochange tables` (docs/tables.md) on a scripted repository with one declaration of each kind,
//! whose expected tables, uses, shared flags and migrations are worked out in the script's header.

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::util::*;

fn rows(dir: &std::path::Path, show: &str, columns: &[&str]) -> Result<Vec<String>> {
    let out =
        run_ok(cochange(dir).args(["tables", "--no-cache", "--format", "json", "--show", show]))?;
    let doc: Value = serde_json::from_slice(&out.stdout)?;
    Ok(doc["rows"]
        .as_array()
        .ok_or("rows")?
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|c| match &row[c] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect())
}

#[test]
fn tables_gives_declarations_uses_shared_tables_and_migrations_written_down() -> Result {
    let dir = scripted_repo("make_tables.sh")?;
    assert_eq!(
        rows(
            &dir,
            "tables",
            &["table", "declared_in", "access", "shared"]
        )?,
        [
            "audit | db/migrations/V2__audit.sql:1 | billing (write), shipping (write) | true",
            "orders | db/schema.sql:1 | billing (read), shipping (write) | true",
            "shop_product | shop/models.py:2 | reports (model), shop (model) | true",
            "accounts | jvm/src/Account.java:3 | jvm (model) | false",
            "invoices | alch/tables.py:2 | alch (model) | false",
            "sessions | web/prisma/schema.prisma:1 | web (model) | false",
            "users | rails/app/models/user.rb:1 | rails (model) | false",
            "customers | db/schema.sql:2 |  | false",
        ]
    );
    assert_eq!(
        rows(
            &dir,
            "tables",
            &[
                "table",
                "migrations",
                "last_migration",
                "migration_authors",
                "co_changing"
            ]
        )?,
        [
            "audit | 1 | 2020-01-02 | Bea | billing (1)",
            "orders | 1 | 2020-01-02 | Bea | billing (1)",
            "shop_product | 1 | 2020-01-03 | Cid | reports (1)",
            "accounts | 0 | null |  | ",
            "invoices | 1 | 2020-01-05 | Dan | ",
            "sessions | 0 | null |  | ",
            "users | 1 | 2020-01-04 | Bea | ",
            "customers | 0 | null |  | ",
        ]
    );
    assert_eq!(
        rows(
            &dir,
            "references",
            &["table", "component", "file", "line", "access"]
        )?,
        [
            "accounts | jvm | jvm/src/Account.java | 3 | model",
            "audit | billing | billing/charge.py | 2 | write",
            "audit | shipping | shipping/ship.go | 3 | write",
            "invoices | alch | alch/tables.py | 2 | model",
            "orders | billing | billing/charge.py | 1 | read",
            "orders | shipping | shipping/ship.go | 2 | write",
            "sessions | web | web/prisma/schema.prisma | 1 | model",
            "shop_product | reports | reports/views.py | 1 | model",
            "shop_product | shop | shop/models.py | 2 | model",
            "users | rails | rails/app/models/user.rb | 1 | model",
        ]
    );
    Ok(())
}

#[test]
fn check_fails_on_a_newly_shared_table_at_its_declaration() -> Result {
    let dir = scripted_repo("make_tables.sh")?;
    let config = tempfile::NamedTempFile::new()?;
    std::fs::write(config.path(), "[check]\nnew-shared-table = true\n")?;
    let config = config.path().to_str().ok_or("path")?;
    let out = tempfile::tempdir()?;
    let baseline = snapshot_at(&dir, config, "five-migrations", out.path())?;
    let check = check_sarif(&dir, config, &baseline)?;
    assert_eq!(check.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&check.stdout)?;
    let new = sarif_new_results(&sarif);
    // From the script's header: audit became shared with commit 6; orders and shop_product
    // were shared at the baseline already.
    assert_eq!(new, ["new-shared-table db/migrations/V2__audit.sql:1"]);
    Ok(())
}
