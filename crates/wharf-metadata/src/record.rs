//! `RECORD` (PEP 376, PEP 427): one CSV row per file of a wheel or an installed
//! distribution, `path,algorithm=urlsafe-base64-digest,size`.
//!
//! The CSV dialect is Python's `csv` module's default, which is what pip and wheel write:
//! fields containing a comma, a quote or a line break are quoted and quotes are doubled.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Why a RECORD file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// A row is not valid CSV or has the wrong number of fields.
    #[error("RECORD line {line}: {message}")]
    Row {
        /// The 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A hash field is not `algorithm=digest`.
    #[error(
        "RECORD line {line}: invalid hash `{value}` for `{path}`: expected `algorithm=urlsafe-base64-digest`"
    )]
    Hash {
        /// The 1-based line number.
        line: usize,
        /// The row's path.
        path: String,
        /// The field as written.
        value: String,
    },
    /// A size field is not a non-negative integer.
    #[error("RECORD line {line}: invalid size `{value}` for `{path}`")]
    Size {
        /// The 1-based line number.
        line: usize,
        /// The row's path.
        path: String,
        /// The field as written.
        value: String,
    },
}

/// A file digest as RECORD writes it: `sha256=<urlsafe base64 without padding>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HashDigest {
    /// The hashlib algorithm name, e.g. `sha256`.
    pub algorithm: String,
    /// The digest, urlsafe base64 without `=` padding.
    pub digest_b64: String,
}

impl HashDigest {
    /// The SHA-256 digest of `bytes`.
    pub fn sha256_of(bytes: &[u8]) -> Self {
        Self::from_raw("sha256", &Sha256::digest(bytes))
    }

    /// A digest from the raw digest bytes of `algorithm`.
    pub fn from_raw(algorithm: &str, raw: &[u8]) -> Self {
        Self {
            algorithm: algorithm.to_string(),
            digest_b64: URL_SAFE_NO_PAD.encode(raw),
        }
    }

    /// Parse `algorithm=digest`. Returns `None` when the text has no `=` or an empty part.
    pub fn parse(text: &str) -> Option<Self> {
        let (algorithm, digest) = text.split_once('=')?;
        if algorithm.is_empty() || digest.is_empty() {
            return None;
        }
        Some(Self {
            algorithm: algorithm.to_ascii_lowercase(),
            // Some tools pad the digest; the comparison is on the unpadded form.
            digest_b64: digest.trim_end_matches('=').to_string(),
        })
    }

    /// The raw digest bytes, or `None` when the digest is not valid base64.
    pub fn raw(&self) -> Option<Vec<u8>> {
        URL_SAFE_NO_PAD.decode(&self.digest_b64).ok()
    }

    /// The digest as lowercase hex (the form indexes and `--hash` use).
    pub fn hex(&self) -> Option<String> {
        self.raw().map(hex::encode)
    }
}

impl fmt::Display for HashDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.algorithm, self.digest_b64)
    }
}

/// One row of a RECORD file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEntry {
    /// The path, `/`-separated, relative to the wheel root or the site-packages directory.
    pub path: String,
    /// The file's digest; absent for RECORD itself and for signatures.
    pub hash: Option<HashDigest>,
    /// The file's size in bytes.
    pub size: Option<u64>,
}

/// A whole RECORD file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// The rows, in file order.
    pub entries: Vec<RecordEntry>,
}

impl Record {
    /// Parse a RECORD file. Blank lines are skipped.
    pub fn parse(text: &str) -> Result<Self, RecordError> {
        let mut entries = Vec::new();
        for (line, fields) in split_csv(text)? {
            let row_error = |message: String| RecordError::Row { line, message };
            if fields.iter().all(String::is_empty) {
                continue;
            }
            if fields.len() > 3 {
                return Err(row_error(format!(
                    "expected `path,hash,size` but found {} fields",
                    fields.len()
                )));
            }
            let mut fields = fields.into_iter();
            let path = fields.next().unwrap_or_default();
            if path.is_empty() {
                return Err(row_error("empty path".to_string()));
            }
            let hash_text = fields.next().unwrap_or_default();
            let size_text = fields.next().unwrap_or_default();
            let hash = if hash_text.is_empty() {
                None
            } else {
                Some(
                    HashDigest::parse(&hash_text).ok_or_else(|| RecordError::Hash {
                        line,
                        path: path.clone(),
                        value: hash_text.clone(),
                    })?,
                )
            };
            let size = if size_text.is_empty() {
                None
            } else {
                Some(
                    size_text
                        .trim()
                        .parse::<u64>()
                        .map_err(|_| RecordError::Size {
                            line,
                            path: path.clone(),
                            value: size_text.clone(),
                        })?,
                )
            };
            entries.push(RecordEntry { path, hash, size });
        }
        Ok(Self { entries })
    }

