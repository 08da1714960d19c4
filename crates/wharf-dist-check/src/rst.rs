//! A reStructuredText checker: finds what makes docutils refuse a long description.
//!
//! PyPI renders RST descriptions with `readme_renderer`, which runs docutils with
//! `halt_level = 2`: the first warning (or anything worse) aborts the rendering and the
//! upload is rejected. This module does not render anything; it parses the document far
//! enough to find the problems that docutils reports at those levels in practice:
//!
//! * sections: underlines and overlines shorter than the title, overline/underline
//!   mismatches, incomplete titles, inconsistent title levels, titles (and transitions)
//!   inside lists, quotes or directives, transitions at the start or end of a document or
//!   section or next to each other;
//! * body structure: "Unexpected indentation", lists, quotes, definition lists, field
//!   lists, literal blocks and explicit markup that end without a blank line, `::` with no
//!   literal block after it, malformed grid and simple tables;
//! * inline markup: `*`, `**`, ``` `` ```, `` ` ``, `|` and `` _` `` start-strings without an
//!   end-string (with docutils' rules for what may come before and after them), unknown or
//!   unimplemented roles, `:pep:`/`:rfc:` numbers;
//! * references: unknown and ambiguous target names, duplicate explicit targets,
//!   anonymous reference/target counts, undefined or duplicate substitutions, footnote and
//!   citation references without a footnote or citation;
//! * directives: unknown directives, disabled ones (`raw`, `include`, files in
//!   `csv-table`), missing arguments or content, unknown options of `image`, `figure` and
//!   `code`.
//!
//! What it does not know: Pygments lexer names in `code` directives, option values, and
//! the rarer corners of the grammar. Line numbers count from the description's first
//! line, as `twine check` prints them.

use std::collections::{HashMap, HashSet};

use unicode_width::UnicodeWidthChar;

/// One problem in a reStructuredText document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The 1-based line the problem is reported at.
    pub line: usize,
    /// docutils' wording of the problem.
    pub message: String,
}

/// Check `text` and return the problems that would stop docutils from rendering it, in
/// line order.
pub fn check(text: &str) -> Vec<Issue> {
    let lines = prepare(text);
    let mut checker = Checker::default();
    checker.body(&lines, false);
    checker.finish(lines.last().map_or(1, |line| line.number));
    let mut issues = checker.issues;
    issues.sort_by_key(|issue| issue.line);
    issues.dedup();
    issues
}

/// A line with tabs expanded and trailing whitespace removed, and where it came from.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    number: usize,
}

impl Line {
    fn blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    fn indent(&self) -> usize {
        self.text.len() - self.text.trim_start_matches(' ').len()
    }
}

/// Split into lines as docutils does: tabs to eight-column stops, other whitespace
/// controls to spaces, trailing whitespace removed.
fn prepare(text: &str) -> Vec<Line> {
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    // Like Python's `splitlines`, a final line break does not start another line.
    let normalized = normalized.strip_suffix('\n').unwrap_or(&normalized);
    normalized
        .split(['\n', '\u{0b}', '\u{0c}'])
        .enumerate()
        .map(|(index, raw)| {
            let mut line = String::with_capacity(raw.len());
            let mut column = 0;
            for char in raw.chars() {
                if char == '\t' {
                    let spaces = 8 - column % 8;
                    line.extend(std::iter::repeat_n(' ', spaces));
                    column += spaces;
                } else {
                    line.push(char);
                    column += 1;
                }
            }
            Line {
                text: line.trim_end().to_string(),
                number: index + 1,
            }
        })
        .collect()
}

/// The text after the first `count` characters.
fn after_chars(text: &str, count: usize) -> &str {
    match text.char_indices().nth(count) {
        Some((index, _)) => &text[index..],
        None => "",
    }
}

/// An indented block as docutils' `get_indented` returns it.
struct Indented {
    block: Vec<Line>,
    /// The index of the first line after the block.
    end: usize,
    /// Whether a blank line (or the end of input) ends the block.
    blank_finish: bool,
}

/// The lines from `start` that are blank or indented, dedented by their smallest
/// indentation. With `first_indent`, the first line is taken whatever its indentation and
/// cut at that column (a list item's marker, a directive's `::`).
fn get_indented(
    lines: &[Line],
    start: usize,
    first_indent: Option<usize>,
    until_blank: bool,
    strip_top: bool,
) -> Indented {
    let mut end = start;
    if first_indent.is_some() {
        end += 1;
    }
    let mut indent: Option<usize> = None;
    let mut blank_finish = true;
    while end < lines.len() {
        let line = &lines[end];
        if !line.text.is_empty() && !line.text.starts_with(' ') {
            blank_finish = end > start && lines[end - 1].blank();
            break;
        }
        if line.blank() {
            if until_blank {
                break;
            }
        } else {
            let line_indent = line.indent();
            indent = Some(indent.map_or(line_indent, |current| current.min(line_indent)));
        }
        end += 1;
    }
    let mut block: Vec<Line> = lines[start..end.min(lines.len())].to_vec();
    if let Some(first_indent) = first_indent
        && let Some(first) = block.first_mut()
    {
        first.text = after_chars(&first.text, first_indent).to_string();
    }
    if let Some(indent) = indent {
        for line in block.iter_mut().skip(usize::from(first_indent.is_some())) {
            line.text = after_chars(&line.text, indent).to_string();
        }
    }
    if strip_top {
        while block.first().is_some_and(Line::blank) {
            block.remove(0);
        }
    }
    Indented {
        block,
        end,
        blank_finish,
    }
}

/// A list item whose first line has text: every line is cut at the marker's width, and
/// the item ends at the first line indented less than that (docutils'
/// `get_known_indented`).
fn get_known_indented(lines: &[Line], start: usize, indent: usize) -> Indented {
    let mut end = start + 1;
    let mut blank_finish = true;
    while end < lines.len() {
        let line = &lines[end];
        let head: String = line.text.chars().take(indent).collect();
        if !line.text.is_empty() && !head.trim().is_empty() {
            blank_finish = lines[end - 1].blank();
            break;
        }
        end += 1;
    }
    let block = lines[start..end]
        .iter()
        .map(|line| Line {
            text: after_chars(&line.text, indent).to_string(),
            number: line.number,
        })
        .collect();
    Indented {
        block,
        end,
        blank_finish,
    }
}

/// A list item's lines: known indentation when the marker's line has text, else the
/// indentation of the lines that follow.
fn list_item(lines: &[Line], start: usize, marker_end: usize) -> Indented {
    if after_chars(&lines[start].text, marker_end).is_empty() {
        get_indented(lines, start, Some(marker_end), false, true)
    } else {
        get_known_indented(lines, start, marker_end)
    }
}

/// The 7-bit punctuation characters that section adornments and transitions use.
fn is_adornment_char(char: char) -> bool {
    char.is_ascii_punctuation()
}

/// A line of one repeated punctuation character (an underline, overline or transition).
fn is_punctuation_line(text: &str) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if is_adornment_char(first) => chars.all(|char| char == first),
        _ => false,
    }
}

/// The display width of a title, counting East Asian wide characters as two columns.
fn column_width(text: &str) -> usize {
    text.chars()
        .map(|char| UnicodeWidthChar::width(char).unwrap_or(0))
        .sum()
}

/// A reference name as docutils compares them: lowercase, whitespace collapsed.
fn normalize_name(text: &str) -> String {
    text.replace('\0', "")
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `(?:(?!_)\w)+(?:[-._+:](?:(?!_)\w)+)*`: the end of the longest simple name at `start`
/// and every shorter end a regex could backtrack to, longest first.
fn simple_name_ends(chars: &[char], start: usize) -> Vec<usize> {
    let word = |char: char| char.is_alphanumeric();
    let mut ends = Vec::new();
    let mut position = start;
    if !chars.get(position).copied().is_some_and(word) {
        return ends;
    }
    while chars.get(position).copied().is_some_and(word) {
        position += 1;
    }
    ends.push(position);
    while let Some(&separator) = chars.get(position) {
        if !matches!(separator, '-' | '.' | '_' | '+' | ':')
            || !chars.get(position + 1).copied().is_some_and(word)
        {
            break;
        }
        position += 1;
        while chars.get(position).copied().is_some_and(word) {
            position += 1;
        }
        ends.push(position);
    }
    ends.reverse();
    ends
}

/// Whether all of `text` is a simple name.
fn is_simple_name(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    simple_name_ends(&chars, 0).first() == Some(&chars.len())
}

/// Character classes from docutils' `punctuation_chars`: ASCII, Latin-1, general
/// punctuation, CJK and full-width forms (scripts beyond those are left out).
fn in_ranges(char: char, ranges: &[(char, char)]) -> bool {
    ranges
        .iter()
        .any(|(low, high)| (*low..=*high).contains(&char))
}

const OPENERS: &[(char, char)] = &[
    ('"', '"'),
    ('\'', '('),
    ('<', '<'),
    ('[', '['),
    ('{', '{'),
    ('\u{ab}', '\u{ab}'),
    ('\u{bb}', '\u{bb}'),
    ('\u{2018}', '\u{201f}'),
    ('\u{2039}', '\u{203a}'),
    ('\u{2045}', '\u{2045}'),
    ('\u{207d}', '\u{207d}'),
    ('\u{208d}', '\u{208d}'),
    ('\u{2329}', '\u{2329}'),
    ('\u{27e6}', '\u{27e6}'),
    ('\u{27e8}', '\u{27e8}'),
    ('\u{3008}', '\u{3008}'),
    ('\u{300a}', '\u{300a}'),
    ('\u{300c}', '\u{300c}'),
    ('\u{300e}', '\u{300e}'),
    ('\u{3010}', '\u{3010}'),
    ('\u{3014}', '\u{3014}'),
    ('\u{3016}', '\u{3016}'),
    ('\u{3018}', '\u{3018}'),
    ('\u{301a}', '\u{301a}'),
    ('\u{301d}', '\u{301d}'),
    ('\u{ff08}', '\u{ff08}'),
    ('\u{ff3b}', '\u{ff3b}'),
    ('\u{ff5b}', '\u{ff5b}'),
    ('\u{ff5f}', '\u{ff5f}'),
    ('\u{ff62}', '\u{ff62}'),
];

const CLOSERS: &[(char, char)] = &[
    ('"', '"'),
    ('\'', '\''),
    (')', ')'),
    ('>', '>'),
    (']', ']'),
    ('}', '}'),
    ('\u{ab}', '\u{ab}'),
    ('\u{bb}', '\u{bb}'),
    ('\u{2018}', '\u{201f}'),
    ('\u{2039}', '\u{203a}'),
    ('\u{2046}', '\u{2046}'),
    ('\u{207e}', '\u{207e}'),
    ('\u{208e}', '\u{208e}'),
    ('\u{232a}', '\u{232a}'),
    ('\u{27e7}', '\u{27e7}'),
    ('\u{27e9}', '\u{27e9}'),
    ('\u{3009}', '\u{3009}'),
    ('\u{300b}', '\u{300b}'),
    ('\u{300d}', '\u{300d}'),
    ('\u{300f}', '\u{300f}'),
    ('\u{3011}', '\u{3011}'),
    ('\u{3015}', '\u{3015}'),
    ('\u{3017}', '\u{3017}'),
    ('\u{3019}', '\u{3019}'),
    ('\u{301b}', '\u{301b}'),
    ('\u{301e}', '\u{301f}'),
    ('\u{ff09}', '\u{ff09}'),
    ('\u{ff3d}', '\u{ff3d}'),
    ('\u{ff5d}', '\u{ff5d}'),
    ('\u{ff60}', '\u{ff60}'),
    ('\u{ff63}', '\u{ff63}'),
];

const DELIMITERS: &[(char, char)] = &[
    ('-', '-'),
    ('/', '/'),
    (':', ':'),
    ('\u{a1}', '\u{a1}'),
    ('\u{b7}', '\u{b7}'),
    ('\u{bf}', '\u{bf}'),
    ('\u{37e}', '\u{37e}'),
    ('\u{387}', '\u{387}'),
    ('\u{55a}', '\u{55f}'),
    ('\u{589}', '\u{58a}'),
    ('\u{5be}', '\u{5be}'),
    ('\u{5c0}', '\u{5c0}'),
    ('\u{5c3}', '\u{5c3}'),
    ('\u{5c6}', '\u{5c6}'),
    ('\u{5f3}', '\u{5f4}'),
    ('\u{609}', '\u{60a}'),
    ('\u{60c}', '\u{60d}'),
    ('\u{61b}', '\u{61b}'),
    ('\u{61e}', '\u{61f}'),
    ('\u{66a}', '\u{66d}'),
    ('\u{6d4}', '\u{6d4}'),
    ('\u{964}', '\u{965}'),
    ('\u{970}', '\u{970}'),
    ('\u{2010}', '\u{2017}'),
    ('\u{2020}', '\u{2027}'),
    ('\u{2030}', '\u{2038}'),
    ('\u{203b}', '\u{203e}'),
    ('\u{2041}', '\u{2043}'),
    ('\u{2047}', '\u{2051}'),
    ('\u{2053}', '\u{2053}'),
    ('\u{2055}', '\u{205e}'),
    ('\u{2e00}', '\u{2e01}'),
    ('\u{2e06}', '\u{2e08}'),
    ('\u{2e0b}', '\u{2e0b}'),
    ('\u{2e0e}', '\u{2e1b}'),
    ('\u{2e1e}', '\u{2e1f}'),
    ('\u{2e2a}', '\u{2e2e}'),
    ('\u{2e30}', '\u{2e31}'),
    ('\u{3001}', '\u{3003}'),
    ('\u{301c}', '\u{301c}'),
    ('\u{3030}', '\u{3030}'),
    ('\u{303d}', '\u{303d}'),
    ('\u{30a0}', '\u{30a0}'),
    ('\u{30fb}', '\u{30fb}'),
    ('\u{fe10}', '\u{fe16}'),
    ('\u{fe19}', '\u{fe19}'),
    ('\u{fe30}', '\u{fe32}'),
    ('\u{fe45}', '\u{fe46}'),
    ('\u{fe49}', '\u{fe4c}'),
    ('\u{fe50}', '\u{fe52}'),
    ('\u{fe54}', '\u{fe58}'),
    ('\u{fe5f}', '\u{fe61}'),
    ('\u{fe63}', '\u{fe63}'),
    ('\u{fe68}', '\u{fe68}'),
    ('\u{fe6a}', '\u{fe6b}'),
    ('\u{ff01}', '\u{ff03}'),
    ('\u{ff05}', '\u{ff07}'),
    ('\u{ff0a}', '\u{ff0a}'),
    ('\u{ff0c}', '\u{ff0f}'),
    ('\u{ff1a}', '\u{ff1b}'),
    ('\u{ff1f}', '\u{ff20}'),
    ('\u{ff3c}', '\u{ff3c}'),
    ('\u{ff61}', '\u{ff61}'),
    ('\u{ff64}', '\u{ff65}'),
];

const CLOSING_DELIMITERS: &[(char, char)] = &[
    ('!', '!'),
    (',', ','),
    ('.', '.'),
    (';', ';'),
    ('?', '?'),
    ('\\', '\\'),
];

/// May an inline start-string follow `char`?
fn is_start_prefix(char: char) -> bool {
    char.is_whitespace() || in_ranges(char, OPENERS) || in_ranges(char, DELIMITERS)
}

/// May `char` follow an inline end-string?
fn is_end_suffix(char: char) -> bool {
    // `\0` marks an escaped character: `` ``word``\ s `` is a common idiom.
    char == '\0'
        || char.is_whitespace()
        || in_ranges(char, CLOSING_DELIMITERS)
        || in_ranges(char, DELIMITERS)
        || in_ranges(char, CLOSERS)
}

/// Whether `open` and `close` enclose a start-string so that it is not markup: `(*)`,
/// `"*"`, `'*'`, `<*>` and the typographic quote pairs.
fn encloses(open: char, close: char) -> bool {
    matches!(
        (open, close),
        ('(', ')')
            | ('[', ']')
            | ('{', '}')
            | ('<', '>')
            | ('"', '"')
            | ('\'', '\'')
            | ('\u{ab}', '\u{bb}')
            | ('\u{bb}', '\u{ab}' | '\u{bb}')
            | ('\u{2018}', '\u{2019}' | '\u{201a}')
            | ('\u{2019}', '\u{2019}')
            | ('\u{201a}', '\u{2018}' | '\u{2019}')
            | ('\u{201c}', '\u{201d}' | '\u{201e}')
            | ('\u{201d}', '\u{201d}')
            | ('\u{201e}', '\u{201c}' | '\u{201d}')
            | ('\u{2039}', '\u{203a}')
            | ('\u{203a}', '\u{2039}' | '\u{203a}')
    )
}

/// Roles docutils implements (by every name it knows them by).
const ROLES: &[&str] = &[
    "abbreviation",
    "ab",
    "acronym",
    "ac",
    "code",
    "emphasis",
    "literal",
    "math",
    "pep-reference",
    "pep",
    "rfc-reference",
    "rfc",
    "strong",
    "subscript",
    "sub",
    "superscript",
    "sup",
    "title-reference",
    "title",
    "t",
];

/// Roles docutils names but does not implement.
const UNIMPLEMENTED_ROLES: &[&str] = &[
    "anonymous-reference",
    "citation-reference",
    "footnote-reference",
    "i",
    "index",
    "named-reference",
    "substitution-reference",
    "target",
    "uri-reference",
    "uri",
    "url",
];

/// How a directive's content is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    /// No content allowed.
    None,
    /// Optional reStructuredText.
    OptionalBody,
    /// Required reStructuredText.
    Body,
    /// Required text with inline markup only.
    Inline,
    /// Required text that is not parsed.
    Literal,
    /// Optional text that is not parsed.
    OptionalLiteral,
}

