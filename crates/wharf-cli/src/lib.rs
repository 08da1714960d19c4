//! wharf's command line: every flag and subcommand, and nothing else. Parsing only; the
//! `wharf` crate turns these into work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// One fast tool for Python environments, installs, builds, bundles, indexes and deploys.
#[derive(Debug, Parser)]
#[command(
    name = "wharf",
    version,
    propagate_version = true,
    after_help = "Start with `wharf venv` to create .venv, then `wharf install -r requirements.txt`.\nEvery command takes --help."
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print less: only results and errors (repeat for errors only).
    #[arg(global = true, help_heading = "Global options", short, long, action = clap::ArgAction::Count, conflicts_with = "verbose")]
    pub quiet: u8,
    /// Print more: what is fetched and decided (repeat for debug logs).
    #[arg(global = true, help_heading = "Global options", short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// The cache directory [env: WHARF_CACHE_DIR] (default: ~/.cache/wharf).
    #[arg(
        global = true,
        help_heading = "Global options",
        long,
        value_name = "DIR"
    )]
    pub cache_dir: Option<PathBuf>,
    /// Use a temporary cache, removed on exit.
    #[arg(global = true, help_heading = "Global options", long)]
    pub no_cache: bool,
    /// Read settings from this file instead of wharf.toml/pyproject.toml and the user file.
    #[arg(
        global = true,
        help_heading = "Global options",
        long,
        value_name = "FILE",
        env = "WHARF_CONFIG_FILE_OVERRIDE"
    )]
    pub config_file: Option<PathBuf>,
    /// Ignore every configuration file.
    #[arg(global = true, help_heading = "Global options", long, env = "WHARF_NO_CONFIG", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_config: bool,
    /// Never use the network: only cached index pages and files.
    #[arg(global = true, help_heading = "Global options", long)]
    pub offline: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a virtual environment (PEP 405).
    Venv(VenvArgs),
    /// Install packages into an environment.
    Install(InstallArgs),
    /// Remove packages from an environment.
    Uninstall(UninstallArgs),
    /// Print installed packages as requirements (pip freeze).
    Freeze(FreezeArgs),
    /// List installed packages.
    List(ListArgs),
    /// Show details of installed packages.
    Show(ShowArgs),
    /// Check installed packages for broken dependencies, or validate distribution files.
    Check(CheckArgs),
    /// Resolve requirements into a fully pinned requirements file.
    Compile(CompileArgs),
    /// Make an environment match a requirements file exactly.
    Sync(SyncArgs),
    /// Inspect and clean the global cache.
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Print the effective settings and where each came from.
    Config(ConfigArgs),
    /// Find Python interpreters.
    #[command(subcommand)]
    Python(PythonCommand),
    /// Build a project or sdist into an sdist and a wheel (PEP 517).
    Build(BuildArgs),
    /// Collect wheels for requirements into a directory, building what has no wheel.
    Wheel(WheelArgs),
    /// Turn a directory of wheels and sdists into a static package index (PEP 503/691).
    Index(IndexDirArgs),
    /// Upload distributions to a package index (the upload API twine uses).
    Publish(PublishArgs),
    /// Make a single-file executable of an application and its dependencies (a zipapp).
    Bundle(BundleArgs),
}

