//! Change-set grouping, path and author filters and the config file (docs/metrics.md, README.md). The
//! expected answers are written in the fixture scripts' headers.

use std::path::Path;
use std::process::Output;

use crate::util::*;

fn csv(dir: &Path, args: &[&str]) -> Result<String> {
    let out = run_ok(
        cochange(dir)
            .args(["--no-cache", "--format", "csv"])
            .args(args),
    )?;
    Ok(String::from_utf8(out.stdout)?)
}

/// `coupling` with every threshold off, as `entity,coupled,shared` lines.
fn all_pairs(dir: &Path, args: &[&str]) -> Result<Vec<String>> {
    let mut full = vec![
        "coupling",
        "--min-revs",
        "0",
        "--min-shared",
        "0",
        "--min-degree",
        "0",
    ];
    full.extend_from_slice(args);
    let text = csv(dir, &full)?;
    Ok(text
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            format!("{} {} {}", fields[0], fields[1], fields[4])
        })
        .collect())
}

#[test]
fn commits_group_into_change_sets_four_ways() -> Result {
    let dir = scripted_repo("make_grouping.sh")?;
    let revisions = |args: &[&str]| -> Result<String> {
        let mut full = vec!["revisions"];
        full.extend_from_slice(args);
        csv(&dir, &full)
    };
    let by_commit = "entity,n-revs\nsrc/model.rs,2\nREADME.md,1\ndocs/model.md,1\nsrc/api.rs,1\nsrc/view.rs,1\n";
    assert_eq!(revisions(&[])?, by_commit);
    assert_eq!(all_pairs(&dir, &[])?, Vec::<String>::new());

    assert_eq!(revisions(&["--group-by", "pr"])?, by_commit);
    assert_eq!(
        all_pairs(&dir, &["--group-by", "pr"])?,
        ["src/api.rs src/view.rs 1"]
    );

    assert_eq!(
        revisions(&["--group-by", "ticket"])?,
        "entity,n-revs\nREADME.md,1\ndocs/model.md,1\nsrc/api.rs,1\nsrc/model.rs,1\nsrc/view.rs,1\n"
    );
    assert_eq!(
        all_pairs(&dir, &["--group-by", "ticket"])?,
        ["docs/model.md src/model.rs 1", "src/api.rs src/view.rs 1"]
    );

    assert_eq!(revisions(&["--group-by", "author-day"])?, by_commit);
    assert_eq!(
        all_pairs(&dir, &["--group-by", "author-day"])?,
        Vec::<String>::new()
    );
    let two_days = ["--group-by", "author-day", "--window-days", "2"];
    assert_eq!(revisions(&two_days)?, by_commit);
    assert_eq!(
        all_pairs(&dir, &two_days)?,
        ["src/api.rs src/view.rs 1", "README.md src/model.rs 1"]
    );
    // soc counts over the same change sets: src/model.rs has one partner, once.
    assert_eq!(
        csv(
            &dir,
            &[
                "soc",
                "--min-revs",
                "0",
                "--group-by",
                "author-day",
                "--window-days",
                "2"
            ]
        )?,
        "entity,soc,revisions\nREADME.md,1,1\nsrc/api.rs,1,1\nsrc/model.rs,1,2\nsrc/view.rs,1,1\n"
    );
    Ok(())
}

#[test]
fn ticket_pattern_comes_from_the_config() -> Result {
    let dir = scripted_repo("make_grouping.sh")?;
    let config = tempfile::NamedTempFile::new()?;
    // Only ABC-2 counts as a ticket now; ABC-1 commits stay apart.
    std::fs::write(config.path(), "[ticket]\npattern = \"ABC-2\"\n")?;
    let config = config.path().to_str().ok_or("temp path")?;
    assert_eq!(
        all_pairs(&dir, &["--group-by", "ticket", "--config", config])?,
        ["src/api.rs src/view.rs 1"]
    );
    Ok(())
}

