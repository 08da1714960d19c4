//! Merging the command line with wharf-config's layers into what commands need: the cache,
//! the index client's options, and the environment to work on.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, Result};
use wharf_cache::Cache;
use wharf_cli::{EnvironmentArgs, GlobalArgs, IndexArgs, IndexStrategyArg};
use wharf_client::{ClientOptions, IndexStrategy, IndexUrl};
use wharf_config::{LoadOptions, Settings, Value};
use wharf_interpreter::{Interpreter, PythonRequest};

use crate::error::Hinted;

/// Settings every command has: merged configuration and the cache.
pub(crate) struct Context {
    /// The merged configuration.
    pub settings: Settings,
    /// The global cache.
    pub cache: Cache,
}

impl Context {
    /// Load configuration with this command's flags on top.
    pub fn load(global: &GlobalArgs, mut command_line: Vec<(&'static str, Value)>) -> Result<Self> {
        if let Some(dir) = &global.cache_dir {
            command_line.push((
                "cache-dir",
                Value::String(dir.to_string_lossy().into_owned()),
            ));
        }
        if global.offline {
            command_line.push(("offline", Value::Bool(true)));
        }
        let working_dir =
            std::env::current_dir().context("failed to read the working directory")?;
        let settings = Settings::load(
            &LoadOptions {
                command_line,
                working_dir,
                no_config: global.no_config,
                config_file: global.config_file.clone(),
            },
            &|name| std::env::var(name).ok(),
        )?;
        let cache = if global.no_cache {
            Cache::temporary()?
        } else {
            let root = match settings.string("cache-dir") {
                Some(dir) => PathBuf::from(dir),
                None => Cache::default_root()?,
            };
            Cache::at(&root)
                .with_context(|| format!("failed to open the cache at {}", root.display()))?
        };
        Ok(Self { settings, cache })
    }

    /// Client options from settings plus what requirements files added.
    pub fn client_options(&self, from_files: &FileIndexOptions) -> Result<ClientOptions> {
        let mut options = ClientOptions::new(self.cache.clone());
        let index_url = match self.settings.source("index-url") {
            wharf_config::Source::CommandLine | wharf_config::Source::Environment(_) => {
                self.settings.string("index-url").map(str::to_string)
            }
            // A requirements file's `-i` overrides configuration files, as in pip.
            _ => from_files
                .index_url
                .clone()
                .or_else(|| self.settings.string("index-url").map(str::to_string)),
        };
        let mut urls = Vec::new();
        if let Some(url) = index_url {
            urls.push(parse_index(&url)?);
        } else {
            urls.push(IndexUrl::pypi());
        }
        for url in self
            .settings
            .list("extra-index-url")
            .iter()
            .chain(&from_files.extra_index_urls)
        {
            let url = parse_index(url)?;
            if !urls.contains(&url) {
                urls.push(url);
            }
        }
        options.index_urls = urls;
        options.find_links = self.settings.list("find-links");
        for link in &from_files.find_links {
            if !options.find_links.contains(link) {
                options.find_links.push(link.clone());
            }
        }
        options.no_index = self.settings.flag("no-index") || from_files.no_index;
        options.index_strategy = match self.settings.string("index-strategy") {
            None | Some("first-index") => IndexStrategy::FirstIndex,
            Some("unsafe-best-match") => IndexStrategy::UnsafeBestMatch,
            Some(other) => {
                return Err(Hinted::new(
                    format!(
                        "unknown index strategy `{other}` (from {})",
                        self.settings.source("index-strategy")
                    ),
                    "use `first-index` or `unsafe-best-match`",
                )
                .into());
            }
        };
        options.offline = self.settings.flag("offline");
        if let Some(timeout) = self.settings.string("timeout") {
            let seconds: f64 = timeout.parse().map_err(|_| {
                Hinted::new(
                    format!("timeout `{timeout}` is not a number of seconds"),
                    "set WHARF_HTTP_TIMEOUT to e.g. 30",
                )
            })?;
            options.timeout = Duration::from_secs_f64(seconds.max(0.1));
        }
        Ok(options)
    }
}

impl Context {
    /// The configured link mode.
    pub fn link_mode(&self) -> Result<wharf_installer::LinkMode> {
        use wharf_installer::LinkMode;
        Ok(match self.settings.string("link-mode") {
            None | Some("clone") => LinkMode::Clone,
            Some("hardlink") => LinkMode::Hardlink,
            Some("copy") => LinkMode::Copy,
            Some(other) => {
                return Err(Hinted::new(
                    format!(
                        "unknown link mode `{other}` (from {})",
                        self.settings.source("link-mode")
                    ),
                    "use clone, hardlink or copy",
                )
                .into());
            }
        })
    }
}

/// The command-line overrides of commands that install.
pub(crate) fn install_overrides(
    index: &IndexArgs,
    pre: bool,
    require_hashes: bool,
    compile: bool,
    link_mode: Option<wharf_cli::LinkModeArg>,
) -> Vec<(&'static str, Value)> {
    let mut overrides = index_overrides(index);
    for (flag, key) in [
        (pre, "pre"),
        (require_hashes, "require-hashes"),
        (compile, "compile-bytecode"),
    ] {
        if flag {
            overrides.push((key, Value::Bool(true)));
        }
    }
    if let Some(mode) = link_mode {
        let text = match mode {
            wharf_cli::LinkModeArg::Clone => "clone",
            wharf_cli::LinkModeArg::Hardlink => "hardlink",
            wharf_cli::LinkModeArg::Copy => "copy",
        };
        overrides.push(("link-mode", Value::String(text.to_string())));
    }
    overrides
}

fn parse_index(text: &str) -> Result<IndexUrl> {
    text.parse::<IndexUrl>().map_err(|err| {
        anyhow::Error::new(err).context(format!("invalid index URL `{}`", mask(text)))
    })
}

/// Mask credentials in a URL-ish string for messages.
pub(crate) fn mask(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(url) => wharf_client::mask_url(&url),
        Err(_) => text.to_string(),
    }
}