/// `wharf bundle`.
#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  wharf bundle black -c black -o black.pyz\n  wharf bundle . -m myapp.cli:main -o myapp.pyz\n  wharf bundle -r requirements.txt --script tool.py -o tool.pyz\n  wharf bundle requests -o py.pyz          (a Python REPL with requests importable)\n  wharf bundle info black.pyz\n\nThe bundle unpacks its dependencies once, on first run, into $WHARF_ROOT (default: the\nbundles-v1 directory of wharf's cache). `WHARF_BUNDLE_TOOLS=1 ./app.pyz venv DIR` turns it\ninto a virtual environment."
)]
pub struct BundleArgs {
    /// Inspect a bundle instead of making one.
    #[command(subcommand)]
    pub command: Option<BundleCommand>,
    /// Requirements to bundle: names, URLs, wheels, sdists or project directories (`.`).
    #[arg(value_name = "PACKAGE")]
    pub packages: Vec<String>,
    /// Where to write the bundle, e.g. app.pyz.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Run this module (`pkg.mod`) or function (`pkg.mod:main`).
    #[arg(
        short = 'm',
        long = "module",
        value_name = "MODULE[:FUNCTION]",
        group = "entry"
    )]
    pub module: Option<String>,
    /// Run this console script of one of the bundled packages (e.g. `black`).
    #[arg(
        short = 'c',
        long = "console-script",
        value_name = "NAME",
        group = "entry"
    )]
    pub console_script: Option<String>,
    /// Ship this Python script and run it.
    #[arg(long, value_name = "FILE.py", group = "entry")]
    pub script: Option<PathBuf>,
    /// The interpreter line (default: `/usr/bin/env python3.X` for the target version).
    #[arg(long, value_name = "COMMAND")]
    pub python_shebang: Option<String>,
    /// Ship precompiled bytecode (needs an interpreter of each target's version here).
    #[arg(long)]
    pub compile: bool,
    /// Set an environment variable when the bundle runs, unless already set (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    pub inject_env: Vec<String>,
    /// Requirements files (repeatable).
    #[arg(short = 'r', long = "requirement", value_name = "FILE")]
    pub requirements: Vec<PathBuf>,
    /// Constraints files (repeatable).
    #[arg(long = "constraint", value_name = "FILE")]
    pub constraints: Vec<PathBuf>,
    /// Allow pre-releases to compete with final releases.
    #[arg(long)]
    pub pre: bool,
    /// Use only wheels for these projects (`:all:`, `:none:` or names, comma-separated).
    #[arg(long, value_name = "NAMES")]
    pub only_binary: Vec<String>,
    /// Never use wheels for these projects (`:all:`, `:none:` or names, comma-separated).
    #[arg(long, value_name = "NAMES")]
    pub no_binary: Vec<String>,
    /// Require a hash for every requirement, and check every download against it.
    #[arg(long)]
    pub require_hashes: bool,
    /// Index options.
    #[command(flatten)]
    pub index: IndexArgs,
    /// Build options.
    #[command(flatten)]
    pub build: BuildOptionArgs,
    /// The interpreter to resolve and build for when no --python-version is given.
    #[arg(long, short = 'p', value_name = "PYTHON")]
    pub python: Option<String>,
    /// Run on this Python version instead of the building interpreter's (repeatable, e.g.
    /// 3.12); only local projects given directly are built, dependencies must have wheels.
    #[arg(long, value_name = "VERSION")]
    pub python_version: Vec<String>,
    /// Run on this platform (repeatable, e.g. manylinux2014_x86_64); as --python-version.
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Vec<String>,
    /// Print what was written as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `wharf bundle info`.
#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Show a bundle's entry point, targets, dependencies and build metadata, and verify it.
    Info(BundleInfoArgs),
}

/// `wharf bundle info`.
#[derive(Debug, Args)]
pub struct BundleInfoArgs {
    /// The bundle.
    #[arg(value_name = "BUNDLE")]
    pub bundle: PathBuf,
    /// Print it as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `wharf check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Wheels and sdists to validate as an index would; with none, check the environment.
    #[arg(value_name = "DIST")]
    pub dists: Vec<PathBuf>,
    /// Treat warnings as errors (distribution checks).
    #[arg(long)]
    pub strict: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Environment options.
    #[command(flatten)]
    pub environment: EnvironmentArgs,
}

/// How builds run.
#[derive(Debug, Args, Clone, Default)]
pub struct BuildOptionArgs {
    /// Pass a setting to the build backend (`KEY=VALUE`, repeatable).
    #[arg(
        long = "config-setting",
        short = 'C',
        value_name = "KEY=VALUE",
        help_heading = "Build options"
    )]
    pub config_settings: Vec<String>,
    /// Build in the current environment instead of an isolated one; build requirements
    /// must already be installed there.
    #[arg(long, help_heading = "Build options")]
    pub no_isolation: bool,
}

/// `wharf build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// A project directory or an sdist (default: the current directory).
    #[arg(value_name = "DIR|SDIST")]
    pub source: Option<PathBuf>,
    /// Build an sdist (only, unless --wheel is given too).
    #[arg(long)]
    pub sdist: bool,
    /// Build a wheel (only, unless --sdist is given too); with --sdist, from the sdist.
    #[arg(long)]
    pub wheel: bool,
    /// Where to write the distributions (default: dist/ in the project, or beside the sdist).
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// The interpreter to build with: a version (3.12) or a path.
    #[arg(long, short = 'p', value_name = "PYTHON")]
    pub python: Option<String>,
    /// Build options.
    #[command(flatten)]
    pub build: BuildOptionArgs,
    /// Index options (for build requirements).
    #[command(flatten)]
    pub index: IndexArgs,
    /// Print what was built as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `wharf wheel`.