/// What the checker knows about a docutils directive.
struct Directive {
    names: &'static [&'static str],
    required: usize,
    optional: usize,
    final_whitespace: bool,
    content: Content,
    /// The options it accepts, when the checker checks them.
    options: Option<&'static [&'static str]>,
    /// Only valid inside a substitution definition.
    substitution_only: bool,
}

const IMAGE_OPTIONS: &[&str] = &[
    "alt", "height", "width", "scale", "align", "name", "class", "target", "loading",
];
const FIGURE_OPTIONS: &[&str] = &[
    "alt", "height", "width", "scale", "align", "name", "class", "target", "loading", "figwidth",
    "figclass",
];
const CODE_OPTIONS: &[&str] = &["class", "name", "number-lines"];
const ADMONITION_OPTIONS: &[&str] = &["class", "name"];

const fn directive(
    names: &'static [&'static str],
    required: usize,
    optional: usize,
    content: Content,
) -> Directive {
    Directive {
        names,
        required,
        optional,
        final_whitespace: true,
        content,
        options: None,
        substitution_only: false,
    }
}

const DIRECTIVES: &[Directive] = &[
    Directive {
        options: Some(ADMONITION_OPTIONS),
        ..directive(
            &[
                "attention",
                "caution",
                "danger",
                "error",
                "hint",
                "important",
                "note",
                "tip",
                "warning",
            ],
            0,
            0,
            Content::Body,
        )
    },
    Directive {
        options: Some(ADMONITION_OPTIONS),
        ..directive(&["admonition"], 1, 0, Content::Body)
    },
    Directive {
        options: Some(IMAGE_OPTIONS),
        ..directive(&["image"], 1, 0, Content::None)
    },
    Directive {
        options: Some(FIGURE_OPTIONS),
        ..directive(&["figure"], 1, 0, Content::OptionalBody)
    },
    Directive {
        options: Some(CODE_OPTIONS),
        final_whitespace: false,
        ..directive(
            &["code", "code-block", "sourcecode"],
            0,
            1,
            Content::Literal,
        )
    },
    directive(&["topic"], 1, 0, Content::Body),
    directive(&["sidebar"], 0, 1, Content::Body),
    directive(&["line-block", "parsed-literal"], 0, 0, Content::Inline),
    directive(&["math"], 0, 1, Content::OptionalLiteral),
    directive(&["rubric"], 1, 0, Content::None),
    directive(
        &["epigraph", "highlights", "pull-quote", "compound"],
        0,
        0,
        Content::Body,
    ),
    directive(&["container", "table", "list-table"], 0, 1, Content::Body),
    directive(&["csv-table"], 0, 1, Content::OptionalLiteral),
    directive(&["contents"], 0, 1, Content::None),
    directive(&["sectnum", "section-numbering"], 0, 0, Content::None),
    directive(&["header", "footer"], 0, 0, Content::Body),
    directive(&["target-notes"], 0, 0, Content::None),
    directive(&["meta"], 0, 0, Content::Literal),
    Directive {
        substitution_only: true,
        ..directive(&["replace"], 0, 0, Content::Inline)
    },
    Directive {
        substitution_only: true,
        ..directive(&["unicode"], 1, 0, Content::None)
    },
    Directive {
        substitution_only: true,
        ..directive(&["date"], 0, 1, Content::None)
    },
    directive(&["class", "rst-class"], 1, 0, Content::OptionalBody),
    directive(&["role"], 1, 0, Content::OptionalLiteral),
    directive(&["default-role"], 0, 1, Content::None),
    directive(&["title"], 1, 0, Content::None),
    directive(
        &["restructuredtext-test-directive"],
        0,
        usize::MAX,
        Content::OptionalLiteral,
    ),
];

/// The kind of a top-level element, for the placement rules of transitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Element {
    Title,
    Transition,
    Body,
}

/// An explicit target name's definition.
#[derive(Debug, Clone)]
struct ExplicitTarget {
    /// The URI (or `name_` for an indirect target); `None` for an internal target.
    uri: Option<String>,
    /// Defined twice with different destinations: references to it are ambiguous.
    ambiguous: bool,
}

/// What the document defines and refers to, collected while parsing and resolved at
/// the end.
#[derive(Default)]
struct Checker {
    issues: Vec<Issue>,
    title_styles: Vec<(Option<char>, char)>,
    section_level: usize,
    elements: Vec<(Element, usize)>,
    renders: bool,
    explicit: HashMap<String, ExplicitTarget>,
    implicit: HashMap<String, usize>,
    references: Vec<(String, usize)>,
    indirect: Vec<(String, String, usize)>,
    anonymous_references: Vec<usize>,
    anonymous_targets: usize,
    substitutions: HashSet<String>,
    substitution_references: Vec<(String, usize)>,
    footnote_labels: HashSet<String>,
    auto_footnotes: usize,
    symbol_footnotes: usize,
    footnote_references: Vec<(String, usize)>,
    roles: HashSet<String>,
}

impl Checker {
    fn issue(&mut self, line: usize, message: impl Into<String>) {
        self.issues.push(Issue {
            line,
            message: message.into(),
        });
    }

    fn element(&mut self, element: Element, nested: bool, line: usize, renders: bool) {
        if !nested {
            self.elements.push((element, line));
        }
        self.renders |= renders;
    }

    /// Parse body elements; `nested` is true inside lists, quotes, directives and
    /// tables, where sections and transitions are not allowed.
    fn body(&mut self, lines: &[Line], nested: bool) {
        let mut index = 0;
        while index < lines.len() {
            let line = &lines[index];
            if line.blank() {
                index += 1;
                continue;
            }
            if line.indent() > 0 {
                let indented = get_indented(lines, index, None, false, false);
                self.element(Element::Body, nested, line.number, true);
                self.body(&indented.block, true);
                if !indented.blank_finish && indented.end < lines.len() {
                    self.issue(
                        lines[indented.end].number,
                        "Block quote ends without a blank line; unexpected unindent.",
                    );
                }
                index = indented.end;
                continue;
            }
            let text = line.text.as_str();
            let next = if bullet(text).is_some() {
                self.bullet_list(lines, index, nested)
            } else if let Some(next) = self.enumerated_list(lines, index, nested) {
                next
            } else if field_marker(text).is_some() {
                self.marked_list(lines, index, nested, field_marker, "Field list")
            } else if option_marker(text).is_some() {
                self.marked_list(lines, index, nested, option_marker, "Option list")
            } else if text == ">>>" || text.starts_with(">>> ") {
                self.element(Element::Body, nested, line.number, true);
                let mut end = index;
                while end < lines.len() && !lines[end].blank() {
                    end += 1;
                }
                end
            } else if line_block_marker(text).is_some() {
                self.line_block(lines, index, nested)
            } else if is_grid_border(&text.chars().collect::<Vec<_>>()) {
                self.grid_table(lines, index, nested)
            } else if is_simple_table_top(text) {
                self.simple_table(lines, index, nested)
            } else if explicit_marker(text).is_some() || anonymous_marker(text).is_some() {
                self.explicit_list(lines, index, nested)
            } else if is_punctuation_line(text) {
                self.line(lines, index, nested)
            } else {
                self.text(lines, index, nested)
            };
            index = next.max(index + 1);
        }
    }

