//! The long description and its `Description-Content-Type`: what PyPI renders on the
//! project page, and what `twine check` verifies before an upload.

use crate::{Problem, rst};

/// The content types an index renders, and what it does with each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Markup {
    Plain,
    Rst,
    Markdown,
}

/// Check a long description against its declared content type: a missing description or
/// type is a warning (as in `twine check`); an unknown type, a charset other than UTF-8,
/// an unknown Markdown variant or reStructuredText that docutils would refuse are errors.
pub fn check_description(description: Option<&str>, content_type: Option<&str>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let markup = match content_type {
        None => {
            problems.push(Problem::warning(
                "description-content-type-missing",
                "`Description-Content-Type` is missing; PyPI renders the description as reStructuredText",
            ));
            Some(Markup::Rst)
        }
        Some(content_type) => match parse_content_type(content_type) {
            Ok(markup) => Some(markup),
            Err(message) => {
                problems.push(Problem::error("description-content-type-invalid", message));
                None
            }
        },
    };
    let description = description.filter(|text| {
        let text = text.trim();
        !text.is_empty() && text != "UNKNOWN"
    });
    let Some(description) = description else {
        problems.push(Problem::warning(
            "description-missing",
            "the long description is missing; PyPI will show an empty project page",
        ));
        return problems;
    };
    match markup {
        None | Some(Markup::Plain) => {}
        Some(Markup::Markdown) => {
            // Rendering Markdown cannot fail; render it anyway so that a description the
            // parser cannot get through would show here rather than on the index.
            let parser =
                pulldown_cmark::Parser::new_ext(description, pulldown_cmark::Options::all());
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, parser);
            if html.trim().is_empty() {
                problems.push(Problem::error(
                    "markdown-empty",
                    "the Markdown description renders to nothing",
                ));
            }
        }
        Some(Markup::Rst) => {
            for issue in rst::check(description) {
                problems.push(Problem::error(
                    "rst-invalid",
                    format!(
                        "the reStructuredText description would not render on PyPI: line {}: {}",
                        issue.line, issue.message
                    ),
                ));
            }
        }
    }
    problems
}

/// Parse `type/subtype; key=value; ...` as `packaging` does for this field.
fn parse_content_type(value: &str) -> Result<Markup, String> {
    let mut parts = value.split(';');
    let media_type = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let markup = match media_type.as_str() {
        "text/plain" => Markup::Plain,
        "text/x-rst" => Markup::Rst,
        "text/markdown" => Markup::Markdown,
        _ => {
            return Err(format!(
                "`Description-Content-Type: {value}` must be text/plain, text/x-rst or text/markdown"
            ));
        }
    };
    for parameter in parts {
        let parameter = parameter.trim();
        if parameter.is_empty() {
            continue;
        }
        let Some((key, raw_value)) = parameter.split_once('=') else {
            return Err(format!(
                "`Description-Content-Type: {value}` has a parameter without a value: `{parameter}`"
            ));
        };
        let parameter_value = raw_value.trim().trim_matches('"');
        match key.trim().to_ascii_lowercase().as_str() {
            "charset" if !parameter_value.eq_ignore_ascii_case("utf-8") => {
                return Err(format!(
                    "`Description-Content-Type: {value}`: the charset must be UTF-8, not `{parameter_value}`"
                ));
            }
            "variant"
                if markup == Markup::Markdown
                    && !matches!(parameter_value, "GFM" | "CommonMark") =>
            {
                return Err(format!(
                    "`Description-Content-Type: {value}`: the Markdown variant must be GFM or CommonMark, not `{parameter_value}`"
                ));
            }
            _ => {}
        }
    }
    Ok(markup)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(description: Option<&str>, content_type: Option<&str>) -> Vec<&'static str> {
        check_description(description, content_type)
            .into_iter()
            .map(|problem| problem.code)
            .collect()
    }

    #[test]
    fn content_types() {
        assert_eq!(
            codes(Some("# Title"), Some("text/markdown")),
            Vec::<&str>::new()
        );
        assert_eq!(
            codes(
                Some("# Title"),
                Some("text/markdown; charset=UTF-8; variant=GFM")
            ),
            Vec::<&str>::new()
        );
        assert_eq!(
            codes(Some("x"), Some("text/markdown; variant=CommonMark")),
            Vec::<&str>::new()
        );
        assert_eq!(codes(Some("x"), Some("text/plain")), Vec::<&str>::new());
        assert_eq!(codes(Some("x"), Some("text/x-rst")), Vec::<&str>::new());
        assert_eq!(
            codes(Some("x"), Some("text/html")),
            ["description-content-type-invalid"]
        );
        assert_eq!(
            codes(Some("x"), Some("text/markdown; variant=mistune")),
            ["description-content-type-invalid"]
        );
        assert_eq!(
            codes(Some("x"), Some("text/plain; charset=latin-1")),
            ["description-content-type-invalid"]
        );
    }

    #[test]
    fn missing_description_and_type_warn() {
        assert_eq!(
            codes(None, None),
            ["description-content-type-missing", "description-missing"]
        );
        assert_eq!(
            codes(Some("UNKNOWN\n"), Some("text/plain")),
            ["description-missing"]
        );
    }

    #[test]
    fn rst_is_the_default() {
        let broken = "Title\n===\n\nText with *unclosed emphasis.\n";
        assert!(codes(Some(broken), None).contains(&"rst-invalid"));
        assert!(codes(Some(broken), Some("text/x-rst")).contains(&"rst-invalid"));
        assert!(!codes(Some(broken), Some("text/plain")).contains(&"rst-invalid"));
        assert!(!codes(Some(broken), Some("text/markdown")).contains(&"rst-invalid"));
    }

    #[test]
    fn plain_text_always_passes() {
        assert_eq!(
            codes(Some("*** ``` `` |bad| foo_"), Some("text/plain")),
            Vec::<&str>::new()
        );
    }
}
