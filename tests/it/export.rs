//! `export` and `--tables`: the Parquet tables of docs/schema.md match their documentation, grow by
//! appending, are read back by cochange with the same results as the repositories, and DuckDB
//! running docs/scale.md's SQL over them gives cochange's rows.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use cochange_miner::polars::prelude::*;
use pretty_assertions::assert_eq;

use crate::util::*;

/// `cochange export --output out` of `repos`, with `extra` arguments; returns stderr.
fn export(repos: &[&Path], out: &Path, extra: &[&str]) -> Result<String> {
    let mut cmd = cochange(repos[0]);
    cmd.arg("export").arg("--no-cache").arg("--output").arg(out);
    for repo in repos {
        cmd.arg("--repo").arg(repo);
    }
    let output = run_ok(cmd.args(extra))?;
    Ok(String::from_utf8(output.stderr)?)
}

/// Every Parquet file of `table` below the export `dir`, by path.
fn part_files(dir: &Path, table: &str) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for partition in std::fs::read_dir(dir.join(table))? {
        for file in std::fs::read_dir(partition?.path())? {
            let path = file?.path();
            if path.extension().is_some_and(|e| e == "parquet") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

fn read_parquet(path: &Path) -> Result<DataFrame> {
    Ok(ParquetReader::new(std::fs::File::open(path)?).finish()?)
}

/// The rows of `table` in the export `dir`, each as text with its partition first, sorted: the
/// content, whatever the parts.
fn table_rows(dir: &Path, table: &str) -> Result<Vec<String>> {
    let mut rows = Vec::new();
    for file in part_files(dir, table)? {
        let partition = file
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let df = read_parquet(&file)?;
        for i in 0..df.height() {
            let row = df.get_row(i)?;
            let cells: Vec<String> = row.0.iter().map(ToString::to_string).collect();
            rows.push(format!("{partition}\t{}", cells.join("\t")));
        }
    }
    rows.sort();
    Ok(rows)
}

const TABLES: [&str; 6] = ["commits", "changes", "people", "entities", "tags", "files"];

/// A documented column: name, type and whether it may be null.
type Documented = (String, String, bool);

/// The columns docs/schema.md documents per table.
fn documented_schema() -> Result<BTreeMap<String, Vec<Documented>>> {
    let doc = std::fs::read_to_string(cochange_testtools::workspace_root().join("docs/schema.md"))?;
    let mut tables: BTreeMap<String, Vec<Documented>> = BTreeMap::new();
    let mut current = None;
    for line in doc.lines() {
        if let Some(name) = line.strip_prefix("### `").and_then(|l| l.strip_suffix('`')) {
            current = Some(name.to_owned());
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if let (Some(table), [_, column, kind, null, _, _]) = (&current, cells.as_slice())
            && let Some(column) = column.strip_prefix('`').and_then(|c| c.strip_suffix('`'))
        {
            tables.entry(table.clone()).or_default().push((
                column.to_owned(),
                (*kind).to_owned(),
                *null == "yes",
            ));
        }
    }
    Ok(tables)
}

fn type_name(dtype: &DataType) -> String {
    match dtype {
        DataType::String => "string".into(),
        DataType::Boolean => "bool".into(),
        DataType::Int32 => "int32".into(),
        DataType::Int64 => "int64".into(),
        DataType::UInt32 => "uint32".into(),
        DataType::UInt64 => "uint64".into(),
        DataType::Float64 => "float64".into(),
        DataType::List(inner) => format!("list<{}>", type_name(inner)),
        other => format!("{other:?}"),
    }
}

#[test]
fn the_files_match_the_documented_schema() -> Result {
    let documented = documented_schema()?;
    assert_eq!(
        documented.keys().collect::<Vec<_>>(),
        {
            let mut t = TABLES.to_vec();
            t.sort_unstable();
            t
        },
        "docs/schema.md documents every exported table"
    );
    // Renames fill `entities`, the delivery fixture's tags fill `tags`.
    for script in ["make_renames.sh", "make_delivery.sh", "make_coauthors.sh"] {
        let repo = scripted_repo(script)?;
        let tmp = tempfile::tempdir()?;
        let out = tmp.path().join("tables");
        export(&[&repo], &out, &[])?;
        for table in TABLES {
            let files = part_files(&out, table)?;
            assert_eq!(files.len(), 1, "{script}: one part of {table}");
            let df = read_parquet(&files[0])?;
            let actual: Vec<(String, String)> = df
                .schema()
                .iter()
                .map(|(name, dtype)| (name.to_string(), type_name(dtype)))
                .collect();
            let columns = &documented[table];
            let expected: Vec<(String, String)> = columns
                .iter()
                .map(|(name, kind, _)| (name.clone(), kind.clone()))
                .collect();
            assert_eq!(actual, expected, "{script}: columns of {table}");
            for (name, _, nullable) in columns {
                if !nullable {
                    assert_eq!(
                        df.column(name)?.null_count(),
                        0,
                        "{script}: {table}.{name} is documented as never null"
                    );
                }
            }
        }
    }
    // Each table holds rows in one of the fixtures: the test checks something everywhere.
    let renames = tempfile::tempdir()?;
    export(&[&scripted_repo("make_renames.sh")?], renames.path(), &[])?;
    assert!(!table_rows(renames.path(), "entities")?.is_empty());
    let tags = tempfile::tempdir()?;
    export(&[&scripted_repo("make_delivery.sh")?], tags.path(), &[])?;
    assert!(!table_rows(tags.path(), "tags")?.is_empty());
    Ok(())
}

#[test]
fn a_second_export_appends_the_new_commits_and_equals_a_fresh_export() -> Result {
    let (tmp, repo) = copy_of("make_renames.sh")?;
    let appended = tmp.path().join("appended");
    let first = export(&[&repo], &appended, &["--name", "renames"])?;
    assert!(
        first.contains("renames: 10 new commits, 10 in the export"),
        "{first}"
    );
    let again = export(&[&repo], &appended, &["--name", "renames"])?;
    assert!(
        again.contains("renames: 0 new commits, 10 in the export"),
        "{again}"
    );

    // A new commit, and a rename that changes the entity of older rows.
    add_commit(&repo, "reused.txt", "1700000000 +0000")?;
    git_output(&repo, &["mv", "moved-away.txt", "final.txt"])?;
    commit_staged(&repo, "rename again", "1700086400 +0000")?;
    let second = export(&[&repo], &appended, &["--name", "renames"])?;
    assert!(
        second.contains("renames: 2 new commits, 12 in the export"),
        "{second}"
    );
    assert_eq!(
        part_files(&appended, "commits")?.len(),
        2,
        "one part per export with new commits"
    );
    assert_eq!(
        part_files(&appended, "entities")?.len(),
        1,
        "entities are replaced"
    );

    let fresh = tmp.path().join("fresh");
    export(&[&repo], &fresh, &["--name", "renames"])?;
    for table in TABLES {
        assert_eq!(
            table_rows(&appended, table)?,
            table_rows(&fresh, table)?,
            "{table}: appended and fresh exports hold the same rows"
        );
    }
    let entities = table_rows(&fresh, "entities")?;
    assert!(
        entities
            .iter()
            .any(|r| r.ends_with("\t\"moved-away.txt\"\t\"final.txt\"")),
        "the older changes of moved-away.txt now belong to final.txt: {entities:#?}"
    );
    Ok(())
}

#[test]
fn an_export_whose_rows_the_history_no_longer_gives_is_replaced() -> Result {
    let (tmp, repo) = copy_of("make_renames.sh")?;
    let tables = tmp.path().join("tables");
    export(&[&repo], &tables, &["--name", "r"])?;
    // A .mailmap renames an author of the exported commits: appending would keep the old name.
    let author = String::from_utf8(git_output(&repo, &["log", "-1", "--format=%aN <%aE>"])?)?;
    std::fs::write(
        repo.join(".mailmap"),
        format!("Proper Name <proper@example.com> {}", author.trim()),
    )?;
    add_commit(&repo, ".mailmap-note", "1700000000 +0000")?;
    git_output(&repo, &["add", ".mailmap"])?;
    commit_staged(&repo, "mailmap", "1700086400 +0000")?;
    let stderr = export(&[&repo], &tables, &["--name", "r"])?;
    assert!(
        stderr.contains("the earlier export was replaced, not appended to: the history gives other rows for commits it holds"),
        "{stderr}"
    );
    let fresh = tmp.path().join("fresh");
    export(&[&repo], &fresh, &["--name", "r"])?;
    for table in TABLES {
        assert_eq!(
            table_rows(&tables, table)?,
            table_rows(&fresh, table)?,
            "{table}"
        );
    }
    assert!(
        table_rows(&tables, "people")?
            .iter()
            .any(|r| r.contains("Proper Name"))
    );
    Ok(())
}

#[test]
fn export_refuses_a_folder_that_holds_other_files_and_leaves_it_alone() -> Result {
    let repo = scripted_repo("make_linear.sh")?;
    let tmp = tempfile::tempdir()?;
    std::fs::write(tmp.path().join("notes.txt"), "mine")?;
    let out = cochange(&repo)
        .args(["export", "--no-cache", "--output"])
        .arg(tmp.path())
        .output()?;
    fails(
        &out,
        2,
        &["holds files that are not cochange's exported tables (notes.txt)"],
    );
    let left: Vec<_> = std::fs::read_dir(tmp.path())?.collect();
    assert_eq!(left.len(), 1);
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("notes.txt"))?,
        "mine"
    );

    // Nor into the analysed repository, nor under a name another repository holds.
    let (tmp2, copy) = copy_of("make_linear.sh")?;
    let inside = cochange(&copy)
        .args(["export", "--no-cache", "--output", "tables"])
        .output()?;
    fails(&inside, 2, &["is inside the analysed repository"]);
    assert!(!copy.join("tables").exists());
    let shared = tmp2.path().join("shared");
    export(&[&repo], &shared, &["--name", "api"])?;
    let user_file = shared.join("commits/repo=api/part-000001-backup.parquet");
    std::fs::write(&user_file, "a user's file")?;
    let other = cochange(&repo)
        .args(["export", "--no-cache", "--name", "api", "--repo"])
        .arg(scripted_repo("make_renames.sh")?)
        .arg("--output")
        .arg(&shared)
        .output()?;
    fails(&other, 2, &["has none of this history's commits"]);
    export(&[&repo], &shared, &["--name", "api"])?;
    assert_eq!(
        std::fs::read_to_string(&user_file)?,
        "a user's file",
        "only cochange's parts are removed"
    );

    let missing = cochange(&repo).args(["export", "--no-cache"]).output()?;
    fails(&missing, 2, &["name it with `--output DIR`"]);

    // A URL is not a folder: `export` does not make one named `s3:`.
    let url = cochange(&repo)
        .args(["export", "--no-cache", "--output", "s3://bucket/exports"])
        .output()?;
    fails(&url, 2, &["`--output` is a URL: cochange writes a local"]);
    assert!(!repo.join("s3:").exists());
    Ok(())
}

#[test]
fn analyses_from_tables_refuse_what_needs_file_contents_and_damaged_parts() -> Result {
    let repo = scripted_repo("make_xray.sh")?;
    let tmp = tempfile::tempdir()?;
    let out = tmp.path().join("tables");
    export(&[&repo], &out, &[])?;
    for command in ["deps", "xray", "knowledge"] {
        let run = cochange(tmp.path())
            .arg(command)
            .arg("--tables")
            .arg(&out)
            .output()?;
        fails(&run, 2, &["which exported tables (`--tables`) do not hold"]);
    }
    // A damaged part of a table cochange reads, or of one only other engines read, is refused.
    for table in ["changes", "people"] {
        let out = tmp.path().join(format!("damaged-{table}"));
        export(&[&repo], &out, &[])?;
        let part = &part_files(&out, table)?[0];
        let mut bytes = std::fs::read(part)?;
        let last = bytes.len() - 20;
        bytes[last] ^= 0xff;
        std::fs::write(part, bytes)?;
        let run = cochange(tmp.path())
            .args(["revisions", "--tables"])
            .arg(&out)
            .output()?;
        fails(
            &run,
            3,
            &["changed or damaged since it was exported", table],
        );
        // Exporting again replaces the damaged parts.
        let again = export(&[&repo], &out, &[])?;
        assert!(again.contains("one of its parts cannot be used"), "{again}");
        run_ok(
            cochange(tmp.path())
                .args(["revisions", "--tables"])
                .arg(&out),
        )?;
    }
    Ok(())
}

/// The output of `args` run on the repositories and on their export.
fn both_ways(repos: &[&Path], tables: &Path, args: &[&str]) -> Result<(String, String)> {
    let mut direct = cochange(repos[0]);
    direct.arg("--no-cache").args(args);
    for repo in repos {
        direct.arg("--repo").arg(repo);
    }
    let direct = String::from_utf8(run_ok(&mut direct)?.stdout)?;
    let from_tables = run_ok(cochange(tables).arg("--tables").arg(tables).args(args))?;
    Ok((direct, String::from_utf8(from_tables.stdout)?))
}

/// `args` run on the repositories and on their export give the same output.
fn same_from_tables(repos: &[&Path], tables: &Path, args: &[&str]) -> Result<String> {
    let (direct, from_tables) = both_ways(repos, tables, args)?;
    assert_eq!(from_tables, direct, "{args:?}");
    Ok(direct)
}

/// `coupling … --format csv` from the export equals that of the repositories but for the last
/// column, `structure`, which is unknown without file contents (empty).
fn same_coupling_from_tables(repos: &[&Path], tables: &Path, args: &[&str]) -> Result<String> {
    let args: Vec<&str> = ["coupling", "--format", "csv"]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    let (direct, from_tables) = both_ways(repos, tables, &args)?;
    let without_structure = |csv: &str| -> Vec<String> {
        csv.lines()
            .map(|line| {
                line.rsplit_once(',')
                    .map_or(line, |(rest, _)| rest)
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(
        without_structure(&from_tables),
        without_structure(&direct),
        "{args:?}"
    );
    assert!(
        from_tables.lines().skip(1).all(|line| line.ends_with(',')),
        "structure is unknown from tables"
    );
    Ok(direct)
}

#[test]
fn fifty_repositories_exported_in_parallel_give_the_coupling_of_the_repositories() -> Result {
    let tmp = tempfile::tempdir()?;
    let mut repos = Vec::new();
    for i in 0..50 {
        let dir = tmp.path().join(format!("svc{i:02}"));
        cochange_testtools::synthetic_repo(
            &dir,
            &cochange_testtools::SyntheticOptions {
                commits: 40,
                seed: i + 1,
                modules: 3,
                files_per_module: 4,
                authors: 4,
            },
        )?;
        repos.push(dir);
    }
    let repos: Vec<&Path> = repos.iter().map(PathBuf::as_path).collect();
    let tables = tmp.path().join("tables");
    let stderr = export(&repos, &tables, &["--jobs", "2"])?;
    assert_eq!(stderr.matches(" new commits, ").count(), 50, "{stderr}");
    assert_eq!(part_files(&tables, "commits")?.len(), 50);

    let by_commit = same_coupling_from_tables(&repos, &tables, &[])?;
    assert!(
        by_commit.lines().count() > 1,
        "coupling finds pairs: {by_commit}"
    );
    // Author-days couple files across repositories (services deployed together).
    let across = same_coupling_from_tables(
        &repos,
        &tables,
        &[
            "--group-by",
            "author-day",
            "--max-changeset-size",
            "400",
            "--min-shared",
            "3",
        ],
    )?;
    let crossing = across
        .lines()
        .skip(1)
        .filter(|row| {
            let mut cells = row.split(',');
            let (a, b) = (cells.next().unwrap_or(""), cells.next().unwrap_or(""));
            a.split('/').next() != b.split('/').next()
        })
        .count();
    assert!(crossing > 0, "author-days couple repositories: {across}");
    same_from_tables(&repos, &tables, &["revisions", "--format", "csv"])?;
    same_from_tables(&repos, &tables, &["summary", "--format", "csv"])?;
    Ok(())
}

#[test]
fn tables_pick_repositories_by_name_and_refuse_a_walk() -> Result {
    let (linear, renames) = (
        scripted_repo("make_linear.sh")?,
        scripted_repo("make_renames.sh")?,
    );
    let tmp = tempfile::tempdir()?;
    let tables = tmp.path().join("tables");
    export(
        &[&linear, &renames],
        &tables,
        &["--name", "a", "--name", "b"],
    )?;
    let (direct, from_tables) = both_ways(
        &[&renames],
        &tables,
        &["revisions", "--format", "csv", "--name", "b"],
    )?;
    assert_eq!(from_tables, direct);
    let unknown = cochange(tmp.path())
        .args(["summary", "--name", "c", "--tables"])
        .arg(&tables)
        .output()?;
    fails(
        &unknown,
        2,
        &["holds no repository named `c` (it holds a, b)"],
    );
    let walk = cochange(tmp.path())
        .args(["summary", "--rev", "HEAD", "--tables"])
        .arg(&tables)
        .output()?;
    fails(&walk, 2, &[]);
    Ok(())
}

#[test]
fn hotspots_and_delivery_from_tables_equal_those_of_the_repository() -> Result {
    let repo = scripted_repo("make_delivery.sh")?;
    let tmp = tempfile::tempdir()?;
    let tables = tmp.path().join("tables");
    export(&[&repo], &tables, &[])?;
    same_from_tables(&[&repo], &tables, &["hotspots", "--format", "csv"])?;
    same_from_tables(
        &[&repo],
        &tables,
        &["delivery", "--show", "releases", "--format", "csv"],
    )?;
    Ok(())
}

/// docs/scale.md's query `name` of `engine` (`duckdb` or `spark`) over the export `tables`, as CSV.
fn engine_csv(engine: &str, name: &str, tables: &Path) -> Result<String> {
    let root = cochange_testtools::workspace_root();
    let python = std::env::var_os("COCHANGE_PYTHON").unwrap_or_else(|| "python3".into());
    let out = std::process::Command::new(python)
        .arg(root.join("tests/oracles/sql_of_docs.py"))
        .arg(engine)
        .arg(root.join("docs/scale.md"))
        .arg(name)
        .arg(tables)
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?)
}

/// `engine` running docs/scale.md's SQL over the export of `repo` gives `cochange coupling
/// --columns code-maat` and `revisions`; returns how many pairs and entities were compared.
pub fn engine_agrees(engine: &str, repo: &Path) -> Result<(usize, usize)> {
    let tmp = tempfile::tempdir()?;
    let tables = tmp.path().join("tables");
    export(&[repo], &tables, &[])?;
    let cochange_csv = |analysis: &str| -> Result<String> {
        let args = [
            analysis,
            "--no-cache",
            "--columns",
            "code-maat",
            "--format",
            "csv",
        ];
        Ok(String::from_utf8(
            run_ok(cochange(repo).args(args))?.stdout,
        )?)
    };
    let coupling = cochange_csv("coupling")?;
    assert_eq!(
        engine_csv(engine, "coupling", &tables)?,
        coupling,
        "{engine}: coupling"
    );
    let revisions = cochange_csv("revisions")?;
    assert_eq!(
        engine_csv(engine, "revisions", &tables)?,
        revisions,
        "{engine}: revisions"
    );
    Ok((coupling.lines().count() - 1, revisions.lines().count() - 1))
}

#[test]
#[cfg_attr(
    duckdb_missing,
    ignore = "needs the duckdb Python package (`.ci/run` installs it; or set COCHANGE_PYTHON)"
)]
fn duckdb_sql_of_the_docs_gives_cochanges_coupling_on_a_fixture() -> Result {
    // Renames exercise the entities table; the coupled fixture has pairs above the thresholds.
    let (_, entities) = engine_agrees("duckdb", &scripted_repo("make_renames.sh")?)?;
    assert!(entities > 0);
    let (pairs, _) = engine_agrees("duckdb", &scripted_repo("make_coupled.sh")?)?;
    assert!(pairs > 0, "the fixture has coupled pairs to compare");
    Ok(())
}

#[test]
fn files_that_engines_would_read_but_no_state_lists_are_warned_about() -> Result {
    let repo = scripted_repo("make_linear.sh")?;
    let tmp = tempfile::tempdir()?;
    let tables = tmp.path().join("tables");
    export(&[&repo], &tables, &["--name", "api"])?;
    let part = tables.join("commits/repo=api/part-000001.parquet");
    std::fs::copy(
        &part,
        tables.join("commits/repo=api/part-000001-backup.parquet"),
    )?;
    std::fs::create_dir(tables.join("changes/repo=old"))?;
    std::fs::copy(&part, tables.join("changes/repo=old/part-000001.parquet"))?;
    let expected = [
        "`changes/repo=old/` has no `_cochange/old.json`",
        "`commits/repo=api/part-000001-backup.parquet` is not one of the export's parts",
    ];
    let again = export(&[&repo], &tables, &["--name", "api"])?;
    let analysed = cochange(&tables)
        .arg("--tables")
        .arg(&tables)
        .arg("revisions")
        .output()?;
    assert!(analysed.status.success());
    for stderr in [again, String::from_utf8(analysed.stderr)?] {
        for warning in expected {
            assert!(stderr.contains(warning), "{warning}: {stderr}");
        }
    }
    Ok(())
}

#[test]
fn urls_that_name_no_store_and_outputs_to_urls_are_refused_in_every_build() -> Result {
    let repo = scripted_repo("make_linear.sh")?;
    for (url, says) in [
        ("s4://bucket/x", "has the scheme `s4:`"),
        ("s3://KEY:SECRET@bucket/x", "holds credentials"),
        ("https://example.com/x", "is a web address"),
        ("file://srv/exports", "`file:///srv/exports`"),
    ] {
        let out = cochange(&repo)
            .args(["--tables", url, "revisions"])
            .output()?;
        fails(&out, 2, &[says]);
    }
    let typo = cochange(&repo)
        .args(["--tables", "s3:/bucket/x", "revisions"])
        .output()?;
    fails(&typo, 2, &["a URL needs its slashes: `s3://bucket/x`"]);
    // Commands that read files refuse before any store is asked.
    let deps = cochange(&repo)
        .args(["--tables", "s3://no-such-bucket/x", "deps"])
        .output()?;
    fails(&deps, 2, &["`deps` reads the repository's files"]);
    let report = cochange(&repo)
        .args(["report", "--no-cache", "--output", "s3://bucket/report"])
        .output()?;
    fails(&report, 2, &["`--output` is a URL"]);
    let cache = cochange(&repo)
        .args(["summary", "--cache-dir", "s3://bucket/cache"])
        .output()?;
    fails(&cache, 2, &["the cache is a local folder"]);
    assert!(
        !repo.join("s3:").exists(),
        "no local folder named after the URL"
    );
    Ok(())
}

/// Analyses compared between an export read from its folder and from a URL.
const URL_ANALYSES: [&[&str]; 4] = [
    &["coupling", "--format", "csv"],
    &["revisions", "--format", "csv"],
    &["summary", "--format", "csv"],
    &["hotspots", "--format", "csv"],
];

/// Each of [`URL_ANALYSES`] reads the same from the export folder `tables` as from `url`, read
/// by the commands `reader` makes.
fn same_from_url(tables: &Path, url: &str, reader: &dyn Fn() -> Command) -> Result {
    for args in URL_ANALYSES {
        let local = run_ok(cochange(tables).arg("--tables").arg(tables).args(args))?;
        let remote = run_ok(reader().arg("--tables").arg(url).args(args))?;
        let (local, remote) = (
            String::from_utf8(local.stdout)?,
            String::from_utf8(remote.stdout)?,
        );
        assert!(local.lines().count() > 1, "{args:?} has rows to compare");
        assert_eq!(remote, local, "{args:?}");
    }
    Ok(())
}

#[test]
#[cfg_attr(
    not(feature = "object-store"),
    ignore = "needs the `object-store` feature (`.ci/run` runs `cargo test --features object-store`)"
)]
fn tables_read_from_a_file_url_equal_those_of_the_folder() -> Result {
    let repo = scripted_repo("make_coupled.sh")?;
    let tmp = tempfile::tempdir()?;
    let tables = tmp.path().join("tables");
    export(&[&repo], &tables, &[])?;
    same_from_url(&tables, &format!("file://{}", tables.display()), &|| {
        cochange(&tables)
    })?;

    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty)?;
    let out = cochange(&repo)
        .arg("--tables")
        .arg(format!("file://{}", empty.display()))
        .arg("coupling")
        .output()?;
    fails(&out, 3, &["holds no export (nothing below `_cochange/`)"]);
    Ok(())
}