    fn bullet_list(&mut self, lines: &[Line], start: usize, nested: bool) -> usize {
        let (bullet_char, _) = bullet(&lines[start].text).unwrap_or(('*', 1));
        let same_bullet = |text: &str| {
            bullet(text)
                .filter(|(char, _)| *char == bullet_char)
                .map(|(_, end)| end)
        };
        self.element(Element::Body, nested, lines[start].number, true);
        self.list_items(lines, start, same_bullet, "Bullet list", true)
    }

    /// Items that each start with a marker on an unindented line and continue on
    /// indented lines.
    fn list_items(
        &mut self,
        lines: &[Line],
        start: usize,
        marker: impl Fn(&str) -> Option<usize>,
        kind: &str,
        known_indent: bool,
    ) -> usize {
        let mut index = start;
        loop {
            let marker_end = marker(&lines[index].text).unwrap_or(0);
            let item = if known_indent {
                list_item(lines, index, marker_end)
            } else {
                get_indented(lines, index, Some(marker_end), false, true)
            };
            self.body(&item.block, true);
            index = item.end;
            if index >= lines.len() {
                return index;
            }
            if marker(&lines[index].text).is_some() {
                continue;
            }
            if !item.blank_finish {
                self.issue(
                    lines[index].number,
                    format!("{kind} ends without a blank line; unexpected unindent."),
                );
            }
            return index;
        }
    }

    fn marked_list(
        &mut self,
        lines: &[Line],
        start: usize,
        nested: bool,
        marker: fn(&str) -> Option<usize>,
        kind: &str,
    ) -> usize {
        self.element(Element::Body, nested, lines[start].number, true);
        self.list_items(lines, start, marker, kind, false)
    }

    /// An enumerated list, or `None` when the line is not one's first item.
    fn enumerated_list(&mut self, lines: &[Line], start: usize, nested: bool) -> Option<usize> {
        let first = enumerator(&lines[start].text, None)?;
        if !is_enumerated_item(lines, start, &first) {
            return None;
        }
        self.element(Element::Body, nested, lines[start].number, true);
        let mut current = first;
        let mut index = start;
        loop {
            let item = list_item(lines, index, current.end);
            self.body(&item.block, true);
            index = item.end;
            if index >= lines.len() {
                return Some(index);
            }
            let next = enumerator(&lines[index].text, Some(current.sequence)).filter(|next| {
                next.format == current.format
                    && (next.sequence == Sequence::Auto
                        || (next.sequence == current.sequence
                            && next.ordinal == current.ordinal + 1))
                    && is_enumerated_item(lines, index, next)
            });
            match next {
                Some(next) => current = next,
                None => {
                    if !item.blank_finish {
                        self.issue(
                            lines[index].number,
                            "Enumerated list ends without a blank line; unexpected unindent.",
                        );
                    }
                    return Some(index);
                }
            }
        }
    }

    fn line_block(&mut self, lines: &[Line], start: usize, nested: bool) -> usize {
        self.element(Element::Body, nested, lines[start].number, true);
        let mut index = start;
        loop {
            let marker_end = line_block_marker(&lines[index].text).unwrap_or(1);
            let item = get_indented(lines, index, Some(marker_end), true, false);
            let text: Vec<Line> = item
                .block
                .iter()
                .filter(|line| !line.blank())
                .cloned()
                .collect();
            self.inline(&text);
            index = item.end;
            if index >= lines.len() {
                return index;
            }
            if line_block_marker(&lines[index].text).is_some() {
                continue;
            }
            if !lines[index].blank() {
                self.issue(
                    lines[index - 1].number,
                    "Line block ends without a blank line.",
                );
            }
            return index;
        }
    }

    /// A line that starts with a paragraph-like text: a paragraph, a section title with
    /// an underline, or a definition list.
    fn text(&mut self, lines: &[Line], start: usize, nested: bool) -> usize {
        let line = &lines[start];
        let Some(next) = lines.get(start + 1).filter(|next| !next.blank()) else {
            return self.paragraph(lines, start, nested);
        };
        if next.indent() > 0 {
            return self.definition_list(lines, start, nested);
        }
        if is_punctuation_line(&next.text) {
            let title = line.text.as_str();
            let underline_length = next.text.chars().count();
            if column_width(title) > underline_length {
                if underline_length < 4 {
                    // Too short to be an underline: ordinary text.
                    return self.paragraph(lines, start, nested);
                }
                self.issue(next.number, "Title underline too short.");
            }
            if nested {
                self.issue(next.number, "Unexpected section title.");
                return start + 2;
            }
            let style = (None, next.text.chars().next().unwrap_or('='));
            self.section(title, style, line.number);
            return start + 2;
        }
        self.paragraph(lines, start, nested)
    }

    /// A paragraph from `start` to the next blank or indented line, and the literal
    /// block it announces with a final `::`.
    fn paragraph(&mut self, lines: &[Line], start: usize, nested: bool) -> usize {
        let mut end = start + 1;
        while end < lines.len() && !lines[end].blank() {
            if lines[end].indent() > 0 {
                self.issue(lines[end].number, "Unexpected indentation.");
                break;
            }
            end += 1;
        }
        let paragraph = &lines[start..end];
        self.element(Element::Body, nested, lines[start].number, true);
        self.inline(paragraph);
        let last = paragraph
            .last()
            .map(|line| line.text.as_str())
            .unwrap_or_default();
        if last.ends_with("::") && !last.ends_with("\\::") {
            return self.literal_block(lines, end, paragraph.last().map_or(1, |l| l.number));
        }
        end
    }

    /// The literal block after a paragraph that ends with `::`.
    fn literal_block(&mut self, lines: &[Line], start: usize, paragraph_end: usize) -> usize {
        let indented = get_indented(lines, start, None, false, false);
        if indented.block.iter().any(|line| !line.blank()) {
            if !indented.blank_finish && indented.end < lines.len() {
                self.issue(
                    lines[indented.end].number,
                    "Literal block ends without a blank line; unexpected unindent.",
                );
            }
            return indented.end;
        }
        // A quoted literal block: unindented lines that all start with the same
        // punctuation character.
        let Some(first) = (start..lines.len()).find(|&index| !lines[index].blank()) else {
            let line = lines.last().map_or(paragraph_end + 1, |line| {
                if line.blank() {
                    line.number
                } else {
                    line.number + 1
                }
            });
            self.issue(line, "Literal block expected; none found.");
            return lines.len();
        };
        let quote = lines[first].text.chars().next().unwrap_or(' ');
        if !is_adornment_char(quote) {
            self.issue(lines[first].number, "Literal block expected; none found.");
            return first;
        }
        let mut end = first;
        while end < lines.len() && !lines[end].blank() {
            if !lines[end].text.starts_with(quote) {
                self.issue(lines[end].number, "Inconsistent literal block quoting.");
                break;
            }
            end += 1;
        }
        end
    }

    fn definition_list(&mut self, lines: &[Line], start: usize, nested: bool) -> usize {
        self.element(Element::Body, nested, lines[start].number, true);
        let mut index = start;
        loop {
            self.inline(&lines[index..=index]);
            let definition = get_indented(lines, index + 1, None, false, false);
            self.body(&definition.block, true);
            index = definition.end;
            if index >= lines.len() {
                return index;
            }
            let starts_item = !lines[index].blank()
                && !is_punctuation_line(&lines[index].text)
                && lines
                    .get(index + 1)
                    .is_some_and(|next| !next.blank() && next.indent() > 0);
            if starts_item {
                continue;
            }
            if !definition.blank_finish {
                self.issue(
                    lines[index].number,
                    "Definition list ends without a blank line; unexpected unindent.",
                );
            }
            return index;
        }
    }

    /// A line of punctuation: a transition, or the overline of a section title.
    fn line(&mut self, lines: &[Line], start: usize, nested: bool) -> usize {
        let overline = lines[start].text.as_str();
        let overline_length = overline.chars().count();
        let short = overline_length < 4;
        let Some(title_line) = lines.get(start + 1).filter(|line| !line.blank()) else {
            if short {
                return self.text(lines, start, nested);
            }
            if nested {
                self.issue(
                    lines[start].number,
                    "Unexpected section title or transition.",
                );
            } else {
                self.element(Element::Transition, nested, lines[start].number, true);
            }
            return start + 1;
        };
        let number = lines[start].number;
        let Some(underline) = lines.get(start + 2) else {
            if short {
                return self.text(lines, start, nested);
            }
            self.issue(number, "Incomplete section title.");
            return start + 2;
        };
        if !is_punctuation_line(&underline.text) {
            if short {
                return self.text(lines, start, nested);
            }
            self.issue(
                number,
                "Missing matching underline for section title overline.",
            );
            return start + 3;
        }
        if underline.text != overline {
            if short {
                return self.text(lines, start, nested);
            }
            self.issue(number, "Title overline & underline mismatch.");
            return start + 3;
        }
        let title = title_line.text.as_str();
        if column_width(title) > overline_length {
            if short {
                return self.text(lines, start, nested);
            }
            self.issue(number, "Title overline too short.");
        }
        if nested {
            self.issue(number, "Unexpected section title or transition.");
            return start + 3;
        }
        let style_char = overline.chars().next().unwrap_or('=');
        self.section(
            title.trim(),
            (Some(style_char), style_char),
            title_line.number,
        );
        start + 3
    }

    fn section(&mut self, title: &str, style: (Option<char>, char), line: usize) {
        let old_level = self.section_level;
        let known = self.title_styles.iter().position(|known| *known == style);
        let new_level = known.map_or(self.title_styles.len() + 1, |position| position + 1);
        if new_level > old_level + 1 {
            self.issue(
                line,
                format!("Inconsistent title style: skip from level {old_level} to {new_level}."),
            );
            return;
        }
        if known.is_none() {
            self.title_styles.push(style);
        }
        self.section_level = new_level;
        self.element(Element::Title, false, line, true);
        let title_line = Line {
            text: title.to_string(),
            number: line,
        };
        self.inline(std::slice::from_ref(&title_line));
        let name = normalize_name(&title.replace(['`', '*', '|'], ""));
        *self.implicit.entry(name).or_default() += 1;
    }

    fn explicit_list(&mut self, lines: &[Line], start: usize, nested: bool) -> usize {
        let mut index = start;
        loop {
            let text = &lines[index].text;
            let (marker_end, anonymous) = match anonymous_marker(text) {
                Some(end) => (end, true),
                None => (explicit_marker(text).unwrap_or(2), false),
            };
            // Targets end at the first blank line; an empty comment is one line.
            let rest = after_chars(text, marker_end);
            let until_blank = anonymous || (rest.starts_with('_') && target_name(rest).is_some());
            let empty_comment = rest.is_empty() && lines.get(index + 1).is_none_or(Line::blank);
            let construct = if empty_comment {
                Indented {
                    block: vec![lines[index].clone()],
                    end: index + 1,
                    blank_finish: true,
                }
            } else {
                get_indented(lines, index, Some(marker_end), until_blank, false)
            };
            if anonymous {
                self.anonymous_targets += 1;
                self.element(Element::Body, nested, lines[index].number, false);
            } else {
                self.explicit_construct(&construct.block, nested);
            }
            index = construct.end;
            if index >= lines.len() {
                return index;
            }
            let text = &lines[index].text;
            if explicit_marker(text).is_some() || anonymous_marker(text).is_some() {
                continue;
            }
            if !construct.blank_finish {
                self.issue(
                    lines[index].number,
                    "Explicit markup ends without a blank line; unexpected unindent.",
                );
            }
            return index;
        }
    }

    /// A footnote, citation, target, substitution definition, directive or comment;
    /// `block[0]` is the text after `.. `.
    fn explicit_construct(&mut self, block: &[Line], nested: bool) {
        let Some(first) = block.first() else {
            return;
        };
        let number = first.number;
        let text = first.text.as_str();
        if let Some((label, rest)) = footnote_label(text) {
            self.footnote(label, number);
            self.element(Element::Body, nested, number, true);
            let mut body = vec![Line {
                text: rest.to_string(),
                number,
            }];
            body.extend_from_slice(&block[1..]);
            self.body(&body, true);
            return;
        }
        if text.starts_with('_') {
            if self.target(block) {
                self.element(Element::Body, nested, number, false);
            }
            return;
        }
        if let Some((name, rest)) = substitution_name(text) {
            self.element(Element::Body, nested, number, false);
            let Some((directive_name, arguments)) = directive_start(rest) else {
                self.issue(
                    number,
                    format!("Substitution definition \"{name}\" empty or invalid."),
                );
                return;
            };
            let key = normalize_name(name);
            if !self.substitutions.insert(key) {
                self.issue(
                    number,
                    format!("Duplicate substitution definition name: \"{name}\"."),
                );
            }
            self.directive(directive_name, arguments, &block[1..], number, true);
            return;
        }
        if let Some((name, arguments)) = directive_start(text) {
            self.element(Element::Body, nested, number, true);
            self.directive(name, arguments, &block[1..], number, false);
        }
        // Anything else is a comment.
    }

