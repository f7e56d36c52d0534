//! The command line as clap sees it. Doc comments here are the `--help` text.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};
use cochange_analysis::{GroupBy, Period};
use cochange_report::{
    ComponentsView, DepsView, DiffView, Format, KnowledgeView, TablesView, TeamsView,
};

use crate::exit;

/// The version, and the optional features this build has (`--version`): whether `--tables`
/// reads URLs is otherwise only learnt from a refusal.
const VERSION: &str = if cfg!(feature = "object-store") {
    concat!(env!("CARGO_PKG_VERSION"), " (features: object-store)")
} else {
    env!("CARGO_PKG_VERSION")
};

/// Mine git history for where change concentrates, what changes together, and who knows what.
///
/// cochange reads the history of a git repository (read-only, with gix), keeps the mined
/// commits in a cache so later runs only read new ones, and prints analyses as tables, CSV, JSON
/// or Markdown. Start with `cochange report` (a self-contained HTML report of everything) or
/// `cochange backlog` (what to refactor first, and why); `cochange check` is the CI gate.
#[derive(Debug, Parser)]
#[command(name = "cochange", version = VERSION, after_help = exit::help(), max_term_width = 100)]
pub struct Args {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, clap::Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "one field per command-line flag"
)]
pub struct GlobalArgs {
    /// Repository to analyse; any folder inside it works, bare repositories too. Repeat it to
    /// analyse several repositories together (entities are then prefixed with the repository
    /// name).
    #[arg(long, global = true, value_name = "PATH")]
    pub repo: Vec<PathBuf>,
    /// Read the history from this folder of exported tables (written by `cochange export`)
    /// instead of repositories: every repository exported there is analysed together, without
    /// its git folder. Analyses that read file contents (imports, functions, knowledge) need the
    /// repository. A build with the `object-store` feature also reads a URL (`s3://bucket/prefix`,
    /// `gs://…`, `az://…`; docs/scale.md).
    #[arg(long, global = true, value_name = "DIR", conflicts_with = "repo")]
    pub tables: Option<PathBuf>,
    /// The repository's name in the output (repeatable, in the order of `--repo`) [default: the
    /// last part of the `origin` remote's URL, else the folder's name]. With `--tables`, the
    /// exported repositories to analyse [default: all].
    #[arg(long, global = true, value_name = "NAME")]
    pub name: Vec<String>,
    /// Start the walk at this revision instead of HEAD (repeatable).
    #[arg(long, global = true, value_name = "REV")]
    pub rev: Vec<String>,
    /// Start the walk at every reference.
    #[arg(long, global = true)]
    pub all: bool,
    /// Follow first parents only and diff each merge against its first parent, so that a merged
    /// pull request is one change.
    #[arg(long, global = true)]
    pub first_parent: bool,
    /// Keep commits authored at or after this date (`2024-01-31`, ISO 8601, `@<unix seconds>`,
    /// or relative such as `6 months ago`).
    #[arg(long, global = true, value_name = "DATE")]
    pub since: Option<String>,
    /// Keep commits authored at or before this date; a plain `YYYY-MM-DD` includes that whole day.
    #[arg(long, global = true, value_name = "DATE")]
    pub until: Option<String>,
    /// The moment analyses measure ages against [default: the newest analysed commit's author
    /// time, so that a report on a fixed history never changes].
    #[arg(long, global = true, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Analyse only files matching this glob (repeatable). Globs are gitignore-like: `*.rs`
    /// matches at any depth, `src/*.rs` from the root, `**` crosses folders, `vendor/` means
    /// everything under that folder.
    #[arg(long, global = true, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Leave files matching this glob out (repeatable), on top of the default excludes (lock
    /// files, vendored, generated and minified files; `--explain` lists them).
    #[arg(long, global = true, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Analyse only commits whose author matches this regular expression, tried against
    /// `Name <email>` as `git log --author` does (repeatable: any may match).
    #[arg(long, global = true, value_name = "REGEX")]
    pub author: Vec<String>,
    /// Leave out commits whose `Name <email>` matches this regular expression (repeatable), on top
    /// of the default bot pattern.
    #[arg(long, global = true, value_name = "REGEX")]
    pub exclude_author: Vec<String>,
    /// Turn off the default path excludes and the default bot filter.
    #[arg(long, global = true)]
    pub no_default_excludes: bool,
    /// How commits form the change sets that coupling, sum of coupling and revisions count.
    #[arg(long, global = true, value_enum, default_value_t = GroupBy::Commit)]
    pub group_by: GroupBy,
    /// The window of `--group-by author-day`, in days [default: 1, or `window-days` in
    /// `[thresholds]`].
    #[arg(long, global = true, value_name = "N")]
    pub window_days: Option<u32>,
    /// The config file [default: `.cochange.toml` at the repository's root, if there is one].
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Skip counting added and deleted lines (faster mining; churn is then unknown).
    #[arg(long, global = true)]
    pub no_line_counts: bool,
    /// Do not detect renames: each path is its own entity (code-maat's behaviour).
    #[arg(long, global = true)]
    pub no_renames: bool,
    /// Mine everything again and store nothing.
    #[arg(long, global = true)]
    pub no_cache: bool,
    /// Folder for the cache [default: `$COCHANGE_CACHE_DIR`, else `$XDG_CACHE_HOME/cochange`,
    /// else `~/.cache/cochange`].
    #[arg(long, global = true, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the output to this file instead of stdout (replaced only once complete); for
    /// `report` and `export`, the folder to write. Always a local path.
    #[arg(long, global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Show at most this many rows.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub top: Option<u32>,
    /// Threads for tree and blob diffs [default: one per core].
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,
    /// Hide progress bars and informational lines; warnings and errors still go to stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Print more about what is done and how long it takes.
    #[arg(long, short, global = true, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Print the effective settings to stderr before running.
    #[arg(long, global = true)]
    pub explain: bool,
}