#[test]
fn default_excludes_bots_and_config_filter_the_history() -> Result {
    let dir = scripted_repo("make_filters.sh")?;
    assert_eq!(csv(&dir, &["revisions"])?, "entity,n-revs\nsrc/app.rs,3\n");
    let everything = "entity,n-revs\nsrc/app.rs,3\nCargo.lock,2\npackage-lock.json,1\n\
                      src/gen/generated/api.rs,1\nvendor/lib/x.c,1\nweb/app.min.js,1\n";
    assert_eq!(
        csv(&dir, &["revisions", "--no-default-excludes"])?,
        everything
    );
    // code-maat's input semantics: no default excludes, no bot filter (the config still counts).
    assert_eq!(
        csv(&dir, &["revisions", "--columns", "code-maat"])?,
        everything
    );
    assert_eq!(
        csv(&dir, &["revisions", "--author", "^alice"])?,
        "entity,n-revs\nsrc/app.rs,2\n"
    );
    assert_eq!(
        csv(
            &dir,
            &["revisions", "--no-default-excludes", "--include", "src/**"]
        )?,
        "entity,n-revs\nsrc/app.rs,3\nsrc/gen/generated/api.rs,1\n"
    );
    assert_eq!(
        csv(&dir, &["revisions", "--exclude", "*.rs"])?,
        "entity,n-revs\n"
    );
    // Explicit excludes still apply under code-maat's semantics.
    assert_eq!(
        csv(
            &dir,
            &[
                "revisions",
                "--columns",
                "code-maat",
                "--exclude",
                "*.lock",
                "--exclude",
                "*.json"
            ]
        )?,
        "entity,n-revs\nsrc/app.rs,3\nsrc/gen/generated/api.rs,1\nvendor/lib/x.c,1\nweb/app.min.js,1\n"
    );
    // Without the config file, docs/ is back (bob's two commits).
    let empty = tempfile::NamedTempFile::new()?;
    let empty = empty.path().to_str().ok_or("temp path")?;
    assert_eq!(
        csv(&dir, &["revisions", "--config", empty])?,
        "entity,n-revs\nsrc/app.rs,3\ndocs/guide.md,2\n"
    );
    Ok(())
}

#[test]
fn thresholds_come_from_the_config_and_the_command_line_wins() -> Result {
    let dir = scripted_repo("make_filters.sh")?;
    let pairs = |args: &[&str]| -> Result<String> {
        let mut full = vec![
            "coupling",
            "--no-default-excludes",
            "--columns",
            "code-maat",
        ];
        full.extend_from_slice(args);
        csv(&dir, &full)
    };
    assert_eq!(
        pairs(&[])?,
        "entity,coupled,degree,average-revs\n\
         vendor/lib/x.c,web/app.min.js,100,1\n\
         src/app.rs,src/gen/generated/api.rs,50,2\n\
         src/app.rs,vendor/lib/x.c,50,2\n\
         src/app.rs,web/app.min.js,50,2\n\
         Cargo.lock,src/app.rs,40,3\n"
    );
    assert_eq!(
        pairs(&["--min-degree", "60"])?,
        "entity,coupled,degree,average-revs\nvendor/lib/x.c,web/app.min.js,100,1\n"
    );
    Ok(())
}

#[test]
fn explain_lists_the_filters_and_the_config() -> Result {
    let dir = scripted_repo("make_filters.sh")?;
    let out = run_ok(cochange(&dir).args(["revisions", "--no-cache", "--explain"]))?;
    let stderr = String::from_utf8(out.stderr)?;
    for needle in [
        ".cochange.toml`",
        "paths excluded: the defaults (`Cargo.lock`",
        "`*.min.js`",
        ", `docs/`",
        "excluded: `(?i)\\[bot\\]|^(dependabot",
        "change sets: one per non-merge commit",
    ] {
        assert!(stderr.contains(needle), "`{needle}` in:\n{stderr}");
    }
    let out = run_ok(cochange(&dir).args([
        "revisions",
        "--no-cache",
        "--explain",
        "--no-default-excludes",
    ]))?;
    let stderr = String::from_utf8(out.stderr)?;
    assert!(stderr.contains("paths excluded: `docs/`"), "{stderr}");
    assert!(stderr.contains("excluded: none"), "{stderr}");
    Ok(())
}

fn usage_error(out: &Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "expected `{needle}` in: {stderr}");
    }
    assert!(out.stdout.is_empty());
}