/// A local S3 server (`tests/oracles/s3_server.py`) holding a copy of `folder` in bucket
/// `cochange-test` under `exports/`; stops when dropped.
struct S3Server {
    child: std::process::Child,
    endpoint: String,
}

impl S3Server {
    fn start(folder: &Path) -> Result<S3Server> {
        use std::io::BufRead;
        let root = cochange_testtools::workspace_root();
        let python = std::env::var_os("COCHANGE_PYTHON").unwrap_or_else(|| "python3".into());
        let mut child = std::process::Command::new(python)
            .arg(root.join("tests/oracles/s3_server.py"))
            .arg(folder)
            .args(["cochange-test", "exports"])
            .env_clear()
            .envs(without_store_settings())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()?;
        let mut endpoint = String::new();
        let stdout = child.stdout.take().ok_or("no stdout")?;
        std::io::BufReader::new(stdout).read_line(&mut endpoint)?;
        let endpoint = endpoint.trim().to_owned();
        if !endpoint.starts_with("http://") {
            let _ = child.kill();
            return Err(format!("the S3 server did not start: {endpoint:?}").into());
        }
        Ok(S3Server { child, endpoint })
    }

    /// `cochange` in `dir` set to read this server, and only it.
    fn cochange(&self, dir: &Path) -> Command {
        let mut cmd = cochange(dir);
        for (key, _) in std::env::vars_os() {
            if is_store_setting(&key) {
                cmd.env_remove(key);
            }
        }
        cmd.envs([
            ("AWS_ENDPOINT_URL", self.endpoint.as_str()),
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ALLOW_HTTP", "true"),
        ]);
        cmd
    }
}