/// The analyses and tasks.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Mine the history into the cache and report what was done.
    Mine,
    /// Write the mined tables of each `--repo` as Parquet below `--output DIR`, for DuckDB,
    /// Spark or `--tables` (docs/schema.md, docs/scale.md). A later export to the same folder
    /// appends the new commits.
    Export(ExportArgs),
    /// Every file change: commit, author, date, path, rename, kind and lines (code-maat's `identity`).
    Changes(ColumnsArgs),
    /// Numbers of commits, entities, entity changes and authors (code-maat's `summary`).
    Summary(ColumnsArgs),
    /// Revisions per entity, most revised first (code-maat's `revisions`).
    Revisions(ColumnsArgs),
    /// Pairs of entities that change together (code-maat's `coupling`), with confidence, support,
    /// lift, Jaccard index and a p-value.
    Coupling(CouplingArgs),
    /// Sum of coupling: for each entity, how many other entities changed with it, summed over its
    /// change sets (code-maat's `soc`).
    Soc(SocArgs),
    /// Distinct authors and revisions per entity (code-maat's `authors`).
    Authors(ColumnsArgs),
    /// Lines added and deleted and commits per entity (code-maat's `entity-churn`).
    EntityChurn(ColumnsArgs),
    /// Lines added and deleted and commits per author (code-maat's `author-churn`).
    AuthorChurn(ColumnsArgs),
    /// Lines added and deleted and commits per day (code-maat's `abs-churn`).
    AbsChurn(ColumnsArgs),
    /// Lines added and deleted per entity and author (code-maat's `entity-ownership`).
    EntityOwnership(ColumnsArgs),
    /// Revisions per entity and author, and the entity's total (code-maat's `entity-effort`).
    EntityEffort(ColumnsArgs),
    /// The author who added most lines to each entity, and their share (code-maat's `main-dev`).
    MainDev(ColumnsArgs),
    /// The author who deleted most lines from each entity (code-maat's `refactoring-main-dev`).
    RefactoringMainDev(ColumnsArgs),
    /// The author with most revisions of each entity (code-maat's `main-dev-by-revs`).
    MainDevByRevs(ColumnsArgs),
    /// How spread the work on each entity is over authors: 1 − Σ share² of revisions (code-maat's
    /// `fragmentation`).
    Fragmentation(ColumnsArgs),
    /// Pairs of authors who work on the same entities, and how strongly (code-maat's
    /// `communication`).
    Communication(ColumnsArgs),
    /// Changes per entity whose commit message matches a pattern, such as bug fixes (code-maat's
    /// `messages`).
    Messages(MessagesArgs),
    /// Months since each entity last changed, as of `--as-of` (code-maat's `age`).
    Age(ColumnsArgs),
    /// Files of program code that change often and are complex: revisions in the window against
    /// indentation complexity read from the blobs at the analysed revision, with loc, churn,
    /// authors and age (tests and prose are left out unless `--all-files`).
    Hotspots(HotspotsArgs),
    /// What to refactor first: hotspots ranked with their coupling, test signal or coverage,
    /// ownership risk and declared criticality, each row with its reasons in plain words.
    Backlog(BacklogArgs),
    /// Components (from the config, CODEOWNERS, workspaces or folders): their revisions and
    /// authors, coupling between them with the file pairs behind it, cycles, fan-in and fan-out,
    /// and clusters of files that change together set beside the declared components.
    Components(ComponentsArgs),
    /// What depends on what: the imports of the analysed revision's Rust, Python, JavaScript,
    /// TypeScript, Go, Java, C, C++, C# and Ruby files, read from its blobs and resolved to
    /// files; per component the dependency graph weighted by file imports, its cycles with the
    /// import behind each dependency (`file:line`), and fan-in and fan-out. docs/structure.md
    /// gives the rules.
    Deps(DepsArgs),
    /// Database tables: those the analysed revision declares (SQL DDL, Rails migrations and
    /// schema, Django, SQLAlchemy and Alembic, Prisma, JPA), the components whose code reads or
    /// writes each (SQL text, ORM models and the files importing them), shared tables (used by two
    /// components or more), and the migrations that changed each over the history with the
    /// components changed in the same commits. docs/tables.md gives the rules.
    Tables(TablesArgs),
    /// Who knows what: main developer and share per file and component, knowledge loss (lines at
    /// the analysed revision last added by inactive authors, replayed from the mined diffs) and
    /// bus factor. `Co-authored-by` trailers count as authorship.
    Knowledge(KnowledgeArgs),
    /// Teams (`[teams]` in the config): team × component revisions, teams per component, and
    /// pairs of teams that change coupled files.
    Teams(TeamsArgs),
    /// Per month (or week or quarter): change sets, files per change set, the share crossing
    /// components, coupled pairs, hotspot concentration, active authors, teams per component.
    Trends(TrendsArgs),
    /// Compare two report snapshots: couplings, hotspots, knowledge risks and trend metrics.
    Diff(DiffArgs),
    /// The CI gate: apply the `[check]` rules of the config against a baseline snapshot; exit 1
    /// only on new findings. With `--diff BASE...HEAD` or `--staged` it checks a change instead,
    /// with the rule `missing-co-change`: exit 1 when a file that usually changes with the change
    /// is not in it.
    Check(CheckArgs),
    /// What changes with given files, and what a change likely misses: the files that changed
    /// with them before, ranked (`impact PATH…`), or for a change (`--diff BASE..HEAD`,
    /// `--staged`, else the work tree against HEAD) the files that usually change with it and
    /// are not in it, with the evidence, and the files it touches for the first time.
    Impact(ImpactArgs),
    /// Look inside files: their functions and methods with their measures (loc, cyclomatic and
    /// cognitive complexity, nesting, parameters), the commits that changed each (followed back
    /// as `git log -L` follows a function, and through moves within its file), a hotspot score
    /// per function, and the functions that
    /// change together; `--pair A B` explains the coupling of two files by their functions
    /// (docs/xray.md).
    Xray(XrayArgs),
    /// Delivery from the history: releases read from tags (`[releases] pattern`; a prefix such
    /// as `tokio-util-0.7.11` names the component released), the lead time from each commit to
    /// the first release that holds it, per release and per month, and the commits no release
    /// holds yet (docs/delivery.md).
    Delivery(DeliveryArgs),
    /// Write a report directory (`--output DIR`, default `cochange-report/`): a self-contained
    /// `index.html`, `report.md`, `snapshot.json`, one CSV per analysis and SVG charts.
    Report(ReportArgs),
    /// Measure how well a ranking works on this repository's own history: `eval` learns from
    /// the older change sets and checks, for each file of each newer one, whether the files that
    /// changed with it are among the top candidates of `impact` (hit@1, hit@3, recall@10, MRR per
    /// ranker); `eval backlog` scores the backlog, the hotspots and plain revisions by how many
    /// of their top files fix commits touched in the months after past cut-off dates.
    Eval(EvalArgs),
    /// Print a completion script for a shell (for example `cochange completions bash >
    /// ~/.local/share/bash-completion/completions/cochange`).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), for example `cochange manpage > cochange.1`.
    Manpage,
}