    fn footnote(&mut self, label: &str, line: usize) {
        match label {
            "#" => self.auto_footnotes += 1,
            "*" => self.symbol_footnotes += 1,
            _ => {
                self.footnote_labels.insert(normalize_name(label));
                let name = normalize_name(label.trim_start_matches('#'));
                if !label.chars().all(|char| char.is_ascii_digit()) {
                    self.define_explicit(name, None, line);
                }
            }
        }
    }

    /// `.. _name: URI`, `.. _name:`, `.. _name: other_`, `.. __: URI`. Returns false when
    /// the construct is not a target (then it is a comment).
    fn target(&mut self, block: &[Line]) -> bool {
        let text = &block[0].text;
        let number = block[0].number;
        let Some((name, rest)) = target_name(text) else {
            return false;
        };
        let mut destination: String = rest.trim().to_string();
        for line in &block[1..] {
            destination.push(' ');
            destination.push_str(line.text.trim());
        }
        let destination = destination.trim().to_string();
        if name == "_" {
            self.anonymous_targets += 1;
            return true;
        }
        let name = normalize_name(&name);
        let uri = if destination.is_empty() {
            None
        } else if destination.ends_with('_')
            && !destination.ends_with("\\_")
            && (destination.starts_with('`') || !destination.contains(char::is_whitespace))
        {
            let referenced = normalize_name(
                destination
                    .trim_end_matches('_')
                    .trim_start_matches('`')
                    .trim_end_matches('`'),
            );
            self.indirect
                .push((name.clone(), referenced.clone(), number));
            Some(format!("{referenced}_"))
        } else {
            Some(destination.split_whitespace().collect::<String>())
        };
        self.define_explicit(name, uri, number);
        true
    }

    fn define_explicit(&mut self, name: String, uri: Option<String>, line: usize) {
        match self.explicit.get_mut(&name) {
            Some(existing) => {
                let same = existing.uri.is_some() && existing.uri == uri;
                if !same {
                    existing.ambiguous = true;
                    self.issue(line, format!("Duplicate explicit target name: \"{name}\"."));
                }
            }
            None => {
                self.explicit.insert(
                    name,
                    ExplicitTarget {
                        uri,
                        ambiguous: false,
                    },
                );
            }
        }
    }

    fn directive(
        &mut self,
        name: &str,
        first: &str,
        rest: &[Line],
        line: usize,
        in_substitution: bool,
    ) {
        let lowercase = name.to_lowercase();
        match lowercase.as_str() {
            "raw" => {
                self.issue(line, "\"raw\" directive disabled.");
                return;
            }
            "include" => {
                self.issue(line, "\"include\" directive disabled.");
                return;
            }
            _ => {}
        }
        let Some(spec) = DIRECTIVES
            .iter()
            .find(|spec| spec.names.contains(&lowercase.as_str()))
        else {
            self.issue(line, format!("Unknown directive type \"{name}\"."));
            return;
        };
        if spec.substitution_only && !in_substitution {
            self.issue(
                line,
                format!(
                    "Invalid context: the \"{name}\" directive can only be used within a substitution definition."
                ),
            );
            return;
        }
        let error = |message: String| format!("Error in \"{name}\" directive: {message}");
        // docutils' parse_directive_block: arguments up to the first blank line, options
        // from the first line that starts with `:`, then the content.
        let mut indented = vec![Line {
            text: first.to_string(),
            number: line,
        }];
        indented.extend_from_slice(rest);
        if indented.first().is_some_and(Line::blank) {
            indented.remove(0);
        }
        let takes_arguments = spec.required + spec.optional > 0;
        let blank = indented
            .iter()
            .position(Line::blank)
            .unwrap_or(indented.len());
        let mut arguments: Vec<Line> = indented[..blank].to_vec();
        let mut content: Vec<Line> = indented[(blank + 1).min(indented.len())..].to_vec();
        let option_start = arguments
            .iter()
            .position(|line| line.text.trim_start().starts_with(':'))
            .unwrap_or(arguments.len());
        let options: Vec<Line> = arguments.split_off(option_start);
        if !takes_arguments && arguments.iter().any(|line| !line.blank()) {
            let mut all = arguments.clone();
            all.extend_from_slice(&indented[blank.min(indented.len())..]);
            content = all;
            arguments.clear();
        }
        while content.first().is_some_and(Line::blank) {
            content.remove(0);
        }
        let words: Vec<&str> = arguments
            .iter()
            .flat_map(|line| line.text.split_whitespace())
            .collect();
        if words.len() < spec.required {
            self.issue(
                line,
                error(format!(
                    "{} argument(s) required, {} supplied.",
                    spec.required,
                    words.len()
                )),
            );
            return;
        }
        if words.len() > spec.required + spec.optional && !spec.final_whitespace {
            self.issue(
                line,
                error(format!(
                    "maximum {} argument(s) allowed, {} supplied.",
                    spec.required + spec.optional,
                    words.len()
                )),
            );
            return;
        }
        let mut seen_options = HashSet::new();
        for option in &options {
            let text = option.text.trim_start();
            let Some(option_text) = text.strip_prefix(':') else {
                continue;
            };
            let Some((option_name, value)) = option_text.split_once(':') else {
                self.issue(line, error("invalid option block.".to_string()));
                return;
            };
            if !seen_options.insert(option_name.to_string()) {
                self.issue(
                    line,
                    error(format!(
                        "invalid option data: duplicate option \"{option_name}\"."
                    )),
                );
                return;
            }
            if let Some(allowed) = spec.options
                && !allowed.contains(&option_name)
            {
                self.issue(line, error(format!("unknown option: \"{option_name}\".")));
                return;
            }
            match option_name {
                "target" => {
                    let value = value.trim();
                    if value.ends_with('_') && !value.ends_with("\\_") {
                        let name = normalize_name(value.trim_end_matches('_').trim_matches('`'));
                        self.references.push((name, option.number));
                    }
                }
                "name" => {
                    let name = normalize_name(value);
                    if !name.is_empty() {
                        self.define_explicit(name, None, line);
                    }
                }
                "file" | "url" if lowercase == "csv-table" => {
                    self.issue(
                        line,
                        "File and URL access deactivated; ignoring \"csv-table\" directive.",
                    );
                    return;
                }
                _ => {}
            }
        }
        let has_content = content.iter().any(|line| !line.blank());
        match spec.content {
            Content::None if has_content => {
                self.issue(line, error("no content permitted.".to_string()));
            }
            Content::Body | Content::Inline | Content::Literal if !has_content => {
                self.issue(
                    line,
                    format!("Content block expected for the \"{name}\" directive; none found."),
                );
            }
            Content::Body | Content::OptionalBody => {
                if lowercase == "list-table"
                    && let Some(message) = list_table_problem(&content)
                {
                    self.issue(
                        line,
                        format!(
                            "Error parsing content block for the \"{name}\" directive: {message}"
                        ),
                    );
                }
                self.body(&content, true);
            }
            Content::Inline => {
                let text: Vec<Line> = content
                    .iter()
                    .filter(|line| !line.blank())
                    .cloned()
                    .collect();
                self.inline(&text);
            }
            _ => {}
        }
        if lowercase == "role"
            && let Some(role) = words.first()
        {
            let role = role.split('(').next().unwrap_or_default().to_lowercase();
            self.roles.insert(role);
        }
        if matches!(
            lowercase.as_str(),
            "rubric" | "topic" | "admonition" | "sidebar"
        ) {
            let text = Line {
                text: words.join(" "),
                number: line,
            };
            self.inline(std::slice::from_ref(&text));
        }
    }

    fn grid_table(&mut self, lines: &[Line], start: usize, nested: bool) -> usize {
        self.element(Element::Body, nested, lines[start].number, true);
        let mut end = start;
        let mut blank_finish = true;
        while end < lines.len() && !lines[end].blank() {
            if lines[end].indent() > 0 {
                self.issue(lines[end].number, "Unexpected indentation.");
                blank_finish = false;
                break;
            }
            end += 1;
        }
        let mut rows: Vec<Vec<char>> = lines[start..end]
            .iter()
            .map(|line| pad_double_width(&line.text))
            .collect();
        let width = rows[0].len();
        if let Some(cut) = rows
            .iter()
            .position(|row| !matches!(row.first(), Some('+' | '|')))
        {
            rows.truncate(cut);
            blank_finish = false;
        }
        if !rows.last().is_some_and(|row| is_grid_border(row)) {
            blank_finish = false;
            match (2..rows.len().saturating_sub(1))
                .rev()
                .find(|&row| is_grid_border(&rows[row]))
            {
                Some(bottom) => rows.truncate(bottom + 1),
                None => {
                    self.issue(
                        lines[start].number,
                        "Malformed table. No bottom table border found.",
                    );
                    return start + rows.len().max(1);
                }
            }
        }
        let next = start + rows.len();
        for (offset, row) in rows.iter().enumerate() {
            if row.len() != width || !matches!(row.last(), Some('+' | '|')) {
                self.issue(lines[start + offset].number, "Malformed table.");
                return next;
            }
        }
        match parse_grid(&mut rows) {
            Ok(cells) => {
                for (top, left, bottom, right) in cells {
                    let cell =
                        cell_lines(&rows, &lines[start..next], top + 1..bottom, left + 1, right);
                    self.body(&cell, true);
                }
            }
            Err(message) => self.issue(lines[start].number, format!("Malformed table. {message}")),
        }
        if !blank_finish && next < lines.len() {
            self.issue(lines[next].number, "Blank line required after table.");
        }
        next
    }

    fn simple_table(&mut self, lines: &[Line], start: usize, nested: bool) -> usize {
        self.element(Element::Body, nested, lines[start].number, true);
        let top_length = lines[start].text.trim().chars().count();
        let last = lines.len() - 1;
        let mut found = 0;
        let mut found_at = None;
        let mut end = None;
        let mut index = start + 1;
        while index <= last {
            let text = &lines[index].text;
            if is_simple_border(text) {
                if text.trim().chars().count() != top_length {
                    self.issue(
                        lines[index].number,
                        "Malformed table. Bottom/header table border does not match top border.",
                    );
                    return index + 1;
                }
                found += 1;
                found_at = Some(index);
                if found == 2 || index == last || lines[index + 1].blank() {
                    end = Some(index);
                    break;
                }
            }
            index += 1;
        }
        let Some(end) = end else {
            match found_at {
                Some(found_at) => {
                    self.issue(
                        lines[start].number,
                        "Malformed table. No bottom table border found or no blank line after table bottom.",
                    );
                    return found_at + 1;
                }
                None => {
                    self.issue(
                        lines[start].number,
                        "Malformed table. No bottom table border found.",
                    );
                    return lines.len();
                }
            }
        };
        let block: Vec<Vec<char>> = lines[start..=end]
            .iter()
            .map(|line| pad_double_width(&line.text))
            .collect();
        let columns = column_spans(&block[0], '=');
        let mut rows: Vec<(usize, usize, Option<usize>)> = Vec::new();
        let mut row_start: Option<usize> = None;
        let (first_start, first_end) = columns.first().copied().unwrap_or((0, 0));
        for (offset, row) in block.iter().enumerate().take(block.len() - 1).skip(1) {
            if is_span_line(row) {
                if let Some(begin) = row_start.take() {
                    rows.push((begin, offset, Some(offset)));
                }
            } else if slice_text(row, first_start, first_end).trim().is_empty() {
                if row_start.is_none() && !row.iter().all(|char| *char == ' ') {
                    row_start = Some(offset);
                }
            } else {
                if let Some(begin) = row_start.take() {
                    rows.push((begin, offset, None));
                }
                row_start = Some(offset);
            }
        }
        if let Some(begin) = row_start {
            rows.push((begin, block.len() - 1, None));
        }
        for (begin, finish, span) in rows {
            let row_columns =
                span.map_or_else(|| columns.clone(), |span| column_spans(&block[span], '-'));
            let row_lines = &block[begin..finish];
            if let Some(offset) = text_in_margin(row_lines, &row_columns) {
                self.issue(lines[start + begin + offset].number, "Malformed table.");
                continue;
            }
            for (column, (left, right)) in row_columns.iter().enumerate() {
                let right = if column + 1 == row_columns.len() {
                    usize::MAX
                } else {
                    *right
                };
                let cell = cell_lines(&block, &lines[start..=end], begin..finish, *left, right);
                self.body(&cell, true);
            }
        }
        let blank_finish = end == last || lines[end + 1].blank();
        if !blank_finish {
            self.issue(lines[end + 1].number, "Blank line required after table.");
        }
        end + 1
    }

