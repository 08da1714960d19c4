//! Walking a requirements file and the files it includes, line by line.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use wharf_pep::PackageName;

use crate::lines::{expand_variables, logical_lines};
use crate::options::{
    LineOption, OptionError, OptionKind, parse_options, shell_split, split_requirement_and_options,
};
use crate::requirement::{normalize, parse_editable, parse_requirement};
use crate::{
    EditableEntry, Origin, RequirementEntry, RequirementSpec, RequirementsTxt,
    RequirementsTxtError, RequirementsTxtWarning,
};

/// Reads requirements files with a chosen working directory and environment.
///
/// ```no_run
/// # use std::path::Path;
/// use wharf_requirements_txt::RequirementsTxtParser;
///
/// let parsed = RequirementsTxtParser::new("/project")
///     .with_environment([("TOKEN".to_string(), "secret".to_string())])
///     .parse_file(Path::new("requirements.txt"))?;
/// # Ok::<(), wharf_requirements_txt::RequirementsTxtError>(())
/// ```
#[derive(Debug, Clone)]
pub struct RequirementsTxtParser {
    working_dir: PathBuf,
    /// `None` reads the process environment.
    environment: Option<HashMap<String, String>>,
}

/// Whether a file's requirements are requirements or constraints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Requirements,
    Constraints,
}

impl RequirementsTxtParser {
    /// A parser that resolves relative paths against `working_dir` (made absolute from the
    /// current directory if it is relative) and expands variables from the process
    /// environment.
    pub fn new(working_dir: impl AsRef<Path>) -> Self {
        let working_dir = working_dir.as_ref();
        let working_dir = std::path::absolute(working_dir)
            .map(|absolute| normalize(&absolute))
            .unwrap_or_else(|_| working_dir.to_path_buf());
        Self {
            working_dir,
            environment: None,
        }
    }

    /// Expand `${VARIABLE}` references from these variables only, not the process
    /// environment.
    #[must_use]
    pub fn with_environment(
        mut self,
        variables: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        self.environment = Some(variables.into_iter().collect());
        self
    }

    /// Read a requirements file and the files it includes.
    pub fn parse_file(&self, path: &Path) -> Result<RequirementsTxt, RequirementsTxtError> {
        self.parse_top_level_file(path, FileKind::Requirements)
    }

    /// Read a constraints file: everything it requires becomes a constraint.
    pub fn parse_constraints_file(
        &self,
        path: &Path,
    ) -> Result<RequirementsTxt, RequirementsTxtError> {
        self.parse_top_level_file(path, FileKind::Constraints)
    }

    /// Parse content already in memory, named `file_for_errors`.
    pub fn parse_str(
        &self,
        content: &str,
        file_for_errors: &Path,
    ) -> Result<RequirementsTxt, RequirementsTxtError> {
        let mut walk = Walk::new(self);
        let key = identity(&self.on_disk(file_for_errors));
        walk.stack.push((key, file_for_errors.to_path_buf()));
        walk.parse_content(content, file_for_errors, FileKind::Requirements)?;
        Ok(walk.result)
    }

    fn parse_top_level_file(
        &self,
        path: &Path,
        kind: FileKind,
    ) -> Result<RequirementsTxt, RequirementsTxtError> {
        let mut walk = Walk::new(self);
        walk.parse_file(path, kind, None)?;
        Ok(walk.result)
    }

    /// Where a file named relative to the working directory is.
    fn on_disk(&self, path: &Path) -> PathBuf {
        normalize(&self.working_dir.join(path))
    }

    fn lookup(&self, name: &str) -> Option<String> {
        match &self.environment {
            Some(variables) => variables.get(name).cloned(),
            None => std::env::var(name).ok(),
        }
    }
}

/// The state of one parse: the result so far and the chain of files being read.
struct Walk<'parser> {
    parser: &'parser RequirementsTxtParser,
    result: RequirementsTxt,
    /// (identity, display path) of each file from the top level to the current one.
    stack: Vec<(PathBuf, PathBuf)>,
}