/// The revision whose files are read.
#[derive(Debug, clap::Args)]
pub struct AtArgs {
    /// The revision whose files are read (and where the walk starts unless `--rev` is given)
    /// [default: HEAD].
    #[arg(long, value_name = "REV")]
    pub at: Option<String>,
}

/// The revision and the window of the commands that measure files.
#[derive(Debug, clap::Args)]
pub struct WindowArgs {
    #[command(flatten)]
    pub at: AtArgs,
    /// The window, in months before `--as-of`; `--since` overrides its start.
    #[arg(long, default_value_t = 12, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1200))]
    pub months: u32,
}

/// When a person counts as inactive.
#[derive(Debug, clap::Args)]
pub struct InactiveArgs {
    /// Months without a commit, as author or co-author, after which a person counts as inactive.
    #[arg(long, default_value_t = 6, value_name = "MONTHS")]
    pub inactive_after: u32,
}

/// How files map to components when nothing else maps them.
#[derive(Debug, clap::Args)]
pub struct ComponentArgs {
    /// Folder levels that make a component when no other source (config, CODEOWNERS,
    /// workspaces) maps a file; pairs in different components are `cross-component`.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub component_depth: usize,
}

/// Options of `components`.
#[derive(Debug, clap::Args)]
pub struct ComponentsArgs {
    #[command(flatten)]
    pub components: ComponentArgs,
    /// Print one table only (CSV holds one table) [default: all but `files`].
    #[arg(long, value_enum)]
    pub show: Option<ComponentsView>,
}

