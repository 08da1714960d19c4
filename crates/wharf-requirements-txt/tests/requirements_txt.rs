//! Requirements files on disk: nesting, paths, options, editables and every error path.

use std::path::{Path, PathBuf};

use tempfile::TempDir;
use url::Url;
use wharf_pep::{MarkerTree, VersionOrUrl};
use wharf_requirements_txt::{
    RequirementSpec, RequirementsTxt, RequirementsTxtError, RequirementsTxtParser,
    parse_constraints_file, parse_requirements_file, parse_requirements_str,
};

const SHA_A: &str = "a3f0cdbd6a0bcd2b1e5f2c8e7d8bd5e7a6f1c9e2d3b4a5968778695a4b3c2d1e";
const SHA_B: &str = "0000000000000000000000000000000000000000000000000000000000000001";

/// A project directory with files written from `(path, content)` pairs.
fn project(files: &[(&str, &str)]) -> TempDir {
    let directory = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let path = directory.path().join(path);
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(path, content).unwrap();
    }
    directory
}

fn parser(directory: &TempDir) -> RequirementsTxtParser {
    RequirementsTxtParser::new(directory.path()).with_environment([
        ("TOKEN".to_string(), "s3cret".to_string()),
        ("INDEX_HOST".to_string(), "pypi.example.org".to_string()),
    ])
}

fn parse(directory: &TempDir, file: &str) -> Result<RequirementsTxt, RequirementsTxtError> {
    parser(directory).parse_file(Path::new(file))
}

fn parse_one(content: &str) -> RequirementsTxt {
    let directory = project(&[("requirements.txt", content)]);
    parse(&directory, "requirements.txt").unwrap()
}

fn error_of(content: &str) -> String {
    let directory = project(&[("requirements.txt", content)]);
    parse(&directory, "requirements.txt")
        .unwrap_err()
        .to_string()
}

fn named(spec: &RequirementSpec) -> &wharf_pep::Requirement {
    match spec {
        RequirementSpec::Named(requirement) => requirement,
        RequirementSpec::Unnamed { given, .. } => panic!("`{given}` is unnamed"),
    }
}

fn unnamed(spec: &RequirementSpec) -> (&Url, Vec<String>, MarkerTree, &str) {
    match spec {
        RequirementSpec::Unnamed {
            url,
            extras,
            marker,
            given,
        } => (
            url,
            extras.iter().map(ToString::to_string).collect(),
            *marker,
            given,
        ),
        RequirementSpec::Named(requirement) => panic!("`{requirement}` is named"),
    }
}

fn file_url(path: &Path) -> Url {
    Url::from_file_path(path).unwrap()
}

#[test]
fn named_requirements_with_comments_and_continuations() {
    let content = format!(
        "# pinned\n\
         \n\
         requests[socks,security] >=2.0,<3 ; python_version >= '3.8'  # trailing comment\n\
         flask==3.0.0 \\\n    --hash=sha256:{SHA_A} \\\n    --hash sha256:{SHA_B}\n\
         Django~=5.0;sys_platform=='linux'\n"
    );
    let parsed = parse_one(&content);
    assert_eq!(parsed.requirements.len(), 3);

    let requests = &parsed.requirements[0];
    assert_eq!(requests.origin.line, 3);
    assert_eq!(requests.origin.file, PathBuf::from("requirements.txt"));
    let requirement = named(&requests.requirement);
    assert_eq!(requirement.name.as_ref(), "requests");
    assert_eq!(requirement.extras.len(), 2);
    assert!(!requirement.marker.is_true());
    assert!(requests.hashes.is_empty());

    let flask = &parsed.requirements[1];
    assert_eq!(flask.origin.line, 4);
    assert_eq!(
        flask.hashes,
        vec![format!("sha256:{SHA_A}"), format!("sha256:{SHA_B}")]
    );
    assert_eq!(named(&flask.requirement).to_string(), "flask==3.0.0");

    let django = &parsed.requirements[2];
    assert_eq!(django.origin.line, 7);
    assert_eq!(
        named(&django.requirement).to_string(),
        "django~=5.0 ; sys_platform == 'linux'"
    );
}

