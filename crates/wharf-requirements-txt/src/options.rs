//! The options a requirements file line may carry, split and matched as pip does.
//!
//! pip cuts a line at its first word that starts with `-`: what comes before is the
//! requirement, what comes after is split like a shell would (`shlex`) and parsed with
//! `optparse`. So `--opt=value`, `--opt value`, `-ovalue` and `-o value` all work, and a long
//! option may be abbreviated to any unambiguous prefix (`--extra` for `--extra-index-url`).

/// Every option pip accepts in a requirements file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OptionKind {
    IndexUrl,
    ExtraIndexUrl,
    NoIndex,
    Constraint,
    Requirement,
    Editable,
    FindLinks,
    NoBinary,
    OnlyBinary,
    PreferBinary,
    RequireHashes,
    Pre,
    TrustedHost,
    UseFeature,
    GlobalOption,
    Hash,
    ConfigSettings,
}

impl OptionKind {
    /// Whether the option may follow a requirement on its line (pip ignores the others there).
    pub(crate) fn applies_to_requirement(self) -> bool {
        matches!(self, Self::Hash | Self::ConfigSettings | Self::GlobalOption)
    }
}

struct OptionSpec {
    long: &'static str,
    short: Option<char>,
    kind: OptionKind,
    takes_value: bool,
}

// One row per option reads better than rustfmt's one field per line.
#[rustfmt::skip]
const OPTIONS: &[OptionSpec] = &[
    OptionSpec { long: "--index-url", short: Some('i'), kind: OptionKind::IndexUrl, takes_value: true },
    OptionSpec { long: "--extra-index-url", short: None, kind: OptionKind::ExtraIndexUrl, takes_value: true },
    OptionSpec { long: "--no-index", short: None, kind: OptionKind::NoIndex, takes_value: false },
    OptionSpec { long: "--constraint", short: Some('c'), kind: OptionKind::Constraint, takes_value: true },
    OptionSpec { long: "--requirement", short: Some('r'), kind: OptionKind::Requirement, takes_value: true },
    OptionSpec { long: "--editable", short: Some('e'), kind: OptionKind::Editable, takes_value: true },
    OptionSpec { long: "--find-links", short: Some('f'), kind: OptionKind::FindLinks, takes_value: true },
    OptionSpec { long: "--no-binary", short: None, kind: OptionKind::NoBinary, takes_value: true },
    OptionSpec { long: "--only-binary", short: None, kind: OptionKind::OnlyBinary, takes_value: true },
    OptionSpec { long: "--prefer-binary", short: None, kind: OptionKind::PreferBinary, takes_value: false },
    OptionSpec { long: "--require-hashes", short: None, kind: OptionKind::RequireHashes, takes_value: false },
    OptionSpec { long: "--pre", short: None, kind: OptionKind::Pre, takes_value: false },
    OptionSpec { long: "--trusted-host", short: None, kind: OptionKind::TrustedHost, takes_value: true },
    OptionSpec { long: "--use-feature", short: None, kind: OptionKind::UseFeature, takes_value: true },
    OptionSpec { long: "--global-option", short: None, kind: OptionKind::GlobalOption, takes_value: true },
    OptionSpec { long: "--hash", short: None, kind: OptionKind::Hash, takes_value: true },
    OptionSpec { long: "--config-settings", short: Some('C'), kind: OptionKind::ConfigSettings, takes_value: true },
];

/// One option found on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LineOption {
    pub(crate) kind: OptionKind,
    /// The option's full long name, e.g. `--index-url`, for messages.
    pub(crate) name: &'static str,
    pub(crate) value: Option<String>,
}

/// The options of a line, and the words that were not options.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct LineOptions {
    pub(crate) options: Vec<LineOption>,
    pub(crate) stray_words: Vec<String>,
}