    /// Check the inline markup of a text block (a paragraph, title, term or cell).
    fn inline(&mut self, lines: &[Line]) {
        if lines.is_empty() {
            return;
        }
        let mut chars: Vec<char> = Vec::new();
        let mut numbers: Vec<usize> = Vec::new();
        for (index, line) in lines.iter().enumerate() {
            if index > 0 {
                chars.push('\n');
                numbers.push(line.number);
            }
            let mut iter = line.text.chars().peekable();
            while let Some(char) = iter.next() {
                if char == '\\' {
                    // An escaped character is marked with a NUL before it, as docutils
                    // does; a backslash at the end of a line escapes the line break.
                    chars.push('\0');
                    numbers.push(line.number);
                    if let Some(escaped) = iter.next() {
                        chars.push(escaped);
                        numbers.push(line.number);
                    }
                    continue;
                }
                chars.push(char);
                numbers.push(line.number);
            }
        }
        let mut inliner = Inliner {
            chars: &chars,
            numbers: &numbers,
            checker: self,
        };
        inliner.run();
    }

    /// Resolve every reference against the targets, once the whole document is read.
    fn finish(&mut self, last_line: usize) {
        // Transitions: not first in the document or a section, not last, not adjacent.
        let elements = std::mem::take(&mut self.elements);
        for (index, (element, line)) in elements.iter().enumerate() {
            if *element != Element::Transition {
                continue;
            }
            match index.checked_sub(1).map(|previous| elements[previous].0) {
                None => self.issue(*line, "Transition at the start of the document."),
                Some(Element::Title) => {
                    self.issue(*line, "Transition at the start of the section.")
                }
                Some(Element::Transition) => self.issue(
                    *line,
                    "At least one body element should separate transitions.",
                ),
                Some(Element::Body) => {}
            }
            if index + 1 == elements.len() {
                self.issue(*line, "Transition at the end of the document.");
            }
        }
        if !self.renders {
            self.issue(1, "No content rendered from RST source.");
        }
        let references = std::mem::take(&mut self.references);
        for (name, line) in references {
            if let Some(message) = self.unresolved(&name) {
                self.issue(line, message);
            }
        }
        let indirect = std::mem::take(&mut self.indirect);
        for (name, referenced, line) in indirect {
            if self.unresolved(&referenced).is_some() {
                self.issue(
                    line,
                    format!(
                        "Indirect hyperlink target \"{name}\" refers to target \"{referenced}\", which does not exist."
                    ),
                );
            }
        }
        if self.anonymous_references.len() != self.anonymous_targets {
            let line = self
                .anonymous_references
                .first()
                .copied()
                .unwrap_or(last_line);
            self.issue(
                line,
                format!(
                    "Anonymous hyperlink mismatch: {} references but {} targets.",
                    self.anonymous_references.len(),
                    self.anonymous_targets
                ),
            );
        }
        let substitution_references = std::mem::take(&mut self.substitution_references);
        for (name, line) in substitution_references {
            if !self.substitutions.contains(&normalize_name(&name)) {
                self.issue(
                    line,
                    format!("Undefined substitution referenced: \"{name}\"."),
                );
            }
        }
        let footnote_references = std::mem::take(&mut self.footnote_references);
        let mut auto = 0;
        let mut symbols = 0;
        for (label, line) in footnote_references {
            match label.as_str() {
                "#" => {
                    auto += 1;
                    if auto == self.auto_footnotes + 1 {
                        let count = self.auto_footnotes;
                        let plural = if count > 1 { "s" } else { "" };
                        self.issue(
                            line,
                            format!(
                                "Too many autonumbered footnote references: only {count} corresponding footnote{plural} available."
                            ),
                        );
                    }
                }
                "*" => {
                    symbols += 1;
                    if symbols == self.symbol_footnotes + 1 {
                        let count = self.symbol_footnotes;
                        self.issue(
                            line,
                            format!(
                                "Too many symbol footnote references: only {count} corresponding symbol footnotes available."
                            ),
                        );
                    }
                }
                _ => {
                    let key = normalize_name(&label);
                    if !self.footnote_labels.contains(&key) {
                        let name = normalize_name(label.trim_start_matches('#'));
                        if label.starts_with('#') || self.unresolved(&name).is_some() {
                            self.issue(line, format!("Unknown target name: \"{name}\"."));
                        }
                    }
                }
            }
        }
    }

    /// Why a reference to `name` does not resolve, or `None` when it does.
    fn unresolved(&self, name: &str) -> Option<String> {
        if let Some(target) = self.explicit.get(name) {
            return target.ambiguous.then(|| {
                format!("Duplicate target name, cannot be used as a unique reference: \"{name}\".")
            });
        }
        match self.implicit.get(name) {
            Some(1) => None,
            Some(_) => Some(format!(
                "Duplicate target name, cannot be used as a unique reference: \"{name}\"."
            )),
            None => Some(format!("Unknown target name: \"{name}\".")),
        }
    }
}

/// The inline markup scanner for one text block.
struct Inliner<'a, 'c> {
    chars: &'a [char],
    numbers: &'a [usize],
    checker: &'c mut Checker,
}

impl Inliner<'_, '_> {
    fn line(&self, position: usize) -> usize {
        self.numbers
            .get(position)
            .or(self.numbers.last())
            .copied()
            .unwrap_or(1)
    }

    fn at(&self, position: usize, text: &str) -> bool {
        text.chars()
            .enumerate()
            .all(|(offset, char)| self.chars.get(position + offset) == Some(&char))
    }

    fn prefix_ok(&self, position: usize) -> bool {
        position == 0 || is_start_prefix(self.chars[position - 1])
    }

    fn suffix_ok(&self, position: usize) -> bool {
        self.chars
            .get(position)
            .is_none_or(|char| is_end_suffix(*char))
    }

    /// A start-string of `length` at `position` that may open inline markup.
    fn starts(&self, position: usize, length: usize) -> bool {
        if !self.prefix_ok(position) {
            return false;
        }
        let Some(&after) = self.chars.get(position + length) else {
            // At the end of the text it opens markup only when it is the whole text.
            return position == 0;
        };
        if after.is_whitespace() {
            return false;
        }
        !(position > 0 && encloses(self.chars[position - 1], after))
    }

    /// The position of the end-string `end` after `from`, with content before it.
    fn find_end(&self, from: usize, end: &str, escape_sensitive: bool) -> Option<usize> {
        let length = end.chars().count();
        (from + 1..self.chars.len()).find(|&position| {
            let before = self.chars[position - 1];
            self.at(position, end)
                && !before.is_whitespace()
                && !(escape_sensitive && before == '\0')
                && self.suffix_ok(position + length)
        })
    }

    fn text(&self, start: usize, end: usize) -> String {
        self.chars[start..end].iter().collect()
    }

    fn run(&mut self) {
        let mut position = 0;
        while position < self.chars.len() {
            position = self.step(position);
        }
    }

    /// Recognize markup at `position` and return where scanning continues.
    fn step(&mut self, position: usize) -> usize {
        let chars = self.chars;
        let line = self.line(position);
        if self.at(position, "**") && self.starts(position, 2) {
            return match self.find_end(position + 2, "**", true) {
                Some(end) => end + 2,
                None => {
                    self.checker
                        .issue(line, "Inline strong start-string without end-string.");
                    position + 2
                }
            };
        }
        if self.at(position, "*") && !self.at(position + 1, "*") && self.starts(position, 1) {
            return match self.find_end(position + 1, "*", true) {
                Some(end) => end + 1,
                None => {
                    self.checker
                        .issue(line, "Inline emphasis start-string without end-string.");
                    position + 1
                }
            };
        }
        if self.at(position, "``") && self.starts(position, 2) {
            return match self.find_end(position + 2, "``", false) {
                Some(end) => end + 2,
                None => {
                    self.checker
                        .issue(line, "Inline literal start-string without end-string.");
                    position + 2
                }
            };
        }
        if self.at(position, "_`") && self.starts(position, 2) {
            return match self.find_end(position + 2, "`", true) {
                Some(end) => {
                    let name = normalize_name(&self.text(position + 2, end));
                    self.checker.define_explicit(name, None, line);
                    end + 1
                }
                None => {
                    self.checker.issue(
                        line,
                        "Inline internal target start-string without end-string.",
                    );
                    position + 2
                }
            };
        }
        if self.at(position, "|") && !self.at(position + 1, "|") && self.starts(position, 1) {
            return self.substitution_reference(position);
        }
        if self.at(position, "[")
            && self.prefix_ok(position)
            && let Some(end) = self.footnote_reference(position)
        {
            return end;
        }
        if self.at(position, ":")
            && self.prefix_ok(position)
            && let Some(end) = self.role_prefix(position)
        {
            return end;
        }
        if self.at(position, "`") && !self.at(position + 1, "`") && self.starts(position, 1) {
            return self.interpreted(position, position + 1, None);
        }
        if chars[position].is_alphanumeric()
            && self.prefix_ok(position)
            && let Some(end) = self.standalone_reference(position)
        {
            return end;
        }
        position + 1
    }

    fn substitution_reference(&mut self, position: usize) -> usize {
        let line = self.line(position);
        let end = (position + 2..self.chars.len()).find_map(|end| {
            let before = self.chars[end - 1];
            if self.chars[end] != '|' || before.is_whitespace() || before == '\0' {
                return None;
            }
            [("__", 2), ("_", 1), ("", 0)]
                .into_iter()
                .find(|(suffix, length)| {
                    self.at(end + 1, suffix) && self.suffix_ok(end + 1 + length)
                })
                .map(|(suffix, length)| (end, suffix, length))
        });
        match end {
            Some((end, suffix, length)) => {
                let name = self.text(position + 1, end).replace('\0', "");
                match suffix {
                    "__" => self.checker.anonymous_references.push(line),
                    "_" => self.checker.references.push((normalize_name(&name), line)),
                    _ => {}
                }
                self.checker.substitution_references.push((name, line));
                end + 1 + length
            }
            None => {
                self.checker.issue(
                    line,
                    "Inline substitution_reference start-string without end-string.",
                );
                position + 1
            }
        }
    }

    /// `[1]_`, `[#]_`, `[#label]_`, `[*]_`, `[CITATION]_`.
    fn footnote_reference(&mut self, position: usize) -> Option<usize> {
        let close = (position + 1..self.chars.len()).find(|&index| self.chars[index] == ']')?;
        let label = self.text(position + 1, close);
        if !self.at(close + 1, "_") || !self.suffix_ok(close + 2) {
            return None;
        }
        let valid = !label.is_empty()
            && (label.chars().all(|char| char.is_ascii_digit())
                || label == "#"
                || label == "*"
                || label.strip_prefix('#').is_some_and(is_simple_name)
                || is_simple_name(&label));
        if !valid {
            return None;
        }
        let line = self.line(position);
        self.checker.footnote_references.push((label, line));
        Some(close + 2)
    }

    /// `:role:` directly followed by interpreted text.
    fn role_prefix(&mut self, position: usize) -> Option<usize> {
        let ends = simple_name_ends(self.chars, position + 1);
        let end = ends.into_iter().find(|&end| self.at(end, ":`"))?;
        if self.at(end + 2, "`") {
            return None;
        }
        let after = *self.chars.get(end + 2)?;
        if after.is_whitespace() {
            return None;
        }
        let role = self.text(position + 1, end);
        Some(self.interpreted(position, end + 2, Some(role)))
    }