/// Options of `deps`.
#[derive(Debug, clap::Args)]
pub struct DepsArgs {
    #[command(flatten)]
    pub at: AtArgs,
    #[command(flatten)]
    pub components: ComponentArgs,
    /// Print one table only (CSV holds one table; `edges`, `stable`, `cycles` and `imports` also
    /// draw as graphs) [default: `components`, `edges`, `cycles`, and `violations` with
    /// `[boundaries]` in the config].
    #[arg(long, value_enum)]
    pub show: Option<DepsView>,
}

/// Options of `tables`.
#[derive(Debug, clap::Args)]
pub struct TablesArgs {
    #[command(flatten)]
    pub at: AtArgs,
    #[command(flatten)]
    pub components: ComponentArgs,
    /// Print one table only (CSV holds one table) [default: both].
    #[arg(long, value_enum)]
    pub show: Option<TablesView>,
}

/// Options of `delivery`.
#[derive(Debug, clap::Args)]
pub struct DeliveryArgs {
    #[command(flatten)]
    pub at: AtArgs,
    #[command(flatten)]
    pub components: ComponentArgs,
    /// A regular expression that marks a fix in a commit's subject [default:
    /// `(?i)\b(fix(es|ed)?|bugs?|regression)\b`].
    #[arg(long, value_name = "REGEX")]
    pub fix_pattern: Option<String>,
    /// Days after a release in which a fix of its files, a revert of its commits or a patch
    /// release count it as failed (the change-failure proxy).
    #[arg(long, default_value_t = 14, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub failure_days: u32,
    /// Hours within which releases of several components count as released together.
    #[arg(long, default_value_t = 24, value_name = "HOURS", value_parser = clap::value_parser!(u32).range(1..=8760))]
    pub together_hours: u32,
    /// Print one table only (CSV holds one table) [default: `releases`, `months`, `together`
    /// and `pending`].
    #[arg(long, value_enum)]
    pub show: Option<cochange_report::DeliveryView>,
}