#[derive(Debug, Args)]
pub struct WheelArgs {
    /// Requirements to collect wheels for.
    #[arg(value_name = "PACKAGE")]
    pub packages: Vec<String>,
    /// The directory to put wheels in (created if missing).
    #[arg(
        short = 'w',
        long = "wheel-dir",
        value_name = "DIR",
        default_value = "."
    )]
    pub wheel_dir: PathBuf,
    /// Resolution options.
    #[command(flatten)]
    pub resolver: ResolverArgs,
    /// Index options.
    #[command(flatten)]
    pub index: IndexArgs,
    /// Build options.
    #[command(flatten)]
    pub build: BuildOptionArgs,
    /// The interpreter to resolve and build for when no --python-version is given.
    #[arg(long, short = 'p', value_name = "PYTHON")]
    pub python: Option<String>,
    /// Collect wheels for another Python version (e.g. 3.9); only local projects given
    /// directly are built.
    #[arg(long, value_name = "VERSION")]
    pub python_version: Option<String>,
    /// Collect wheels for another platform (repeatable, e.g. manylinux2014_x86_64); as
    /// --python-version.
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Vec<String>,
    /// Print what was collected as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `wharf publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// Distributions to upload (wheels and sdists; default: dist/*).
    #[arg(value_name = "DIST")]
    pub dists: Vec<PathBuf>,
    /// The upload URL [env: WHARF_PUBLISH_URL] (default: PyPI's upload URL).
    #[arg(long, value_name = "URL")]
    pub repository_url: Option<String>,
    /// A repository section of ~/.pypirc to take the URL and credentials from.
    #[arg(short = 'r', long, value_name = "NAME")]
    pub repository: Option<String>,
    /// The user name [env: WHARF_PUBLISH_USERNAME, TWINE_USERNAME].
    #[arg(short = 'u', long, value_name = "USER")]
    pub username: Option<String>,
    /// The password [env: WHARF_PUBLISH_PASSWORD, TWINE_PASSWORD].
    #[arg(long, value_name = "PASSWORD")]
    pub password: Option<String>,
    /// An API token (sent as user `__token__`) [env: WHARF_PUBLISH_TOKEN].
    #[arg(short = 't', long, value_name = "TOKEN", conflicts_with_all = ["username", "password"])]
    pub token: Option<String>,
    /// Skip files the index already has instead of failing.
    #[arg(long)]
    pub skip_existing: bool,
    /// Check the files and print what would be uploaded, without uploading.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Which environment a command works on.
#[derive(Debug, Args, Clone, Default)]
pub struct EnvironmentArgs {
    /// The virtual environment to use (default: $VIRTUAL_ENV, then the nearest .venv).
    #[arg(long, value_name = "DIR", conflicts_with = "python")]
    pub venv: Option<PathBuf>,
    /// The interpreter whose environment to use: a version (3.12, >=3.10, cpython3.11) or a path.
    #[arg(long, short = 'p', value_name = "PYTHON")]
    pub python: Option<String>,
}

/// Where packages come from.
#[derive(Debug, Args, Clone, Default)]
pub struct IndexArgs {
    /// The default package index [env: WHARF_INDEX_URL, PIP_INDEX_URL].
    #[arg(short = 'i', long, value_name = "URL")]
    pub index_url: Option<String>,
    /// Another index, consulted after the default one (repeatable).
    #[arg(long, value_name = "URL")]
    pub extra_index_url: Vec<String>,
    /// A directory or HTML page of links to distributions (repeatable).
    #[arg(short = 'f', long, value_name = "DIR|URL")]
    pub find_links: Vec<String>,
    /// Use no index: only --find-links and local files.
    #[arg(long)]
    pub no_index: bool,
    /// How to combine several indexes: `first-index` takes each project from the first index
    /// that has it (safe against dependency confusion); `unsafe-best-match` merges all, as pip does.
    #[arg(long, value_enum, value_name = "STRATEGY")]
    pub index_strategy: Option<IndexStrategyArg>,
}

/// How to combine indexes.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum IndexStrategyArg {
    /// Each project from the first index that has it.
    FirstIndex,
    /// Merge every index's files (pip's behaviour).
    UnsafeBestMatch,
}

/// How resolution chooses versions.
#[derive(Debug, Args, Clone, Default)]
pub struct ResolverArgs {
    /// Requirements files (repeatable).
    #[arg(short = 'r', long = "requirement", value_name = "FILE")]
    pub requirements: Vec<PathBuf>,
    /// Constraints files: limit versions without adding packages (repeatable).
    #[arg(short = 'c', long = "constraint", value_name = "FILE")]
    pub constraints: Vec<PathBuf>,
    /// Allow pre-releases to compete with final releases.
    #[arg(long)]
    pub pre: bool,
    /// Do not install dependencies.
    #[arg(long)]
    pub no_deps: bool,
    /// Use only wheels for these projects (`:all:`, `:none:` or names, comma-separated).
    #[arg(long, value_name = "NAMES")]
    pub only_binary: Vec<String>,
    /// Never use wheels for these projects (`:all:`, `:none:` or names, comma-separated).
    #[arg(long, value_name = "NAMES")]
    pub no_binary: Vec<String>,
    /// Require a hash for every requirement, and check every download against it.
    #[arg(long)]
    pub require_hashes: bool,
}