#[test]
fn direct_references_stay_named() {
    let parsed = parse_one(
        "foo @ file:///opt/dist/foo-1.0-py3-none-any.whl\n\
         bar @ https://host/bar-1.0.tar.gz#sha256=abc ; python_version > '3'\n\
         baz @ https://host/baz-1.0-py3-none-any.whl;python_version>'3'\n",
    );
    let urls: Vec<String> = parsed
        .requirements
        .iter()
        .map(|entry| {
            let requirement = named(&entry.requirement);
            match &requirement.version_or_url {
                Some(VersionOrUrl::Url(url)) => url.to_string(),
                other => panic!("expected a URL, found {other:?}"),
            }
        })
        .collect();
    assert_eq!(
        urls,
        vec![
            "file:///opt/dist/foo-1.0-py3-none-any.whl",
            "https://host/bar-1.0.tar.gz#sha256=abc",
            "https://host/baz-1.0-py3-none-any.whl",
        ]
    );
    assert!(!named(&parsed.requirements[1].requirement).marker.is_true());
    // pip cuts a non-URL line at its first `;`, so the marker needs no space before it.
    assert!(!named(&parsed.requirements[2].requirement).marker.is_true());
}

#[test]
fn path_requirements_resolve_against_the_working_directory() {
    let directory = project(&[
        ("dist/foo-1.0-py3-none-any.whl", "not really a zip"),
        ("proj/pyproject.toml", "[project]\nname = 'proj'\n"),
        (
            "nested/requirements.txt",
            "./dist/foo-1.0-py3-none-any.whl\n",
        ),
        (
            "requirements.txt",
            "./dist/foo-1.0-py3-none-any.whl ; python_version >= '3.8'\n\
             proj[dev, test]\n\
             ./proj[dev]\n\
             -r nested/requirements.txt\n",
        ),
    ]);
    let root = directory.path().canonicalize().unwrap();
    let parsed = parser(&directory)
        .parse_file(&root.join("requirements.txt"))
        .unwrap();

    let (url, extras, marker, given) = unnamed(&parsed.requirements[0].requirement);
    assert_eq!(*url, file_url(&root.join("dist/foo-1.0-py3-none-any.whl")));
    assert!(extras.is_empty());
    assert!(!marker.is_true());
    assert_eq!(given, "./dist/foo-1.0-py3-none-any.whl");

    // `proj[dev, test]` does not look like a path (no `/`, no leading `.`): a named requirement.
    assert_eq!(
        named(&parsed.requirements[1].requirement).name.as_ref(),
        "proj"
    );

    let (url, extras, _, given) = unnamed(&parsed.requirements[2].requirement);
    assert_eq!(*url, file_url(&root.join("proj")));
    assert_eq!(extras, vec!["dev"]);
    assert_eq!(given, "./proj[dev]");

    // Inside `nested/`, `./dist/…` is still relative to the working directory, as in pip.
    let (url, ..) = unnamed(&parsed.requirements[3].requirement);
    assert_eq!(*url, file_url(&root.join("dist/foo-1.0-py3-none-any.whl")));
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn urls_and_file_urls_are_unnamed_requirements() {
    let directory = project(&[
        ("work/placeholder", ""),
        (
            "work/requirements.txt",
            "https://host/x-1.0-py3-none-any.whl; python_version >= '3.8'\n\
             file:///opt/dist/y-1.0.tar.gz\n\
             file:../dist/z-1.0-py3-none-any.whl\n\
             git+https://github.com/org/repo@v1#egg=repo\n\
             https://host/w-1.0-py3-none-any.whl[extra]\n",
        ),
    ]);
    let work = directory.path().canonicalize().unwrap().join("work");
    let parsed = RequirementsTxtParser::new(&work)
        .parse_file(Path::new("requirements.txt"))
        .unwrap();
    let specs: Vec<_> = parsed
        .requirements
        .iter()
        .map(|entry| unnamed(&entry.requirement))
        .collect();
    assert_eq!(specs[0].0.as_str(), "https://host/x-1.0-py3-none-any.whl");
    assert!(!specs[0].2.is_true());
    assert_eq!(specs[1].0.as_str(), "file:///opt/dist/y-1.0.tar.gz");
    assert_eq!(
        *specs[2].0,
        file_url(&work.parent().unwrap().join("dist/z-1.0-py3-none-any.whl"))
    );
    assert_eq!(
        specs[3].0.as_str(),
        "git+https://github.com/org/repo@v1#egg=repo"
    );
    assert_eq!(
        parsed.requirements[3].requirement.egg_fragment().as_deref(),
        Some("repo")
    );
    assert_eq!(specs[4].0.as_str(), "https://host/w-1.0-py3-none-any.whl");
    assert_eq!(specs[4].1, vec!["extra"]);
}

#[test]
fn missing_archive_is_a_path_with_a_warning() {
    let parsed = parse_one("./dist/missing-1.0.tar.gz\n");
    assert!(matches!(
        parsed.requirements[0].requirement,
        RequirementSpec::Unnamed { .. }
    ));
    assert_eq!(parsed.warnings.len(), 1);
    assert_eq!(
        parsed.warnings[0].to_string(),
        "requirements.txt:1: requirement `./dist/missing-1.0.tar.gz` looks like a file name, but the file does not exist"
    );
}

#[test]
fn directory_that_is_not_a_project_is_an_error() {
    let directory = project(&[("empty/README", ""), ("requirements.txt", "./empty\n")]);
    let error = parse(&directory, "requirements.txt").unwrap_err();
    assert_eq!(
        error.to_string(),
        "requirements.txt:1: directory `./empty` is not installable: it has neither `setup.py` nor `pyproject.toml`"
    );
}

#[test]
fn nested_requirements_and_constraints_keep_order_and_origins() {
    let directory = project(&[
        (
            "requirements.txt",
            "first\n-r reqs/base.txt\n--constraint=reqs/constraints.txt\nlast\n",
        ),
        ("reqs/base.txt", "base-one\n-r ../common.txt\nbase-two\n"),
        ("common.txt", "common\n"),
        (
            "reqs/constraints.txt",
            "urllib3<2\n-r more-constraints.txt\n",
        ),
        ("reqs/more-constraints.txt", "idna==3.4\n"),
    ]);
    let parsed = parse(&directory, "requirements.txt").unwrap();
    let requirements: Vec<(String, String)> = parsed
        .requirements
        .iter()
        .map(|entry| (entry.requirement.to_string(), entry.origin.to_string()))
        .collect();
    assert_eq!(
        requirements,
        vec![
            ("first".to_string(), "requirements.txt:1".to_string()),
            ("base-one".to_string(), "reqs/base.txt:1".to_string()),
            ("common".to_string(), "common.txt:1".to_string()),
            ("base-two".to_string(), "reqs/base.txt:3".to_string()),
            ("last".to_string(), "requirements.txt:4".to_string()),
        ]
    );
    let constraints: Vec<(String, String)> = parsed
        .constraints
        .iter()
        .map(|entry| (entry.requirement.to_string(), entry.origin.to_string()))
        .collect();
    assert_eq!(
        constraints,
        vec![
            (
                "urllib3<2".to_string(),
                "reqs/constraints.txt:1".to_string()
            ),
            (
                "idna==3.4".to_string(),
                "reqs/more-constraints.txt:1".to_string()
            ),
        ]
    );
}

#[test]
fn the_same_file_may_be_included_twice_without_a_cycle() {
    let directory = project(&[
        ("requirements.txt", "-r a.txt\n-r b.txt\n"),
        ("a.txt", "-r shared.txt\n"),
        ("b.txt", "-r shared.txt\n"),
        ("shared.txt", "shared\n"),
    ]);
    let parsed = parse(&directory, "requirements.txt").unwrap();
    assert_eq!(parsed.requirements.len(), 2);
}

#[test]
fn cycles_are_reported_with_their_chain() {
    let directory = project(&[
        ("requirements.txt", "-r a.txt\n"),
        ("a.txt", "foo\n-r sub/b.txt\n"),
        ("sub/b.txt", "\n\n-r ../a.txt\n"),
    ]);
    let error = parse(&directory, "requirements.txt").unwrap_err();
    assert!(matches!(error, RequirementsTxtError::Cycle { .. }));
    assert_eq!(
        error.to_string(),
        "sub/b.txt:3: `a.txt` includes itself: a.txt -> sub/b.txt -> a.txt"
    );

    let directory = project(&[("requirements.txt", "-r ./requirements.txt\n")]);
    let error = parse(&directory, "requirements.txt").unwrap_err();
    assert_eq!(
        error.to_string(),
        "requirements.txt:1: `requirements.txt` includes itself: requirements.txt -> requirements.txt"
    );
}

#[test]
fn missing_files_name_the_including_line() {
    let directory = project(&[("requirements.txt", "foo\n-r missing.txt\n")]);
    let error = parse(&directory, "requirements.txt").unwrap_err();
    assert_eq!(
        error.to_string(),
        "requirements file `missing.txt` does not exist (included from requirements.txt:2)"
    );

    let directory = project(&[]);
    let error = parse(&directory, "requirements.txt").unwrap_err();
    assert_eq!(
        error.to_string(),
        "requirements file `requirements.txt` does not exist"
    );
}

#[test]
fn unreadable_path_is_a_read_error() {
    let directory = project(&[("dir/placeholder", ""), ("requirements.txt", "-c dir\n")]);
    let error = parse(&directory, "requirements.txt").unwrap_err();
    assert!(
        matches!(error, RequirementsTxtError::Read { .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "could not read requirements file `dir` (included from requirements.txt:1)"
    );
}

#[test]
fn remote_files_are_rejected() {
    let message = error_of("-r https://example.org/requirements.txt\n");
    assert_eq!(
        message,
        "requirements.txt:1: `https://example.org/requirements.txt` is a remote requirements file, which is not supported yet: download it and pass its path"
    );
}

#[test]
fn environment_variables_expand() {
    let parsed = parse_one(
        "--index-url https://user:${TOKEN}@${INDEX_HOST}/simple\n\
         foo @ https://${UNKNOWN}/foo.whl\n\
         --extra-index-url https://${lowercase}/simple\n",
    );
    assert_eq!(
        parsed.index_url.as_deref(),
        Some("https://user:s3cret@pypi.example.org/simple")
    );
    assert_eq!(parsed.extra_index_urls, vec!["https://${lowercase}/simple"]);
    assert_eq!(parsed.requirements.len(), 1);
}

#[test]
fn global_options_in_both_forms() {
    let directory = project(&[
        ("wheels/placeholder", ""),
        (
            "requirements.txt",
            "-i https://first.example/simple\n\
             --index-url=https://second.example/simple\n\
             --extra-index-url https://extra.example/simple\n\
             --extra https://abbreviated.example/simple\n\
             -f ./wheels\n\
             --find-links=https://host/links.html\n\
             --find-links not-there\n\
             --no-index\n\
             --pre\n\
             --prefer-binary\n\
             --no-binary :all:\n\
             --no-binary=Foo_Bar,baz\n\
             --only-binary :none:\n\
             --require-hashes\n\
             --trusted-host host.example\n\
             --trusted-host=other.example:8080\n\
             --use-feature=truststore\n",
        ),
    ]);
    let root = directory.path().canonicalize().unwrap();
    let parsed = parser(&directory)
        .parse_file(&root.join("requirements.txt"))
        .unwrap();
    assert_eq!(
        parsed.index_url.as_deref(),
        Some("https://second.example/simple")
    );
    assert_eq!(
        parsed.extra_index_urls,
        vec![
            "https://extra.example/simple",
            "https://abbreviated.example/simple"
        ]
    );
    assert_eq!(
        parsed.find_links,
        vec![
            root.join("wheels").display().to_string(),
            "https://host/links.html".to_string(),
            directory.path().join("not-there").display().to_string(),
        ]
    );
    assert!(parsed.no_index && parsed.pre && parsed.prefer_binary && parsed.require_hashes);
    assert_eq!(parsed.no_binary, vec![":all:", "foo-bar", "baz"]);
    assert_eq!(parsed.only_binary, vec![":none:"]);
    assert_eq!(
        parsed.trusted_hosts,
        vec!["host.example", "other.example:8080"]
    );
    assert!(parsed.requirements.is_empty());
}

#[test]
fn find_links_are_relative_to_the_including_file() {
    let directory = project(&[
        ("requirements.txt", "-r sub/requirements.txt\n"),
        ("sub/requirements.txt", "--find-links wheels\n"),
        ("sub/wheels/placeholder", ""),
    ]);
    let parsed = parse(&directory, "requirements.txt").unwrap();
    assert_eq!(
        parsed.find_links,
        vec![directory.path().join("sub/wheels").display().to_string()]
    );
}

#[test]
fn editables() {
    let directory = project(&[
        ("proj/pyproject.toml", ""),
        ("legacy/setup.py", ""),
        (
            "requirements.txt",
            "-e ./proj[dev,test]\n\
             --editable=legacy\n\
             -e git+https://github.com/org/repo@main#egg=repo[extra]\n\
             -e git://github.com/org/other#egg=other\n\
             -e file:///opt/src/thing\n\
             -e ./proj --config-settings editable_mode=compat\n",
        ),
    ]);
    let root = directory.path().canonicalize().unwrap();
    let parsed = parser(&directory)
        .parse_file(&root.join("requirements.txt"))
        .unwrap();
    let editables: Vec<(String, Vec<String>, &str, usize)> = parsed
        .editables
        .iter()
        .map(|editable| {
            (
                editable.url.to_string(),
                editable.extras.iter().map(ToString::to_string).collect(),
                editable.given.as_str(),
                editable.origin.line,
            )
        })
        .collect();
    assert_eq!(
        editables,
        vec![
            (
                file_url(&root.join("proj")).to_string(),
                vec!["dev".to_string(), "test".to_string()],
                "./proj[dev,test]",
                1
            ),
            (
                file_url(&root.join("legacy")).to_string(),
                vec![],
                "legacy",
                2
            ),
            (
                "git+https://github.com/org/repo@main#egg=repo[extra]".to_string(),
                vec!["extra".to_string()],
                "git+https://github.com/org/repo@main#egg=repo[extra]",
                3
            ),
            (
                "git+git://github.com/org/other#egg=other".to_string(),
                vec![],
                "git://github.com/org/other#egg=other",
                4
            ),
            (
                "file:///opt/src/thing".to_string(),
                vec![],
                "file:///opt/src/thing",
                5
            ),
            (
                file_url(&root.join("proj")).to_string(),
                vec![],
                "./proj",
                6
            ),
        ]
    );
    assert!(parsed.requirements.is_empty());
    assert!(parsed.warnings.is_empty());
}

#[test]
fn editable_errors() {
    assert_eq!(
        error_of("-e ./does-not-exist\n"),
        "requirements.txt:1: `./does-not-exist` is not a valid editable requirement: it should be a path to a local project directory or a VCS URL (git+, hg+, svn+, bzr+)"
    );
    assert_eq!(
        error_of("-e https://host/x.tar.gz\n"),
        "requirements.txt:1: `https://host/x.tar.gz` is not a valid editable requirement: it should be a path to a local project directory or a VCS URL (git+, hg+, svn+, bzr+)"
    );
    assert_eq!(
        error_of("-e git+https://github.com/org/repo\n"),
        "requirements.txt:1: could not find the project name of editable `git+https://github.com/org/repo`: add `#egg=NAME` to its URL"
    );
    let directory = project(&[
        ("proj/pyproject.toml", ""),
        ("requirements.txt", "-c constraints.txt\n"),
        ("constraints.txt", "\n-e ./proj\n"),
    ]);
    assert_eq!(
        parse(&directory, "requirements.txt")
            .unwrap_err()
            .to_string(),
        "constraints.txt:2: `-e ./proj` is not allowed in a constraints file: editable requirements are not allowed as constraints"
    );
}

#[test]
fn invalid_requirements_report_file_line_and_text() {
    let message = error_of("ok\n\nfoo >>> 1\n");
    assert!(
        message.starts_with("requirements.txt:3: invalid requirement `foo >>> 1`: "),
        "{message}"
    );

    let message = error_of("foo=1.0\n");
    assert!(
        message.ends_with("\nhint: `=` is not a valid operator: did you mean `==`?"),
        "{message}"
    );

    let message = error_of("dist/foo\n");
    assert!(
        message.ends_with("\nhint: it looks like a path, but `dist/foo` does not exist"),
        "{message}"
    );

    let directory = project(&[
        ("other/reqs.txt", "foo\n"),
        ("requirements.txt", "other/reqs.txt\n"),
    ]);
    let message = parse(&directory, "requirements.txt")
        .unwrap_err()
        .to_string();
    assert!(
        message.ends_with("\nhint: `other/reqs.txt` is a file: if it is a requirements file, include it with `-r other/reqs.txt`"),
        "{message}"
    );

    let message = error_of("foo ; python_version >>> '3'\n");
    assert!(
        message.starts_with(
            "requirements.txt:1: invalid requirement `foo ; python_version >>> '3'`: "
        ),
        "{message}"
    );

    assert_eq!(
        error_of("./proj[not valid!]\n"),
        "requirements.txt:1: invalid extras in `./proj[not valid!]`: Not a valid package or extra name: \"not valid!\". Names must start and end with a letter or digit and may only contain -, _, ., and alphanumeric characters."
    );

    assert!(
        error_of("https://exa mple.com/x.whl\n")
            .starts_with("requirements.txt:1: invalid URL `https://exa mple.com/x.whl`: ")
    );
}

#[test]
fn option_errors_name_file_and_line() {
    assert_eq!(
        error_of("foo\n--frobnicate\n"),
        "requirements.txt:2: unknown option `--frobnicate` in `--frobnicate`"
    );
    assert_eq!(
        error_of("-x value\n"),
        "requirements.txt:1: unknown option `-x` in `-x value`"
    );
    assert_eq!(
        error_of("--no- x\n"),
        "requirements.txt:1: option `--no-` in `--no- x` is ambiguous: it could be --no-index, --no-binary"
    );
    assert_eq!(
        error_of("--index-url\n"),
        "requirements.txt:1: option `--index-url` requires a value in `--index-url`"
    );
    assert_eq!(
        error_of("--pre=yes\n"),
        "requirements.txt:1: option `--pre` takes no value in `--pre=yes`"
    );
    assert_eq!(
        error_of("foo==1.0 --index-url https://host/simple\n"),
        "requirements.txt:1: `--index-url` cannot follow a requirement (`foo==1.0`): put it on a line of its own"
    );
    assert_eq!(
        error_of("--extra-index-url https://host/simple torch==2.0\n"),
        "requirements.txt:1: unexpected `torch==2.0` in `--extra-index-url https://host/simple torch==2.0`: a requirement must come before the options on its line"
    );
    assert_eq!(
        error_of("-e './unclosed\n"),
        "requirements.txt:1: could not split `-e './unclosed` into options: no closing quotation"
    );
    assert_eq!(
        error_of("foo --hash=md5:d41d8cd98f00b204e9800998ecf8427e\n"),
        "requirements.txt:1: invalid value `md5:d41d8cd98f00b204e9800998ecf8427e` for `--hash`: `md5` is not allowed: use sha256, sha384 or sha512"
    );
    assert_eq!(
        error_of("foo --hash=sha256:abc\n"),
        "requirements.txt:1: invalid value `sha256:abc` for `--hash`: a sha256 digest is 64 hexadecimal digits"
    );
    assert_eq!(
        error_of("foo --config-settings novalue\n"),
        "requirements.txt:1: invalid value `novalue` for `--config-settings`: expected `KEY=VALUE`"
    );
    assert_eq!(
        error_of("--no-binary --pre\n"),
        "requirements.txt:1: invalid value `--pre` for `--no-binary`: expected `:all:`, `:none:` or project names separated by commas"
    );
}

#[test]
fn per_requirement_options_that_are_ignored() {
    let parsed = parse_one(&format!(
        "foo --config-settings=key=value -C other=1\n\
         --hash=sha256:{SHA_A}\n\
         bar --global-option=--quiet\n"
    ));
    assert_eq!(parsed.requirements.len(), 2);
    let warnings: Vec<String> = parsed.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        vec![
            "requirements.txt:2: `--hash` is ignored on a line without a requirement",
            "requirements.txt:3: `--global-option --quiet` is ignored: wharf builds no sdists with setup.py options",
        ]
    );
}

#[test]
fn constraints_must_be_named_and_without_extras() {
    let directory = project(&[
        ("proj/pyproject.toml", ""),
        ("dist/foo-1.0-py3-none-any.whl", ""),
        (
            "constraints.txt",
            "urllib3<2\n./dist/foo-1.0-py3-none-any.whl\nbar @ https://host/bar-1.0.tar.gz\n",
        ),
        ("extras.txt", "requests[socks]<3\n"),
        ("unnamed.txt", "./proj\n"),
    ]);
    let parsed = parser(&directory)
        .parse_constraints_file(Path::new("constraints.txt"))
        .unwrap();
    assert_eq!(parsed.constraints.len(), 3);
    assert!(parsed.requirements.is_empty());

    assert_eq!(
        parse_constraints_file(Path::new("extras.txt"), directory.path())
            .unwrap_err()
            .to_string(),
        "extras.txt:1: `requests[socks]<3` is not allowed in a constraints file: constraints cannot have extras"
    );
    assert_eq!(
        parse_constraints_file(Path::new("unnamed.txt"), directory.path())
            .unwrap_err()
            .to_string(),
        "unnamed.txt:1: `./proj` is not allowed in a constraints file: unnamed requirements are not allowed as constraints: use `name @ url`"
    );
}

#[test]
fn parse_from_a_string_resolves_includes_beside_the_named_file() {
    let directory = project(&[("config/base.txt", "base\n")]);
    let parsed = parse_requirements_str(
        "top\n-r base.txt\n",
        Path::new("config/requirements.txt"),
        directory.path(),
    )
    .unwrap();
    let origins: Vec<String> = parsed
        .requirements
        .iter()
        .map(|entry| entry.origin.to_string())
        .collect();
    assert_eq!(
        origins,
        vec!["config/requirements.txt:1", "config/base.txt:1"]
    );
}

#[test]
fn parse_requirements_file_uses_the_process_environment_for_paths() {
    let directory = project(&[("requirements.txt", "foo\n")]);
    let parsed =
        parse_requirements_file(&directory.path().join("requirements.txt"), Path::new("/"))
            .unwrap();
    assert_eq!(parsed.requirements.len(), 1);
    assert_eq!(
        parsed.requirements[0].origin.file,
        directory.path().join("requirements.txt")
    );
}

#[test]
fn invalid_encoding_names_the_file() {
    let directory = tempfile::tempdir().unwrap();
    fs_err::write(
        directory.path().join("requirements.txt"),
        b"foo\n\xff\xfe\xfd",
    )
    .unwrap();
    assert_eq!(
        parse(&directory, "requirements.txt")
            .unwrap_err()
            .to_string(),
        "requirements file `requirements.txt` is not valid UTF-8 (invalid byte at offset 4)"
    );
}

#[test]
fn unnamed_requirements_display_as_written() {
    let parsed = parse_one("https://host/x-1.0-py3-none-any.whl ; python_version >= '3.8'\n");
    assert_eq!(
        parsed.requirements[0].requirement.to_string(),
        "https://host/x-1.0-py3-none-any.whl ; python_full_version >= '3.8'"
    );
}