/// Options of `knowledge`.
#[derive(Debug, clap::Args)]
pub struct KnowledgeArgs {
    #[command(flatten)]
    pub at: AtArgs,
    #[command(flatten)]
    pub inactive: InactiveArgs,
    #[command(flatten)]
    pub components: ComponentArgs,
    /// Attribute lines with blame (gix's, file by file: slow) instead of the replay of the mined
    /// diffs; the replay is the default and blame its check.
    #[arg(long)]
    pub blame: bool,
    /// Simulate these people leaving now (names or emails, repeatable): files orphaned, knowledge
    /// loss and bus factor after, per file and component.
    #[arg(long, value_name = "NAME")]
    pub leaving: Vec<String>,
    /// With `--leaving`: a file is orphaned when less than this share of its lines stays with
    /// people who are active and not leaving.
    #[arg(long, value_name = "SHARE", default_value_t = 0.25, value_parser = share)]
    pub orphaned_below: f64,
    /// Print one table only (CSV holds one table) [default: components and files, and the
    /// off-boarding tables with `--leaving`].
    #[arg(long, value_enum)]
    pub show: Option<KnowledgeView>,
}

/// A share from 0 to 1.
fn share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("`{text}` is not a share from 0 to 1")),
    }
}

/// Options of `teams`.
#[derive(Debug, clap::Args)]
pub struct TeamsArgs {
    #[command(flatten)]
    pub components: ComponentArgs,
    /// Print one table only (CSV holds one table) [default: all].
    #[arg(long, value_enum)]
    pub show: Option<TeamsView>,
}

/// What a report covers; `check` builds the same report in memory.
#[derive(Debug, clap::Args)]
pub struct ReportWindow {
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(flatten)]
    pub inactive: InactiveArgs,
    #[command(flatten)]
    pub files: FilesArgs,
}

/// Options of `report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub window: ReportWindow,
    /// A `snapshot.json` of an earlier report: adds "since last time" sections.
    #[arg(long, value_name = "SNAPSHOT")]
    pub baseline: Option<PathBuf>,
}

/// Options of `trends`.
#[derive(Debug, clap::Args)]
pub struct TrendsArgs {
    /// The length of a period.
    #[arg(long, value_enum, default_value_t = Period::Month)]
    pub period: Period,
    /// Periods of history that the coupled-pair counts of each period look back over
    /// [default: a year: 12 months, 52 weeks or 4 quarters].
    #[arg(long, value_name = "N")]
    pub trailing: Option<usize>,
    #[command(flatten)]
    pub components: ComponentArgs,
}

/// Options of `diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The earlier snapshot (`snapshot.json` of a report).
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The later snapshot.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Hotspots compared: the first N of each snapshot.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub hotspots: usize,
    /// Print one table only (CSV holds one table) [default: all].
    #[arg(long, value_enum)]
    pub show: Option<DiffView>,
}

/// Options of `check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub window: ReportWindow,
    /// The snapshot to compare with (`snapshot.json` of last month's report); without it only the
    /// absolute rules run.
    #[arg(long, value_name = "SNAPSHOT", conflicts_with_all = ["diff", "staged"])]
    pub baseline: Option<PathBuf>,
    /// With `--diff` or `--staged`: check a change instead of the analysed revision, with the
    /// rule `missing-co-change` (the files that usually change with it and are not in it).
    #[command(flatten)]
    pub change: ChangeArgs,
    #[command(flatten)]
    pub warnings: WarningArgs,
}

/// Which files are listed besides program code.
#[derive(Debug, clap::Args)]
pub struct FilesArgs {
    /// Also list prose, data and configuration files (Markdown, reStructuredText, text, JSON,
    /// YAML, TOML, XML and unknown extensions), which are left out by default.
    #[arg(long)]
    pub all_files: bool,
}

/// Options of `hotspots`.
#[derive(Debug, clap::Args)]
pub struct HotspotsArgs {
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(flatten)]
    pub files: FilesArgs,
}