/// `wharf venv`.
#[derive(Debug, Args)]
pub struct VenvArgs {
    /// Where to create the environment.
    #[arg(default_value = ".venv")]
    pub path: PathBuf,
    /// The interpreter: a version (3.12, >=3.10, cpython3.11) or a path.
    #[arg(long, short = 'p', value_name = "PYTHON")]
    pub python: Option<String>,
    /// Install pip into the environment.
    #[arg(long)]
    pub seed: bool,
    /// The prompt shown while the environment is active (default: the directory's name).
    #[arg(long)]
    pub prompt: Option<String>,
    /// Give the environment access to the interpreter's site-packages.
    #[arg(long)]
    pub system_site_packages: bool,
    /// Remove the directory's contents first, if it exists.
    #[arg(long, conflicts_with = "allow_existing")]
    pub clear: bool,
    /// Write into an existing directory, keeping what is there.
    #[arg(long)]
    pub allow_existing: bool,
}

/// `wharf install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Requirements to install: `name`, `name>=1.0`, `name[extra]`, `./dist/x.whl`, `name @ URL`.
    #[arg(value_name = "PACKAGE")]
    pub packages: Vec<String>,
    /// Install a local project in editable mode (PEP 660): changes to its source take
    /// effect without reinstalling.
    #[arg(short = 'e', long, value_name = "PATH")]
    pub editable: Vec<String>,
    /// Build options (for sdists, local projects and git URLs).
    #[command(flatten)]
    pub build: BuildOptionArgs,
    /// Resolution options.
    #[command(flatten)]
    pub resolver: ResolverArgs,
    /// Index options.
    #[command(flatten)]
    pub index: IndexArgs,
    /// Environment options.
    #[command(flatten)]
    pub environment: EnvironmentArgs,
    /// Upgrade the named packages to the newest versions allowed.
    #[arg(short = 'U', long)]
    pub upgrade: bool,
    /// Upgrade this package (repeatable); others keep their installed versions.
    #[arg(long, value_name = "NAME")]
    pub upgrade_package: Vec<String>,
    /// Reinstall every requested package even when up to date.
    #[arg(long, alias = "force-reinstall")]
    pub reinstall: bool,
    /// Resolve and print what would be installed, change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write pip's installation report (JSON) to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Install into this directory instead of an environment (like pip --target).
    #[arg(long, value_name = "DIR")]
    pub target: Option<PathBuf>,
    /// Compile installed .py files to bytecode.
    #[arg(long, alias = "compile-bytecode")]
    pub compile: bool,
    /// Install into an externally managed (PEP 668) interpreter anyway.
    #[arg(long)]
    pub break_system_packages: bool,
    /// How files are put into the environment.
    #[arg(long, value_enum)]
    pub link_mode: Option<LinkModeArg>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// How installed files are created.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LinkModeArg {
    /// Copy-on-write clones where the file system supports them, else hard links, else copies.
    Clone,
    /// Hard links from the cache, else copies.
    Hardlink,
    /// Plain copies.
    Copy,
}

/// `wharf uninstall`.
#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// Packages to remove.
    #[arg(value_name = "NAME")]
    pub packages: Vec<String>,
    /// Remove every package named in these requirements files.
    #[arg(short = 'r', long = "requirement", value_name = "FILE")]
    pub requirements: Vec<PathBuf>,
    /// Accepted for pip compatibility; wharf never asks.
    #[arg(short = 'y', long, hide = true)]
    pub yes: bool,
    /// Environment options.
    #[command(flatten)]
    pub environment: EnvironmentArgs,
    /// Remove from an externally managed (PEP 668) interpreter anyway.
    #[arg(long)]
    pub break_system_packages: bool,
}

/// `wharf freeze`.
#[derive(Debug, Args)]
pub struct FreezeArgs {
    /// Leave out editable installs.
    #[arg(long)]
    pub exclude_editable: bool,
    /// Include pip (and on Python < 3.12 setuptools, wheel, distribute), as `pip freeze --all`.
    #[arg(long)]
    pub all: bool,
    /// Environment options.
    #[command(flatten)]
    pub environment: EnvironmentArgs,
}