/// Index options that requirements files carry.
#[derive(Debug, Default, Clone)]
pub(crate) struct FileIndexOptions {
    pub index_url: Option<String>,
    pub extra_index_urls: Vec<String>,
    pub find_links: Vec<String>,
    pub no_index: bool,
}

/// The command-line overrides of an [`IndexArgs`].
pub(crate) fn index_overrides(index: &IndexArgs) -> Vec<(&'static str, Value)> {
    let mut values = Vec::new();
    if let Some(url) = &index.index_url {
        values.push(("index-url", Value::String(url.clone())));
    }
    if !index.extra_index_url.is_empty() {
        values.push((
            "extra-index-url",
            Value::List(index.extra_index_url.clone()),
        ));
    }
    if !index.find_links.is_empty() {
        let links = index
            .find_links
            .iter()
            .map(|link| absolutize(link))
            .collect();
        values.push(("find-links", Value::List(links)));
    }
    if index.no_index {
        values.push(("no-index", Value::Bool(true)));
    }
    if let Some(strategy) = index.index_strategy {
        let text = match strategy {
            IndexStrategyArg::FirstIndex => "first-index",
            IndexStrategyArg::UnsafeBestMatch => "unsafe-best-match",
        };
        values.push(("index-strategy", Value::String(text.to_string())));
    }
    values
}

/// Local relative paths become absolute (the client resolves nothing against the cwd).
pub(crate) fn absolutize(location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let path = PathBuf::from(location);
    if path.is_absolute() {
        location.to_string()
    } else {
        std::env::current_dir()
            .map(|dir| dir.join(path).to_string_lossy().into_owned())
            .unwrap_or_else(|_| location.to_string())
    }
}

/// The environment a command works on: `--venv`, `--python`, `$VIRTUAL_ENV`, `.venv`.
pub(crate) fn environment(context: &Context, args: &EnvironmentArgs) -> Result<Interpreter> {
    let request = args
        .python
        .as_deref()
        .map(str::parse::<PythonRequest>)
        .transpose()
        .map_err(|err| anyhow::anyhow!("invalid --python value: {err}"))?;
    let interpreter = wharf_interpreter::find_environment(
        args.venv.as_deref(),
        request.as_ref(),
        &context.cache,
    )?;
    Ok(interpreter)
}