/// Options of `backlog`.
#[derive(Debug, clap::Args)]
pub struct BacklogArgs {
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(flatten)]
    pub inactive: InactiveArgs,
    /// Line coverage of the analysed revision: an lcov `.info` or a Cobertura XML file. Its
    /// coverage gap replaces the test signal where it names the file.
    #[arg(long, value_name = "FILE")]
    pub coverage: Option<PathBuf>,
    #[command(flatten)]
    pub files: FilesArgs,
}

/// Options of `xray`.
#[derive(Debug, clap::Args)]
pub struct XrayArgs {
    /// Files to look inside (paths of the repository) [default: the top `--hotspots` file
    /// hotspots of the window].
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,
    /// How many of the top file hotspots to look inside when no FILE is given.
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub hotspots: u16,
    #[command(flatten)]
    pub window: WindowArgs,
    /// Explain the coupling of two files: the pairs of their functions that changed in the same
    /// commits.
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    pub pair: Vec<String>,
    /// Print one table only (CSV holds one table) [default: `functions` and `coupling`, and
    /// `pairs` with `--pair`].
    #[arg(long, value_enum)]
    pub show: Option<cochange_report::XrayView>,
}

/// Options of `impact`.
#[derive(Debug, clap::Args)]
pub struct ImpactArgs {
    /// Files to rank the co-changes of, together (paths of the repository, as the history or the
    /// work tree has them); without them, the change is the query.
    #[arg(value_name = "PATH", conflicts_with_all = ["diff", "staged"])]
    pub paths: Vec<String>,
    #[command(flatten)]
    pub change: ChangeArgs,
    /// How the files that changed with the query are ranked (docs/metrics.md, *impact*).
    #[arg(long, value_enum, default_value_t = cochange_analysis::Ranker::Default)]
    pub ranker: cochange_analysis::Ranker,
    #[command(flatten)]
    pub warnings: WarningArgs,
    /// Print one table only (CSV holds one table) [default: `ranked` for paths, `missing` and
    /// `changed` for a change].
    #[arg(long, value_enum)]
    pub show: Option<cochange_report::ImpactView>,
}

/// Which change to read.
#[derive(Debug, clap::Args)]
pub struct ChangeArgs {
    /// The change between two revisions: `BASE..HEAD` (their trees) or `BASE...HEAD` (from their
    /// merge base, as a pull request shows it); the history is read up to BASE.
    #[arg(long, value_name = "RANGE", conflicts_with = "staged")]
    pub diff: Option<String>,
    /// The change staged in the index against HEAD (what `git commit` would record).
    #[arg(long)]
    pub staged: bool,
}

impl ChangeArgs {
    /// The change asked for; `None` when neither flag is given.
    pub fn source(&self) -> Option<cochange_analysis::ChangeSource> {
        match (&self.diff, self.staged) {
            (Some(range), _) => Some(cochange_analysis::ChangeSource::Range(range.clone())),
            (None, true) => Some(cochange_analysis::ChangeSource::Staged),
            (None, false) => None,
        }
    }
}

/// Options of `eval`: the prediction of `impact` unless a subcommand names another measure.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct EvalArgs {
    #[command(subcommand)]
    pub command: Option<EvalCommand>,
    #[command(flatten)]
    pub impact: EvalImpactArgs,
}

/// Options of `eval` for the prediction of `impact` (docs/metrics.md, *eval*).
#[derive(Debug, clap::Args)]
pub struct EvalImpactArgs {
    /// The share of change sets, the newest, that are tested; the older ones are learnt from,
    /// and each tested change set is learnt from once it is scored.
    #[arg(long, default_value_t = 0.1, value_name = "SHARE", value_parser = open_share)]
    pub test_share: f64,
    /// Query with the first N files of each tested change set (by path) together and hide the
    /// rest; without it, each file is a query of its own and the others are hidden.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub query_size: Option<u16>,
    /// The rankers compared, separated by commas.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = cochange_analysis::Ranker::ALL)]
    pub rankers: Vec<cochange_analysis::Ranker>,
    #[command(flatten)]
    pub warnings: WarningArgs,
    /// Print one table only (CSV holds one table) [default: both].
    #[arg(long, value_enum)]
    pub show: Option<cochange_report::EvalView>,
}