/// Whether the variable `key` configures a store or a proxy: the caller's must not reach the
/// test's server.
fn is_store_setting(key: &std::ffi::OsStr) -> bool {
    let key = key.to_string_lossy().to_ascii_uppercase();
    ["AWS_", "GOOGLE_", "AZURE_"]
        .iter()
        .any(|p| key.starts_with(p))
        || key.ends_with("_PROXY")
}

/// The environment without the caller's store and proxy settings.
fn without_store_settings() -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
    std::env::vars_os()
        .filter(|(key, _)| !is_store_setting(key))
        .collect()
}

impl Drop for S3Server {
    fn drop(&mut self) {
        // Closing its stdin stops it.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

#[test]
#[cfg_attr(
    any(not(feature = "object-store"), moto_missing),
    ignore = "needs the `object-store` feature and the moto Python package for a local S3 server (`.ci/run` installs moto and runs `cargo test --features object-store`)"
)]
fn tables_read_from_s3_equal_those_of_the_folder() -> Result {
    let (coupled, renames) = (
        scripted_repo("make_coupled.sh")?,
        scripted_repo("make_renames.sh")?,
    );
    let tmp = tempfile::tempdir()?;
    let tables = tmp.path().join("tables");
    export(
        &[&coupled, &renames],
        &tables,
        &["--name", "api", "--name", "web"],
    )?;
    let server = S3Server::start(&tables)?;
    let reader = || server.cochange(&tables);
    same_from_url(&tables, "s3://cochange-test/exports", &reader)?;
    same_from_url(&tables, "s3://cochange-test/exports/", &reader)?;

    let read = |url: &str, args: &[&str]| {
        server
            .cochange(&tables)
            .arg("--tables")
            .arg(url)
            .args(args)
            .output()
    };
    let one = run_ok(cochange(&tables).arg("--tables").arg(&tables).args([
        "revisions",
        "--name",
        "web",
    ]))?;
    let out = read(
        "s3://cochange-test/exports",
        &["revisions", "--name", "web"],
    )?;
    assert_eq!(
        out.stdout, one.stdout,
        "--name picks a repository of the bucket"
    );
    let unknown = read(
        "s3://cochange-test/exports",
        &["revisions", "--name", "cli"],
    )?;
    fails(&unknown, 2, &["api, web"]);
    let elsewhere = read("s3://cochange-test/elsewhere", &["revisions"])?;
    fails(
        &elsewhere,
        3,
        &["`s3://cochange-test/elsewhere` holds no export"],
    );
    let no_bucket = read("s3://no-such-bucket/exports", &["revisions"])?;
    fails(
        &no_bucket,
        3,
        &[
            "the store answered NoSuchBucket",
            "S3 is configured by `AWS_ACCESS_KEY_ID`",
        ],
    );
    drop(server);

    // A part changed in the bucket is named by its URL, as in a folder by its path.
    std::fs::write(
        tables.join("commits/repo=api/part-000001.parquet"),
        "damaged",
    )?;
    let server = S3Server::start(&tables)?;
    let damaged = server
        .cochange(&tables)
        .args(["--tables", "s3://cochange-test/exports", "revisions"])
        .output()?;
    fails(
        &damaged,
        3,
        &["`s3://cochange-test/exports/commits/repo=api/part-000001.parquet` does not match"],
    );
    drop(server);

    // A part missing from the bucket stops the read at once, naming it.
    std::fs::remove_file(tables.join("entities/repo=api/part-000001.parquet"))?;
    let server = S3Server::start(&tables)?;
    let missing = server
        .cochange(&tables)
        .args(["--tables", "s3://cochange-test/exports", "revisions"])
        .output()?;
    fails(
        &missing,
        3,
        &[
            "`s3://cochange-test/exports/entities/repo=api/part-000001.parquet` cannot be read: does not exist in the store",
        ],
    );
    Ok(())
}

#[test]
#[cfg_attr(
    feature = "object-store",
    ignore = "this build has the `object-store` feature, which reads URLs (tested above)"
)]
fn a_url_without_the_object_store_feature_says_how_to_read_it() -> Result {
    let repo = scripted_repo("make_linear.sh")?;
    let out = cochange(&repo)
        .args(["--tables", "s3://bucket/exports", "coupling"])
        .output()?;
    fails(
        &out,
        2,
        &["built with the `object-store` feature", "aws s3 sync"],
    );
    let folder = tempfile::tempdir()?;
    let file = cochange(&repo)
        .arg("--tables")
        .arg(format!("file://{}", folder.path().display()))
        .arg("coupling")
        .output()?;
    let advice = format!("give the folder's path (`{}`)", folder.path().display());
    fails(&file, 2, &[&advice]);
    Ok(())
}
