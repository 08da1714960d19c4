//! From file content to logical lines, the way pip preprocesses a requirements file.
//!
//! pip first joins lines that end in a backslash, then removes comments, then skips blank
//! lines, and only then expands `${VARIABLE}` references. The order matters: a variable's
//! value may contain `#` without starting a comment, and a comment line that ends in a
//! backslash does not swallow the next line.

/// One logical line: continuation lines joined, comment removed, surrounding space trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogicalLine {
    /// 1-based number of the first physical line.
    pub(crate) number: usize,
    /// The text, not yet expanded.
    pub(crate) text: String,
}

/// Split `content` into the logical lines pip would see, skipping blank and comment lines.
pub(crate) fn logical_lines(content: &str) -> Vec<LogicalLine> {
    let mut lines = Vec::new();
    let mut pending: Option<(usize, String)> = None;

    for (index, physical) in physical_lines(content).enumerate() {
        let number = index + 1;
        let is_comment = is_comment_line(physical);
        if physical.ends_with('\\') && !is_comment {
            // pip strips backslashes from both ends of a continued line and joins the pieces
            // with nothing in between, keeping the spaces that were before the backslash.
            let piece = physical.trim_matches('\\');
            match &mut pending {
                Some((_, joined)) => joined.push_str(piece),
                None => pending = Some((number, piece.to_string())),
            }
            continue;
        }
        let (first, joined) = match pending.take() {
            Some((first, mut joined)) => {
                // A comment line ends a continuation; the space keeps it a comment once joined.
                if is_comment {
                    joined.push(' ');
                }
                joined.push_str(physical);
                (first, joined)
            }
            None => (number, physical.to_string()),
        };
        push_logical(&mut lines, first, &joined);
    }
    // The file ended on a backslash: the continuation is still a line.
    if let Some((first, joined)) = pending {
        push_logical(&mut lines, first, &joined);
    }
    lines
}

fn push_logical(lines: &mut Vec<LogicalLine>, number: usize, text: &str) {
    let text = strip_comment(text).trim();
    if !text.is_empty() {
        lines.push(LogicalLine {
            number,
            text: text.to_string(),
        });
    }
}

/// Physical lines split on `\n`, `\r\n` and `\r`, as Python's `str.splitlines` does for them.
fn physical_lines(content: &str) -> impl Iterator<Item = &str> {
    let mut rest = content;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match rest.find(['\n', '\r']) {
            Some(end) => {
                let line = &rest[..end];
                let separator = if rest[end..].starts_with("\r\n") {
                    2
                } else {
                    1
                };
                rest = &rest[end + separator..];
                Some(line)
            }
            None => {
                let line = rest;
                rest = "";
                Some(line)
            }
        }
    })
}

/// A line that is only a comment: `#` first, possibly after whitespace.
fn is_comment_line(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// Remove a comment: a `#` at the start of the line or after whitespace. A `#` glued to the
/// text before it, as in `https://host/x.whl#sha256=…` or `#egg=name`, is not a comment.
pub(crate) fn strip_comment(line: &str) -> &str {
    let mut previous_is_space = true;
    for (index, character) in line.char_indices() {
        if character == '#' && previous_is_space {
            return &line[..index];
        }
        previous_is_space = character.is_whitespace();
    }
    line
}

/// Expand `${NAME}` references whose name is made of uppercase ASCII letters, digits and
/// underscores, as pip does. References to unset or empty variables stay as written.
pub(crate) fn expand_variables(line: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut expanded = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find("${") {
        expanded.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let name_length = after
            .bytes()
            .take_while(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit() || *byte == b'_')
            .count();
        let closed = after[name_length..].starts_with('}');
        if name_length > 0 && closed {
            let name = &after[..name_length];
            match lookup(name).filter(|value| !value.is_empty()) {
                Some(value) => expanded.push_str(&value),
                None => expanded.push_str(&rest[start..start + 2 + name_length + 1]),
            }
            rest = &after[name_length + 1..];
        } else {
            expanded.push_str("${");
            rest = after;
        }
    }
    expanded.push_str(rest);
    expanded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(content: &str) -> Vec<(usize, String)> {
        logical_lines(content)
            .into_iter()
            .map(|line| (line.number, line.text))
            .collect()
    }

    #[test]
    fn blank_lines_and_comments_are_skipped() {
        let content = "\n# a comment\n   # indented comment\nfoo==1.0  # trailing\n\n\tbar\n";
        assert_eq!(
            texts(content),
            vec![(4, "foo==1.0".to_string()), (6, "bar".to_string())]
        );
    }

    #[test]
    fn hash_glued_to_text_is_not_a_comment() {
        let content = "https://host/x.whl#sha256=abc\ngit+https://host/repo#egg=foo # comment";
        assert_eq!(
            texts(content),
            vec![
                (1, "https://host/x.whl#sha256=abc".to_string()),
                (2, "git+https://host/repo#egg=foo".to_string())
            ]
        );
    }

    #[test]
    fn continuations_join_and_keep_the_first_line_number() {
        let content = "a\nfoo==1.0 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\nbar";
        assert_eq!(
            texts(content),
            vec![
                (1, "a".to_string()),
                (
                    2,
                    "foo==1.0     --hash=sha256:aa     --hash=sha256:bb".to_string()
                ),
                (5, "bar".to_string())
            ]
        );
    }

    #[test]
    fn continuation_without_space_glues_words() {
        assert_eq!(texts("fo\\\no==1"), vec![(1, "foo==1".to_string())]);
    }

    #[test]
    fn comment_line_ends_a_continuation() {
        let content = "foo \\\n# comment \\\nbar";
        assert_eq!(
            texts(content),
            vec![(1, "foo".to_string()), (3, "bar".to_string())]
        );
    }

    /// The same file run through pip 23.2's `parse_requirements` gave lines 1, 4, 6 and 8.
    #[test]
    fn line_numbers_match_pip() {
        let content = "foo==1.0 \\\n  --hash=sha256:aa \\\n# comment \\\nbar\n\nfo\\\no==2 # x\nhttps://h/x.whl#sha256=1\n";
        let numbers: Vec<usize> = logical_lines(content)
            .iter()
            .map(|line| line.number)
            .collect();
        assert_eq!(numbers, vec![1, 4, 6, 8]);
    }

    #[test]
    fn trailing_backslash_at_end_of_file() {
        assert_eq!(texts("foo \\"), vec![(1, "foo".to_string())]);
    }

    #[test]
    fn windows_and_old_mac_line_endings() {
        assert_eq!(
            texts("a\r\nb\rc\n"),
            vec![
                (1, "a".to_string()),
                (2, "b".to_string()),
                (3, "c".to_string())
            ]
        );
    }

    #[test]
    fn variables_expand_only_in_pip_form() {
        let lookup = |name: &str| match name {
            "TOKEN" => Some("s3cr#t".to_string()),
            "EMPTY" => Some(String::new()),
            "V_2" => Some("two".to_string()),
            _ => None,
        };
        assert_eq!(
            expand_variables("https://${TOKEN}@host/${V_2}", &lookup),
            "https://s3cr#t@host/two"
        );
        assert_eq!(expand_variables("${UNSET}/x", &lookup), "${UNSET}/x");
        assert_eq!(expand_variables("${EMPTY}/x", &lookup), "${EMPTY}/x");
        assert_eq!(
            expand_variables("${lower} $TOKEN ${TO", &lookup),
            "${lower} $TOKEN ${TO"
        );
        assert_eq!(expand_variables("${${TOKEN}}", &lookup), "${s3cr#t}");
    }
}