impl<'parser> Walk<'parser> {
    fn new(parser: &'parser RequirementsTxtParser) -> Self {
        Self {
            parser,
            result: RequirementsTxt::default(),
            stack: Vec::new(),
        }
    }

    fn parse_file(
        &mut self,
        display: &Path,
        kind: FileKind,
        included_from: Option<&Origin>,
    ) -> Result<(), RequirementsTxtError> {
        let on_disk = self.parser.on_disk(display);
        let content = read(&on_disk, display, included_from)?;
        let key = identity(&on_disk);
        if let Some(position) = self.stack.iter().position(|(seen, _)| *seen == key) {
            let mut chain: Vec<PathBuf> = self.stack[position..]
                .iter()
                .map(|(_, shown)| shown.clone())
                .collect();
            chain.push(display.to_path_buf());
            return Err(RequirementsTxtError::Cycle {
                origin: included_from
                    .cloned()
                    .expect("the top-level file cannot already be on the stack"),
                path: display.to_path_buf(),
                chain,
            });
        }
        self.stack.push((key, display.to_path_buf()));
        self.parse_content(&content, display, kind)?;
        self.stack.pop();
        Ok(())
    }

    fn parse_content(
        &mut self,
        content: &str,
        display: &Path,
        kind: FileKind,
    ) -> Result<(), RequirementsTxtError> {
        for line in logical_lines(content) {
            let origin = Origin {
                file: display.to_path_buf(),
                line: line.number,
            };
            let text = expand_variables(&line.text, &|name| self.parser.lookup(name));
            self.parse_line(&text, origin, kind)?;
        }
        Ok(())
    }

    fn parse_line(
        &mut self,
        text: &str,
        origin: Origin,
        kind: FileKind,
    ) -> Result<(), RequirementsTxtError> {
        let (requirement_text, options_text) = split_requirement_and_options(text);
        let words =
            shell_split(options_text).map_err(|error| option_error(error, &origin, text))?;
        let parsed = parse_options(&words).map_err(|error| option_error(error, &origin, text))?;
        if let Some(word) = parsed.stray_words.first() {
            return Err(RequirementsTxtError::UnexpectedWord {
                origin,
                word: word.clone(),
                line: text.to_string(),
            });
        }
        if requirement_text.is_empty() {
            self.apply_options(&parsed.options, &origin, kind)
        } else {
            self.add_requirement(requirement_text, &parsed.options, origin, kind)
        }
    }

    fn add_requirement(
        &mut self,
        text: &str,
        options: &[LineOption],
        origin: Origin,
        kind: FileKind,
    ) -> Result<(), RequirementsTxtError> {
        if let Some(option) = options
            .iter()
            .find(|option| !option.kind.applies_to_requirement())
        {
            return Err(RequirementsTxtError::MisplacedOption {
                origin,
                option: option.name.to_string(),
                requirement: text.to_string(),
            });
        }
        let mut hashes = Vec::new();
        for option in options {
            let value = option.value.as_deref().unwrap_or_default();
            match option.kind {
                OptionKind::Hash => hashes.push(validate_hash(value, &origin)?),
                OptionKind::ConfigSettings => validate_config_setting(value, &origin)?,
                OptionKind::GlobalOption => self.warn(
                    &origin,
                    format!("`--global-option {value}` is ignored: wharf builds no sdists with setup.py options"),
                ),
                _ => {}
            }
        }

        let parsed = parse_requirement(text, &self.parser.working_dir, &origin)?;
        if let Some(warning) = parsed.warning {
            self.warn(&origin, warning);
        }
        let entry = RequirementEntry {
            requirement: parsed.spec,
            hashes,
            origin,
        };
        match kind {
            FileKind::Requirements => self.result.requirements.push(entry),
            FileKind::Constraints => {
                check_constraint(&entry, text)?;
                self.result.constraints.push(entry);
            }
        }
        Ok(())
    }

