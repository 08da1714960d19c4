//! Check reStructuredText documents with wharf's checker, for comparing it with docutils.
//!
//! Reads a JSON array of documents on stdin and prints, for each, a JSON array of
//! `[line, message]` pairs: `cargo run -p wharf-dist-check --example rst-check < docs.json`.

use std::io::Read;

fn main() {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .expect("failed to read stdin");
    let documents: Vec<String> =
        serde_json::from_str(&input).expect("expected a JSON array of strings");
    let results: Vec<Vec<(usize, String)>> = documents
        .iter()
        .map(|document| {
            wharf_dist_check::rst::check(document)
                .into_iter()
                .map(|issue| (issue.line, issue.message))
                .collect()
        })
        .collect();
    println!("{}", serde_json::to_string(&results).expect("JSON output"));
}