#[test]
fn a_bad_config_names_the_file_the_line_and_the_value() -> Result {
    let dir = scripted_repo("make_linear.sh")?;
    let cases: [(&str, &[&str]); 15] = [
        (
            "[exclude]\npathz = [\"x\"]\n",
            &[":2:", "unknown field `pathz`"],
        ),
        (
            "# comment\n[exclude]\npaths = [\"ok/\",\n  \"src/[a\"]\n",
            &[":4:", "`src/[a` in [exclude] paths is not a valid glob"],
        ),
        (
            "[exclude]\nauthors = [\"(bot\"]\n",
            &[
                ":2:",
                "`(bot` in [exclude] authors is not a valid regular expression",
            ],
        ),
        (
            "[ticket]\npattern = \"ABC-(\"\n",
            &[":2:", "`ABC-(` in [ticket] pattern"],
        ),
        (
            "[thresholds]\nmin-revs = \"five\"\n",
            &[":2:", "min-revs", "\"five\""],
        ),
        ("[colours]\nred = 1\n", &[":1:", "unknown field `colours`"]),
        (
            "[criticality]\n\"src/**\" = \"high\"\n",
            &[":2:", "\"high\""],
        ),
        (
            "[tests]\npaths = [\"a/[\"]\n",
            &[":2:", "`a/[` in [tests] is not a valid glob"],
        ),
        (
            "[thresholds]\nmax-degree = 150\n",
            &[":2:", "`max-degree = 150` is not a percentage"],
        ),
        (
            "[thresholds]\nmax-degree = 40\nmin-degree = 60\n",
            &[":3:", "`min-degree = 60` is above `max-degree = 40`"],
        ),
        (
            "[check]\nhotspot-score = 80\n",
            &[":2:", "`hotspot-score = 80` is out of range"],
        ),
        (
            "[check]\nhotspot-score = nan\n",
            &[":2:", "`hotspot-score = NaN` is out of range"],
        ),
        (
            "[check]\n\ncross-component-degree = 101\n",
            &[":3:", "`cross-component-degree = 101` is not a percentage"],
        ),
        (
            "[check]\ncrossing-growth = -5\n",
            &[":2:", "`crossing-growth = -5` must be"],
        ),
        (
            "[check]\nnew-top-hotspots = 0\n",
            &[":2:", "`new-top-hotspots = 0` looks at no hotspot"],
        ),
    ];
    for (text, needles) in cases {
        let config = tempfile::NamedTempFile::new()?;
        std::fs::write(config.path(), text)?;
        let out = cochange(&dir)
            .args([
                "revisions",
                "--no-cache",
                "--group-by",
                "ticket",
                "--config",
            ])
            .arg(config.path())
            .output()?;
        let name = config.path().display().to_string();
        let mut all = vec![name.as_str()];
        all.extend_from_slice(needles);
        usage_error(&out, &all);
    }
    Ok(())
}

#[test]
fn bad_globs_and_patterns_on_the_command_line_are_usage_errors() -> Result {
    let dir = scripted_repo("make_linear.sh")?;
    let cases: [(&[&str], &str); 5] = [
        (
            &["--exclude", "src/[a"],
            "`--exclude src/[a` is not a valid glob",
        ),
        (&["--include", "{a"], "`--include {a` is not a valid glob"),
        (
            &["--author", "(x"],
            "`--author (x` is not a valid regular expression",
        ),
        (
            &["--exclude-author", "x)"],
            "`--exclude-author x)` is not a valid regular expression",
        ),
        (
            &["--config", "no/such.toml"],
            "cannot read the config file `no/such.toml`",
        ),
    ];
    for (args, needle) in cases {
        let out = cochange(&dir)
            .args(["revisions", "--no-cache"])
            .args(args)
            .output()?;
        usage_error(&out, &[needle]);
    }
    let out = cochange(&dir)
        .args([
            "revisions",
            "--no-cache",
            "--group-by",
            "author-day",
            "--window-days",
            "0",
        ])
        .output()?;
    usage_error(&out, &["`--window-days` must be at least 1"]);
    Ok(())
}
