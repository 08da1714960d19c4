//! Launcher scripts: console and GUI entry points, and the `#!python` shebang rewrite of
//! a wheel's `.data/scripts`.

use std::path::Path;

use wharf_metadata::EntryPoint;

/// Longest shebang line the Linux kernel reads (`BINPRM_BUF_SIZE`, including `#!`).
const MAX_SHEBANG: usize = 127;

/// The first line(s) that make a script run with `python`.
///
/// When the path is too long for the kernel or contains spaces, the script starts as a
/// `/bin/sh` script that `exec`s the interpreter on itself; the same lines read as a string
/// literal to Python (the trick pip's distlib uses).
pub(crate) fn shebang(python: &Path) -> String {
    let python = python.to_string_lossy();
    if python.len() + 2 > MAX_SHEBANG || python.contains([' ', '\t']) {
        format!("#!/bin/sh\n'''exec' \"{python}\" \"$0\" \"$@\"\n' '''\n")
    } else {
        format!("#!{python}\n")
    }
}

/// Rewrite a `.data/scripts` file: a first line starting with `#!python` becomes the
/// environment's interpreter. Returns `None` when the script has no such line.
pub(crate) fn rewrite_shebang(content: &[u8], python: &Path) -> Option<Vec<u8>> {
    if !content.starts_with(b"#!python") {
        return None;
    }
    let rest = match content.iter().position(|&byte| byte == b'\n') {
        Some(end) => &content[end + 1..],
        None => &[],
    };
    let mut out = shebang(python).into_bytes();
    out.extend_from_slice(rest);
    Some(out)
}

/// The launcher for an entry point whose `object` is present.
pub(crate) fn launcher(entry_point: &EntryPoint, object: &str, python: &Path) -> String {
    let import = object.split('.').next().unwrap_or(object);
    format!(
        "{shebang}# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom {module} import {import}\nif __name__ == \"__main__\":\n    sys.argv[0] = re.sub(r\"(-script\\.pyw|\\.exe)?$\", \"\", sys.argv[0])\n    sys.exit({object}())\n",
        shebang = shebang(python),
        module = entry_point.module,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_shebangs() {
        assert_eq!(shebang(Path::new("/v/bin/python")), "#!/v/bin/python\n");
        let spaced = shebang(Path::new("/my venv/bin/python"));
        assert!(spaced.starts_with("#!/bin/sh\n'''exec' \"/my venv/bin/python\""));
        let long = format!("/{}/bin/python", "x".repeat(130));
        assert!(shebang(Path::new(&long)).starts_with("#!/bin/sh\n"));
    }

    #[test]
    fn rewrites_only_python_shebangs() {
        let python = Path::new("/v/bin/python");
        assert_eq!(
            rewrite_shebang(b"#!python\nprint(1)\n", python).unwrap(),
            b"#!/v/bin/python\nprint(1)\n"
        );
        assert_eq!(
            rewrite_shebang(b"#!pythonw -E\nx\n", python).unwrap(),
            b"#!/v/bin/python\nx\n"
        );
        assert!(rewrite_shebang(b"#!/bin/sh\necho\n", python).is_none());
    }

    #[test]
    fn launcher_calls_nested_object() {
        let entry = EntryPoint::parse_value("tool", "pkg.cli:main.run").unwrap();
        let text = launcher(&entry, "main.run", Path::new("/v/bin/python"));
        assert!(text.contains("from pkg.cli import main\n"));
        assert!(text.contains("sys.exit(main.run())"));
    }
}
