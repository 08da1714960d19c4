//! `entry_points.txt`: the INI-style file whose `console_scripts` and `gui_scripts` groups
//! become launcher scripts at install time. Other groups (plugins) are not the installer's
//! business and are skipped.

/// Why an entry_points.txt file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EntryPointsError {
    /// A line is neither a section header, a comment nor `name = value`.
    #[error("entry_points.txt line {line} is not `name = module:object`: `{text}`")]
    Syntax {
        /// The 1-based line number.
        line: usize,
        /// The line as written.
        text: String,
    },
    /// A script entry point's value is not `module:object [extras]`.
    #[error("entry_points.txt line {line}: invalid entry point `{name} = {value}`: {message}")]
    Invalid {
        /// The 1-based line number.
        line: usize,
        /// The entry point's name.
        name: String,
        /// The value as written.
        value: String,
        /// What is wrong.
        message: &'static str,
    },
}

/// One entry point: `name = module:object.attribute [extra, ...]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPoint {
    /// The name, e.g. the command name for scripts.
    pub name: String,
    /// The dotted module path.
    pub module: String,
    /// The dotted object path within the module, if any.
    pub object: Option<String>,
    /// Extras named in brackets (informational; installers ignore them).
    pub extras: Vec<String>,
}

impl EntryPoint {
    /// Parse the value part, `module:object [extras]`.
    pub fn parse_value(name: &str, value: &str) -> Result<Self, &'static str> {
        let value = value.trim();
        let (target, extras) = match value.split_once('[') {
            Some((target, rest)) => {
                let inner = rest
                    .trim_end()
                    .strip_suffix(']')
                    .ok_or("unclosed `[` in extras")?;
                let extras = inner
                    .split(',')
                    .map(str::trim)
                    .filter(|extra| !extra.is_empty())
                    .map(str::to_string)
                    .collect();
                (target.trim(), extras)
            }
            None => (value, Vec::new()),
        };
        let (module, object) = match target.split_once(':') {
            Some((module, object)) => (module.trim(), Some(object.trim())),
            None => (target, None),
        };
        let is_dotted_name = |text: &str| {
            !text.is_empty()
                && text.split('.').all(|part| {
                    part.chars()
                        .next()
                        .is_some_and(|first| first.is_alphabetic() || first == '_')
                        && part
                            .chars()
                            .all(|char| char.is_alphanumeric() || char == '_')
                })
        };
        if !is_dotted_name(module) {
            return Err("the module is not a dotted Python name");
        }
        if let Some(object) = object
            && !is_dotted_name(object)
        {
            return Err("the object is not a dotted Python name");
        }
        Ok(Self {
            name: name.to_string(),
            module: module.to_string(),
            object: object.map(str::to_string),
            extras,
        })
    }
}

/// The script groups of an entry_points.txt file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryPoints {
    /// `[console_scripts]`.
    pub console_scripts: Vec<EntryPoint>,
    /// `[gui_scripts]`.
    pub gui_scripts: Vec<EntryPoint>,
}

impl EntryPoints {
    /// Parse an entry_points.txt file.
    pub fn parse(text: &str) -> Result<Self, EntryPointsError> {
        let mut entry_points = Self::default();
        let mut section = String::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(name) = line
                .strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
            {
                section = name.trim().to_string();
                continue;
            }
            let group = match section.as_str() {
                "console_scripts" => &mut entry_points.console_scripts,
                "gui_scripts" => &mut entry_points.gui_scripts,
                // Plugin groups may hold values in any format their consumer understands.
                _ => continue,
            };
            let (name, value) = line
                .split_once('=')
                .ok_or_else(|| EntryPointsError::Syntax {
                    line: index + 1,
                    text: raw.to_string(),
                })?;
            let name = name.trim();
            if name.is_empty() {
                return Err(EntryPointsError::Syntax {
                    line: index + 1,
                    text: raw.to_string(),
                });
            }
            let entry = EntryPoint::parse_value(name, value).map_err(|message| {
                EntryPointsError::Invalid {
                    line: index + 1,
                    name: name.to_string(),
                    value: value.trim().to_string(),
                    message,
                }
            })?;
            group.push(entry);
        }
        Ok(entry_points)
    }

    /// Whether there are no scripts.
    pub fn is_empty(&self) -> bool {
        self.console_scripts.is_empty() && self.gui_scripts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_scripts_and_skips_plugins() {
        let entry_points = EntryPoints::parse(
            "[console_scripts]\nblack = black:patched_main\nfoo-bar=pkg.cli:main.run [fast, color]\n\n# comment\n[gui_scripts]\nviewer = pkg.gui\n[pytest11]\nplugin = this is : not checked\n",
        )
        .unwrap();
        assert_eq!(entry_points.console_scripts.len(), 2);
        let second = &entry_points.console_scripts[1];
        assert_eq!(second.name, "foo-bar");
        assert_eq!(second.module, "pkg.cli");
        assert_eq!(second.object.as_deref(), Some("main.run"));
        assert_eq!(second.extras, ["fast", "color"]);
        assert_eq!(entry_points.gui_scripts[0].object, None);
    }

    #[test]
    fn invalid_values_name_the_line() {
        let err = EntryPoints::parse("[console_scripts]\nx = 1bad:main\n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(EntryPoints::parse("[console_scripts]\nnovalue\n").is_err());
        assert!(EntryPoints::parse("[console_scripts]\nx = a:b [c\n").is_err());
    }
}