/// When a file that usually changes with the changed ones counts as missing.
#[derive(Debug, clap::Args)]
pub struct WarningArgs {
    /// A missing file must have changed in at least this share of the change sets that touched
    /// the changed files (the largest part of them that changed together before) [default:
    /// `missing-co-change-confidence` in `[check]`, else 0.6].
    #[arg(long, value_name = "SHARE", value_parser = positive_share)]
    pub min_confidence: Option<f64>,
    /// A missing file must have changed in at least this many of those change sets [default:
    /// `missing-co-change-min-support` in `[check]`, else 5].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub min_support: Option<u32>,
}

/// A share above 0 and at most 1.
fn positive_share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x > 0.0 && x <= 1.0 => Ok(x),
        _ => Err(format!("`{text}` is not a share above 0 and at most 1")),
    }
}

/// A share strictly between 0 and 1.
fn open_share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x > 0.0 && x < 1.0 => Ok(x),
        _ => Err(format!(
            "`{text}` is not a share between 0 and 1 (both left out)"
        )),
    }
}

/// What `eval` measures besides the prediction of `impact`.
#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// At past cut-off dates, the share of each ranking's top files (backlog, hotspots, program
    /// files by revisions) that commits whose subject marks a fix touched in the months after.
    Backlog(EvalBacklogArgs),
}

/// Options of `eval backlog`.
#[derive(Debug, clap::Args)]
pub struct EvalBacklogArgs {
    /// How many cut-off dates, the newest `--horizon` months before the newest commit.
    #[arg(long, default_value_t = 4, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub cutoffs: u16,
    /// Months between two cut-off dates.
    #[arg(long, default_value_t = 6, value_name = "MONTHS", value_parser = clap::value_parser!(u32).range(1..=1200))]
    pub every: u32,
    /// Months after a cut-off in which fixes are counted.
    #[arg(long, default_value_t = 6, value_name = "MONTHS", value_parser = clap::value_parser!(u32).range(1..=1200))]
    pub horizon: u32,
    /// The window of each ranking, in months before its cut-off.
    #[arg(long, default_value_t = 12, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1200))]
    pub months: u32,
    /// How many top files of each ranking are scored (precision at k).
    #[arg(long, default_value_t = 20, value_name = "K", value_parser = clap::value_parser!(u16).range(1..))]
    pub k: u16,
    /// A regular expression that marks a fix in a commit's subject [default:
    /// `(?i)\b(fix(es|ed)?|bugs?|regression)\b`].
    #[arg(long, value_name = "REGEX")]
    pub fix_pattern: Option<String>,
    #[command(flatten)]
    pub inactive: InactiveArgs,
}

/// Options of `completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Options of `soc`; the default is code-maat's.
#[derive(Debug, clap::Args)]
pub struct SocArgs {
    /// List entities whose sum of coupling is above this [default: 5, or `min-revs` in
    /// `[thresholds]`].
    #[arg(long, value_name = "N")]
    pub min_revs: Option<u32>,
    /// Which columns to print: all, or exactly code-maat's `entity,soc` in its order.
    #[arg(long, value_enum, default_value_t = Columns::All)]
    pub columns: Columns,
}

/// Coupling thresholds; the defaults are code-maat's.
#[derive(Debug, clap::Args)]
pub struct ThresholdArgs {
    /// Keep pairs whose average number of revisions is at least this [default: 5].
    #[arg(long, value_name = "N")]
    pub min_revs: Option<u32>,
    /// Keep pairs that changed together in at least this many change sets [default: 5].
    #[arg(long, value_name = "N")]
    pub min_shared: Option<u32>,
    /// Keep pairs whose degree of coupling is at least this percentage [default: 30].
    #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u32).range(0..=100))]
    pub min_degree: Option<u32>,
    /// Keep pairs whose degree of coupling is at most this percentage [default: 100].
    #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u32).range(0..=100))]
    pub max_degree: Option<u32>,
    /// Leave change sets with more entities than this out (large refactorings, formatting runs)
    /// [default: 30; bounded by memory: a change set of n entities makes n² pairs].
    #[arg(long, value_name = "N")]
    pub max_changeset_size: Option<u32>,
}