    /// Interpreted text or a phrase reference whose content starts at `content_start`.
    fn interpreted(
        &mut self,
        position: usize,
        content_start: usize,
        prefix_role: Option<String>,
    ) -> usize {
        let line = self.line(position);
        for end in content_start + 1..self.chars.len() {
            let before = self.chars[end - 1];
            if self.chars[end] != '`' || before.is_whitespace() || before == '\0' {
                continue;
            }
            let role_ends: Vec<usize> = if self.at(end + 1, ":") {
                simple_name_ends(self.chars, end + 2)
                    .into_iter()
                    .filter(|&role_end| self.at(role_end, ":"))
                    .map(|role_end| role_end + 1)
                    .collect()
            } else {
                Vec::new()
            };
            let mut candidates: Vec<(Option<usize>, usize)> = Vec::new();
            for role_end in &role_ends {
                for reference in [2, 1, 0] {
                    candidates.push((Some(*role_end), reference));
                }
            }
            for reference in [2, 1, 0] {
                candidates.push((None, reference));
            }
            let found = candidates.into_iter().find(|(role_end, reference)| {
                let after_role = role_end.unwrap_or(end + 1);
                let underscores = "__"[..*reference].to_string();
                self.at(after_role, &underscores) && self.suffix_ok(after_role + reference)
            });
            let Some((role_end, reference)) = found else {
                continue;
            };
            let content = self.text(content_start, end);
            let suffix_role = role_end.map(|role_end| self.text(end + 2, role_end - 1));
            let next = role_end.unwrap_or(end + 1) + reference;
            if prefix_role.is_some() && suffix_role.is_some() {
                self.checker.issue(
                    line,
                    "Multiple roles in interpreted text (both prefix and suffix present; only one allowed).",
                );
            } else if reference > 0 && (prefix_role.is_some() || suffix_role.is_some()) {
                self.checker.issue(
                    line,
                    "Mismatch: both interpreted text role prefix and reference suffix.",
                );
            } else if reference > 0 {
                self.phrase_reference(&content, reference == 2, line);
            } else if let Some(role) = prefix_role.as_deref().or(suffix_role.as_deref()) {
                self.role(role, &content, line);
            }
            return next;
        }
        self.checker.issue(
            line,
            "Inline interpreted text or phrase reference start-string without end-string.",
        );
        content_start
    }

    fn role(&mut self, role: &str, content: &str, line: usize) {
        let role = role.to_lowercase();
        if self.checker.roles.contains(&role) {
            return;
        }
        if role == "raw" {
            self.checker.issue(line, "raw (and derived) roles disabled");
        } else if UNIMPLEMENTED_ROLES.contains(&role.as_str()) {
            self.checker.issue(
                line,
                format!("Interpreted text role \"{role}\" not implemented."),
            );
        } else if !ROLES.contains(&role.as_str()) {
            self.checker
                .issue(line, format!("Unknown interpreted text role \"{role}\"."));
        } else if matches!(role.as_str(), "pep" | "pep-reference") {
            let number = content.replace('\0', "");
            let number = number.split('#').next().unwrap_or_default();
            if !number.parse::<u32>().is_ok_and(|number| number <= 9999) {
                self.checker.issue(
                    line,
                    format!(
                        "PEP number must be a number from 0 to 9999; \"{content}\" is invalid."
                    ),
                );
            }
        } else if matches!(role.as_str(), "rfc" | "rfc-reference") {
            let number = content.replace('\0', "");
            let number = number.split('#').next().unwrap_or_default();
            if !number.parse::<u32>().is_ok_and(|number| number >= 1) {
                self.checker.issue(
                    line,
                    format!(
                        "RFC number must be a number greater than or equal to 1; \"{content}\" is invalid."
                    ),
                );
            }
        }
    }

    /// `` `text`_ ``, `` `text <URI>`_ ``, `` `text <name_>`_ `` and their anonymous forms.
    fn phrase_reference(&mut self, content: &str, anonymous: bool, line: usize) {
        let embedded = content
            .strip_suffix('>')
            .filter(|_| !content.ends_with("\0>"))
            .and_then(|inner| {
                let open = inner.rfind('<')?;
                let before = &inner[..open];
                (before.is_empty() || before.ends_with(char::is_whitespace))
                    .then(|| (before.trim(), &inner[open + 1..]))
            });
        match embedded {
            Some((text, target)) => {
                if target.ends_with('_') && !target.ends_with("\0_") {
                    let alias = normalize_name(target.trim_end_matches('_').trim_matches('`'));
                    self.checker.references.push((alias, line));
                } else if !anonymous {
                    let name = normalize_name(if text.is_empty() { target } else { text });
                    *self.checker.implicit.entry(name).or_default() += 1;
                }
            }
            None if anonymous => self.checker.anonymous_references.push(line),
            None => self
                .checker
                .references
                .push((normalize_name(content), line)),
        }
    }

    /// `name_` and `name__`.
    fn standalone_reference(&mut self, position: usize) -> Option<usize> {
        let line = self.line(position);
        for end in simple_name_ends(self.chars, position) {
            if self.at(end, "__") && self.suffix_ok(end + 2) {
                self.checker.anonymous_references.push(line);
                return Some(end + 2);
            }
            if self.at(end, "_") && self.suffix_ok(end + 1) {
                let name = normalize_name(&self.text(position, end));
                self.checker.references.push((name, line));
                return Some(end + 1);
            }
        }
        None
    }
}

/// A bullet list item's marker: the bullet and where the item's text starts.
fn bullet(text: &str) -> Option<(char, usize)> {
    let mut chars = text.chars();
    let first = chars.next()?;
    if !matches!(
        first,
        '-' | '+' | '*' | '\u{2022}' | '\u{2023}' | '\u{2043}'
    ) {
        return None;
    }
    let rest = after_chars(text, 1);
    if rest.is_empty() {
        return Some((first, 1));
    }
    let spaces = rest.len() - rest.trim_start_matches(' ').len();
    (spaces > 0).then_some((first, 1 + spaces))
}

/// How an enumerator is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Period,
    Parens,
    RightParen,
}

/// What an enumerator counts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sequence {
    Arabic,
    LowerAlpha,
    UpperAlpha,
    LowerRoman,
    UpperRoman,
    Auto,
}

#[derive(Debug, Clone, Copy)]
struct Enumerator {
    format: Format,
    sequence: Sequence,
    ordinal: u32,
    /// Where the item's text starts.
    end: usize,
}

/// Parse an enumerated list item's marker, `1.`, `(a)`, `iv)`, `#.`.
fn enumerator(text: &str, expected: Option<Sequence>) -> Option<Enumerator> {
    let (format, inner, marker_length) = if let Some(rest) = text.strip_prefix('(') {
        let close = rest.find(')')?;
        (Format::Parens, &rest[..close], close + 2)
    } else {
        let close = text.find(['.', ')'])?;
        let format = if text[close..].starts_with('.') {
            Format::Period
        } else {
            Format::RightParen
        };
        (format, &text[..close], close + 1)
    };
    if inner.is_empty() || !inner.is_ascii() {
        return None;
    }
    let rest = &text[marker_length..];
    let spaces = rest.len() - rest.trim_start_matches(' ').len();
    if !rest.is_empty() && spaces == 0 {
        return None;
    }
    let matches = |sequence: Sequence| match sequence {
        Sequence::Arabic => inner.chars().all(|char| char.is_ascii_digit()),
        Sequence::LowerAlpha => inner.len() == 1 && inner.chars().all(|c| c.is_ascii_lowercase()),
        Sequence::UpperAlpha => inner.len() == 1 && inner.chars().all(|c| c.is_ascii_uppercase()),
        Sequence::LowerRoman => inner.chars().all(|char| "ivxlcdm".contains(char)),
        Sequence::UpperRoman => inner.chars().all(|char| "IVXLCDM".contains(char)),
        Sequence::Auto => inner == "#",
    };
    let sequence = if inner == "#" {
        Sequence::Auto
    } else if let Some(expected) = expected.filter(|expected| matches(*expected)) {
        expected
    } else if inner == "i" {
        Sequence::LowerRoman
    } else if inner == "I" {
        Sequence::UpperRoman
    } else {
        [
            Sequence::Arabic,
            Sequence::LowerAlpha,
            Sequence::UpperAlpha,
            Sequence::LowerRoman,
            Sequence::UpperRoman,
        ]
        .into_iter()
        .find(|sequence| matches(*sequence))?
    };
    let ordinal = match sequence {
        Sequence::Auto => 1,
        Sequence::Arabic => inner.parse().ok()?,
        Sequence::LowerAlpha | Sequence::UpperAlpha => {
            u32::from(inner.to_ascii_lowercase().as_bytes()[0] - b'a') + 1
        }
        Sequence::LowerRoman | Sequence::UpperRoman => from_roman(&inner.to_ascii_uppercase())?,
    };
    Some(Enumerator {
        format,
        sequence,
        ordinal,
        end: marker_length + spaces,
    })
}

/// A canonical Roman numeral's value.
fn from_roman(text: &str) -> Option<u32> {
    const NUMERALS: &[(u32, &str)] = &[
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut value = 0;
    let mut rest = text;
    for (number, numeral) in NUMERALS {
        while let Some(after) = rest.strip_prefix(numeral) {
            value += number;
            rest = after;
        }
    }
    if !rest.is_empty() || value == 0 || value > 4999 {
        return None;
    }
    // Only the canonical spelling counts (`IIII` is not four).
    let mut canonical = String::new();
    let mut remaining = value;
    for (number, numeral) in NUMERALS {
        while remaining >= *number {
            canonical.push_str(numeral);
            remaining -= number;
        }
    }
    (canonical == text).then_some(value)
}

/// docutils' second-line test: an enumerated item is one when the next line is blank,
/// indented, or starts with the next enumerator.
fn is_enumerated_item(lines: &[Line], index: usize, current: &Enumerator) -> bool {
    let Some(next) = lines.get(index + 1) else {
        return true;
    };
    if next.blank() || next.indent() > 0 {
        return true;
    }
    enumerator(&next.text, Some(current.sequence)).is_some_and(|next| {
        next.format == current.format
            && (next.sequence == Sequence::Auto || next.ordinal == current.ordinal + 1)
    })
}

/// Why a `list-table`'s content is not a uniform two-level bullet list.
fn list_table_problem(content: &[Line]) -> Option<String> {
    let mut rows = Vec::new();
    let mut index = 0;
    while index < content.len() {
        if content[index].blank() {
            index += 1;
            continue;
        }
        let Some((_, marker_end)) =
            bullet(&content[index].text).filter(|_| content[index].indent() == 0)
        else {
            return Some("exactly one bullet list expected.".to_string());
        };
        let item = list_item(content, index, marker_end);
        let cells = item
            .block
            .iter()
            .filter(|line| line.indent() == 0 && !line.blank() && bullet(&line.text).is_some())
            .count();
        rows.push(cells);
        index = item.end.max(index + 1);
    }
    let first = *rows.first()?;
    rows.iter().position(|cells| *cells != first).map(|row| {
        format!(
            "uniform two-level bullet list expected, but row {} does not contain the same number of items as row 1 ({} vs {first}).",
            row + 1,
            rows[row]
        )
    })
}

/// `:field name: body`: where the body starts.
fn field_marker(text: &str) -> Option<usize> {
    let chars: Vec<char> = text.chars().collect();
    if chars.first() != Some(&':') || matches!(chars.get(1), None | Some(':' | ' ')) {
        return None;
    }
    let mut index = 1;
    while index < chars.len() {
        match chars[index] {
            '\\' => index += 2,
            ':' => match chars.get(index + 1) {
                None | Some(' ') => {
                    if chars[index - 1] == ' ' {
                        return None;
                    }
                    let spaces = chars[index + 1..].iter().take_while(|c| **c == ' ').count();
                    return Some(index + 1 + spaces);
                }
                Some('`') => return None,
                _ => index += 1,
            },
            _ => index += 1,
        }
    }
    None
}

/// An option list item (`-a`, `--all=WHAT`, `-f FILE, --file=FILE`): where the
/// description starts.
fn option_marker(text: &str) -> Option<usize> {
    let chars: Vec<char> = text.chars().collect();
    let mut ends = option_ends(&chars, 0);
    loop {
        // Any of the ends may be followed by the description or another option.
        for &end in &ends {
            let rest = &chars[end..];
            let spaces = rest.iter().take_while(|c| **c == ' ').count();
            if rest.is_empty() || (spaces == 1 && rest.len() == 1) {
                return Some(chars.len());
            }
            if spaces >= 2 && spaces < rest.len() {
                return Some(end + spaces);
            }
        }
        let continued: Vec<usize> = ends
            .iter()
            .filter(|&&end| chars.get(end) == Some(&',') && chars.get(end + 1) == Some(&' '))
            .flat_map(|&end| option_ends(&chars, end + 2))
            .collect();
        if continued.is_empty() {
            return None;
        }
        ends = continued;
    }
}

/// Every position where one option starting at `start` may end.
fn option_ends(chars: &[char], start: usize) -> Vec<usize> {
    let alphanumeric = |index: usize| chars.get(index).is_some_and(|c| c.is_ascii_alphanumeric());
    let mut ends = Vec::new();
    let (name_end, separators): (usize, &[char]) = match (chars.get(start), chars.get(start + 1)) {
        (Some('-'), Some('-')) | (Some('/'), _) => {
            let name_start = if chars[start] == '/' {
                start + 1
            } else {
                start + 2
            };
            if !alphanumeric(name_start) {
                return ends;
            }
            let mut end = name_start + 1;
            while chars
                .get(end)
                .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
            {
                end += 1;
            }
            (end, &[' ', '='])
        }
        (Some('-' | '+'), _) if alphanumeric(start + 1) => (start + 2, &[' ']),
        _ => return ends,
    };
    ends.push(name_end);
    let argument_starts: Vec<usize> = if separators.contains(&' ')
        && chars.get(name_end) != Some(&' ')
        && separators.len() == 1
    {
        // A short option's argument may follow with or without a space.
        vec![name_end, name_end + 1]
    } else {
        vec![name_end + 1]
    };
    for argument_start in argument_starts {
        if argument_start > name_end && !separators.contains(chars.get(name_end).unwrap_or(&'\0')) {
            continue;
        }
        match chars.get(argument_start) {
            Some('<') => {
                if let Some(close) = chars[argument_start + 1..].iter().position(|c| *c == '>') {
                    let inner = &chars[argument_start + 1..argument_start + 1 + close];
                    if !inner.is_empty() && !inner.contains(&'<') {
                        ends.push(argument_start + close + 2);
                    }
                }
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let mut end = argument_start + 1;
                while chars
                    .get(end)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
                {
                    end += 1;
                }
                ends.push(end);
            }
            _ => {}
        }
    }
    ends.sort_unstable_by(|a, b| b.cmp(a));
    ends.dedup();
    ends
}

/// `| text`: where the line's text starts.
fn line_block_marker(text: &str) -> Option<usize> {
    let rest = text.strip_prefix('|')?;
    if rest.is_empty() {
        return Some(1);
    }
    let spaces = rest.len() - rest.trim_start_matches(' ').len();
    (spaces > 0).then_some(1 + spaces)
}

/// `..` followed by spaces or the end of the line: where the construct's text starts.
fn explicit_marker(text: &str) -> Option<usize> {
    let rest = text.strip_prefix("..")?;
    if rest.is_empty() {
        return Some(2);
    }
    let spaces = rest.len() - rest.trim_start_matches(' ').len();
    (spaces > 0).then_some(2 + spaces)
}

/// `__ URI`, the short form of an anonymous target.
fn anonymous_marker(text: &str) -> Option<usize> {
    let rest = text.strip_prefix("__")?;
    if rest.is_empty() {
        return Some(2);
    }
    let spaces = rest.len() - rest.trim_start_matches(' ').len();
    (spaces > 0).then_some(2 + spaces)
}

/// `[label] text` of a footnote or citation.
fn footnote_label(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix('[')?;
    let close = rest.find(']')?;
    let label = &rest[..close];
    let after = &rest[close + 1..];
    if !after.is_empty() && !after.starts_with(' ') {
        return None;
    }
    let valid = label.chars().all(|char| char.is_ascii_digit()) && !label.is_empty()
        || label == "#"
        || label == "*"
        || label.strip_prefix('#').is_some_and(is_simple_name)
        || is_simple_name(label);
    valid.then(|| (label, after.trim_start()))
}

/// `_name: rest`, `` _`name`: rest `` or `__: rest`; the name is `_` for an anonymous
/// target.
fn target_name(text: &str) -> Option<(String, &str)> {
    let rest = text.strip_prefix('_')?;
    if let Some(after) = rest.strip_prefix("_:") {
        return (after.is_empty() || after.starts_with(' ')).then(|| ("_".to_string(), after));
    }
    if let Some(quoted) = rest.strip_prefix('`') {
        let close = quoted.find("`:")?;
        let after = &quoted[close + 2..];
        return (after.is_empty() || after.starts_with(' '))
            .then(|| (quoted[..close].to_string(), after));
    }
    let mut escaped = false;
    for (index, char) in rest.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match char {
            '\\' => escaped = true,
            ':' => {
                let after = &rest[index + 1..];
                if (after.is_empty() || after.starts_with(' ')) && index > 0 {
                    return Some((rest[..index].replace('\\', ""), after));
                }
            }
            _ => {}
        }
    }
    None
}

