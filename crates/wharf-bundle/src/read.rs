//! Reading a bundle back: its manifest, and whether every member is what the manifest pins.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use zip::ZipArchive;

use crate::MANIFEST_PATH;
use crate::error::BundleError;
use crate::manifest::Manifest;
use crate::write::hex;

/// What [`read_bundle`] found.
#[derive(Debug, Clone)]
pub struct BundleReport {
    /// The file.
    pub path: PathBuf,
    /// The interpreter line, without `#!`, if any.
    pub shebang: Option<String>,
    /// sha256 of the manifest.
    pub id: String,
    /// File size.
    pub size: u64,
    /// The manifest.
    pub manifest: Manifest,
    /// Members that do not match the manifest, or are missing; empty for a sound bundle.
    pub problems: Vec<String>,
}

/// Read a bundle and verify every member against its manifest.
pub fn read_bundle(path: &Path) -> Result<BundleReport, BundleError> {
    let size = fs_err::metadata(path)?.len();
    let mut first_line = Vec::new();
    fs_err::File::open(path)?
        .take(4096)
        .read_to_end(&mut first_line)?;
    let shebang = first_line
        .strip_prefix(b"#!")
        .and_then(|rest| rest.split(|byte| *byte == b'\n').next())
        .map(|line| String::from_utf8_lossy(line).trim().to_string());
    let mut archive =
        ZipArchive::new(fs_err::File::open(path)?).map_err(|err| BundleError::zip(path, err))?;
    let manifest_bytes = read_member(&mut archive, MANIFEST_PATH)?
        .ok_or_else(|| BundleError::NotABundle(path.to_path_buf()))?;
    let manifest: Manifest =
        serde_json::from_slice(&manifest_bytes).map_err(|err| BundleError::Manifest {
            path: path.to_path_buf(),
            message: err.to_string(),
        })?;
    let id = hex(&Sha256::digest(&manifest_bytes));

    let mut problems = Vec::new();
    match read_member(&mut archive, "__main__.py") {
        Ok(Some(main)) => {
            let text = String::from_utf8_lossy(&main);
            if !text.contains(&format!("\"id\":\"{id}\"")) {
                problems.push(
                    "__main__.py does not carry the manifest's id (the manifest was changed)"
                        .to_string(),
                );
            }
        }
        Ok(None) => problems.push("__main__.py is missing".to_string()),
        Err(err) => problems.push(format!("__main__.py cannot be read: {err}")),
    }
    let expected = manifest
        .wheels
        .iter()
        .map(|(name, info)| (format!(".wharf/wheels/{name}"), &info.sha256, info.size))
        .chain(
            manifest
                .files
                .iter()
                .map(|(name, info)| (name.clone(), &info.sha256, info.size)),
        );
    for (member, sha256, size) in expected {
        match read_member(&mut archive, &member) {
            Ok(Some(bytes)) => {
                if bytes.len() as u64 != size || hex(&Sha256::digest(&bytes)) != *sha256 {
                    problems.push(format!("{member} does not match its recorded sha256"));
                }
            }
            Ok(None) => problems.push(format!("{member} is missing")),
            Err(err) => problems.push(format!("{member} cannot be read: {err}")),
        }
    }
    for target in &manifest.targets {
        for wheel in &target.wheels {
            if !manifest.wheels.contains_key(wheel) {
                problems.push(format!(
                    "target {} lists {wheel}, which the bundle does not record",
                    target.key
                ));
            }
        }
    }
    Ok(BundleReport {
        path: path.to_path_buf(),
        shebang,
        id,
        size,
        manifest,
        problems,
    })
}

fn read_member(
    archive: &mut ZipArchive<fs_err::File>,
    name: &str,
) -> Result<Option<Vec<u8>>, std::io::Error> {
    match archive.by_name(name) {
        Ok(mut entry) => {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes)?;
            Ok(Some(bytes))
        }
        Err(zip::result::ZipError::FileNotFound) => Ok(None),
        Err(err) => Err(std::io::Error::other(err)),
    }
}
