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

/// The `tables` rows of a fixture, each as `table | declared_in | access | shared | migrations |
/// last_migration | migration_authors | co_changing`, and its uses as `table | component | file
/// | line | access`.
fn tables_and_uses(script: &str) -> Result<(Vec<String>, Vec<String>)> {
    let dir = scripted_repo(script)?;
    let tables = rows(
        &dir,
        "tables",
        &[
            "table",
            "declared_in",
            "access",
            "shared",
            "migrations",
            "last_migration",
            "migration_authors",
            "co_changing",
        ],
    )?;
    let uses = rows(
        &dir,
        "references",
        &["table", "component", "file", "line", "access"],
    )?;
    Ok((tables, uses))
}

#[test]
fn sql_schema_migrations_and_queries_give_the_tables_written_down() -> Result {
    let (tables, uses) = tables_and_uses("make_tables_sql.sh")?;
    assert_eq!(
        tables,
        [
            "orders | db/schema.sql:3 | billing (read), reports (read), shipping (write) | true | 1 | 2020-01-02 | Bea | billing (1)",
            "audit_log | db/migrations/V3__audit.sql:1 | reports (read), shipping (write) | true | 1 | 2020-01-03 | Cid | shipping (1)",
            "customers | db/schema.sql:7 | billing (read) | false | 0 | null |  | ",
            "refunds | db/migrations/V2__refunds.sql:1 | billing (write) | false | 1 | 2020-01-02 | Bea | billing (1)",
        ]
    );
    assert_eq!(
        uses,
        [
            "audit_log | reports | reports/audit.sql | 1 | read",
            "audit_log | shipping | shipping/ship.go | 3 | write",
            "customers | billing | billing/invoice.py | 4 | read",
            "orders | billing | billing/invoice.py | 3 | read",
            "orders | reports | reports/daily.sql | 2 | read",
            "orders | shipping | shipping/ship.go | 2 | write",
            "refunds | billing | billing/refund.py | 1 | write",
        ]
    );
    Ok(())
}

#[test]
fn rails_schema_migrations_and_models_give_the_tables_written_down() -> Result {
    let (tables, uses) = tables_and_uses("make_tables_rails.sh")?;
    assert_eq!(
        tables,
        [
            "orders | app/models/order.rb:1 | billing (read), models (model), shipping (write) | true | 2 | 2020-01-04 | Ann, Bea | db (2), billing (1), models (1)",
            "line_items | app/models/line_item.rb:1 | models (model), tasks (model) | true | 2 | 2020-01-05 | Ann, Cid | db (1), models (1), shipping (1)",
            "users | app/models/person.rb:1 | billing (read), models (model) | true | 1 | 2020-01-02 | Ann | db (1), models (1)",
        ]
    );
    assert_eq!(
        uses,
        [
            "line_items | models | app/models/line_item.rb | 1 | model",
            "line_items | tasks | lib/tasks/cleanup.rb | 1 | model",
            "orders | billing | app/billing/invoice.rb | 2 | read",
            "orders | models | app/models/order.rb | 1 | model",
            "orders | shipping | app/shipping/dispatch.rb | 2 | write",
            "users | billing | app/billing/invoice.rb | 2 | read",
            "users | models | app/models/person.rb | 1 | model",
        ]
    );
    Ok(())
}

#[test]
fn django_models_and_migrations_give_the_tables_written_down() -> Result {
    let (tables, uses) = tables_and_uses("make_tables_django.sh")?;
    assert_eq!(
        tables,
        [
            "shop_order | shop/models.py:2 | billing (model), reports (read), shop (model) | true | 2 | 2020-01-03 | Ann, Cid | shop (2), billing (1)",
            "customers | shop/models.py:5 | billing (model), shop (model) | true | 1 | 2020-01-01 | Ann | shop (1)",
        ]
    );
    assert_eq!(
        uses,
        [
            "customers | billing | billing/views.py | 1 | model",
            "customers | shop | shop/models.py | 5 | model",
            "shop_order | billing | billing/views.py | 1 | model",
            "shop_order | reports | reports/queries.py | 1 | read",
            "shop_order | shop | shop/models.py | 2 | model",
        ]
    );
    Ok(())
}

#[test]
fn sqlalchemy_models_and_alembic_revisions_give_the_tables_written_down() -> Result {
    let (tables, uses) = tables_and_uses("make_tables_sqlalchemy.sh")?;
    assert_eq!(
        tables,
        [
            "payments | core/models.py:5 | api (write), billing (model), core (model) | true | 1 | 2020-01-01 | Ann | core (1)",
            "invoices | core/models.py:3 | billing (model), core (model) | true | 2 | 2020-01-03 | Ann, Cid | billing (1), core (1)",
        ]
    );
    assert_eq!(
        uses,
        [
            "invoices | billing | billing/service.py | 1 | model",
            "invoices | core | core/models.py | 3 | model",
            "payments | api | api/routes.py | 2 | write",
            "payments | billing | billing/service.py | 1 | model",
            "payments | core | core/models.py | 5 | model",
        ]
    );
    Ok(())
}

#[test]
fn prisma_schema_and_migrations_give_the_tables_written_down() -> Result {
    let (tables, uses) = tables_and_uses("make_tables_prisma.sh")?;
    assert_eq!(
        tables,
        [
            "post | prisma/schema.prisma:5 | admin (read), prisma (model), web (read) | true | 2 | 2020-01-03 | Ann, Cid | prisma (2), web (1)",
            "users | prisma/schema.prisma:1 | admin (write), prisma (model) | true | 1 | 2020-01-01 | Ann | prisma (1)",
        ]
    );
    assert_eq!(
        uses,
        [
            "post | admin | admin/stats.ts | 1 | read",
            "post | prisma | prisma/schema.prisma | 5 | model",
            "post | web | web/feed.ts | 1 | read",
            "users | admin | admin/users.ts | 1 | write",
            "users | prisma | prisma/schema.prisma | 1 | model",
        ]
    );
    Ok(())
}

#[test]
fn jpa_entities_and_flyway_migrations_give_the_tables_written_down() -> Result {
    let (tables, uses) = tables_and_uses("make_tables_jpa.sh")?;
    assert_eq!(
        tables,
        [
            "customer | src/main/java/com/shop/model/Customer.java:3 | model (model), shipping (write) | true | 1 | 2020-01-02 | Ann | model (1)",
            "orders | src/main/java/com/shop/model/Order.java:4 | billing (model), model (model) | true | 2 | 2020-01-04 | Ann, Cid | billing (1), model (1)",
        ]
    );
    assert_eq!(
        uses,
        [
            "customer | model | src/main/java/com/shop/model/Customer.java | 3 | model",
            "customer | shipping | src/main/java/com/shop/shipping/ShippingRepository.java | 3 | write",
            "orders | billing | src/main/java/com/shop/billing/InvoiceService.java | 2 | model",
            "orders | model | src/main/java/com/shop/model/Order.java | 4 | model",
        ]
    );
    Ok(())
}