/// `|name| rest` of a substitution definition.
fn substitution_name(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix('|')?;
    let close = rest.find('|')?;
    let name = &rest[..close];
    if name.is_empty() || name.starts_with(' ') || name.ends_with(' ') {
        return None;
    }
    let after = &rest[close + 1..];
    (after.is_empty() || after.starts_with(' ')).then(|| (name, after.trim_start()))
}

/// `name:: arguments` of a directive.
fn directive_start(text: &str) -> Option<(&str, &str)> {
    let marker = text.find("::")?;
    let name = text[..marker].trim_end();
    let after = &text[marker + 2..];
    if !is_simple_name(name) || !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    Some((name, after.trim_start()))
}

/// `+---+---+` or `+===+===+`.
fn is_grid_border(row: &[char]) -> bool {
    let text: String = row.iter().collect();
    let text = text.trim_end();
    text.len() >= 5
        && text.starts_with("+-")
        && text.ends_with("-+")
        && text.chars().all(|char| matches!(char, '+' | '-'))
        || is_grid_head_separator(text)
}

fn is_grid_head_separator(text: &str) -> bool {
    text.len() >= 5
        && text.starts_with("+=")
        && text.ends_with("=+")
        && text.chars().all(|char| matches!(char, '+' | '='))
}

/// `=====  =====`: at least two columns.
fn is_simple_table_top(text: &str) -> bool {
    let text = text.trim_end();
    text.starts_with('=')
        && text.contains(' ')
        && text.chars().all(|char| matches!(char, '=' | ' '))
        && text.split(' ').filter(|part| !part.is_empty()).count() >= 2
}

fn is_simple_border(text: &str) -> bool {
    text.starts_with('=') && text.chars().all(|char| matches!(char, '=' | ' '))
}

/// A column span underline inside a simple table (`-----  -----` or a border).
fn is_span_line(row: &[char]) -> bool {
    matches!(row.first(), Some('-' | '=')) && row.iter().all(|char| matches!(char, '-' | '=' | ' '))
}

/// Placeholder after a wide character, so that table columns line up by display width.
const PAD: char = '\u{e000}';

fn pad_double_width(text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len());
    for char in text.chars() {
        out.push(char);
        if UnicodeWidthChar::width(char) == Some(2) {
            out.push(PAD);
        }
    }
    out
}

/// The column ranges of a border line: runs of `marker`.
fn column_spans(row: &[char], marker: char) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (index, char) in row.iter().enumerate() {
        match (start, *char == marker || *char == '=' || *char == '-') {
            (None, true) => start = Some(index),
            (Some(begin), false) => {
                spans.push((begin, index));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(begin) = start {
        spans.push((begin, row.len()));
    }
    spans
}

fn slice_text(row: &[char], start: usize, end: usize) -> String {
    let end = end.min(row.len());
    if start >= end {
        return String::new();
    }
    row[start..end]
        .iter()
        .filter(|char| **char != PAD)
        .collect()
}

/// The offset of the first row line with text between columns, if any; text may run
/// past the right edge of the last column.
fn text_in_margin(rows: &[Vec<char>], columns: &[(usize, usize)]) -> Option<usize> {
    for (offset, row) in rows.iter().enumerate() {
        for (index, (_, end)) in columns.iter().enumerate() {
            let Some((next_start, _)) = columns.get(index + 1) else {
                break;
            };
            if !slice_text(row, *end, *next_start).trim().is_empty() {
                return Some(offset);
            }
        }
        if let Some((first_start, _)) = columns.first()
            && !slice_text(row, 0, *first_start).trim().is_empty()
        {
            return Some(offset);
        }
    }
    None
}

/// The text of a table cell as lines, dedented.
fn cell_lines(
    rows: &[Vec<char>],
    lines: &[Line],
    range: std::ops::Range<usize>,
    left: usize,
    right: usize,
) -> Vec<Line> {
    let mut cell: Vec<Line> = range
        .map(|row| Line {
            text: slice_text(&rows[row], left, right).trim_end().to_string(),
            number: lines[row].number,
        })
        .collect();
    let indent = cell
        .iter()
        .filter(|line| !line.blank())
        .map(Line::indent)
        .min()
        .unwrap_or(0);
    for line in &mut cell {
        line.text = after_chars(&line.text, indent).to_string();
    }
    cell
}

/// Find the cells of a grid table as docutils does, by scanning from each cell's top-left
/// corner; `Err` when the cells do not tile the table.
fn parse_grid(rows: &mut [Vec<char>]) -> Result<Vec<(usize, usize, usize, usize)>, String> {
    let separators: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, row)| is_grid_head_separator(&row.iter().collect::<String>()))
        .map(|(index, _)| index)
        .collect();
    if separators.len() > 1 {
        return Err(format!(
            "Multiple head/body row separators (table lines {} and {}); only one allowed.",
            separators[0] + 1,
            separators[1] + 1
        ));
    }
    for &separator in &separators {
        if separator == 0 || separator == rows.len() - 1 {
            return Err("Table head/body row separator not allowed at the top or bottom.".into());
        }
        for char in &mut rows[separator] {
            if *char == '=' {
                *char = '-';
            }
        }
    }
    let bottom = rows.len() - 1;
    let right = rows[0].len() - 1;
    let mut done: Vec<isize> = vec![-1; rows[0].len()];
    let mut corners = vec![(0, 0)];
    let mut cells = Vec::new();
    while !corners.is_empty() {
        let (top, left) = corners.remove(0);
        if top == bottom || left == right || top as isize <= done[left] {
            continue;
        }
        let Some((cell_bottom, cell_right)) = scan_cell(rows, top, left, bottom, right) else {
            continue;
        };
        for column in &mut done[left..cell_right] {
            *column = cell_bottom as isize - 1;
        }
        cells.push((top, left, cell_bottom, cell_right));
        corners.push((top, cell_right));
        corners.push((cell_bottom, left));
        corners.sort_unstable();
    }
    if done[..right]
        .iter()
        .any(|column| *column != bottom as isize - 1)
    {
        return Err("Malformed table; parse incomplete.".into());
    }
    Ok(cells)
}

fn scan_cell(
    rows: &[Vec<char>],
    top: usize,
    left: usize,
    bottom: usize,
    right: usize,
) -> Option<(usize, usize)> {
    if rows[top][left] != '+' {
        return None;
    }
    for column in left + 1..=right {
        match rows[top][column] {
            '+' => {
                if let Some(cell_bottom) = scan_down(rows, top, left, column, bottom) {
                    return Some((cell_bottom, column));
                }
            }
            '-' => {}
            _ => return None,
        }
    }
    None
}

fn scan_down(
    rows: &[Vec<char>],
    top: usize,
    left: usize,
    right: usize,
    bottom: usize,
) -> Option<usize> {
    for row in top + 1..=bottom {
        match rows[row][right] {
            '+' => {
                if scan_left(rows, top, left, row, right) {
                    return Some(row);
                }
            }
            '|' => {}
            _ => return None,
        }
    }
    None
}