    /// Write the file as pip does: `\n` line endings, minimal quoting.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        for entry in &self.entries {
            push_field(&mut out, &entry.path);
            out.push(',');
            if let Some(hash) = &entry.hash {
                push_field(&mut out, &hash.to_string());
            }
            out.push(',');
            if let Some(size) = entry.size {
                out.push_str(&size.to_string());
            }
            out.push('\n');
        }
        out
    }

    /// The row for `path`, if any.
    pub fn get(&self, path: &str) -> Option<&RecordEntry> {
        self.entries.iter().find(|entry| entry.path == path)
    }
}

fn push_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// Split CSV text into rows of fields, each with its 1-based starting line number.
fn split_csv(text: &str) -> Result<Vec<(usize, Vec<String>)>, RecordError> {
    let mut rows = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut row_line = 1;
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut in_row = false;
    while let Some(char) = chars.next() {
        in_row = true;
        match char {
            '"' if field.is_empty() => {
                // A quoted field: runs to the closing quote, `""` is a literal quote.
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(inner) => {
                            if inner == '\n' {
                                line += 1;
                            }
                            field.push(inner);
                        }
                        None => {
                            return Err(RecordError::Row {
                                line: row_line,
                                message: "unterminated quoted field".to_string(),
                            });
                        }
                    }
                }
                match chars.peek() {
                    None | Some(',' | '\n' | '\r') => {}
                    Some(other) => {
                        return Err(RecordError::Row {
                            line,
                            message: format!("unexpected `{other}` after a quoted field"),
                        });
                    }
                }
            }
            ',' => fields.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                fields.push(std::mem::take(&mut field));
                rows.push((row_line, std::mem::take(&mut fields)));
                line += 1;
                row_line = line;
                in_row = false;
            }
            other => field.push(other),
        }
    }
    if in_row {
        fields.push(field);
        rows.push((row_line, fields));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_urlsafe_unpadded() {
        let digest = HashDigest::sha256_of(b"");
        assert_eq!(
            digest.to_string(),
            "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
        );
        assert_eq!(
            digest.hex().unwrap(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn parses_rows_with_quotes_and_blank_fields() {
        let record = Record::parse(
            "foo/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\r\n\"foo/a,b.txt\",sha256=abc,12\nfoo-1.0.dist-info/RECORD,,\n\n\"say \"\"hi\"\".txt\",,\n",
        )
        .unwrap();
        assert_eq!(record.entries.len(), 4);
        assert_eq!(record.entries[1].path, "foo/a,b.txt");
        assert_eq!(record.entries[1].size, Some(12));
        assert_eq!(record.entries[2].hash, None);
        assert_eq!(record.entries[3].path, "say \"hi\".txt");
    }

    #[test]
    fn round_trips() {
        let record = Record {
            entries: vec![
                RecordEntry {
                    path: "a,b.py".into(),
                    hash: Some(HashDigest::sha256_of(b"x")),
                    size: Some(1),
                },
                RecordEntry {
                    path: "pkg-1.dist-info/RECORD".into(),
                    hash: None,
                    size: None,
                },
            ],
        };
        let text = record.to_csv();
        assert!(text.starts_with("\"a,b.py\",sha256="));
        assert!(text.ends_with("pkg-1.dist-info/RECORD,,\n"));
        assert_eq!(Record::parse(&text).unwrap(), record);
    }

    #[test]
    fn errors_name_the_line() {
        let err = Record::parse("a,sha256=x,1\nb,nohash,1\n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        let err = Record::parse("a,,big\n").unwrap_err();
        assert!(matches!(err, RecordError::Size { .. }), "{err}");
        assert!(Record::parse("a,,1,extra\n").is_err());
        assert!(Record::parse("\"a,,1\n").is_err());
    }
}