/// Options of `coupling`.
#[derive(Debug, clap::Args)]
pub struct CouplingArgs {
    #[command(flatten)]
    pub thresholds: ThresholdArgs,
    #[command(flatten)]
    pub components: ComponentArgs,
    /// Which columns to print: all measures, or exactly code-maat's
    /// `entity,coupled,degree,average-revs`.
    #[arg(long, value_enum, default_value_t = Columns::All)]
    pub columns: Columns,
}

/// Options of `messages`.
#[derive(Debug, clap::Args)]
pub struct MessagesArgs {
    /// A regular expression (Rust `regex` syntax) searched for in each commit message, for
    /// example `(?i)\b(fix|bug)`.
    #[arg(long, value_name = "REGEX")]
    pub message_pattern: String,
    /// `code-maat` searches only each message's subject (its first paragraph, as git's `%s`), as
    /// code-maat sees it; `all` searches the whole message.
    #[arg(long, value_enum, default_value_t = Columns::All)]
    pub columns: Columns,
}

/// The `--columns` option alone.
#[derive(Debug, clap::Args)]
pub struct ColumnsArgs {
    /// `code-maat` reads the history as code-maat does (no default excludes, no bot filter) and
    /// prints its columns, with ratios to two significant digits as it does; `all` prints every
    /// column at full precision.
    #[arg(long, value_enum, default_value_t = Columns::All)]
    pub columns: Columns,
}

/// Column sets of analyses that code-maat also has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Columns {
    /// Every column cochange computes.
    All,
    /// Exactly code-maat's columns, in its order, over the history as code-maat reads it: the
    /// default path excludes and the bot filter are off unless given explicitly.
    CodeMaat,
}

impl Command {
    /// The files the command reads besides the repository and the config, by option.
    pub fn inputs(&self) -> Vec<(&'static str, &Path)> {
        match self {
            Command::Report(args) => args
                .baseline
                .iter()
                .map(|p| ("--baseline", p.as_path()))
                .collect(),
            Command::Check(args) => args
                .baseline
                .iter()
                .map(|p| ("--baseline", p.as_path()))
                .collect(),
            Command::Backlog(args) => args
                .coverage
                .iter()
                .map(|p| ("--coverage", p.as_path()))
                .collect(),
            Command::Diff(args) => vec![("OLD", args.old.as_path()), ("NEW", args.new.as_path())],
            _ => Vec::new(),
        }
    }

    /// The revision `--at` names, for the commands that measure files.
    pub fn at(&self) -> Option<&str> {
        let at = match self {
            Command::Hotspots(args) => &args.window.at,
            Command::Backlog(args) => &args.window.at,
            Command::Report(args) => &args.window.window.at,
            Command::Check(args) => &args.window.window.at,
            Command::Knowledge(args) => &args.at,
            Command::Deps(args) => &args.at,
            Command::Tables(args) => &args.at,
            Command::Xray(args) => &args.window.at,
            Command::Delivery(args) => &args.at,
            _ => return None,
        };
        at.at.as_deref()
    }

    /// Whether the command asked for code-maat's columns and input semantics.
    pub fn code_maat_columns(&self) -> bool {
        let columns = match self {
            Command::Coupling(args) => args.columns,
            Command::Soc(args) => args.columns,
            Command::Messages(args) => args.columns,
            Command::Changes(args)
            | Command::Summary(args)
            | Command::Revisions(args)
            | Command::Authors(args)
            | Command::EntityChurn(args)
            | Command::AuthorChurn(args)
            | Command::AbsChurn(args)
            | Command::EntityOwnership(args)
            | Command::EntityEffort(args)
            | Command::Communication(args)
            | Command::Age(args)
            | Command::MainDev(args)
            | Command::RefactoringMainDev(args)
            | Command::MainDevByRevs(args)
            | Command::Fragmentation(args) => args.columns,
            // The commands without `--columns`.
            _ => return false,
        };
        columns == Columns::CodeMaat
    }
}

/// Options of `export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Repositories mined at the same time; each gets an equal share of `--threads`.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: u32,
}