/// Output formats of `wharf list`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum ListFormat {
    /// An aligned table.
    #[default]
    Columns,
    /// `name==version` lines.
    Freeze,
    /// JSON, as `pip list --format json`.
    Json,
}

/// `wharf list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: ListFormat,
    /// Show only packages with newer versions on the index, and those versions.
    #[arg(long)]
    pub outdated: bool,
    /// Leave out editable installs.
    #[arg(long)]
    pub exclude_editable: bool,
    /// Index options (for --outdated).
    #[command(flatten)]
    pub index: IndexArgs,
    /// Environment options.
    #[command(flatten)]
    pub environment: EnvironmentArgs,
}

/// `wharf show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Packages to show.
    #[arg(value_name = "NAME", required = true)]
    pub packages: Vec<String>,
    /// Also list the installed files.
    #[arg(short, long)]
    pub files: bool,
    /// Environment options.
    #[command(flatten)]
    pub environment: EnvironmentArgs,
}

/// `wharf compile`.
#[derive(Debug, Args)]
pub struct CompileArgs {
    /// Input files: requirements.in style files or pyproject.toml.
    #[arg(value_name = "SRC_FILE", required = true)]
    pub sources: Vec<PathBuf>,
    /// Where to write the pinned file (default: stdout).
    #[arg(short, long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Add `--hash` lines for every file of each pinned version.
    #[arg(long)]
    pub generate_hashes: bool,
    /// Resolve for this Python version instead of the interpreter's (e.g. 3.9).
    #[arg(long, value_name = "VERSION")]
    pub python_version: Option<String>,
    /// Resolve for this platform (e.g. manylinux_2_17_x86_64, macosx_11_0_arm64, win_amd64).
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<String>,
    /// Upgrade every package instead of keeping the versions pinned in the output file.
    #[arg(short = 'U', long)]
    pub upgrade: bool,
    /// Upgrade this package only (repeatable).
    #[arg(short = 'P', long, value_name = "NAME")]
    pub upgrade_package: Vec<String>,
    /// Leave out the `# via` annotations.
    #[arg(long)]
    pub no_annotate: bool,
    /// Leave out the header comment.
    #[arg(long)]
    pub no_header: bool,
    /// Resolution options.
    #[command(flatten)]
    pub resolver: ResolverArgs,
    /// Index options.
    #[command(flatten)]
    pub index: IndexArgs,
    /// The interpreter to resolve for when no --python-version is given.
    #[arg(long, short = 'p', value_name = "PYTHON")]
    pub python: Option<String>,
}

/// `wharf sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Pinned requirements files (e.g. written by `wharf compile`).
    #[arg(value_name = "FILE", required = true)]
    pub requirements: Vec<PathBuf>,
    /// Index options.
    #[command(flatten)]
    pub index: IndexArgs,
    /// Environment options.
    #[command(flatten)]
    pub environment: EnvironmentArgs,
    /// Require a hash for every requirement.
    #[arg(long)]
    pub require_hashes: bool,
    /// Print what would change, change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Remove from / install into an externally managed (PEP 668) interpreter anyway.
    #[arg(long)]
    pub break_system_packages: bool,
    /// Compile installed .py files to bytecode.
    #[arg(long, alias = "compile-bytecode")]
    pub compile: bool,
}

/// `wharf cache`.
#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Print the cache directory.
    Dir,
    /// Remove everything from the cache.
    Clean,
    /// Remove leftovers of interrupted work and stale entries.
    Prune,
    /// Print the cache's size.
    Size {
        /// Print bytes instead of a human-readable size.
        #[arg(long)]
        bytes: bool,
    },
}

/// `wharf index`.
#[derive(Debug, Args)]
pub struct IndexDirArgs {
    /// The directory of distributions (wheels and sdists).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Where to write the index (default: DIR itself, pages under DIR/simple/).
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// The URL the distribution files will be served from (default: relative links).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Print what was written as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `wharf config`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `wharf python`.
#[derive(Debug, Subcommand)]
pub enum PythonCommand {
    /// Print the path of the interpreter a request selects.
    Find {
        /// A version (3.12, >=3.10, cpython3.11), a name (python3.12) or a path.
        request: Option<String>,
    },
    /// List the interpreters wharf can find.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        super::Cli::command().debug_assert();
    }

    /// Regression: a bare `about` took the crate's Cargo description ("Command-line argument
    /// definitions (clap) for wharf") instead of the doc comment on `Cli`.
    #[test]
    fn about_is_the_doc_comment() {
        let about = super::Cli::command().get_about().unwrap().to_string();
        assert!(
            about.starts_with("One fast tool for Python environments"),
            "{about}"
        );
    }
}
