//! Whether a path inside an archive (a wheel's zip, an sdist's tar) stays inside the
//! directory it is unpacked into. One rule set for the installer, the build frontend's sdist
//! unpacking and `wharf check`.

/// Why `path` (as stored in a zip or tar) is unsafe or non-portable, or `None` when fine.
pub fn unsafe_reason(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some("is empty");
    }
    if path.contains('\\') {
        return Some("contains a backslash");
    }
    if path.starts_with('/') {
        return Some("is absolute");
    }
    let bytes = path.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Some("starts with a drive letter");
    }
    if path.contains('\0') {
        return Some("contains a NUL byte");
    }
    if path.split('/').any(|part| part == "..") {
        return Some("contains `..`");
    }
    None
}

/// Whether a link at `member` pointing to `target` stays at least `floor` directories deep
/// (0: inside the archive; 1: inside its top-level directory).
pub fn link_stays_inside(member: &str, target: &str, floor: i64) -> bool {
    if target.starts_with('/') || target.contains('\\') {
        return false;
    }
    // The link resolves relative to the directory holding it.
    let mut depth: i64 = member.trim_end_matches('/').split('/').count() as i64 - 1;
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < floor {
                    return false;
                }
            }
            _ => depth += 1,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_paths() {
        assert_eq!(unsafe_reason("pkg/mod.py"), None);
        assert_eq!(unsafe_reason("pkg/..data"), None);
        assert_eq!(unsafe_reason("../evil"), Some("contains `..`"));
        assert_eq!(unsafe_reason("pkg/../../evil"), Some("contains `..`"));
        assert_eq!(unsafe_reason("/etc/passwd"), Some("is absolute"));
        assert_eq!(unsafe_reason("C:/x"), Some("starts with a drive letter"));
        assert_eq!(unsafe_reason("pkg\\mod.py"), Some("contains a backslash"));
    }

    #[test]
    fn links() {
        assert!(link_stays_inside("a-1/docs/link", "../README", 1));
        assert!(link_stays_inside("a-1/docs/link", "other/file", 1));
        assert!(link_stays_inside("a-1/link", "../b-1/x", 0));
        assert!(!link_stays_inside("a-1/link", "../b-1/x", 1));
        assert!(!link_stays_inside("a-1/link", "../../etc/passwd", 0));
        assert!(!link_stays_inside("a-1/link", "/etc/passwd", 0));
    }
}
