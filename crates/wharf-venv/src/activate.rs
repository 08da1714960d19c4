//! The activation scripts for bash/zsh, fish, csh and Powershell.
//!
//! Each template holds three placeholders: `__VIRTUAL_ENV__` and `__PROMPT__` (replaced
//! by values quoted for that shell) and `__BIN__` (the scripts directory name, `bin` or
//! `Scripts`, which never needs quoting).

use std::path::Path;

const BASH: &str = include_str!("activate/activate.sh");
const FISH: &str = include_str!("activate/activate.fish");
const CSH: &str = include_str!("activate/activate.csh");
const POWERSHELL: &str = include_str!("activate/activate.ps1");

/// A shell with an activation script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shell {
    Bash,
    Fish,
    Csh,
    Powershell,
}

impl Shell {
    pub(crate) const ALL: [Shell; 4] = [Self::Bash, Self::Fish, Self::Csh, Self::Powershell];

    /// The script's file name in the scripts directory.
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            Self::Bash => "activate",
            Self::Fish => "activate.fish",
            Self::Csh => "activate.csh",
            Self::Powershell => "Activate.ps1",
        }
    }

    fn template(self) -> &'static str {
        match self {
            Self::Bash => BASH,
            Self::Fish => FISH,
            Self::Csh => CSH,
            Self::Powershell => POWERSHELL,
        }
    }

    /// `value` as one literal word in this shell.
    fn quote(self, value: &str) -> String {
        match self {
            // Inside single quotes nothing is special but the quote itself.
            Self::Bash => format!("'{}'", value.replace('\'', r"'\''")),
            Self::Fish => format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'")),
            // csh cannot escape a quote inside single quotes, and expands `!` even there.
            Self::Csh => format!("'{}'", value.replace('\'', r#"'"'"'"#).replace('!', r"\!")),
            Self::Powershell => format!("'{}'", value.replace('\'', "''")),
        }
    }

    /// The script for the environment at `root`.
    pub(crate) fn render(self, root: &Path, bin_name: &str, prompt: &str) -> String {
        self.template()
            .replace("__VIRTUAL_ENV__", &self.quote(&root.to_string_lossy()))
            .replace("__PROMPT__", &self.quote(prompt))
            .replace("__BIN__", bin_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(Shell::Bash.quote("it's"), r"'it'\''s'");
        assert_eq!(Shell::Fish.quote(r"a\b'c"), r"'a\\b\'c'");
        assert_eq!(Shell::Csh.quote("it's!"), r#"'it'"'"'s\!'"#);
        assert_eq!(Shell::Powershell.quote("it's"), "'it''s'");
    }

    #[test]
    fn placeholders_are_all_replaced() {
        for shell in Shell::ALL {
            let script = shell.render(Path::new("/tmp/my env"), "bin", "my env");
            assert!(!script.contains("__"), "{shell:?}: {script}");
            assert!(script.contains("/tmp/my env"), "{shell:?}");
        }
    }
}