fn scan_left(rows: &[Vec<char>], top: usize, left: usize, bottom: usize, right: usize) -> bool {
    let line = &rows[bottom];
    if (left + 1..right).any(|column| !matches!(line[column], '+' | '-')) || line[left] != '+' {
        return false;
    }
    (top + 1..bottom).all(|row| matches!(rows[row][left], '+' | '|'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<String> {
        check(text).into_iter().map(|issue| issue.message).collect()
    }

    fn lines_and_messages(text: &str) -> Vec<(usize, String)> {
        check(text)
            .into_iter()
            .map(|issue| (issue.line, issue.message))
            .collect()
    }

    #[track_caller]
    fn ok(text: &str) {
        assert_eq!(messages(text), Vec::<String>::new(), "{text}");
    }

    #[track_caller]
    fn fails(text: &str, expected: &str) {
        let found = messages(text);
        assert!(
            found.iter().any(|message| message == expected),
            "expected {expected:?} for {text:?}, found {found:?}"
        );
    }

    const README: &str = "\
=========
 Project
=========

A *fine* project with **bold** claims, ``literals`` and `links <https://example.com>`_.

Installation
============

Run::

    pip install project

Usage
-----

* one
* two with a reference to Installation_

  1. nested
  2. list

#. auto
#. enumerated

term
    definition

:Author: someone
:Version: 1.0

-v, --verbose  Be loud.
--output=FILE  Write there.

.. note:: Indented admonition
   with more text.

.. code-block:: python

    print(\"*\")

.. image:: https://example.com/badge.svg
   :alt: badge
   :target: https://example.com

+-----+-----+
| a   | b   |
+=====+=====+
| *c* | d   |
+-----+-----+

=====  =====
A      B
=====  =====
1      2
3      4 with overflow
=====  =====

| line one
| line two

>>> print('doctest *')

See |version| and [1]_ and [#]_ and [CIT2002]_ and :pep:`8` and `foo`__.

.. |version| replace:: 1.0
.. [1] A footnote.
.. [#] An auto footnote.
.. [CIT2002] A citation.
__ https://example.com/foo

Footer text.
";

    #[test]
    fn a_full_document_passes() {
        assert_eq!(lines_and_messages(README), Vec::<(usize, String)>::new());
    }

    #[test]
    fn section_titles() {
        assert_eq!(
            lines_and_messages("Title here\n=====\n\ntext\n"),
            [(2, "Title underline too short.".to_string())]
        );
        ok("Hi\n--\n\nx\n");
        // Three characters is too short to be an underline at all: a paragraph.
        ok("Title\n===\n\nx\n");
        ok("日本語\n======\n\nx\n");
        fails(
            "日本語タイトル\n======\n\nx\n",
            "Title underline too short.",
        );
        fails(
            "=====\nTitle\n-----\n\nx\n",
            "Title overline & underline mismatch.",
        );
        fails(
            "=====\nTitle here\n=====\n\nx\n",
            "Title overline too short.",
        );
        fails("=======\nTitle\n", "Incomplete section title.");
        fails(
            "A\n===\n\nB\n---\n\nC\n~~~\n\nD\n***\n\nE\n---\n\nF\n+++\n\nx\n",
            "Inconsistent title style: skip from level 2 to 5.",
        );
        fails(
            "* item\n\n  Title\n  =====\n\n  x\n",
            "Unexpected section title.",
        );
    }

    #[test]
    fn transitions() {
        ok("para\n\n------\n\npara\n");
        fails(
            "------\n\npara\n",
            "Transition at the start of the document.",
        );
        fails("para\n\n------\n", "Transition at the end of the document.");
        fails(
            "Title\n=====\n\n--------\n\npara\n",
            "Transition at the start of the section.",
        );
        fails(
            "para\n\n------\n\n------\n\npara\n",
            "At least one body element should separate transitions.",
        );
        fails(
            "* item\n\n  ------\n\n  x\n",
            "Unexpected section title or transition.",
        );
    }

    #[test]
    fn indentation() {
        assert_eq!(
            lines_and_messages("line one\nline two\n    indented\n"),
            [(3, "Unexpected indentation.".to_string())]
        );
        // One line followed by an indented one is a definition list.
        ok("Example::\n    code\n\nNext\n");
        fails(
            "para\n\n    quote\nnext\n",
            "Block quote ends without a blank line; unexpected unindent.",
        );
        fails(
            "* a\n* b\nnext\n",
            "Bullet list ends without a blank line; unexpected unindent.",
        );
        fails(
            ".. note:: x\nnext\n",
            "Explicit markup ends without a blank line; unexpected unindent.",
        );
        fails(
            "term\n    def\nnext\n",
            "Definition list ends without a blank line; unexpected unindent.",
        );
        fails(
            ":a: b\nnext\n",
            "Field list ends without a blank line; unexpected unindent.",
        );
        fails(
            "1. a\n2. b\nnext\n",
            "Enumerated list ends without a blank line; unexpected unindent.",
        );
        fails("| a\n| b\nnext\n", "Line block ends without a blank line.");
        ok(".. _a: https://a\n.. _b: https://b\n\nsee a_ and b_\n");
        ok("* a\n  continued\n* b\n\npara\n");
        ok("A. Smith went\nto the store\n");
    }

    #[test]
    fn literal_blocks() {
        fails(
            "Example::\n\nnot indented\n",
            "Literal block expected; none found.",
        );
        assert_eq!(
            lines_and_messages("Example::\n"),
            [(2, "Literal block expected; none found.".to_string())]
        );
        ok("Example::\n\n    code *not* parsed ``\n\nAfter.\n");
        ok("x::\n\n> a\n> b\n\npara\n");
        fails("Text\n::\n\nmore\n", "Literal block expected; none found.");
    }

    #[test]
    fn inline_markup() {
        fails(
            "use *args and **kwargs\n",
            "Inline emphasis start-string without end-string.",
        );
        fails(
            "use *args and **kwargs\n",
            "Inline strong start-string without end-string.",
        );
        fails(
            "Use `foo to bar\n",
            "Inline interpreted text or phrase reference start-string without end-string.",
        );
        fails(
            "Use ``foo to bar\n",
            "Inline literal start-string without end-string.",
        );
        fails(
            "a |b c\n",
            "Inline substitution_reference start-string without end-string.",
        );
        ok("2*3*4 is math, a*b too\n");
        ok("a '*' b \"*\" c (*) d\n");
        ok("Use ``x*y`` ok\n");
        ok("a \\*b c\n");
        ok("``foo_`` is fine\n");
        ok("*emphasis spanning\ntwo lines*\n");
        ok("Mail me_at@example.com\n");
    }

    #[test]
    fn roles() {
        ok("Use :code:`x`, :sub:`2`, `x`:emphasis: and :pep:`8`.\n");
        fails("See :ref:`x`\n", "Unknown interpreted text role \"ref\".");
        fails("See `y`:nope:\n", "Unknown interpreted text role \"nope\".");
        fails(
            "See :index:`y`\n",
            "Interpreted text role \"index\" not implemented.",
        );
        fails(
            ":pep:`abc`\n",
            "PEP number must be a number from 0 to 9999; \"abc\" is invalid.",
        );
        ok(".. role:: custom\n\nThis is :custom:`text`.\n");
    }

    #[test]
    fn references() {
        fails("see foo_ here\n", "Unknown target name: \"foo\".");
        fails(
            "See http://example.com/foo_ here\n",
            "Unknown target name: \"foo\".",
        );
        fails("call my_func_ now\n", "Unknown target name: \"my_func\".");
        ok("Install\n=======\n\nSee `Install`_ and install_.\n");
        ok("The ``foo`` tool\n================\n\nSee `The foo tool`_.\n");
        fails(
            "Usage\n=====\n\nx\n\nUsage\n=====\n\nsee Usage_\n",
            "Duplicate target name, cannot be used as a unique reference: \"usage\".",
        );
        fails(
            ".. _a: http://a\n.. _a: http://b\n\npara\n",
            "Duplicate explicit target name: \"a\".",
        );
        ok(".. _a: http://a\n.. _a: http://a\n\nsee a_\n");
        fails(
            ".. _a:\n\npara\n\n.. _a:\n\npara2\n",
            "Duplicate explicit target name: \"a\".",
        );
        // Embedded URIs make implicit targets: duplicates are fine until referenced.
        ok("`a <http://a>`_ and `a <http://b>`_\n");
        fails(
            ".. _a: b_\n\nsee a_\n",
            "Indirect hyperlink target \"a\" refers to target \"b\", which does not exist.",
        );
        fails(
            "a `x`__ b\n",
            "Anonymous hyperlink mismatch: 1 references but 0 targets.",
        );
        ok("a `x`__ b\n\n__ http://x\n");
        ok("a x__ b\n\n.. __: http://x\n");
        ok("* see x_\n\n.. _x: http://x\n");
        ok("`text <other_>`_\n\n.. _other: https://example.com\n");
        ok("Inline _`target` and target_.\n");
    }

    #[test]
    fn substitutions_and_footnotes() {
        fails("a |foo| b\n", "Undefined substitution referenced: \"foo\".");
        fails(
            ".. |a| replace:: x\n.. |a| replace:: y\n\n|a|\n",
            "Duplicate substitution definition name: \"a\".",
        );
        fails(
            ".. |logo| some text\n\n|logo| text\n",
            "Substitution definition \"logo\" empty or invalid.",
        );
        ok(".. |logo| image:: x.png\n\n|logo| text\n");
        fails("a [1]_ b\n", "Unknown target name: \"1\".");
        fails(
            "a [#]_ b\n",
            "Too many autonumbered footnote references: only 0 corresponding footnote available.",
        );
        fails("a [CIT2002]_ b\n", "Unknown target name: \"cit2002\".");
        ok("a [1]_ b [#n]_ c [#]_\n\n.. [1] one\n.. [#n] two\n.. [#] three\n");
    }

    #[test]
    fn directives() {
        fails(
            ".. toctree::\n   :maxdepth: 2\n\npara\n",
            "Unknown directive type \"toctree\".",
        );
        fails(
            ".. raw:: html\n\n   <b>x</b>\n",
            "\"raw\" directive disabled.",
        );
        fails(".. include:: foo.rst\n", "\"include\" directive disabled.");
        fails(
            ".. note::\n\npara\n",
            "Content block expected for the \"note\" directive; none found.",
        );
        fails(
            ".. code-block:: python\n\npara\n",
            "Content block expected for the \"code-block\" directive; none found.",
        );
        fails(
            ".. image::\n\npara\n",
            "Error in \"image\" directive: 1 argument(s) required, 0 supplied.",
        );
        fails(
            ".. image:: x.png\n   :widht: 3\n",
            "Error in \"image\" directive: unknown option: \"widht\".",
        );
        fails(
            ".. csv-table::\n   :file: x.csv\n",
            "File and URL access deactivated; ignoring \"csv-table\" directive.",
        );
        ok(".. figure:: x.png\n   :width: 10\n\n   Caption\n");
        ok(".. list-table::\n\n   * - a\n     - b\n   * - c\n     - d\n");
        fails(
            ".. list-table::\n\n   * - a\n     - b\n   * - c\n",
            "Error parsing content block for the \"list-table\" directive: uniform two-level bullet list expected, but row 2 does not contain the same number of items as row 1 (1 vs 2).",
        );
        ok(".. contents::\n\nA\n=\n\nx\n");
        // Directive content is checked too.
        fails(
            ".. note::\n\n   Some *unclosed text.\n",
            "Inline emphasis start-string without end-string.",
        );
        // A comment is not checked at all.
        ok("para\n\n.. this is a comment with *unclosed markup\n   and more\n");
    }

    #[test]
    fn tables() {
        ok("+---+---+\n| a | b |\n+===+===+\n| c | d |\n+---+---+\n");
        assert_eq!(
            lines_and_messages("+---+---+\n| a | b |\n+---+---+\n| c | d  |\n+---+---+\n"),
            [(4, "Malformed table.".to_string())]
        );
        // Spanning cells are fine.
        ok("+---+---+\n| a | b |\n+---+---+\n| c   d |\n+---+---+\n");
        ok("+---+---+\n| a | b |\n+-------+\n| c   d |\n+---+---+\n");
        fails(
            "+---+---+\n| a | b |\n+---+---+\n| c | d |\n+---+---+\nnext\n",
            "Blank line required after table.",
        );
        // A broken row separator leaves a cell whose text looks like a title.
        fails(
            "+---+---+\n| a | b |\n+---+ --+\n| c | d |\n+---+---+\n",
            "Unexpected section title.",
        );
        ok("+-----+-----+\n| spans two |\n+-----+-----+\n| a   | b   |\n+-----+-----+\n");
        assert_eq!(
            lines_and_messages("=====  =====\na      b\nxxxxxxxxx  c\n=====  =====\n"),
            [(3, "Malformed table.".to_string())]
        );
        fails(
            "=====  =====\na      b\n",
            "Malformed table. No bottom table border found.",
        );
        fails(
            "+-----+\n| *a  |\n+-----+\n",
            "Inline emphasis start-string without end-string.",
        );
        ok("=====  =====\nhead   head\n=====  =====\na      b\n       continued\n=====  =====\n");
    }

    #[test]
    fn empty_output() {
        fails(".. comment\n", "No content rendered from RST source.");
        fails(".. _x: http://x\n", "No content rendered from RST source.");
    }

    #[test]
    fn option_markers() {
        assert_eq!(option_marker("-a          Output all."), Some(12));
        assert_eq!(option_marker("--long=ARG  A long one."), Some(12));
        assert_eq!(option_marker("-f FILE, --file=FILE  Both."), Some(22));
        assert_eq!(option_marker("--verbose"), Some(9));
        assert_eq!(option_marker("-x is not an option list"), None);
        assert_eq!(option_marker("/usr/bin/foo is a path"), None);
    }

    #[test]
    fn enumerators() {
        let parsed = enumerator("ii. two", None).unwrap();
        assert_eq!((parsed.sequence, parsed.ordinal), (Sequence::LowerRoman, 2));
        let parsed = enumerator("(c) three", None).unwrap();
        assert_eq!((parsed.format, parsed.ordinal), (Format::Parens, 3));
        assert!(enumerator("1.5 is a number", None).is_none());
        assert_eq!(from_roman("IIII"), None);
        assert_eq!(from_roman("MCMXCIV"), Some(1994));
    }
}