    fn apply_options(
        &mut self,
        options: &[LineOption],
        origin: &Origin,
        kind: FileKind,
    ) -> Result<(), RequirementsTxtError> {
        let has_editable = options
            .iter()
            .any(|option| option.kind == OptionKind::Editable);
        for option in options {
            let value = option.value.clone().unwrap_or_default();
            match option.kind {
                OptionKind::IndexUrl => self.result.index_url = Some(value),
                OptionKind::ExtraIndexUrl => self.result.extra_index_urls.push(value),
                OptionKind::NoIndex => self.result.no_index = true,
                OptionKind::Pre => self.result.pre = true,
                OptionKind::PreferBinary => self.result.prefer_binary = true,
                OptionKind::RequireHashes => self.result.require_hashes = true,
                OptionKind::TrustedHost => self.result.trusted_hosts.push(value),
                OptionKind::FindLinks => {
                    let find_links = self.find_links(&value, &origin.file);
                    self.result.find_links.push(find_links);
                }
                OptionKind::NoBinary => {
                    let values = format_control(option.name, &value, origin)?;
                    self.result.no_binary.extend(values);
                }
                OptionKind::OnlyBinary => {
                    let values = format_control(option.name, &value, origin)?;
                    self.result.only_binary.extend(values);
                }
                OptionKind::Requirement => {
                    // Under a constraints file everything stays a constraint (see lib.rs).
                    self.include(&value, origin, kind)?;
                }
                OptionKind::Constraint => self.include(&value, origin, FileKind::Constraints)?,
                OptionKind::Editable => {
                    if kind == FileKind::Constraints {
                        return Err(RequirementsTxtError::InvalidConstraint {
                            origin: origin.clone(),
                            text: format!("-e {value}"),
                            reason: "editable requirements are not allowed as constraints",
                        });
                    }
                    let editable = parse_editable(&value, &self.parser.working_dir, origin)?;
                    self.result.editables.push(EditableEntry {
                        url: editable.url,
                        extras: editable.extras,
                        given: value,
                        origin: origin.clone(),
                    });
                }
                OptionKind::Hash => {
                    validate_hash(&value, origin)?;
                    let message = if has_editable {
                        "`--hash` is ignored on an editable requirement"
                    } else {
                        "`--hash` is ignored on a line without a requirement"
                    };
                    self.warn(origin, message.to_string());
                }
                OptionKind::ConfigSettings => validate_config_setting(&value, origin)?,
                // Feature switches of pip itself mean nothing to wharf.
                OptionKind::UseFeature => {}
                OptionKind::GlobalOption => self.warn(
                    origin,
                    format!("`--global-option {value}` is ignored on a line without a requirement"),
                ),
            }
        }
        Ok(())
    }

    /// Follow `-r`/`-c`: the path is relative to the including file's directory.
    fn include(
        &mut self,
        value: &str,
        origin: &Origin,
        kind: FileKind,
    ) -> Result<(), RequirementsTxtError> {
        let lowercase = value.to_ascii_lowercase();
        if lowercase.starts_with("http://") || lowercase.starts_with("https://") {
            return Err(RequirementsTxtError::RemoteFile {
                origin: origin.clone(),
                url: value.to_string(),
            });
        }
        let path = if lowercase.starts_with("file:") {
            url::Url::parse(value)
                .ok()
                .and_then(|url| url.to_file_path().ok())
                .ok_or_else(|| RequirementsTxtError::InvalidPath {
                    origin: origin.clone(),
                    text: value.to_string(),
                })?
        } else {
            PathBuf::from(value)
        };
        let parent = origin.file.parent().unwrap_or(Path::new(""));
        let display = normalize(&parent.join(path));
        self.parse_file(&display, kind, Some(origin))
    }