/// Why a line's options could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OptionError {
    Quoting(String),
    Unknown(String),
    Ambiguous {
        given: String,
        candidates: Vec<&'static str>,
    },
    MissingValue(&'static str),
    UnexpectedValue(&'static str),
}

/// Split a line into the requirement (possibly empty) and the options text, at the first
/// word that starts with `-`. Words are separated by spaces or tabs.
pub(crate) fn split_requirement_and_options(line: &str) -> (&str, &str) {
    let mut previous_is_separator = true;
    for (index, character) in line.char_indices() {
        if character == '-' && previous_is_separator {
            return (line[..index].trim_end(), &line[index..]);
        }
        previous_is_separator = matches!(character, ' ' | '\t');
    }
    (line, "")
}

/// Split like Python's `shlex.split` in POSIX mode: whitespace separates words, single
/// quotes keep everything, double quotes keep everything but `\"`, `\\`, `\$` and `` \` ``,
/// and a backslash outside quotes escapes the next character.
pub(crate) fn shell_split(text: &str) -> Result<Vec<String>, OptionError> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut characters = text.chars();
    while let Some(character) = characters.next() {
        match character {
            character if character.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match characters.next() {
                        Some('\'') => break,
                        Some(inner) => word.push(inner),
                        None => return Err(OptionError::Quoting("no closing quotation".into())),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match characters.next() {
                        Some('"') => break,
                        Some('\\') => match characters.next() {
                            Some(escaped @ ('"' | '\\' | '$' | '`' | '\n')) => word.push(escaped),
                            Some(other) => {
                                word.push('\\');
                                word.push(other);
                            }
                            None => {
                                return Err(OptionError::Quoting("no closing quotation".into()));
                            }
                        },
                        Some(inner) => word.push(inner),
                        None => return Err(OptionError::Quoting("no closing quotation".into())),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match characters.next() {
                    Some(escaped) => word.push(escaped),
                    None => return Err(OptionError::Quoting("no escaped character".into())),
                }
            }
            other => {
                in_word = true;
                word.push(other);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Parse option words as `optparse` does, with interspersed non-option words collected.
pub(crate) fn parse_options(words: &[String]) -> Result<LineOptions, OptionError> {
    let mut parsed = LineOptions::default();
    let mut index = 0;
    let mut only_words = false;
    while index < words.len() {
        let word = &words[index];
        index += 1;
        if only_words || word == "-" || !word.starts_with('-') {
            parsed.stray_words.push(word.clone());
            continue;
        }
        if word == "--" {
            only_words = true;
            continue;
        }
        if let Some(long) = word.strip_prefix("--") {
            let (name, attached) = match long.split_once('=') {
                Some((name, value)) => (format!("--{name}"), Some(value.to_string())),
                None => (word.clone(), None),
            };
            let spec = match_long(&name)?;
            let value = if spec.takes_value {
                match attached {
                    Some(value) => Some(value),
                    None => {
                        let value = words
                            .get(index)
                            .cloned()
                            .ok_or(OptionError::MissingValue(spec.long))?;
                        index += 1;
                        Some(value)
                    }
                }
            } else if attached.is_some() {
                return Err(OptionError::UnexpectedValue(spec.long));
            } else {
                None
            };
            parsed.options.push(LineOption {
                kind: spec.kind,
                name: spec.long,
                value,
            });
        } else {
            let mut characters = word[1..].chars();
            let short = characters.next().unwrap_or('-');
            let spec = OPTIONS
                .iter()
                .find(|spec| spec.short == Some(short))
                .ok_or_else(|| OptionError::Unknown(format!("-{short}")))?;
            // Every short option pip allows in a file takes a value, attached or next.
            let attached = characters.as_str();
            let value = if attached.is_empty() {
                let value = words
                    .get(index)
                    .cloned()
                    .ok_or(OptionError::MissingValue(spec.long))?;
                index += 1;
                value
            } else {
                attached.to_string()
            };
            parsed.options.push(LineOption {
                kind: spec.kind,
                name: spec.long,
                value: Some(value),
            });
        }
    }
    Ok(parsed)
}

/// Find a long option by its exact name or an unambiguous prefix of it.
fn match_long(name: &str) -> Result<&'static OptionSpec, OptionError> {
    if let Some(spec) = OPTIONS.iter().find(|spec| spec.long == name) {
        return Ok(spec);
    }
    let candidates: Vec<&OptionSpec> = OPTIONS
        .iter()
        .filter(|spec| name.len() > 2 && spec.long.starts_with(name))
        .collect();
    match candidates.as_slice() {
        [spec] => Ok(spec),
        [] => Err(OptionError::Unknown(name.to_string())),
        _ => Err(OptionError::Ambiguous {
            given: name.to_string(),
            candidates: candidates.iter().map(|spec| spec.long).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        shell_split(text).unwrap()
    }

    fn parse(text: &str) -> Result<LineOptions, OptionError> {
        parse_options(&words(text))
    }

    #[test]
    fn split_at_first_dash_word() {
        assert_eq!(
            split_requirement_and_options("foo==1.0 --hash=sha256:aa"),
            ("foo==1.0", "--hash=sha256:aa")
        );
        assert_eq!(
            split_requirement_and_options("-e ./project"),
            ("", "-e ./project")
        );
        assert_eq!(
            split_requirement_and_options("foo-bar>=1.0\t--hash x"),
            ("foo-bar>=1.0", "--hash x")
        );
        assert_eq!(
            split_requirement_and_options("foo ; python_version >= '3'"),
            ("foo ; python_version >= '3'", "")
        );
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(
            words(r#"-e "./my project" --x='a b' c\ d "q\"t" "a\b""#),
            vec!["-e", "./my project", "--x=a b", "c d", "q\"t", "a\\b"]
        );
        assert_eq!(
            shell_split("-e 'open"),
            Err(OptionError::Quoting("no closing quotation".into()))
        );
        assert_eq!(
            shell_split("-e open\\"),
            Err(OptionError::Quoting("no escaped character".into()))
        );
    }

    #[test]
    fn long_options_with_equals_or_next_word() {
        let parsed = parse("--index-url=https://a --extra-index-url https://b --pre").unwrap();
        let values: Vec<_> = parsed
            .options
            .iter()
            .map(|option| (option.kind, option.value.as_deref()))
            .collect();
        assert_eq!(
            values,
            vec![
                (OptionKind::IndexUrl, Some("https://a")),
                (OptionKind::ExtraIndexUrl, Some("https://b")),
                (OptionKind::Pre, None)
            ]
        );
    }

    #[test]
    fn short_options_attached_or_next_word() {
        let parsed = parse("-ihttps://a -r other.txt -C key=value").unwrap();
        let values: Vec<_> = parsed
            .options
            .iter()
            .map(|option| (option.name, option.value.as_deref()))
            .collect();
        assert_eq!(
            values,
            vec![
                ("--index-url", Some("https://a")),
                ("--requirement", Some("other.txt")),
                ("--config-settings", Some("key=value"))
            ]
        );
    }

    #[test]
    fn abbreviations_as_optparse() {
        let parsed = parse("--extra https://b --trusted host --pre").unwrap();
        assert_eq!(parsed.options[0].kind, OptionKind::ExtraIndexUrl);
        assert_eq!(parsed.options[1].kind, OptionKind::TrustedHost);
        // An exact name wins over being a prefix of another (`--prefer-binary`).
        assert_eq!(parsed.options[2].kind, OptionKind::Pre);
        assert_eq!(
            parse("--no-"),
            Err(OptionError::Ambiguous {
                given: "--no-".into(),
                candidates: vec!["--no-index", "--no-binary"]
            })
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            parse("--frobnicate"),
            Err(OptionError::Unknown("--frobnicate".into()))
        );
        assert_eq!(parse("-x foo"), Err(OptionError::Unknown("-x".into())));
        assert_eq!(
            parse("--index-url"),
            Err(OptionError::MissingValue("--index-url"))
        );
        assert_eq!(parse("-r"), Err(OptionError::MissingValue("--requirement")));
        assert_eq!(
            parse("--pre=yes"),
            Err(OptionError::UnexpectedValue("--pre"))
        );
    }

    #[test]
    fn stray_words_are_collected() {
        let parsed = parse("--extra-index-url https://b torch==2.0 -- -r").unwrap();
        assert_eq!(parsed.stray_words, vec!["torch==2.0", "-r"]);
    }
}
