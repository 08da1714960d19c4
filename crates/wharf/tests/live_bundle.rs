//! `live`: real applications from PyPI bundled with `wharf bundle` and run, each with
//! `--version` (or `--help`) and one real action. Ignored by default (needs PyPI); CI runs
//! them with the rest of the live group.

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::*;

/// Bundle `args` with the base interpreter; returns the bundle's path.
fn bundle(context: &TestContext, name: &str, args: &[&str]) -> PathBuf {
    let output = context
        .wharf()
        .arg("bundle")
        .args(args)
        .args(["-o", name, "--python", base_python().to_str().unwrap()])
        .output()
        .unwrap();
    assert_success(&output);
    context.cwd.join(name)
}

/// Run a bundle as an executable (its shebang), with its own extraction root.
fn run(context: &TestContext, bundle: &Path, args: &[&str]) -> Output {
    command(context, bundle).args(args).output().unwrap()
}

fn command(context: &TestContext, bundle: &Path) -> Command {
    let mut command = Command::new(base_python());
    command
        .arg(bundle)
        .current_dir(&context.cwd)
        .env("WHARF_ROOT", context.temp.path().join("root"));
    command
}

fn assert_ran(output: &Output, expected: &str) {
    assert_success(output);
    let text = format!("{}{}", stdout(output), stderr(output));
    assert!(text.contains(expected), "`{expected}` not in:\n{text}");
}

#[test]
#[ignore = "live: needs PyPI"]
fn sphinx_quickstart() {
    let context = TestContext::new();
    let path = bundle(&context, "sq.pyz", &["sphinx", "-c", "sphinx-quickstart"]);
    // The program name is the bundle's, as invoked (pex and shiv do the same).
    assert_ran(&run(&context, &path, &["--version"]), "sq.pyz ");
    let output = run(
        &context,
        &path,
        &["-q", "-p", "Demo", "-a", "Me", "-v", "1.0", "--sep", "docs"],
    );
    assert_success(&output);
    let conf = fs_err::read_to_string(context.cwd.join("docs/source/conf.py")).unwrap();
    assert!(conf.contains("project = 'Demo'"), "{conf}");
}

#[test]
#[ignore = "live: needs PyPI"]
fn black_formats_a_file_with_precompiled_bytecode() {
    let context = TestContext::new();
    let path = bundle(
        &context,
        "black.pyz",
        &["black", "-c", "black", "--compile"],
    );
    assert_ran(&run(&context, &path, &["--version"]), "Python (CPython)");
    fs_err::write(context.cwd.join("ugly.py"), "x=( 1,2 )\n").unwrap();
    let output = run(&context, &path, &["ugly.py"]);
    assert_success(&output);
    assert_eq!(
        fs_err::read_to_string(context.cwd.join("ugly.py")).unwrap(),
        "x = (1, 2)\n"
    );
}

#[test]
#[ignore = "live: needs PyPI"]
fn httpie_builds_a_request_offline() {
    let context = TestContext::new();
    let path = bundle(&context, "http.pyz", &["httpie", "-c", "http"]);
    assert_success(&run(&context, &path, &["--version"]));
    let output = run(
        &context,
        &path,
        &[
            "--ignore-stdin",
            "--offline",
            "--print=HB",
            "POST",
            "example.org/api",
            "name=wharf",
        ],
    );
    assert_ran(&output, "\"name\": \"wharf\"");
    assert!(stdout(&output).contains("POST /api HTTP/1.1"));
}

#[test]
#[ignore = "live: needs PyPI"]
fn ipython_repl() {
    let context = TestContext::new();
    let path = bundle(&context, "ipython.pyz", &["ipython", "-c", "ipython"]);
    assert_success(&run(&context, &path, &["--version"]));
    let mut child = command(&context, &path)
        .args([
            "--simple-prompt",
            "--no-banner",
            "--HistoryManager.enabled=False",
        ])
        .env("HOME", context.temp.path().join("home"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"import sys\nprint('answer', 40 + 2)\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_ran(&output, "answer 42");
}

#[test]
#[ignore = "live: needs PyPI"]
fn flask_app_renders_a_template() {
    let context = TestContext::new();
    let project = context.temp.path().join("hello");
    fs_err::create_dir_all(project.join("hello/templates")).unwrap();
    fs_err::write(
        project.join("pyproject.toml"),
        "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n[project]\nname = \"hello\"\nversion = \"0.1\"\ndependencies = [\"flask\"]\n",
    )
    .unwrap();
    fs_err::write(
        project.join("hello/__init__.py"),
        "from flask import Flask, render_template\napp = Flask(__name__)\n\n@app.route('/<name>')\ndef greet(name):\n    return render_template('greet.html', name=name)\n",
    )
    .unwrap();
    fs_err::write(
        project.join("hello/__main__.py"),
        "import sys\nimport flask\nfrom hello import app\nif sys.argv[1:] == ['--version']:\n    print('flask', flask.__version__)\nelse:\n    print(app.test_client().get('/wharf').get_data(as_text=True))\n",
    )
    .unwrap();
    fs_err::write(
        project.join("hello/templates/greet.html"),
        "<p>Hello, {{ name }}!</p>\n",
    )
    .unwrap();
    let path = bundle(
        &context,
        "hello.pyz",
        &[project.to_str().unwrap(), "-m", "hello"],
    );
    assert_ran(&run(&context, &path, &["--version"]), "flask ");
    assert_ran(&run(&context, &path, &[]), "<p>Hello, wharf!</p>");
}

#[test]
#[ignore = "live: needs PyPI"]
fn c_extensions_pyyaml_markupsafe_numpy() {
    let context = TestContext::new();
    fs_err::write(
        context.cwd.join("native.py"),
        "import sys, yaml, markupsafe, numpy\nfrom markupsafe import _speedups\nif sys.argv[1:] == ['--version']:\n    print('numpy', numpy.__version__, 'yaml', yaml.__version__)\n    raise SystemExit\nassert yaml.__with_libyaml__\ndata = yaml.load('a: [1, 2, 3]', Loader=yaml.CLoader)\nprint('sum', int(numpy.array(data['a']).sum()), markupsafe.escape('<x>'))\n",
    )
    .unwrap();
    let path = bundle(
        &context,
        "native.pyz",
        &["pyyaml", "markupsafe", "numpy", "--script", "native.py"],
    );
    assert_ran(&run(&context, &path, &["--version"]), "numpy ");
    assert_ran(&run(&context, &path, &[]), "sum 6 &lt;x&gt;");
}
