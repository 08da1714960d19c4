//! Archives built in memory for the unit tests: wheels with a matching RECORD, and
//! sdists as `.tar.gz` or `.zip`.

use std::io::{Cursor, Write};

use wharf_metadata::HashDigest;
use zip::write::SimpleFileOptions;

/// A METADATA with a Markdown description, valid for `name` and `version`.
pub(crate) fn metadata(name: &str, version: &str) -> String {
    format!(
        "Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: A test package\nDescription-Content-Type: text/markdown\n\n# {name}\n"
    )
}

/// The files of a good `demo-1.0` wheel, RECORD excluded.
pub(crate) fn wheel_files() -> Vec<(String, Vec<u8>)> {
    vec![
        ("demo/__init__.py".into(), b"print('hi')\n".to_vec()),
        (
            "demo-1.0.dist-info/METADATA".into(),
            metadata("demo", "1.0").into_bytes(),
        ),
        (
            "demo-1.0.dist-info/WHEEL".into(),
            b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
                .to_vec(),
        ),
    ]
}

/// RECORD rows for `files`, plus RECORD's own row.
pub(crate) fn record_for(files: &[(String, Vec<u8>)], record_path: &str) -> String {
    let mut out = String::new();
    for (path, bytes) in files {
        let digest = HashDigest::sha256_of(bytes);
        out.push_str(&format!("{path},{digest},{}\n", bytes.len()));
    }
    out.push_str(&format!("{record_path},,\n"));
    out
}

/// A zip holding `files` in order.
pub(crate) fn zip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (path, bytes) in files {
        writer
            .start_file(path.as_str(), SimpleFileOptions::default())
            .unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// A good wheel's files with RECORD appended, after `change` edits the file list.
pub(crate) fn wheel_with(change: impl FnOnce(&mut Vec<(String, Vec<u8>)>)) -> Vec<u8> {
    let mut files = wheel_files();
    change(&mut files);
    let dist_info = files
        .iter()
        .find_map(|(path, _)| {
            path.split_once(".dist-info/")
                .map(|(stem, _)| format!("{stem}.dist-info"))
        })
        .unwrap_or_else(|| "demo-1.0.dist-info".to_string());
    let record_path = format!("{dist_info}/RECORD");
    let record = record_for(&files, &record_path);
    files.push((record_path, record.into_bytes()));
    zip(&files)
}

/// One member of a test tarball.
pub(crate) enum TarMember {
    File(&'static str, Vec<u8>),
    Symlink(&'static str, &'static str),
    Fifo(&'static str),
}

/// A gzip-compressed tar of `members`.
pub(crate) fn tar_gz(members: Vec<TarMember>) -> Vec<u8> {
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut builder = tar::Builder::new(encoder);
    for member in members {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o644);
        header.set_mtime(0);
        match member {
            TarMember::File(path, bytes) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_size(bytes.len() as u64);
                builder
                    .append_data(&mut header, path, bytes.as_slice())
                    .unwrap();
            }
            TarMember::Symlink(path, target) => {
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_size(0);
                builder.append_link(&mut header, path, target).unwrap();
            }
            TarMember::Fifo(path) => {
                header.set_entry_type(tar::EntryType::Fifo);
                header.set_size(0);
                builder
                    .append_data(&mut header, path, std::io::empty())
                    .unwrap();
            }
        }
    }
    builder.into_inner().unwrap().finish().unwrap()
}

/// A good `demo-1.0` sdist's members.
pub(crate) fn sdist_members() -> Vec<TarMember> {
    vec![
        TarMember::File("demo-1.0/PKG-INFO", metadata("demo", "1.0").into_bytes()),
        TarMember::File(
            "demo-1.0/pyproject.toml",
            b"[build-system]\nrequires = [\"flit_core\"]\nbuild-backend = \"flit_core.buildapi\"\n"
                .to_vec(),
        ),
        TarMember::File("demo-1.0/demo/__init__.py", b"".to_vec()),
    ]
}