    /// pip joins a relative find-links path to the requirements file's directory when the
    /// result exists; otherwise the value is relative to the working directory.
    fn find_links(&self, value: &str, file: &Path) -> String {
        let is_url = value.split_once("://").is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        });
        if is_url || Path::new(value).is_absolute() {
            return value.to_string();
        }
        let file_dir = self
            .parser
            .on_disk(file)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| self.parser.working_dir.clone());
        let beside_file = normalize(&file_dir.join(value));
        let chosen = if beside_file.exists() {
            beside_file
        } else {
            self.parser.on_disk(Path::new(value))
        };
        chosen.display().to_string()
    }

    fn warn(&mut self, origin: &Origin, message: String) {
        self.result.warnings.push(RequirementsTxtWarning {
            origin: origin.clone(),
            message,
        });
    }
}

/// Read a file as text: UTF-8 (with or without a byte order mark) or UTF-16 with one.
fn read(
    on_disk: &Path,
    display: &Path,
    included_from: Option<&Origin>,
) -> Result<String, RequirementsTxtError> {
    let bytes = fs_err::read(on_disk).map_err(|error| {
        if error.kind() == io::ErrorKind::NotFound {
            RequirementsTxtError::NotFound {
                path: display.to_path_buf(),
                included_from: included_from.cloned(),
            }
        } else {
            RequirementsTxtError::Read {
                path: display.to_path_buf(),
                included_from: included_from.cloned(),
                source: error,
            }
        }
    })?;
    decode(&bytes).map_err(|offset| RequirementsTxtError::Encoding {
        path: display.to_path_buf(),
        offset,
    })
}

/// Decode file content, returning the offset of the first bad byte on failure.
fn decode(bytes: &[u8]) -> Result<String, usize> {
    let utf16 = |rest: &[u8], from_bytes: fn([u8; 2]) -> u16| {
        let units = rest
            .chunks_exact(2)
            .map(|pair| from_bytes([pair[0], pair[1]]));
        char::decode_utf16(units)
            .enumerate()
            .map(|(index, unit)| unit.map_err(|_| 2 + index * 2))
            .collect::<Result<String, usize>>()
    };
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8(rest.to_vec())
            .map_err(|error| 3 + error.utf8_error().valid_up_to());
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes);
    }
    String::from_utf8(bytes.to_vec()).map_err(|error| error.utf8_error().valid_up_to())
}

/// What identifies a file for cycle detection: its canonical path when it exists.
fn identity(path: &Path) -> PathBuf {
    fs_err::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn option_error(error: OptionError, origin: &Origin, line: &str) -> RequirementsTxtError {
    let origin = origin.clone();
    let line = line.to_string();
    match error {
        OptionError::Quoting(message) => RequirementsTxtError::Quoting {
            origin,
            line,
            message,
        },
        OptionError::Unknown(option) => RequirementsTxtError::UnknownOption {
            origin,
            option,
            line,
        },
        OptionError::Ambiguous { given, candidates } => RequirementsTxtError::AmbiguousOption {
            origin,
            option: given,
            line,
            candidates: candidates.iter().map(ToString::to_string).collect(),
        },
        OptionError::MissingValue(option) => RequirementsTxtError::MissingValue {
            origin,
            option: option.to_string(),
            line,
        },
        OptionError::UnexpectedValue(option) => RequirementsTxtError::UnexpectedValue {
            origin,
            option: option.to_string(),
            line,
        },
    }
}

/// Check `algorithm:hexdigest` and return it with a lowercase digest. pip allows only the
/// strong algorithms; the digest length is checked here so a typo fails before any download.
fn validate_hash(value: &str, origin: &Origin) -> Result<String, RequirementsTxtError> {
    let invalid = |message: String| RequirementsTxtError::InvalidOptionValue {
        origin: origin.clone(),
        option: "--hash".to_string(),
        value: value.to_string(),
        message,
    };
    let Some((algorithm, digest)) = value.split_once(':') else {
        return Err(invalid(
            "expected an algorithm and a digest, like `--hash=sha256:abcdef…`".to_string(),
        ));
    };
    let length = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => {
            return Err(invalid(format!(
                "`{algorithm}` is not allowed: use sha256, sha384 or sha512"
            )));
        }
    };
    if digest.len() != length || !digest.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(invalid(format!(
            "a {algorithm} digest is {length} hexadecimal digits"
        )));
    }
    Ok(format!("{algorithm}:{}", digest.to_ascii_lowercase()))
}

/// pip requires `--config-settings KEY=VALUE`; wharf accepts and ignores the setting.
fn validate_config_setting(value: &str, origin: &Origin) -> Result<(), RequirementsTxtError> {
    if value.contains('=') {
        Ok(())
    } else {
        Err(RequirementsTxtError::InvalidOptionValue {
            origin: origin.clone(),
            option: "--config-settings".to_string(),
            value: value.to_string(),
            message: "expected `KEY=VALUE`".to_string(),
        })
    }
}

/// Split a `--no-binary`/`--only-binary` value: `:all:`, `:none:` or project names.
fn format_control(
    option: &str,
    value: &str,
    origin: &Origin,
) -> Result<Vec<String>, RequirementsTxtError> {
    let invalid = |message: String| RequirementsTxtError::InvalidOptionValue {
        origin: origin.clone(),
        option: option.to_string(),
        value: value.to_string(),
        message,
    };
    // optparse hands the next option over as the value when the value is missing.
    if value.starts_with('-') {
        return Err(invalid(
            "expected `:all:`, `:none:` or project names separated by commas".to_string(),
        ));
    }
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| match item {
            ":all:" | ":none:" => Ok(item.to_string()),
            name => name
                .parse::<PackageName>()
                .map(|name| name.to_string())
                .map_err(|error| invalid(error.to_string())),
        })
        .collect()
}

/// pip's `check_invalid_constraint_type`: constraints must be named and without extras.
fn check_constraint(entry: &RequirementEntry, text: &str) -> Result<(), RequirementsTxtError> {
    let invalid = |reason| RequirementsTxtError::InvalidConstraint {
        origin: entry.origin.clone(),
        text: text.to_string(),
        reason,
    };
    match &entry.requirement {
        RequirementSpec::Named(requirement) if !requirement.extras.is_empty() => {
            Err(invalid("constraints cannot have extras"))
        }
        RequirementSpec::Named(_) => Ok(()),
        RequirementSpec::Unnamed { extras, .. } if !extras.is_empty() => {
            Err(invalid("constraints cannot have extras"))
        }
        RequirementSpec::Unnamed { url, .. } => {
            let is_wheel = url.path().to_ascii_lowercase().ends_with(".whl");
            if is_wheel || entry.requirement.egg_fragment().is_some() {
                Ok(())
            } else {
                Err(invalid(
                    "unnamed requirements are not allowed as constraints: use `name @ url`",
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_handles_byte_order_marks() {
        assert_eq!(decode(b"\xEF\xBB\xBFfoo\n").unwrap(), "foo\n");
        assert_eq!(decode(b"\xFF\xFEf\x00o\x00").unwrap(), "fo");
        assert_eq!(decode(b"\xFE\xFF\x00f\x00o").unwrap(), "fo");
        assert_eq!(decode(b"ok\n\xFF"), Err(3));
    }

    #[test]
    fn hashes_are_checked_and_lowercased() {
        let origin = Origin {
            file: PathBuf::from("r.txt"),
            line: 1,
        };
        let digest = "AB".repeat(32);
        assert_eq!(
            validate_hash(&format!("sha256:{digest}"), &origin).unwrap(),
            format!("sha256:{}", digest.to_lowercase())
        );
        assert!(validate_hash(&format!("sha512:{}", "0".repeat(128)), &origin).is_ok());
        for bad in [
            "sha256",
            "md5:d41d8cd98f00b204e9800998ecf8427e",
            "sha256:abc",
            "sha256:zz",
        ] {
            assert!(validate_hash(bad, &origin).is_err(), "{bad}");
        }
    }
}
